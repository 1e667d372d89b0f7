"""The ``%%flow`` cell magic: flow code in a Python notebook's cells."""

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ._native import FlowError
from .session import Session


def _names(text):
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _render_traceback(self):
    # IPython shows an exception with this method as these lines alone: flow's diagnostics,
    # with their spans in the cell, and no Python frames.
    return str(self).splitlines()


FlowError._render_traceback_ = _render_traceback


@magics_class
class FlowMagics(Magics):
    def __init__(self, shell):
        super().__init__(shell)
        self.session = Session()

    @magic_arguments()
    @argument("-i", "--input", action="append", default=[],
              help="Python values to hand to flow, by name (comma-separated; repeatable)")
    @argument("-o", "--output", action="append", default=[],
              help="flow values to hand back to Python, computed, by name (comma-separated)")
    @argument("--polars", action="store_true",
              help="hand frames back as polars DataFrames (default: the kind of the last frame "
                   "handed in, else pandas)")
    @cell_magic
    def flow(self, line, cell):
        """Run the cell as flow code in this process's flow session.

        %%flow [-i NAME[,NAME…]] [-o NAME[,NAME…]] [--polars]

        Bindings live from cell to cell. A final expression is shown as flow shows it.
        """
        args = parse_argstring(self.flow, line)
        namespace = self.shell.user_ns
        for name in (n for group in args.input for n in _names(group)):
            if name not in namespace:
                raise NameError(f"%%flow -i {name}: no Python value named `{name}`")
            self.session.put(name, namespace[name])
        shown = self.session.run(cell)
        for name in (n for group in args.output for n in _names(group)):
            namespace[name] = self.session.get(name, like="polars" if args.polars else None)
        return shown


__all__ = ["FlowMagics"]
