"""Running an analysis notebook with papermill on the edition's kernel (or one of its own).
papermill itself is imported when a notebook runs, so that the kernel can start while the build
imports and checks everything else."""

import os
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

from harmreport.notebooks.kernel import Kernel
from harmreport.notebooks.parameters import NOTEBOOKS, check_parameters
from harmreport.notebooks.stable_output import normalise_notebook
from harmreport.project import paths
from harmreport.project.errors import NotebookFailed


def run_notebook(
    stage: str,
    staging: Path,
    parameters: dict,
    cell_timeout: int,
    log_file: Path,
    kernel: Kernel | None = None,
) -> Path:
    """Execute one notebook with papermill in the staging folder, on a real kernel: the
    edition's, if given (it runs in the staging folder), or one of its own."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from harmreport.notebooks.engine import ENGINE

    name = NOTEBOOKS[stage]
    check_parameters(parameters, paths.NOTEBOOKS / f"{name}.ipynb")
    target = staging / "notebooks" / f"{name}.ipynb"
    target.parent.mkdir(exist_ok=True)
    started = []  # the cell running when a kernel dies or a cell times out
    on = (
        {"km": kernel.manager, "kernel_client": kernel.client, "engine_name": ENGINE}
        if kernel
        else {"cwd": str(staging)}
    )
    try:
        with nullcontext() if kernel else _kernel_stderr_to(log_file):
            papermill.execute_notebook(
                str(paths.NOTEBOOKS / f"{name}.ipynb"),
                str(target),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                execution_timeout=cell_timeout,
                # Written once, when it ends: each save (two a cell) took longer than most
                # cells. A notebook that stops names the cell it stopped in instead.
                request_save_on_cell_execute=False,
                on_cell_start=lambda cell, cell_index: started.append(cell.get("id", cell_index)),
                **on,
            )
    except PapermillExecutionError as exc:
        raise NotebookFailed(
            f"notebook {name}.ipynb failed at cell In [{exc.exec_count}]: {exc.ename}: "
            f"{_first_line(exc.evalue)}"
        ) from None
    except Exception as exc:  # a dead kernel, a timeout and the like: nbclient raises many types
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # the disk, not the notebook (nbclient's timeouts have no errno)
        where = f" in cell {started[-1]}" if started else ""
        raise NotebookFailed(
            f"notebook {name}.ipynb did not finish{where}: {type(exc).__name__}: "
            f"{_first_line(str(exc))}"
        ) from None
    if kernel:
        kernel.busy = False
    normalise_notebook(target, name)
    return target


@contextmanager
def _kernel_stderr_to(path: Path):
    """The kernel writes its own chatter to the stderr it inherits; send it to the run's log
    so the console shows only the build's progress and errors."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "a", encoding="utf-8") as log_file:
        os.dup2(log_file.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""
