"""What people see on the console: one line per stage, and each error with its details."""

import sys

from .errors import BuildError
from .problems import printable


def progress(line: str) -> None:
    print(printable(line), file=sys.stderr, flush=True)


def report(exc: BuildError, year: int | None = None, write=progress) -> int:
    """Say what went wrong, for people; return the exit code."""
    prefix = f"[{year}] " if year else ""
    write(f"{prefix}error: {exc}")
    for line in exc.details:
        write(f"  {line}")
    return exc.exit_code
