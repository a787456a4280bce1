"""Faults during a real build: signals, a second build, a hung or dead kernel, a notebook that
raises, an output folder that cannot be written. The published edition must never change."""

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from harmreport.notebooks.pages import PagesProcess
from harmreport.outputs import pdf_printer
from harmreport.pipeline import build
from harmreport.pipeline.session import BuildSession
from harmreport.project import paths
from harmreport.project.build_request import BuildRequest, resolve
from harmreport.project.errors import InternalError, NotebookFailed
from harmreport.project.jsonfiles import read_json
from harmreport.publishing.edition_folders import work_folder
from tests import helpers
from tests.conftest import copy_of, here_and_in_ci
from tests.helpers import run_cli, run_main, tree_hashes

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it


def start_build(out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(paths.ROOT / "run_report.py"), "--year", "2024", "--out", str(out)]
        + ["--force"],  # a whole build, though the edition is up to date
        stderr=subprocess.PIPE,
        text=True,
        cwd=paths.ROOT,
    )


def wait_for_stage(process: subprocess.Popen, stage: str, timeout=120) -> str:
    seen, deadline = "", time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen += line
        if f"] {stage}" in line or not line:
            return seen
    raise AssertionError(f"no '{stage}' stage within {timeout} s: {seen}")


def assert_untouched(out: Path, before: dict) -> None:
    assert tree_hashes(out / "2024") == before
    # Nothing but editions and their index in the folder web staff upload.
    assert sorted(p.name for p in out.iterdir()) == ["2024", "index.html", "manifest.json"]


@pytest.mark.parametrize("sig", here_and_in_ci([signal.SIGINT, signal.SIGTERM], [signal.SIGTERM]))
def test_interrupted_build_publishes_nothing(published, sig):
    out, before = published
    process = start_build(out)
    wait_for_stage(process, "validate")  # the statistics notebook is now running
    process.send_signal(sig)
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 130, rest
    assert "interrupted: nothing was published" in rest and "Traceback" not in rest
    assert_untouched(out, before)
    assert not list((work_folder(out) / "staging").iterdir())
    kept = list((work_folder(out) / "failed").iterdir())
    assert len(kept) == 1 and (kept[0] / "build.log").exists()


@pytest.mark.ci
def test_a_ctrl_c_swallowed_on_its_way_up_still_stops_the_build(published, monkeypatch):
    """Python ignores an exception raised inside a __del__ method, so a Ctrl-C that lands
    in one is lost; the build must stop all the same and publish nothing."""
    out, before = published
    validate = build.validate

    def validate_while_interrupted(*args):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            pass  # swallowed, as Python does inside a __del__ method
        return validate(*args)

    monkeypatch.setattr(build, "validate", validate_while_interrupted)
    result = run_main("--year", 2024, "--out", out, "--format", "html", "--force")
    assert result.returncode == 130
    assert "interrupted: nothing was published" in result.stderr
    assert_untouched(out, before)


@pytest.mark.ci
def test_killed_build_leaves_the_edition_and_the_next_build_recovers(published):
    out, before = published
    process = start_build(out)
    wait_for_stage(process, "statistics")
    process.kill()  # SIGKILL: no handler runs
    process.wait(timeout=60)
    assert_untouched(out, before)
    stale = list((work_folder(out) / "staging").iterdir())
    assert len(stale) == 1  # outside the published tree
    result = run_cli("--year", 2024, "--out", out, "--format", "html", "--force")
    assert result.returncode == 0, result.stderr
    assert not list((work_folder(out) / "staging").iterdir())
    assert (work_folder(out) / "failed" / stale[0].name).is_dir()
    assert tree_hashes(out / "2024") == before  # same inputs, same bytes


def test_second_concurrent_build_is_refused(published):
    out, before = published
    (work_folder(out) / "locks").mkdir(parents=True)
    with open(work_folder(out) / "locks" / "2024.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running build holds
        result = run_cli("--year", 2024, "--out", out)
    assert result.returncode == 4
    assert "another build of 2024" in result.stderr
    assert tree_hashes(out / "2024") == before


def broken_notebooks(folder: Path, code: str, name="02_headline_statistics") -> Path:
    copy = folder / "notebooks"
    shutil.copytree(paths.NOTEBOOKS, copy)
    book = nbformat.read(copy / f"{name}.ipynb", as_version=4)
    book.cells.insert(3, nbformat.v4.new_code_cell(code, id="inserted-fault"))
    nbformat.write(book, copy / f"{name}.ipynb")
    return copy


@pytest.mark.ci
@pytest.mark.parametrize(
    "code, says",
    [
        ("import time\ntime.sleep(60)", "did not finish in cell inserted-fault: CellTimeoutError"),
        ("import os\nos._exit(1)", "did not finish in cell inserted-fault: DeadKernelError"),
        ("1 / 0", "failed at cell In [4]: ZeroDivisionError: division by zero"),
    ],
    ids=["hung-kernel", "dead-kernel", "exception"],
)
def test_notebook_faults_exit_5(published, tmp_path_factory, monkeypatch, code, says):
    out, before = published
    monkeypatch.setattr(paths, "NOTEBOOKS", broken_notebooks(tmp_path_factory.mktemp("nb"), code))
    request = BuildRequest(2024, out_root=out, formats=("html",), cell_timeout=5)
    started = time.monotonic()
    with pytest.raises(NotebookFailed) as failure:
        build.build_edition(resolve(request), write=lambda line: None, session=helpers.SESSION)
    assert says in str(failure.value) and failure.value.exit_code == 5
    assert time.monotonic() - started < 60
    assert tree_hashes(out / "2024") == before
    assert any("full log:" in line for line in failure.value.details)
    assert helpers.SESSION.idle is None  # a kernel a notebook failed on is not the next build's


@pytest.mark.ci
def test_a_failing_figures_notebook_stops_the_pdf_begun_beside_it(
    published, tmp_path_factory, monkeypatch
):
    """The PDF's printing begins while the figures are drawn: when they never come, it stops
    with the build, and no PDF without its figures is written."""
    out, before = published
    broken = broken_notebooks(tmp_path_factory.mktemp("nb"), "1 / 0", "03_figures")
    monkeypatch.setattr(paths, "NOTEBOOKS", broken)
    request = BuildRequest(2024, out_root=out, formats=("html", "pdf"))
    with pytest.raises(NotebookFailed, match="03_figures.* ZeroDivisionError") as failure:
        build.build_edition(resolve(request), write=lambda line: None, session=helpers.SESSION)
    assert failure.value.exit_code == 5
    assert pdf_printer.PRINTER_THREAD not in [thread.name for thread in threading.enumerate()]
    failed = list(work_folder(out).glob("failed/2024-*/edition"))
    assert len(failed) == 1 and (failed[0] / "stats.json").exists()
    assert not (failed[0] / "report.pdf").exists()
    assert tree_hashes(out / "2024") == before


def test_read_only_output_folder_exits_4():
    """Run as an unprivileged user: as root, permissions do not stop a write."""
    drop = (
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        if (os.geteuid() == 0)
        else []
    )
    probe = subprocess.run(
        [*drop, sys.executable, "-c", "import harmreport"], capture_output=True, cwd="/"
    )
    if probe.returncode != 0:
        pytest.skip("no unprivileged user can run this checkout's Python here")
    folder = Path(tempfile.mkdtemp())
    try:
        folder.chmod(0o555)
        result = subprocess.run(
            [
                *drop,
                sys.executable,
                str(paths.ROOT / "run_report.py"),
                "--year",
                "2024",
                "--out",
                str(folder / "report"),
            ],
            capture_output=True,
            text=True,
            cwd="/",
        )
        assert result.returncode == 4
        assert f"cannot write to {folder / 'report'}: Permission denied" in result.stderr
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


@pytest.mark.ci
def test_xlsx_returns_build_like_csv(tmp_path, web_edition):
    """Numbers as numbers, numbers stored as text, thousands separators, a notes sheet before
    the data: the statistics are the same as from the CSV."""
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "notes"
    sheet = book.create_sheet("returns")
    with open(paths.RETURNS / "returns_2024.csv", encoding="utf-8") as f:
        for number, record in enumerate(csv.reader(f)):
            cells = [int(v) if v.isdigit() and number % 2 else v for v in record]
            sheet.append(cells)
    workbook = tmp_path / "returns_2024.xlsx"
    book.save(workbook)
    result = run_main(
        "--year", 2024, "--data", workbook, "--out", tmp_path / "out", "--format", "html"
    )
    assert result.returncode == 0, result.stderr
    from_xlsx = read_json(tmp_path / "out" / "2024" / "stats.json")
    assert from_xlsx.pop("illustrative") is False  # a file of the team's, not the shipped one
    from_csv = read_json(web_edition / "2024" / "stats.json")  # the shipped .csv, built
    from_csv.pop("illustrative")
    assert from_xlsx["trend"]["2024"].pop("illustrative") is False  # its own point too
    assert from_csv["trend"]["2024"].pop("illustrative") is True
    assert from_xlsx == from_csv


FULL_DISK = """
import json, shutil, subprocess, sys
from pathlib import Path
from tests.helpers import tree_hashes
out = Path(sys.argv[1]) / "report"
shutil.copytree(sys.argv[2], out, symlinks=True)  # the web edition, as published
before = tree_hashes(out / "2024")
build = subprocess.run([sys.executable, "run_report.py", "--year", "2024", "--out", str(out),
                        "--format", "html,pdf"], capture_output=True, text=True)
print(json.dumps([build.returncode, build.stderr, tree_hashes(out / "2024") == before]))
"""


@pytest.mark.ci
def test_full_output_folder_exits_4(tmp_path, web_edition):
    """A file system half as large again as the web edition holds it, but not, beside it
    while the new one is staged, the web edition and the PDF as well."""
    web_kib = int(
        subprocess.run(["du", "-sk", web_edition], capture_output=True).stdout.split()[0]
    )
    script = (
        f"mount -t tmpfs -o size={web_kib * 3 // 2}k tmpfs {tmp_path} && "
        f"exec {sys.executable} -c '{FULL_DISK}' {tmp_path} {web_edition}"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        timeout=300,
    )
    if result.returncode != 0 and not result.stdout.strip():
        # unshare or mount refused (no mount namespace in this container): nothing to test
        pytest.skip(f"cannot mount a small file system here: {result.stderr.strip()}")
    status, stderr, unchanged = __import__("json").loads(result.stdout)
    assert status == 4, stderr
    assert f"cannot write to {tmp_path}/report: No space left on device" in stderr
    assert "Logging error" not in stderr and len(stderr.splitlines()) < 40
    assert unchanged


def test_notebook_pages_that_cannot_be_written_are_the_machine_s_problem(tmp_path, web_edition):
    """The notebooks' web pages are made in a process of their own: a file it cannot write
    (here a folder in the way; on a full disk, no space) is exit 4 for the build, not a bug."""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(web_edition / "2024" / "notebooks" / "03_figures.ipynb", tmp_path / "notebooks")
    (tmp_path / "notebooks" / "03_figures.html").mkdir()
    pages = subprocess.run(
        [sys.executable, "-m", "harmreport.notebooks.pages", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
    )
    assert (pages.returncode, pages.stderr) == (4, "Is a directory\n")


def notebooks_folder(web_edition, where: Path, in_the_way: bool = False) -> Path:
    """A folder with an executed notebook (and, `in_the_way`, a folder where its page goes)."""
    (where / "notebooks").mkdir(parents=True)
    shutil.copy(web_edition / "2024" / "notebooks" / "03_figures.ipynb", where / "notebooks")
    if in_the_way:
        (where / "notebooks" / "03_figures.html").mkdir()
    return where


def test_one_pages_process_serves_a_session_s_folders_and_outlives_a_failed_one(
    tmp_path, web_edition
):
    """A session's editions share one pages process (nbconvert imported once): each folder
    gets its pages or the reason it could not, and the next folder is served all the same."""
    good = notebooks_folder(web_edition, tmp_path / "good")
    bad = notebooks_folder(web_edition, tmp_path / "bad", in_the_way=True)
    pages = PagesProcess()
    outcomes = []
    for folder in (good, bad, good):
        pages.give(folder)
        outcomes.append(pages.outcome())
    pages.close()
    assert outcomes == [(0, ""), (4, "Is a directory"), (0, "")]
    assert "<title>03_figures</title>" in (good / "notebooks" / "03_figures.html").read_text()
    assert pages.process.returncode == 0


pages_written = build._pages_in_a_process  # as a build uses it, beside its report rendering


def test_a_pages_process_that_died_is_reported_and_the_session_starts_another(
    tmp_path, web_edition
):
    """A build whose pages failed stops the session's pages process: exit 4 for a file it
    could not write, an internal error for a process that died; the next build starts one.
    The session's last build stops it."""
    session = BuildSession(builds=None)
    blocked = notebooks_folder(web_edition, tmp_path / "a", in_the_way=True)
    with pytest.raises(OSError, match="Is a directory"), pages_written(blocked, session):
        pass
    assert session.pages is None
    first = session.pages_process()
    first.process.kill()
    died = pytest.raises(InternalError, match="the notebooks' web pages could not be made")
    with died, pages_written(notebooks_folder(web_edition, tmp_path / "b"), session):
        pass
    assert session.pages is None and first.process.returncode == -signal.SIGKILL
    with pages_written(notebooks_folder(web_edition, tmp_path / "c"), session):
        pass
    assert (tmp_path / "c" / "notebooks" / "03_figures.html").is_file()
    session.close()
    assert session.pages is None
    last = BuildSession(builds=0)  # its last build under way: build() counts it first
    with pages_written(notebooks_folder(web_edition, tmp_path / "d"), last):
        pass
    assert last.pages is None  # stopped as soon as its pages are written


@pytest.mark.ci
def test_interrupted_parallel_build_publishes_nothing(published):
    """SIGTERM to the command building two editions side by side: it passes it on, each
    build cleans up as after its own Ctrl-C, and nothing is published."""
    out, before = published
    process = subprocess.Popen(
        [sys.executable, str(paths.ROOT / "run_report.py"), "--year", "2017", "2024"]
        + ["--out", str(out), "--format", "html", "--force"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=paths.ROOT,
    )
    wait_for_stage(process, "validate")
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 130, rest
    assert "Traceback" not in rest
    assert_untouched(out, before)
    assert not list((work_folder(out) / "staging").iterdir())


def test_a_log_that_cannot_be_written_says_so_once(capsys):
    """A full disk under the run's log: one line on the console, never logging's traceback
    for each line after it (/dev/full fails every write with "No space left on device")."""
    import logging

    from harmreport.pipeline.build import _RunLog

    handler = _RunLog("/dev/full", encoding="utf-8")
    logger = logging.getLogger("harmreport.test-full-log")
    logger.addHandler(handler)
    try:
        for number in range(50):
            logger.error("line %d", number)
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert err == (
        "warning: the run's log /dev/full cannot be written (No space left on device); it "
        "stops here\n"
    )


@pytest.mark.ci
def test_a_console_closed_mid_build_never_stops_it(tmp_path, web_edition):
    """`run_report.py … 2>&1 | head -1`: the console goes after the first line; the build
    goes on, publishes, and exits 0."""
    out = copy_of(web_edition, tmp_path / "site")
    command = (
        f"{sys.executable} run_report.py --year 2024 --out {out} --format html --force 2>&1 "
        "| head -1; exit ${PIPESTATUS[0]}"
    )
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                          cwd=paths.ROOT, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "[2024] rebuilding everything: --force\n"
    assert (out / "2024" / "manifest.json").is_file()
