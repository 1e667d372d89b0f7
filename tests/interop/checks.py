"""What the interop scripts share: one line per check, and the first failure ends the run."""

import sys


def check(condition, what, got=None):
    if not condition:
        print(f"FAIL {what}" + ("" if got is None else f"\n  got: {got!r}"))
        sys.exit(1)
    print(f"ok   {what}")
