"""A build session: the builds one process makes, and what they share.

    with BuildSession() as session:
        status = session.build(BuildRequest(2024))

The session owns the notebooks' kernel. A build starts one (or takes the one the session's
last build left idle), runs its three notebooks on it, and hands it back; the session keeps it
only while more builds are to come (`builds`), so a single build stops its kernel once the
notebooks have run and does not hold its memory while the report renders. It also owns the
process that writes the notebooks' pages, kept likewise for its builds to come. Closing the
session stops whatever it still holds."""

import logging
from contextlib import contextmanager
from pathlib import Path

from harmreport.pipeline import console
from harmreport.pipeline.interrupts import Terminated
from harmreport.project.build_request import BuildRequest, resolve
from harmreport.project.errors import BuildError, EnvironmentProblem, InternalError

EXIT_INTERRUPTED = 130

# On a signal nbclient shuts its kernel down while the build does too; asyncio's note about
# the loser belongs in the run's log, never on the console as a traceback.
logging.getLogger("asyncio").addHandler(logging.NullHandler())


class BuildSession:
    def __init__(self, builds: int | None = 1, write=console.progress):
        self.builds_left = builds  # None: as many as come, until the session is closed
        self.write = write
        self.idle = None  # a Kernel  # the last build's kernel, kept for the next
        self.pages = None  # a PagesProcess, kept until the session closes

    def __enter__(self) -> "BuildSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.idle is not None:
            self.idle.__exit__()
            self.idle = None
        self.drop_pages_process()

    def pages_process(self):
        """The process writing the notebooks' pages: the session's, started by its first
        build that prints a PDF (the pages are written beside the printing)."""
        from harmreport.notebooks.pages import PagesProcess

        if self.pages is None:
            self.pages = PagesProcess()
        return self.pages

    def drop_pages_process(self) -> None:
        """Stop it: after the session's last build, or a build whose pages failed."""
        if self.pages is not None:
            self.pages.close()
            self.pages = None

    def build(self, request: BuildRequest, force: bool = False, index: bool = True) -> int:
        """Build one edition (or find it up to date) and, if `index`, the index of editions;
        say what happened; return the exit status."""
        # hashes only: an edition up to date imports nothing heavy
        from harmreport.publishing.incremental import plan

        if self.builds_left is not None:
            self.builds_left -= 1
        try:
            job = resolve(request)
        except BuildError as exc:
            return console.report(exc, request.year, self.write)
        decision = plan(job, force)
        if decision.up_to_date:
            self.write(f"[{request.year}] {decision.summary()}")
            return index_status(request.out_root, self.write, only_if_stale=True) if index else 0
        # imported here: --help and argument errors stay quick
        from harmreport.pipeline.build import build_edition

        try:
            target = build_edition(job, self, write=self.write, plan=decision)
        except BuildError as exc:
            return console.report(exc, request.year, self.write)
        except (KeyboardInterrupt, Terminated):
            self.write(
                f"[{request.year}] interrupted: nothing was published; the previous edition "
                "is unchanged"
            )
            return EXIT_INTERRUPTED
        status = index_status(request.out_root, self.write) if index else 0
        self.write(f"[{request.year}] published {target}")
        return status

    def verify(self, request: BuildRequest) -> int:
        """Check a published edition against its manifest, rebuilding it; say the outcome."""
        from harmreport.pipeline.verify import verify_edition

        if self.builds_left is not None:
            self.builds_left -= 1
        try:
            checked = verify_edition(resolve(request), self, write=self.write)
        except BuildError as exc:
            return console.report(exc, request.year, self.write)
        self.write(
            f"[{request.year}] verified: the inputs, the packages, the {checked} published "
            "files and a rebuild all match the manifest"
        )
        return 0

    @contextmanager
    def kernel(self, staging: Path, log_file: Path):
        """The kernel a build's notebooks run on: the session's idle one if it can be reused
        (moved to this build's folder and log), else a new one. Afterwards the session keeps
        it for its next build, unless none is to come or a notebook was running on it when
        the build stopped."""
        # jupyter_client: not for --help or an edition up to date
        from harmreport.notebooks.kernel import Kernel

        kernel, self.idle = self.idle, None
        if kernel is not None and not kernel.reusable():
            kernel.__exit__()
            kernel = None
        if kernel is None:
            kernel = Kernel(staging, log_file).__enter__()
        else:
            logging.getLogger("harmreport").info("the notebooks' kernel: the session's last one")
            kernel.move_to(staging, log_file)
        try:
            yield kernel
        except Exception:
            self._keep_or_stop(kernel)
            raise
        except BaseException:  # interrupted: the process is stopping
            kernel.__exit__()
            raise
        self._keep_or_stop(kernel)

    def more_to_come(self) -> bool:
        return self.builds_left is None or self.builds_left > 0

    def _keep_or_stop(self, kernel) -> None:
        if kernel.busy or not self.more_to_come():
            kernel.__exit__()
            return
        kernel.move_to(kernel.staging, None)  # its output so far is in this build's log
        self.idle = kernel


def index_status(out_root: Path, write=console.progress, only_if_stale: bool = False) -> int:
    """Write the index of editions (if it is stale, with `only_if_stale`); the exit status."""
    from harmreport.publishing.edition_index import index_is_current

    if only_if_stale and index_is_current(out_root):
        return 0
    try:
        _write_index(out_root)
    except BuildError as exc:
        return console.report(exc, write=write)
    return 0


def _write_index(out_root: Path) -> None:
    from harmreport.publishing.edition_folders import NotOurs
    from harmreport.publishing.edition_index import update_index

    try:
        update_index(out_root)
    except NotOurs as exc:
        raise EnvironmentProblem(f"the index of editions was not written: {exc}") from None
    except Exception as exc:  # the edition is published; say so, in one line
        raise InternalError(
            f"the edition was published, but the index of editions could not be written: "
            f"{type(exc).__name__}: {exc}"
        ) from None
