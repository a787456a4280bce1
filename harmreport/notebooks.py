"""Running the analysis notebooks with papermill, and making their executed copies
repeatable: same inputs, same bytes. papermill itself is imported when a notebook runs, so
that the kernel can start while the build imports and checks everything else."""

import ast
import atexit
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from queue import Empty

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

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
        declared = declared_parameters(paths.NOTEBOOKS / f"{name}.ipynb")
        unknown = sorted(set(parameters) - set(declared))
        if unknown:
            raise InputError(
                f"notebook {name}.ipynb has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(declared)}"
            )


def declared_parameters(notebook: Path) -> list[str]:
    """The names assigned in the notebook's cell tagged "parameters": what papermill sets."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            names = []
            for node in ast.parse("".join(cell["source"])).body:
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [getattr(node, "target", None)]
                )
                names += [target.id for target in targets if isinstance(target, ast.Name)]
            return names
    return []


START_TIMEOUT = 60  # seconds
# What the notebooks import, run by the kernel as it starts (IPython's exec_lines: no
# execution count, no output, nothing in an executed notebook). Matplotlib, which only the
# third notebook needs, is imported on a thread of its own while the first two run: the kernel
# answers about 0.2 s sooner. (Its one message, a log line when building its font cache takes
# over 5 s, would land in a notebook: `make setup` builds that cache.)
WARM_UP = (
    "import pandas, harmreport.returns, harmreport.statistics; "
    "__import__('threading').Thread("
    "target=__import__, args=('harmreport.figures',), daemon=True).start()"
)
# Before each notebook: into the edition's staging folder (a kernel kept from the process's
# last build was in another); every name the last notebook defined is gone and counting
# starts again at 1 in a new history session, as on a kernel of its own (the modules stay
# imported: that is the time saved).
WIPE = "__import__('os').chdir({folder!r}); get_ipython().reset(new_session=True)"


class Kernel:
    """The one kernel an edition's notebooks run on, in turn. It starts (and imports what they
    need) as soon as the build begins, and is wiped before each notebook, so that each starts
    from an empty namespace, as in Jupyter, without waiting for a kernel of its own. It talks
    over Unix sockets in a private folder: builds side by side cannot race for a TCP port.
    What it prints itself goes to a file in that folder, copied into the build's log."""

    def __init__(self, staging: Path, log_file: Path):
        self.staging, self.log_file = staging, log_file
        self.manager: AsyncKernelManager | None = None
        self.client = None  # one client, connected once, for every notebook
        self.busy = False  # a notebook was handed it and has not finished
        self.environment = _environment()  # what it inherits as it starts
        self.copied = 0  # how much of its output is in a build's log

    def __enter__(self) -> "Kernel":
        self.folder = Path(tempfile.mkdtemp(prefix="hbh-kernels-"))
        self.output = open(self.folder / "output", "wb")  # noqa: SIM115 (closed on exit)
        try:
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def start(self) -> None:
        """Start the kernel process; `fresh` waits for it."""
        # Asynchronous, as nbclient drives it: a blocking manager's calls from inside
        # nbclient's event loop can hang when a kernel dies.
        self.manager = AsyncKernelManager(
            kernel_name="python3",
            transport="ipc",
            connection_file=str(self.folder / "kernel.json"),
        )
        run_sync(self.manager.start_kernel)(
            cwd=str(self.staging),
            stdout=self.output,
            stderr=self.output,
            extra_arguments=[
                f"--IPKernelApp.exec_lines={[WARM_UP]!r}",
                "--HistoryManager.hist_file=:memory:",  # as nbclient does: ~/.ipython untouched
            ],
        )

    def fresh(self) -> "Kernel":
        """The kernel once it has answered, wiped of the notebook run on it before (a client
        that connects before the kernel has bound its sockets can wait for ever: papermill is
        handed only a kernel that answered)."""
        self.busy = True  # until run_notebook has finished with it
        try:
            if not self.client:
                run_sync(self._connect)()
            run_sync(self._wipe)()
        except (RuntimeError, TimeoutError) as exc:  # "did not respond", "kernel died"
            raise NotebookFailed(f"the notebooks' kernel did not answer: {exc}") from None
        return self

    async def _connect(self) -> None:
        client = self.manager.client()
        client.allow_stdin = False  # a notebook asking for input fails instead of waiting
        client.start_channels()
        try:
            await self._answered(client, time.monotonic() + START_TIMEOUT)
        except BaseException:
            client.stop_channels()
            raise
        self.client = client

    async def _answered(self, client, deadline: float) -> None:
        """As jupyter_client's wait_for_ready, but done once the kernel has answered
        kernel_info on the shell channel and IOPub has carried its status for it (so IOPub is
        connected): wait_for_ready then waits for 0.2 s of silence on IOPub, a fifth of a
        second of every build. What else IOPub holds belongs to no cell: nbclient reads only
        the messages of the cell it runs."""
        while time.monotonic() < deadline:
            sent = client.kernel_info()
            # IOPub carries the kernel's "busy" for the request before the answer: not heard
            # within 0.2 s, it was published before this client's subscription took hold.
            answered = await _message_about(sent, client.get_shell_msg, 1)
            if answered and await _message_about(sent, client.get_iopub_msg, 0.2):
                return
            if not await self.manager.is_alive():
                raise RuntimeError("it died before it answered")
        raise TimeoutError(f"no answer within {START_TIMEOUT} s")

    async def _wipe(self) -> None:
        if not await self.manager.is_alive():
            raise RuntimeError("it died after the notebook before")
        wipe = WIPE.format(folder=str(self.staging))
        sent = self.client.execute(wipe, silent=True, store_history=False)
        reply = await _message_about(sent, self.client.get_shell_msg, START_TIMEOUT)
        if reply is None:
            raise TimeoutError(f"no answer within {START_TIMEOUT} s")
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"wiping it failed: {reply['content'].get('evalue')}")

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None and self.manager.has_kernel:
            # Killed and waited for here: shutdown_kernel, finding it alive just after its
            # SIGKILL, would poll again 0.1 s later; it then only tidies up.
            process = getattr(self.manager.provisioner, "process", None)
            if process is not None:
                process.kill()
                with suppress(subprocess.TimeoutExpired):  # shutdown_kernel tries again
                    process.wait(timeout=5)
            run_sync(self.manager.shutdown_kernel)(now=True)
            run_sync(self.manager.cleanup_resources)()
        self.output.close()
        self.copy_output()
        shutil.rmtree(self.folder, ignore_errors=True)

    def copy_output(self) -> None:
        """What the kernel printed since the last copy, into the log of the build using it (a
        kept kernel's waits for the next build). A log that cannot be written (a full disk)
        must not hide the build's own error."""
        if self.log_file is None:
            return
        with suppress(OSError), open(self.folder / "output", "rb") as output:
            output.seek(self.copied)
            printed = output.read()
            with open(self.log_file, "ab") as log:
                log.write(printed)
            self.copied += len(printed)

    def reusable(self) -> bool:
        """Idle, alive and started in the environment a build now has."""
        return (
            not self.busy
            and self.environment == _environment()
            and run_sync(self.manager.is_alive)()
        )

    def move_to(self, staging: Path, log_file: Path) -> "Kernel":
        """The kernel handed to the process's next build (its next wipe goes into `staging`)."""
        self.staging, self.log_file = staging, log_file
        self.copy_output()
        return self


def _environment() -> dict:
    """The variables a kernel inherits, but pytest's naming the test under way, which change
    with every test (its in-process builds reuse kernels as a process building in turn does)."""
    return {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}


# Set by a process that builds again (editions in turn, the tests' in-process builds): the
# kernel of its last build, if that ended with the kernel idle, is kept for the next, so it
# starts one kernel, not one an edition. Otherwise each build stops its kernel once the
# notebooks have run: its memory is not held while the report renders. A kept kernel is
# stopped when the process exits.
keep_for_next_build = False
_kept: list[Kernel] = []


@contextmanager
def edition_kernel(staging: Path, log_file: Path):
    """The kernel an edition's notebooks run on: the one kept from this process's last build
    if it can be reused, moved to this build's staging folder and log; else a new one. Kept
    after the build if `keep_for_next_build`, unless a notebook was running on it when the
    build stopped."""
    kernel = _reused(staging, log_file) or Kernel(staging, log_file).__enter__()
    try:
        yield kernel
    except Exception:
        _keep_or_stop(kernel)
        raise
    except BaseException:  # interrupted: the process is stopping
        kernel.__exit__()
        raise
    _keep_or_stop(kernel)


def _reused(staging: Path, log_file: Path) -> Kernel | None:
    if not _kept:
        return None
    kernel = _kept.pop()
    if kernel.reusable():
        logging.getLogger("harmreport").info("the notebooks' kernel: this process's last one")
        return kernel.move_to(staging, log_file)
    kernel.__exit__()
    return None


def _keep_or_stop(kernel: Kernel) -> None:
    if kernel.busy or not keep_for_next_build:
        kernel.__exit__()
        return
    kernel.copy_output()
    kernel.log_file = None  # the build's log is published or moved away with it
    _kept.append(kernel)


@atexit.register
def stop_kept_kernel() -> None:
    while _kept:
        _kept.pop().__exit__()


async def _message_about(request: str, receive, timeout: float) -> dict | None:
    """The first message `receive` (a channel's get) brings about `request`, passing over
    those about earlier requests; None if none comes within `timeout` seconds of the last."""
    while True:
        try:
            message = await receive(timeout=timeout)
        except Empty:
            return None
        if message["parent_header"].get("msg_id") == request:
            return message


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

    from .papermill_engine import ENGINE

    name = NOTEBOOKS[stage]
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
