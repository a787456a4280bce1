import fcntl
import html
import os
import re
import shutil
import signal
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harmreport.pipeline.session import BuildSession
from harmreport.project import editions, paths
from tests import helpers
from tests.helpers import run_cli, tree_hashes

# The shipped editions (illustrative returns, published figures): the tests' editions, whatever
# editions the team has added since (a real one's returns are private).
EDITIONS = tuple(
    year
    for year in editions.all_editions()
    if editions.is_illustrative(editions.edition(year).returns)
)


# `make test` leaves the tests marked `ci` (whole scenarios of several builds, faults injected
# into builds, a check's repeats across editions and widths) to CI, which runs every test:
# .ci/run sets HBH_ALL_TESTS=1.
ALL_TESTS = "HBH_ALL_TESTS"
EVERY_TEST = os.environ.get(ALL_TESTS) == "1"

# The editions in `built`: `make test` builds the first and the latest shipped edition, CI all of
# them (a check of a whole edition on those between is a repeat; their statistics are checked
# here all the same, test_backtests). A test of each built edition takes EACH_BUILT.
BETWEEN = EDITIONS[1:-1]
BUILT = EDITIONS if EVERY_TEST else tuple(year for year in EDITIONS if year not in BETWEEN)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return squash(html.unescape(" ".join(parser.parts)))


def pdf_text(path) -> str:
    result = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    )
    return squash(result.stdout)


def made_once(tmp_path_factory, worker_id: str, name: str, make) -> Path:
    """A folder made once for the whole run: by the first of pytest-xdist's workers to ask
    for it, while the others wait for it (each worker has a session of its own), or by the
    background build started for it as the tests were collected (start_shared_builds)."""
    root = shared_root(tmp_path_factory.getbasetemp(), worker_id)
    folder, done, failed = root / name, root / f"{name}.done", root / f"{name}.failed"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(f"the shared build {name} failed:\n{failed.read_text()}")
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed left
            make(folder)
            done.touch()
    return folder


def shared_root(basetemp: Path, worker_id: str) -> Path:
    """The run's own temporary folder, above each pytest-xdist worker's."""
    return basetemp.parent if worker_id != "master" else basetemp


def here_and_in_ci(values, left_to_ci) -> list:
    """A matrix test's parameters: `make test` runs each check once (every edition and width
    it needs at least once); the repeats in `left_to_ci` are marked ci, for CI."""
    marked = []
    for value in values:
        if value in left_to_ci:
            value = pytest.param(
                *value if isinstance(value, tuple) else (value,), marks=pytest.mark.ci
            )
        marked.append(value)
    return marked


EACH_BUILT = here_and_in_ci(EDITIONS, BETWEEN)

_LEFT_TO_CI = pytest.StashKey[int]()


@pytest.hookimpl(trylast=True)  # after -m: counts only what it would have run
def pytest_collection_modifyitems(config, items):
    left = [] if EVERY_TEST else [item for item in items if item.get_closest_marker("ci")]
    items[:] = shared_builds_last([item for item in items if item not in left])
    if not config.option.collectonly:
        start_shared_builds(config, items)
    if EVERY_TEST:
        return
    config.hook.pytest_deselected(items=left)
    config.stash[_LEFT_TO_CI] = len(left)
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker: its controller says it
        config.workeroutput["left_to_ci"] = len(left)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: not there with -p no:xdist
def pytest_xdist_auto_num_workers(config):
    """`-n auto` (make test): a worker more than the cores this process may use. Much of a
    test is spent waiting on processes it started (a build, its kernel, the browser,
    LibreOffice), and the extra worker runs its tests meanwhile. Paired runs of the tests on
    two cores: three workers took 0.92x the wall time of two, four 1.13x that of three."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # the number it gives, read by pytest-xdist itself
    return len(os.sched_getaffinity(0)) + 1


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: not there with -p no:xdist
def pytest_testnodedown(node, error):
    """pytest-xdist's controller, as each worker ends (each collected every test)."""
    node.config.stash[_LEFT_TO_CI] = node.workeroutput.get("left_to_ci", 0)


def pytest_terminal_summary(terminalreporter, config):
    left = config.stash.get(_LEFT_TO_CI, 0)
    if left:
        terminalreporter.write_line(
            f"{left} test(s) marked ci were left to CI (whole scenarios, faults injected into "
            f"builds, repeats of a check across editions and widths): {ALL_TESTS}=1 make test "
            "runs them too, as .ci/run does"
        )


@pytest.fixture(scope="session", autouse=True)
def one_build_session():
    """The tests' in-process builds (helpers.run_main, build_edition given helpers.SESSION)
    follow one another in one build session, as a worker's editions do: each gets the last
    one's kernel. The CLI's builds, run in processes of their own, have sessions of one."""
    with BuildSession(builds=None) as session:
        helpers.SESSION = session
        yield session
    helpers.SESSION = None


# Where the tests' editions would be published: the fragment for the CMS needs an address.
BASE_URL = "https://www.example.org/heading-back-to-harm/"


# The output roots several test modules read, built through the real CLI: fixture name ->
# (folder, CLI arguments). Each is started in the background once the tests are collected.
SHARED_BUILDS = {
    "built": ("report", ("--year", *BUILT, "--base-url", BASE_URL)),
    "web_edition": ("web-edition", ("--year", 2024, "--format", "html")),
}


@pytest.fixture(scope="session")
def built(tmp_path_factory, worker_id):
    """Every shipped edition, built once through the real CLI."""
    return shared_build(tmp_path_factory, worker_id, "built")


@pytest.fixture(scope="session")
def web_edition(tmp_path_factory, worker_id):
    """An output root with the 2024 web edition (no PDF), built once through the real CLI for
    the whole run; tests that change it take a copy (`published`, `copy_of`)."""
    return shared_build(tmp_path_factory, worker_id, "web_edition")


def shared_build(tmp_path_factory, worker_id: str, fixture: str) -> Path:
    name, args = SHARED_BUILDS[fixture]
    folder = made_once(
        tmp_path_factory, worker_id, name, lambda out: built_by_cli(out, *args, timeout=900)
    )
    return folder / "site"


_BACKGROUND: list[subprocess.Popen] = []


def start_shared_builds(config, items) -> None:
    """Start each shared build a selected test needs in a process of its own, holding the
    build's lock (made_once waits on it), unless another worker has started it."""
    worker_id = getattr(config, "workerinput", {}).get("workerid", "master")
    root = shared_root(config._tmp_path_factory.getbasetemp(), worker_id)
    needed = {fixture for item in items for fixture in shared_builds_of(item)}
    for fixture, (name, args) in SHARED_BUILDS.items():
        if fixture not in needed:
            continue
        with open(root / f"{name}.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # another worker is building it
            if (root / f"{name}.done").exists() or (root / f"{name}.failed").exists():
                continue
            shutil.rmtree(root / name, ignore_errors=True)
            command = ["-m", "tests.background_build", str(lock.fileno()), str(root), name]
            _BACKGROUND.append(
                subprocess.Popen(
                    [sys.executable, *command, *map(str, args)],
                    cwd=paths.ROOT,
                    pass_fds=(lock.fileno(),),  # the lock, held until the build ends
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )


def shared_builds_last(items: list) -> list:
    """The modules with a test that needs a shared build run after the others, which run
    while it is made; a module's tests stay together (its fixtures are made once)."""
    waiting = {item.nodeid.split("::")[0] for item in items if shared_builds_of(item)}
    return sorted(items, key=lambda item: item.nodeid.split("::")[0] in waiting)


def shared_builds_of(item) -> set[str]:
    return SHARED_BUILDS.keys() & set(item.fixturenames)


def pytest_sessionfinish(session, exitstatus):
    for process in _BACKGROUND:  # a worker that started a build waits for it, or stops it
        if exitstatus == pytest.ExitCode.INTERRUPTED and process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # the build stops as at a ctrl-c
        process.wait()


def built_by_cli(out: Path, *args, timeout=300) -> None:
    """Build into out/site through the real CLI, keeping what it printed (build_messages)."""
    result = run_cli(*args, "--out", out / "site", timeout=timeout)
    assert result.returncode == 0, result.stderr
    (out / "build.stderr").write_text(result.stderr, encoding="utf-8")


def build_messages(out: Path) -> str:
    """What the build of a shared output root (`built`, `web_edition`) printed."""
    return (out.parent / "build.stderr").read_text(encoding="utf-8")


def copy_of(out: Path, where: Path) -> Path:
    """A copy of an output root (its editions and index; not its work folder)."""
    shutil.copytree(out, where, symlinks=True)
    return where


@pytest.fixture
def published(web_edition, tmp_path):
    """A copy of the 2024 web edition for one test to change: (output root, its bytes)."""
    out = copy_of(web_edition, tmp_path / "site")
    return out, tree_hashes(out / "2024")


@pytest.fixture(scope="session")
def texts(built):
    return {
        year: {
            "html": html_text((built / str(year) / "index.html").read_text()),
            "pdf": pdf_text(built / str(year) / "report.pdf"),
        }
        for year in BUILT
    }


def unavailable(reason: str):
    from tests.browser import required

    if required():
        pytest.fail(f"{reason} (HBH_REQUIRE_BROWSER=1: the browser tests must run here)")
    pytest.skip(reason)


@pytest.fixture(scope="session")  # one browser a worker
def browser():
    from tests.browser import Browser, BrowserUnavailable

    try:
        chromium = Browser.start()
    except BrowserUnavailable as exc:
        unavailable(str(exc))
    yield chromium
    chromium.quit()
