"""What people see on the console: one line per stage, and each error with its details.

A console that goes away (`run_report.py … 2>&1 | head`, a closed terminal) never stops a
build: what it would have said is still in the run's log."""

import os
import sys

from harmreport.intake.problems import printable
from harmreport.project.errors import BuildError

_gone = False  # the console was closed: nothing more is written to it


def progress(line: str) -> None:
    global _gone
    if _gone:
        return
    try:
        print(printable(line), file=sys.stderr, flush=True)
    except (BrokenPipeError, ValueError, OSError):  # closed pipe, closed stream, gone terminal
        _gone = True
        _quiet(sys.stderr)


def _quiet(stream) -> None:
    """Point a closed console's descriptor at /dev/null, so that nothing (Python's own flush
    at exit included) fails on it again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def report(exc: BuildError, year: int | None = None, write=progress) -> int:
    """Say what went wrong, for people; return the exit code."""
    prefix = f"[{year}] " if year else ""
    write(f"{prefix}error: {exc}")
    for line in exc.details:
        write(f"  {line}")
    return exc.exit_code
