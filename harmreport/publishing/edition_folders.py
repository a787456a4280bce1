"""Safe publishing: build in a staging folder beside the published tree, swap it in only when
every step has passed, and keep what a failed run left outside the folder web staff upload.

    OUT/<year>/                          the published edition (replaced in one atomic exchange)
    OUT.work/staging/<run-id>/edition/   a build in progress (same file system as OUT)
    OUT.work/staging/<run-id>/inputs/    a snapshot of a returns file given with --data
    OUT.work/logs/<run-id>.log           its log (removed when the edition is published)
    OUT.work/failed/<run-id>/            a failed build: its edition so far, inputs and log
    OUT.work/locks/<year>.lock           held while a build of <year> runs (released by kill -9)

The build never replaces or deletes what it did not write: an OUT/<year> without a manifest
of that year, or any symbolic link in the way, is refused before any work.
"""

import ctypes
import errno
import fcntl
import itertools
import json
import os
import shutil
import tempfile
import time
from pathlib import Path


class BuildLocked(RuntimeError):
    pass


class NotOurs(RuntimeError):
    """A path the build would replace or write into that it did not make."""


def check_ownership(out_root: Path, year: int) -> None:
    """Refuse an output root or edition folder that is a link, or an edition folder that this
    tool did not write (no manifest of that year): replacing it would delete the team's files."""
    out_root = Path(out_root)
    for path in (out_root, work_folder(out_root)):
        if path.is_symlink():
            raise NotOurs(f"{path} is a symbolic link; give the real folder as --out")
    target = out_root / str(year)
    if target.is_symlink():
        raise NotOurs(f"{target} is a symbolic link, not an edition this tool wrote; remove it")
    if target.exists() and not _is_edition(target, year):
        raise NotOurs(
            f"{target} exists but is not an edition this tool wrote (no manifest.json for "
            f"{year}); move it elsewhere or choose another --out"
        )


def _is_edition(folder: Path, year: int) -> bool:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("edition") == year


_RUNS = itertools.count(1)


def run_id(year: int) -> str:
    """Unique among runs: the time, the process and the run within the process."""
    return f"{year}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{next(_RUNS)}"


def work_folder(out_root: Path) -> Path:
    """Where builds stage, log and fail: beside the output root (so the final rename stays on
    one file system), never inside the folder that web staff upload."""
    out_root = Path(out_root)
    return out_root.with_name(f"{out_root.name}.work")


def keep_previous_versions(published: Path, staged: Path) -> None:
    """A republication keeps what it replaces: the published edition's earlier versions, and
    itself when its figures differ from the new ones, under previous/<n>/ (its stats.json and
    answers.csv), so that the next build still controls against every version a reader may
    hold (harmreport.analysis.republication)."""
    from harmreport.analysis.republication import KEPT, PREVIOUS

    earlier = published / PREVIOUS
    if earlier.is_dir():
        shutil.copytree(earlier, staged / PREVIOUS)
    old, new = published / "stats.json", staged / "stats.json"
    if _as_built(published) and (not new.is_file() or old.read_bytes() != new.read_bytes()):
        folder = staged / PREVIOUS / str(len(list((staged / PREVIOUS).glob("*"))) + 1)
        folder.mkdir(parents=True)
        for name in KEPT:
            if (published / name).is_file():
                shutil.copyfile(published / name, folder / name)


def _as_built(edition: Path) -> bool:
    """Is the edition's stats.json the one its build published (its manifest's digest)? A
    file changed by hand since is no version this tool published."""
    from harmreport.project.inputs import sha256

    try:
        manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
        return manifest["outputs"]["stats.json"] == sha256(edition / "stats.json")
    except (OSError, ValueError, KeyError, TypeError):
        return False


class Publication:
    """A context manager around one build of one edition."""

    def __init__(self, out_root: Path, year: int):
        self.out_root = Path(out_root)
        self.work = work_folder(self.out_root)
        self.year = year
        self.run_id = run_id(year)
        self.target = self.out_root / str(year)
        self.run = self.work / "staging" / self.run_id
        self.staging = self.run / "edition"
        self.inputs = self.run / "inputs"
        self.failed = self.work / "failed" / self.run_id
        self.log = self.work / "logs" / f"{self.run_id}.log"
        self._lock_file = None

    def __enter__(self) -> "Publication":
        self.out_root.mkdir(parents=True, exist_ok=True)
        for folder in ("staging", "failed", "locks", "logs"):
            (self.work / folder).mkdir(parents=True, exist_ok=True)
        self._lock()
        self._set_aside_stale_staging()
        self.staging.mkdir(parents=True)
        self.inputs.mkdir()
        return self

    def __exit__(self, kind, exc, tb):
        try:
            if self.run.exists():
                shutil.move(self.run, self.failed)
            if self.log.exists():
                if kind is None:
                    self.log.unlink()
                else:
                    self.failed.mkdir(parents=True, exist_ok=True)
                    shutil.move(self.log, self.failed / "build.log")
        finally:
            self._unlock()
        return False

    def publish(self) -> Path:
        """Swap the staged build in for the published one, atomically."""
        check_ownership(self.out_root, self.year)  # again: the folder may have changed since
        if self.target.exists():
            keep_previous_versions(self.target, self.staging)
            exchange(self.staging, self.target)  # the staging folder now holds the old edition
        else:
            os.rename(self.staging, self.target)
        shutil.rmtree(self.run)
        return self.target

    def _lock(self):
        path = self.work / "locks" / f"{self.year}.lock"
        self._lock_file = open(path, "w")  # noqa: SIM115 (held for the whole build)
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            self._lock_file = None
            raise BuildLocked(
                f"another build of {self.year} into {self.out_root} is running; wait for it "
                f"to finish (lock: {path})"
            ) from None

    def _unlock(self):
        if self._lock_file:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def _set_aside_stale_staging(self):
        # Holding the lock, any staging folder of this year was left by a killed run.
        for stale in (self.work / "staging").glob(f"{self.year}-*"):
            shutil.move(stale, self.work / "failed" / stale.name)


def exchange(a: Path, b: Path) -> None:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE), so a reader or a crash
    sees either the old edition or the new one, never neither."""
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, rename_exchange = -100, 2
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS):
            raise OSError(code, os.strerror(code), str(b))
    # No atomic exchange on this file system: the shortest window we can manage, and the old
    # edition put back if the new one cannot take its place.
    aside = b.with_name(f".{b.name}.old")
    os.rename(b, aside)
    try:
        os.rename(a, b)
    except BaseException:
        os.rename(aside, b)
        raise
    os.rename(aside, a)


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file of its own (two builds may write the same file at once)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
