import fcntl
import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harmreport.pipeline.session import BuildSession
from harmreport.project import editions
from tests import helpers
from tests.helpers import run_cli, tree_hashes

# The shipped editions (illustrative returns, published figures): the tests' editions, whatever
# editions the team has added since (a real one's returns are private).
EDITIONS = tuple(
    year
    for year in editions.all_editions()
    if editions.is_illustrative(editions.edition(year).returns)
)


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
    for it, while the others wait for it (each worker has a session of its own)."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # the run's folder, above each worker's own
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed left
            make(folder)
            done.touch()
    return folder


# `make test` leaves the tests marked `ci` (whole scenarios of several builds, faults injected
# into builds) to CI, which runs every test: .ci/run sets HBH_ALL_TESTS=1.
ALL_TESTS = "HBH_ALL_TESTS"


_LEFT_TO_CI = pytest.StashKey[int]()


@pytest.hookimpl(trylast=True)  # after -m: counts only what it would have run
def pytest_collection_modifyitems(config, items):
    if os.environ.get(ALL_TESTS) == "1":
        return
    left = [item for item in items if item.get_closest_marker("ci")]
    items[:] = [item for item in items if item not in left]
    config.hook.pytest_deselected(items=left)
    config.stash[_LEFT_TO_CI] = len(left)
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker: its controller says it
        config.workeroutput["left_to_ci"] = len(left)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: not there with -p no:xdist
def pytest_testnodedown(node, error):
    """pytest-xdist's controller, as each worker ends (each collected every test)."""
    node.config.stash[_LEFT_TO_CI] = node.workeroutput.get("left_to_ci", 0)


def pytest_terminal_summary(terminalreporter, config):
    left = config.stash.get(_LEFT_TO_CI, 0)
    if left:
        terminalreporter.write_line(
            f"{left} test(s) marked ci were left to CI (whole scenarios and faults injected "
            f"into builds): {ALL_TESTS}=1 make test runs them too, as .ci/run does"
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


@pytest.fixture(scope="session")
def built(tmp_path_factory, worker_id):
    """Every shipped edition, built once through the real CLI."""

    def make(out):
        built_by_cli(out, "--year", *EDITIONS, "--base-url", BASE_URL, timeout=900)

    return made_once(tmp_path_factory, worker_id, "report", make) / "site"


def built_by_cli(out: Path, *args, timeout=300) -> None:
    """Build into out/site through the real CLI, keeping what it printed (build_messages)."""
    result = run_cli(*args, "--out", out / "site", timeout=timeout)
    assert result.returncode == 0, result.stderr
    (out / "build.stderr").write_text(result.stderr, encoding="utf-8")


def build_messages(out: Path) -> str:
    """What the build of a shared output root (`built`, `web_edition`) printed."""
    return (out.parent / "build.stderr").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def web_edition(tmp_path_factory, worker_id):
    """An output root with the 2024 web edition (no PDF), built once through the real CLI for
    the whole run; tests that change it take a copy (`published`, `copy_of`)."""

    def make(out):
        built_by_cli(out, "--year", 2024, "--format", "html")

    return made_once(tmp_path_factory, worker_id, "web-edition", make) / "site"


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
        for year in EDITIONS
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
