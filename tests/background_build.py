"""One of the tests' shared output roots, built through the real CLI in the background while
the tests that do not need it run (conftest.start_shared_builds). It holds the folder's lock,
inherited from the worker that started it, until the build has ended; then `NAME.done`, or
`NAME.failed` with what the build printed, says how it ended.

    python -m tests.background_build LOCK_FD ROOT NAME ARG...
"""

import os
import sys
from pathlib import Path

from tests.helpers import run_cli


def build(root: Path, name: str, args: list[str]) -> None:
    folder = root / name
    try:
        result = run_cli(*args, "--out", folder / "site", timeout=900)
        said, ok = result.stderr, result.returncode == 0
    except Exception as exc:  # a timeout: said, as a failed build is
        said, ok = f"{type(exc).__name__}: {exc}", False
    if ok:
        (folder / "build.stderr").write_text(said, encoding="utf-8")
        (root / f"{name}.done").touch()
    else:
        (root / f"{name}.failed").write_text(said, encoding="utf-8")


if __name__ == "__main__":
    lock_fd, root, name, *args = sys.argv[1:]
    try:
        build(Path(root), name, args)
    finally:
        os.close(int(lock_fd))  # the tests waiting on the lock go on
