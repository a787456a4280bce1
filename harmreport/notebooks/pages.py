"""Each executed notebook as a web page beside it (nbconvert), so that a reviewer can read how
every published figure was computed without Jupyter; the web page's section "For reviewers:
where each figure is computed" links each figure to its cell.

    python -m harmreport.notebooks.pages FOLDER
    python -m harmreport.notebooks.pages --serve     (folders read from stdin; see serve)

With a core to spare, the build runs this in a process of its own while WeasyPrint prints the
PDF, one a build session, so that its later editions find nbconvert imported (PagesProcess);
otherwise it calls write_pages itself."""

import json
import os
import subprocess
import sys
import tempfile
from contextlib import suppress
from functools import cache
from pathlib import Path

from harmreport.project import paths

TEMPLATE = "reviewer"  # templates/nbconvert/reviewer: JupyterLab's look, no external scripts


def write_pages(folder: Path) -> list[Path]:
    written = []
    for notebook in sorted((Path(folder) / "notebooks").glob("*.ipynb")):
        body, _ = _exporter().from_filename(str(notebook))
        page = notebook.with_suffix(".html")
        page.write_text(body, encoding="utf-8")
        written.append(page)
    return written


@cache
def _exporter():
    """One for the process: a process building again finds its templates loaded."""
    from nbconvert import HTMLExporter  # imported here: only this process needs it

    return HTMLExporter(
        template_name=TEMPLATE, extra_template_basedirs=[str(paths.TEMPLATES / "nbconvert")]
    )


CANNOT_WRITE = 4  # exit code: a full or read-only disk, the machine's problem, not a bug
FAILED = 1


def serve(requests, replies) -> None:
    """For each folder read from `requests` (a line of JSON each), its pages written and a
    line on `replies`: "0", or the status and message its own process would have ended with."""
    for line in requests:
        try:
            write_pages(Path(json.loads(line)))
            reply = "0"
        except OSError as exc:
            reply = f"{CANNOT_WRITE} {exc.strerror or exc}"
        except Exception as exc:  # the build says it could not make them, in one line
            reply = f"{FAILED} {type(exc).__name__}: {exc}"
        print(" ".join(reply.split()), file=replies, flush=True)


class PagesProcess:
    """A process writing the notebooks' pages of each folder it is given, kept for a build
    session's editions in turn: each after the first saves its start (1.1 s of CPU, mostly
    importing nbconvert). `give` a folder; `outcome` waits for its (status, message)."""

    def __init__(self):
        self.errors = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in close)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "harmreport.notebooks.pages", "--serve"],
            cwd=paths.ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            encoding="utf-8",
        )

    def give(self, folder: Path) -> None:
        with suppress(BrokenPipeError):  # it has ended: outcome() says how
            self.process.stdin.write(json.dumps(str(folder)) + "\n")  # a line, whatever the name
            self.process.stdin.flush()

    def outcome(self) -> tuple[int, str]:
        """The folder's (status, message); a process that ended without a reply gives its
        exit status (1 at least) and the last line it wrote to stderr."""
        status, _, message = self.process.stdout.readline().strip().partition(" ")
        if status:
            return int(status), message
        self.errors.seek(0)
        lines = self.errors.read().strip().splitlines() or ["(no message)"]
        return self.process.wait() or FAILED, lines[-1]

    def close(self) -> None:
        """Stop it (its stdin closed, it ends once it has finished a folder) and wait."""
        with suppress(OSError):  # it has gone: nothing to say to it
            self.process.stdin.close()
        self.process.wait()
        self.process.stdout.close()
        self.errors.close()


def _serve_stdio() -> None:
    """Replies on the stdout it was given; anything a library prints goes to stderr."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin, replies)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        _serve_stdio()
        sys.exit(0)
    try:
        write_pages(Path(sys.argv[1]))
    except OSError as exc:
        print(exc.strerror or exc, file=sys.stderr)
        sys.exit(CANNOT_WRITE)
