"""The one Jupyter kernel an edition's notebooks run on, in turn: started as soon as the build
begins (it imports what the notebooks need while the build checks the returns) and wiped
before each notebook, so that each starts from an empty namespace as in Jupyter, without
waiting for a kernel of its own. A BuildSession may hand it to its next build."""

import os
import shutil
import tempfile
from contextlib import suppress
from pathlib import Path
from queue import Empty

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from harmreport.project.errors import NotebookFailed

START_TIMEOUT = 60  # seconds
IN_BUILD = "HBH_IN_BUILD"  # set in the kernel's environment: the notebooks write where it runs
# What the notebooks import, run by the kernel as it starts (IPython's exec_lines: no
# execution count, no output, nothing in an executed notebook).
WARM_UP = (
    "import pandas, harmreport.intake.returns, harmreport.analysis.statistics, "
    "harmreport.outputs.figures"
)
# Before each notebook: into the build's staging folder (a kernel reused from the session's
# last build was in another); every name the last notebook defined is gone and counting
# starts again at 1 in a new history session, as on a kernel of its own (the modules stay
# imported: that is the time saved).
WIPE = "__import__('os').chdir({folder!r}); get_ipython().reset(new_session=True)"


class Kernel:
    """A kernel talking over Unix sockets in a private folder (builds side by side cannot race
    for a TCP port). What it prints itself goes to a file there, copied into the log of the
    build using it."""

    def __init__(self, staging: Path, log_file: Path | None):
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
            # Asynchronous, as nbclient drives it: a blocking manager's calls from inside
            # nbclient's event loop can hang when a kernel dies.
            self.manager = AsyncKernelManager(
                kernel_name="python3",
                transport="ipc",
                connection_file=str(self.folder / "kernel.json"),
            )
            run_sync(self.manager.start_kernel)(
                cwd=str(self.staging),
                env={**os.environ, IN_BUILD: "1"},  # output_dir "": the staging folder
                stdout=self.output,
                stderr=self.output,
                extra_arguments=[
                    f"--IPKernelApp.exec_lines={[WARM_UP]!r}",
                    "--HistoryManager.hist_file=:memory:",  # as nbclient: ~/.ipython untouched
                ],
            )
        except BaseException:
            self.__exit__()
            raise
        return self

    def fresh(self) -> "Kernel":
        """The kernel once it has answered, wiped of the notebook run on it before (papermill
        is handed only a kernel that answered: a client that connects before the kernel has
        bound its sockets can wait for ever)."""
        self.busy = True  # until run_notebook has finished with it
        try:
            if not self.client:
                self._connect()
            run_sync(self._wipe)()
        except (RuntimeError, TimeoutError) as exc:  # "did not respond", "kernel died"
            raise NotebookFailed(f"the notebooks' kernel did not answer: {exc}") from None
        return self

    def _connect(self) -> None:
        client = self.manager.client()
        client.allow_stdin = False  # a notebook asking for input fails instead of waiting
        client.start_channels()
        try:
            run_sync(client.wait_for_ready)(timeout=START_TIMEOUT)
        except BaseException:
            client.stop_channels()
            raise
        self.client = client

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
            run_sync(self.manager.shutdown_kernel)(now=True)
            run_sync(self.manager.cleanup_resources)()
        self.output.close()
        self.copy_output()
        shutil.rmtree(self.folder, ignore_errors=True)

    def copy_output(self) -> None:
        """What the kernel printed since the last copy, into the log of the build using it. A
        log that cannot be written (a full disk) must not hide the build's own error."""
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

    def move_to(self, staging: Path, log_file: Path | None) -> "Kernel":
        """The kernel handed to another build (its next wipe goes into `staging`)."""
        self.copy_output()
        self.staging, self.log_file = staging, log_file
        return self


def _environment() -> dict:
    """The variables a kernel inherits, but pytest's naming the test under way, which change
    with every test (a test session's builds reuse one kernel as a worker's builds do)."""
    return {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}


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
