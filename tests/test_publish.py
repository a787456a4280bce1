"""Publishing swaps the new edition in for the old in one step: a failure in the middle of the
swap (the system call refused, or the fallback's second rename) leaves the old edition whole."""

import ctypes
import errno
import json
import os
import types

import pytest

from harmreport import publish
from harmreport.publish import Publication


def edition(folder, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"edition": 2024}))
    (folder / "report.txt").write_text(text)


def contents(folder):
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def refusing_renameat2(code):
    def renameat2(*args):
        ctypes.set_errno(code)
        return -1

    return lambda *args, **kwargs: types.SimpleNamespace(renameat2=renameat2)


def failing_rename(fail_on: int):
    """os.rename that fails on its `fail_on`-th call (1-based) and works otherwise."""
    real, calls = os.rename, []

    def rename(a, b):
        calls.append((a, b))
        if len(calls) == fail_on:
            raise OSError(errno.EIO, "injected failure", str(b))
        real(a, b)

    return rename


@pytest.mark.parametrize(
    "syscall, fail_on",
    [
        (errno.EIO, None),  # renameat2 itself fails: nothing moved
        (errno.ENOSYS, 1),  # no renameat2; the first rename of the fallback fails
        (errno.ENOSYS, 2),  # no renameat2; the old edition set aside, the new one refused
    ],
)
def test_a_swap_that_fails_leaves_the_old_edition_whole(tmp_path, monkeypatch, syscall, fail_on):
    out = tmp_path / "site"
    edition(out / "2024", "old")
    before = contents(out / "2024")
    with pytest.raises(OSError), Publication(out, 2024) as publication:
        edition(publication.staging, "new")
        monkeypatch.setattr(publish.ctypes, "CDLL", refusing_renameat2(syscall))
        if fail_on:
            monkeypatch.setattr(publish.os, "rename", failing_rename(fail_on))
        publication.publish()
    monkeypatch.undo()
    assert contents(out / "2024") == before
    assert sorted(p.name for p in out.iterdir()) == ["2024"]  # nothing left beside it


@pytest.mark.parametrize("syscall", [None, errno.ENOSYS])
def test_a_swap_that_succeeds_publishes_the_new_edition(tmp_path, monkeypatch, syscall):
    out = tmp_path / "site"
    edition(out / "2024", "old")
    with Publication(out, 2024) as publication:
        edition(publication.staging, "new")
        if syscall:
            monkeypatch.setattr(publish.ctypes, "CDLL", refusing_renameat2(syscall))
        publication.publish()
    assert contents(out / "2024")["report.txt"] == "new"
    assert sorted(p.name for p in out.iterdir()) == ["2024"]
