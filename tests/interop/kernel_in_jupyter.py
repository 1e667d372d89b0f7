"""flow's Jupyter kernel driven by Jupyter's own clients (jupyter_client, nbclient, nbformat).

1. `flow kernel install --prefix DIR` writes a kernelspec that jupyter_client finds (via
   JUPYTER_PATH) with the display name, language, `interrupt_mode: "message"` and logos.
2. nbclient runs a notebook of flow cells as JupyterLab would: printed output as stdout
   streams, a final expression as `execute_result`, a warning as a stderr stream, an error cell
   as a Jupyter error named by its diagnostic code (the notebook goes on, bindings kept).
3. A BlockingKernelClient checks kernel_info (language_info), is_complete, complete (names,
   members, keyword arguments, dataset variables), inspect (builtin help, a value's type), an
   interrupt that stops a long computation within seconds with the session kept, the
   heartbeat, and shutdown.
4. Every notebook in examples/notebooks runs through nbclient and gives the outputs saved in it
   (compared without execution counts); `--bless` saves the new outputs instead.

Run: python kernel_in_jupyter.py --flow PATH/TO/flow --dir WORK_DIR. Prints one line per check;
exits 1 on the first failure with what was expected and what came.
"""

import argparse
import base64
import json
import os
import queue
import struct
import subprocess
import sys
import time

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from checks import check, interrupted


AIRPORTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "airports.csv")


def install(flow, work):
    prefix = os.path.join(work, "prefix")
    done = subprocess.run([flow, "kernel", "install", "--prefix", prefix],
                          capture_output=True, text=True, check=False)
    check(done.returncode == 0, "flow kernel install --prefix", done.stderr)
    data = os.path.join(prefix, "share", "jupyter")
    os.environ["JUPYTER_PATH"] = data
    spec = KernelSpecManager().get_kernel_spec("flow")
    check(spec.display_name == "flow" and spec.language == "flow", "kernelspec names flow",
          (spec.display_name, spec.language))
    check(spec.interrupt_mode == "message", "kernelspec asks for message interrupts",
          spec.interrupt_mode)
    check(os.path.samefile(spec.argv[0], flow) and spec.argv[1:] == ["kernel", "-f",
                                                                    "{connection_file}"],
          "kernelspec starts this flow", spec.argv)
    logos = [f for f in os.listdir(spec.resource_dir) if f.startswith("logo-")]
    check(sorted(logos) == ["logo-32x32.png", "logo-64x64.png"], "kernelspec has logos", logos)


def outputs_of(cell):
    return [(o["output_type"], o.get("name"), o.get("text") or o.get("data", {}).get(
        "text/plain") or o.get("ename")) for o in cell.outputs]


def notebook(work):
    cells = [
        'x = ones((4, 4), chunks=2)\nprint("sum", x.sum())',
        "x.mean().compute()",
        "y = x * 2\n(y.sum() + 1).compute()",
        'z = undefined_name + 1',
        "print(y.sum())",
        "y",
        'label(ones((3, 4), chunks=2), ["time", "lat"], attrs={units: "K"}, name="sst")',
        'print("before")\nplot(sin(arange(100) * 0.1), title="a sine", size=(400, 300))\n'
        'print("after")',
        f'read_csv({json.dumps(AIRPORTS)})',
        "graph(y.sum())\ngraph(y.sum(), tasks=true)",
        'frame({k: arange(12), name: ["a", "b", "c"] * 4})',
        "graph(ones(3000, chunks=1), tasks=true)",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "flow", "display_name": "flow", "language": "flow"}
    client = NotebookClient(nb, timeout=120, kernel_name="flow", allow_errors=True,
                            resources={"metadata": {"path": work}})
    client.execute()
    out = [outputs_of(c) for c in nb.cells]
    check(out[0] == [("stream", "stdout", "sum 16.0\n")], "print is a stdout stream", out[0])
    check(out[1] == [("execute_result", None, "1.0")], "a final expression is the result",
          out[1])
    check(nb.cells[1].execution_count == 2, "cells are counted", nb.cells[1].execution_count)
    check(out[2] == [("execute_result", None, "33.0")], "bindings live across cells", out[2])
    check(len(out[3]) == 1 and out[3][0][0] == "error"
          and out[3][0][2] == "flow::check::unknown_name", "an error cell names its code", out[3])
    traceback = "\n".join(nb.cells[3].outputs[0]["traceback"])
    check("undefined_name" in traceback and "\x1b[" in traceback,
          "the error is the diagnostic, in colour", traceback)
    check(out[4] == [("stream", "stdout", "32.0\n")], "the notebook goes on after an error",
          out[4])
    data = nb.cells[5].outputs[0]["data"]
    check(data["text/plain"].startswith("array<f64>[4, 4]") and "<svg" in data["text/html"]
          and "4 chunks" in data["text/html"], "a lazy array shows its cost and chunk grid",
          data)
    data = nb.cells[6].outputs[0]["data"]
    html = data["text/html"]
    check("<details" in html and "units" in html and "time" in html and "sst" in html,
          "a labelled array shows dims and folded attributes", html)
    kinds = [o["output_type"] for o in nb.cells[7].outputs]
    png = base64.b64decode(nb.cells[7].outputs[1]["data"]["image/png"])
    width, height = struct.unpack(">II", png[16:24])
    check(kinds == ["stream", "display_data", "stream"] and png[:8] == b"\x89PNG\r\n\x1a\n"
          and (width, height) == (400, 300),
          "plot without a path shows the picture where it is drawn", kinds)
    svg = nb.cells[7].outputs[1]["data"].get("image/svg+xml", "")
    check(svg.startswith("<svg") and "a sine" in svg, "a line plot also comes as SVG", svg[:200])
    html = nb.cells[8].outputs[0]["data"]["text/html"]
    check("1 partition" in html and "Origin" in html and "<td>str</td>" in html,
          "a lazy frame shows its partitions and schema", html)
    graphs = [o["data"].get("image/svg+xml", "") for o in nb.cells[9].outputs]
    check(len(graphs) == 2 and all(g.startswith("<svg") for g in graphs)
          and ">sum<" in graphs[0] and "f64[4, 4]" in graphs[0] and graphs[1] != graphs[0],
          "graph without a path draws the graph inline as SVG", graphs)
    html = nb.cells[10].outputs[0]["data"]["text/html"]
    check("<th>4</th>" in html and "<th>11</th>" in html and "<th>5</th>" not in html
          and "12 rows × 2 columns" in html and "<td>c</td>" in html,
          "a computed frame shows its first and last rows, types and shape", html)
    check(out[11] and out[11][0][0] == "error" and out[11][0][2] == "flow::eval::graph",
          "a graph too large to draw inline is flow::eval::graph", out[11])


def messages_until_idle(client, msg_id, timeout=30):
    got = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            msg = client.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        got.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return got
    raise AssertionError(f"no idle status for {msg_id}")


def client_checks(work):
    manager, client = start_new_kernel(kernel_name="flow", cwd=work)
    try:
        info = client.kernel_info(reply=True)["content"]
        language = info["language_info"]
        check(info["status"] == "ok" and language["name"] == "flow"
              and language["file_extension"] == ".flow", "kernel_info", language)
        for code, status in [("x = (1 +", "incomplete"), ("x = 1 + 2", "complete"),
                             ("y = [1,\n  2", "incomplete"), ('s = "never closed', "invalid")]:
            msg_id = client.is_complete(code)
            reply = client.get_shell_msg(timeout=30)
            check(reply["parent_header"]["msg_id"] == msg_id, "is_complete answers", reply)
            reply = reply["content"]
            check(reply["status"] == status, f"is_complete {code!r}", reply)
        client.execute_interactive(
            'ds = dataset({sst: label(ones((3, 4)), ["time", "lat"])})\nvalues = arange(10)',
            timeout=60)
        for code, wanted in [("val", "values"), ("values.me", "mean"), ("ds.ss", "sst"),
                             ("percentile(values, 50, appr", "approx=")]:
            reply = client.complete(code, reply=True)["content"]
            check(wanted in reply["matches"] and reply["cursor_end"] == len(code),
                  f"complete {code!r}", reply)
        reply = client.inspect("percentile", reply=True)["content"]
        check(reply["found"] and "approx" in reply["data"]["text/plain"],
              "inspect a builtin", reply)
        reply = client.inspect("values", reply=True)["content"]
        check(reply["found"] and "i64" in reply["data"]["text/plain"],
              "inspect a value", reply)
        # A computation of minutes, interrupted: the cell ends at once, the session stays.
        reply, stopped = interrupted(
            manager, client,
            "big = random.normal(size=(40000, 40000), chunks=1000)\nprint(sin(big).sum())", 2)
        msg_id = reply["parent_header"]["msg_id"]
        check(reply["content"]["status"] == "error"
              and reply["content"]["ename"] == "flow::eval::interrupted",
              "an interrupt stops the cell", reply["content"])
        check(stopped < 5, f"within seconds ({stopped:.2f} s)", stopped)
        messages_until_idle(client, msg_id)
        got = []
        client.execute_interactive("print(values.sum())", timeout=60,
                                   output_hook=lambda m: got.append(m))
        streams = [m["content"]["text"] for m in got if m["msg_type"] == "stream"]
        check(streams == ["45\n"], "the session lives on after the interrupt", streams)
        check(client.is_alive() and manager.is_alive(), "the heartbeat answers")
    finally:
        manager.shutdown_kernel(now=False)
    check(not manager.is_alive(), "shutdown ends the kernel")


def progress_checks(work):
    """A kernel started with --progress shows a computation's progress bar in the cell, updated
    in place under one display id and left full."""
    manager, client = start_new_kernel(kernel_name="flow-progress", cwd=work)
    try:
        got = []
        client.execute_interactive("print(ones((400, 400), chunks=20).sum())", timeout=60,
                                   output_hook=got.append)
        bars = [m for m in got if m["msg_type"] in ("display_data", "update_display_data")
                and m["content"]["metadata"].get("flow", {}).get("progress")]
        ids = {m["content"]["transient"]["display_id"] for m in bars}
        last = bars[-1]["content"]["data"] if bars else {}
        total = last.get("text/plain", "").split("] ")[-1].split(" tasks")[0]
        done, _, of = total.partition("/")
        check(len(bars) >= 1 and bars[0]["msg_type"] == "display_data" and len(ids) == 1
              and all(m["msg_type"] == "update_display_data" for m in bars[1:])
              and done == of and int(of) > 1 and "<progress" in last["text/html"],
              "a progress bar shows in the cell and is updated in place",
              [(m["msg_type"], m["content"]["data"]["text/plain"]) for m in bars])
        streams = [m["content"]["text"] for m in got if m["msg_type"] == "stream"]
        check(streams == ["160000.0\n"], "the result prints after its progress bar", streams)
    finally:
        manager.shutdown_kernel(now=True)


def install_progress_kernel(prefix_data):
    """A second kernelspec: flow's, with --progress (every computation shows its bar)."""
    spec = KernelSpecManager().get_kernel_spec("flow")
    folder = os.path.join(prefix_data, "kernels", "flow-progress")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "kernel.json"), "w") as f:
        json.dump({"argv": spec.argv + ["--progress"], "display_name": "flow (progress)",
                   "language": "flow", "interrupt_mode": "message"}, f)


def normalised(cell):
    """A code cell's outputs as compared: kinds, stream texts, display data."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("metadata", {}).get("flow", {}).get("progress"):
            continue  # a progress bar shows only when a computation is slow; timings vary
        o = dict(o)
        o.pop("execution_count", None)
        out.append(o)
    return out


def examples(directory, work, bless):
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".ipynb"):
            continue
        path = os.path.join(directory, name)
        saved = nbformat.read(path, as_version=4)
        nb = nbformat.read(path, as_version=4)
        # In the notebook's own folder, as Jupyter runs it (relative paths as written).
        client = NotebookClient(nb, timeout=300, kernel_name="flow", record_timing=False,
                                resources={"metadata": {"path": directory}})
        try:
            client.execute()
        finally:
            # What the notebooks write beside themselves (their data) is not kept.
            for left in os.listdir(directory):
                if left.startswith("_scratch_"):
                    os.remove(os.path.join(directory, left))
        if bless:
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = [o for o in cell.outputs if not o.get("metadata", {}).get(
                        "flow", {}).get("progress")]
            nbformat.write(nb, path)
            print(f"ok   {name} saved with its outputs")
            continue
        for n, (old, new) in enumerate(zip(saved.cells, nb.cells)):
            if old.cell_type == "code":
                check(normalised(old) == normalised(new), f"{name} cell {n + 1} as saved",
                      (normalised(old), normalised(new)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flow", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--examples", help="a folder of notebooks to run and compare")
    parser.add_argument("--bless", action="store_true", help="save their new outputs")
    arguments = parser.parse_args()
    # Notebooks show colours (the kernels started here inherit this environment).
    os.environ.pop("NO_COLOR", None)
    flow = os.path.abspath(arguments.flow)
    os.makedirs(arguments.dir, exist_ok=True)
    work = os.path.abspath(arguments.dir)
    install(flow, work)
    if arguments.examples:
        examples(arguments.examples, work, arguments.bless)
    notebook(work)
    client_checks(work)
    install_progress_kernel(os.environ["JUPYTER_PATH"])
    progress_checks(work)
    print("kernel: every check passed")


if __name__ == "__main__":
    main()
