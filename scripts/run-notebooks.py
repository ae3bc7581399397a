#!/usr/bin/python3
"""Executes every notebook in notebooks/ headless on the Deno kernel and fails on any error.

Usage (after scripts/setup-notebooks.sh):
  /usr/bin/python3 scripts/run-notebooks.py            # execute all; executed copies go to notebooks/.executed/
  /usr/bin/python3 scripts/run-notebooks.py NAME...    # only these notebooks (file names in notebooks/)
  /usr/bin/python3 scripts/run-notebooks.py --check    # also fail if a committed notebook holds outputs
  /usr/bin/python3 scripts/run-notebooks.py --strip    # remove outputs and execution counts in place, then exit

Committed notebooks carry no outputs; the executed copies (tables, SVG charts) are written beside
them in notebooks/.executed/ (git-ignored). Kernel: the `deno` kernelspec (`deno jupyter --install`),
or CANDLELAB_NOTEBOOK_KERNEL. Timeout per cell: CANDLELAB_NOTEBOOK_TIMEOUT seconds (default 900).
"""
import os
import queue
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from nbclient.util import ensure_async

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXECUTED = NOTEBOOKS / ".executed"


# Seconds to keep reading a cell's messages after the kernel reported it idle (see DenoClient).
LATE_OUTPUT_GRACE = 0.1


class DenoClient(NotebookClient):
    """NotebookClient that also keeps a cell's outputs published just after its idle status.

    Deno's kernel now and then (7 of 76 cells in a test) sends a cell's `execute_result` right after
    the `status: idle` that ends the cell; nbclient stops reading at idle and would drop that result.
    The messages follow within milliseconds, so they are read for a short grace period after idle.
    Overrides nbclient's polling method (the same name from nbclient 0.5 to 0.10).
    """

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index) -> None:
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        deadline = time.monotonic() + LATE_OUTPUT_GRACE
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=remaining))
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    pass


def has_outputs(nb) -> bool:
    return any(cell.get("outputs") or cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code")


def silent_expression_cells(nb) -> list[int]:
    """Code cells ending in an expression (no `;`) that displayed nothing: the kernel dropped a result."""
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and cell.source.strip() and not cell.source.rstrip().endswith(";") and not cell.outputs
    ]


def strip(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def main(argv: list[str]) -> int:
    flags = {a for a in argv if a.startswith("--")}
    names = [a for a in argv if not a.startswith("--")]
    paths = [NOTEBOOKS / n for n in names] if names else sorted(NOTEBOOKS.glob("*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    if "--strip" in flags:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            strip(nb)
            nbformat.write(nb, path)
            print(f"stripped {path.relative_to(ROOT)}")
        return 0

    kernel = os.environ.get("CANDLELAB_NOTEBOOK_KERNEL", "deno")
    timeout = int(os.environ.get("CANDLELAB_NOTEBOOK_TIMEOUT", "900"))
    EXECUTED.mkdir(exist_ok=True)
    failures = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if "--check" in flags and has_outputs(nb):
            failures.append(f"{path.name}: committed with outputs (run with --strip)")
        started = time.monotonic()
        client = DenoClient(nb, timeout=timeout, kernel_name=kernel, resources={"metadata": {"path": str(NOTEBOOKS)}})
        try:
            client.execute()
            status = "ok"
        except CellExecutionError as error:
            failures.append(f"{path.name}: {str(error).strip().splitlines()[-1]}")
            status = "FAILED"
            print(error, file=sys.stderr)
        silent = silent_expression_cells(nb) if status == "ok" else []
        if silent:
            # A result published later than the grace period after idle is still lost (DenoClient);
            # cell errors fail above, a missing display is reported.
            print(f"warning: {path.name}: cells {silent} end in an expression but displayed nothing", file=sys.stderr)
            status = "ok*"
        nbformat.write(nb, EXECUTED / path.name)
        outputs = sum(len(c.get("outputs", [])) for c in nb.cells if c.cell_type == "code")
        print(f"{status:6} {path.name}  {time.monotonic() - started:6.1f} s  {outputs} outputs → {(EXECUTED / path.name).relative_to(ROOT)}")
    if failures:
        print("\n" + "\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
