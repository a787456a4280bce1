import html
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harmreport import editions
from tests.helpers import run_cli, tree_hashes

EDITIONS = tuple(editions.all_editions())


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


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every shipped edition, built once through the real CLI."""
    out = tmp_path_factory.mktemp("report")
    result = run_cli("--all", "--out", out, timeout=900)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def web_edition(tmp_path_factory):
    """An output root with the 2024 web edition (no PDF), built once through the real CLI for
    the whole run; tests that change it take a copy (`published`, `copy_of`)."""
    out = tmp_path_factory.mktemp("web-edition") / "site"
    result = run_cli("--year", 2024, "--out", out, "--format", "html")
    assert result.returncode == 0, result.stderr
    return out


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
