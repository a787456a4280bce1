"""Publishing swaps the new edition in for the old in one step: a failure in the middle of the
swap (the system call refused, or the fallback's second rename) leaves the old edition whole."""

import ctypes
import errno
import json
import os
import re
import types
from pathlib import Path

import pytest

from harmreport.publishing import edition_folders
from harmreport.publishing.edition_folders import Publication


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
        monkeypatch.setattr(edition_folders.ctypes, "CDLL", refusing_renameat2(syscall))
        if fail_on:
            monkeypatch.setattr(edition_folders.os, "rename", failing_rename(fail_on))
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
            monkeypatch.setattr(edition_folders.ctypes, "CDLL", refusing_renameat2(syscall))
        publication.publish()
    assert contents(out / "2024")["report.txt"] == "new"
    assert sorted(p.name for p in out.iterdir()) == ["2024"]


# ---- the work folder's layout and a build's life in it (each path tested: mutation testing
# found them reached only by the slow builds) ------------------------------------------------


def test_a_build_stages_logs_and_locks_in_the_work_folder_beside_the_output(tmp_path):
    out = tmp_path / "new" / "site"  # its parent does not exist yet
    with Publication(out, 2024) as publication:
        work = tmp_path / "new" / "site.work"
        assert out.is_dir() and sorted(p.name for p in work.iterdir()) == [
            "failed", "locks", "logs", "staging",
        ]  # fmt: skip
        assert publication.run_id.startswith("2024-")
        assert publication.staging == work / "staging" / publication.run_id / "edition"
        assert publication.inputs == work / "staging" / publication.run_id / "inputs"
        assert publication.staging.is_dir() and publication.inputs.is_dir()
        assert publication.log == work / "logs" / f"{publication.run_id}.log"
        assert publication.failed == work / "failed" / publication.run_id
        assert (work / "locks" / "2024.lock").is_file()
        with pytest.raises(edition_folders.BuildLocked, match="another build of 2024 into"):
            Publication(out, 2024).__enter__()
        edition(publication.staging, "new")
        publication.log.write_text("the run's log")
        assert publication.publish() == out / "2024"
    assert contents(out / "2024")["report.txt"] == "new"  # renamed in: nothing was there
    assert not publication.log.exists() and not publication.failed.exists()
    assert list((work / "staging").iterdir()) == []
    with Publication(out, 2024):  # the lock was released
        pass


def test_a_failed_build_keeps_its_edition_and_log_outside_the_output(tmp_path):
    out = tmp_path / "site"
    with pytest.raises(RuntimeError), Publication(out, 2024) as publication:
        edition(publication.staging, "half made")
        publication.log.write_text("what went wrong")
        raise RuntimeError("a notebook failed")
    failed = publication.failed
    assert (failed / "build.log").read_text() == "what went wrong"
    assert contents(failed / "edition")["report.txt"] == "half made"
    assert not publication.log.exists() and not (out / "2024").exists()
    with Publication(out, 2024):  # the lock was released
        pass


def test_a_killed_runs_staging_is_set_aside_for_its_own_year_only(tmp_path):
    out = tmp_path / "site"
    staging = tmp_path / "site.work" / "staging"
    for name in ("2024-20260101T000000-1-1", "2020-20260101T000000-1-1"):
        (staging / name / "edition").mkdir(parents=True)
    with Publication(out, 2024) as publication:
        left = sorted(p.name for p in staging.iterdir())
        assert left == ["2020-20260101T000000-1-1", publication.run_id]
        failed = tmp_path / "site.work" / "failed" / "2024-20260101T000000-1-1" / "edition"
        assert failed.is_dir()


def test_run_ids_name_the_year_time_process_and_run():
    first, second = edition_folders.run_id(2024), edition_folders.run_id(2024)
    pattern = rf"2024-\d{{8}}T\d{{6}}-{os.getpid()}-(\d+)"
    numbers = [int(re.fullmatch(pattern, run).group(1)) for run in (first, second)]
    assert numbers[1] == numbers[0] + 1


@pytest.mark.parametrize(
    "manifest",
    ['{"edition": 2020}', "[2024]", "not json", None],
    ids=["another-year", "not-a-table", "not-json", "no-manifest"],
)
def test_a_folder_this_tool_did_not_write_for_that_year_is_refused(tmp_path, manifest):
    target = tmp_path / "site" / "2024"
    target.mkdir(parents=True)
    if manifest is not None:
        (target / "manifest.json").write_text(manifest)
    with pytest.raises(edition_folders.NotOurs) as refused:
        edition_folders.check_ownership(tmp_path / "site", 2024)
    assert str(refused.value) == (
        f"{target} exists but is not an edition this tool wrote (no manifest.json for 2024); "
        "move it elsewhere or choose another --out"
    )
    (target / "manifest.json").write_text('{"edition": 2024}')
    edition_folders.check_ownership(tmp_path / "site", 2024)


def test_links_in_the_way_are_refused_by_name(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "site").symlink_to(real)
    with pytest.raises(edition_folders.NotOurs) as refused:
        edition_folders.check_ownership(tmp_path / "site", 2024)
    assert (
        str(refused.value)
        == f"{tmp_path / 'site'} is a symbolic link; give the real folder as --out"
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "2024").symlink_to(real)
    with pytest.raises(edition_folders.NotOurs) as refused:
        edition_folders.check_ownership(out, 2024)
    assert str(refused.value) == (
        f"{out / '2024'} is a symbolic link, not an edition this tool wrote; remove it"
    )


def test_the_exchange_is_one_system_call_also_for_relative_paths(tmp_path, monkeypatch):
    """renameat2 with the working folder's descriptor: it swaps relative paths too, and never
    falls back to two renames while it works."""
    monkeypatch.chdir(tmp_path)
    edition(tmp_path / "a", "new")
    edition(tmp_path / "b", "old")

    def no_rename(*args):
        raise AssertionError("fell back to os.rename")

    monkeypatch.setattr(edition_folders.os, "rename", no_rename)
    edition_folders.exchange(Path("a"), Path("b"))
    assert contents(tmp_path / "b")["report.txt"] == "new"
    assert contents(tmp_path / "a")["report.txt"] == "old"


def test_a_refused_exchange_says_why_and_where(tmp_path, monkeypatch):
    monkeypatch.setattr(edition_folders.ctypes, "CDLL", refusing_renameat2(errno.EIO))
    with pytest.raises(OSError) as refused:
        edition_folders.exchange(tmp_path / "a", tmp_path / "b")
    error = refused.value
    assert (error.errno, error.strerror, error.filename) == (
        errno.EIO, os.strerror(errno.EIO), str(tmp_path / "b"),
    )  # fmt: skip


def test_a_real_failure_of_the_exchange_carries_the_system_s_reason(tmp_path):
    with pytest.raises(FileNotFoundError) as refused:
        edition_folders.exchange(tmp_path / "missing", tmp_path / "also missing")
    assert refused.value.errno == errno.ENOENT


def test_a_folder_put_in_the_way_during_the_build_is_not_replaced(tmp_path):
    out = tmp_path / "site"
    with pytest.raises(edition_folders.NotOurs), Publication(out, 2024) as publication:
        edition(publication.staging, "new")
        (out / "2024").mkdir()
        (out / "2024" / "notes.txt").write_text("the team's")
        publication.publish()
    assert contents(out / "2024") == {"notes.txt": "the team's"}


def test_a_file_written_atomically_is_whole_readable_and_leaves_nothing_behind(
    tmp_path, monkeypatch
):
    target = tmp_path / "index.html"
    target.write_text("old")
    real_replace, replaced = os.replace, []

    def replace(source, destination):
        replaced.append(Path(source))
        real_replace(source, destination)

    monkeypatch.setattr(edition_folders.os, "replace", replace)
    edition_folders.write_atomically(target, "new ✓")
    # Beside the target, hidden, so the final replace stays on its file system.
    assert replaced[0].parent == tmp_path and replaced[0].name.startswith(".index.html.")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]

    def full_disk(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(edition_folders.os, "replace", full_disk)
    with pytest.raises(OSError):
        edition_folders.write_atomically(target, "newer")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]
