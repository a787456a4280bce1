"""Running the analysis notebooks with papermill, and making their executed copies
repeatable: same inputs, same bytes."""

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import papermill
from papermill.exceptions import PapermillExecutionError

from . import paths
from .errors import InputError, NotebookFailed

NOTEBOOKS = {
    "validate": "01_validate_returns",
    "statistics": "02_headline_statistics",
    "figures": "03_figures",
}


def check_parameters(parameters: dict) -> None:
    """papermill only warns about a parameter the notebook does not declare; here it is an
    error, raised before any kernel starts."""
    for name in NOTEBOOKS.values():
        declared = papermill.inspect_notebook(str(paths.NOTEBOOKS / f"{name}.ipynb"))
        unknown = sorted(set(parameters) - set(declared))
        if unknown:
            raise InputError(
                f"notebook {name}.ipynb has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(declared)}"
            )


def run_notebook(
    stage: str, staging: Path, parameters: dict, cell_timeout: int, log_file: Path
) -> Path:
    """Execute one notebook with papermill in the staging folder, on a real kernel."""
    name = NOTEBOOKS[stage]
    target = staging / "notebooks" / f"{name}.ipynb"
    target.parent.mkdir(exist_ok=True)
    try:
        with _kernel_stderr_to(log_file):
            papermill.execute_notebook(
                str(paths.NOTEBOOKS / f"{name}.ipynb"),
                str(target),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(staging),
                progress_bar=False,
                log_output=False,
                execution_timeout=cell_timeout,
            )
    except PapermillExecutionError as exc:
        raise NotebookFailed(
            f"notebook {name}.ipynb failed at cell In [{exc.exec_count}]: {exc.ename}: "
            f"{_first_line(exc.evalue)}"
        ) from None
    except OSError as exc:
        if exc.errno is not None:  # the disk, not the notebook (nbclient's timeouts have none)
            raise
        raise NotebookFailed(
            f"notebook {name}.ipynb did not finish: {type(exc).__name__}: {_first_line(str(exc))}"
        ) from None
    except Exception as exc:  # a dead kernel and the like: nbclient raises many types
        raise NotebookFailed(
            f"notebook {name}.ipynb did not finish: {type(exc).__name__}: {_first_line(str(exc))}"
        ) from None
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


def normalise_notebook(path: Path, name: str) -> None:
    """Drop what changes from run to run (timings, the staging folder's name), so the same
    inputs give the same bytes."""
    book = json.loads(path.read_text(encoding="utf-8"))
    meta = book["metadata"].get("papermill", {})
    for key in ("start_time", "end_time", "duration"):
        meta.pop(key, None)
    meta["input_path"] = meta["output_path"] = f"notebooks/{name}.ipynb"
    for cell in book["cells"]:
        if "injected-parameters" in cell["metadata"].get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        cell["metadata"].pop("execution", None)
        if "outputs" in cell:
            cell["outputs"] = _merged_streams(cell["outputs"])
        for key in ("start_time", "end_time", "duration"):
            cell["metadata"].get("papermill", {}).pop(key, None)
    path.write_text(
        json.dumps(book, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )


def _merged_streams(outputs: list[dict]) -> list[dict]:
    """The kernel flushes print() output in chunks that depend on timing; one output per
    stream, as a reader sees it, makes the bytes repeatable."""
    merged: list[dict] = []
    for output in outputs:
        if output.get("output_type") == "stream":
            text = "".join(output["text"]) if isinstance(output["text"], list) else output["text"]
            previous = merged[-1] if merged else {}
            if previous.get("output_type") == "stream" and previous["name"] == output["name"]:
                previous["text"] += text
                continue
            output = {**output, "text": text}
        merged.append(output)
    return merged
