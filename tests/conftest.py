import html
import re
import subprocess
from html.parser import HTMLParser

import pytest

from tests.helpers import run_cli

EDITIONS = (2015, 2017, 2020, 2024)


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
    args = [arg for year in EDITIONS for arg in ("--year", year)]
    result = run_cli(*args, "--out", out, timeout=900)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def texts(built):
    return {
        year: {
            "html": html_text((built / str(year) / "index.html").read_text()),
            "pdf": pdf_text(built / str(year) / "report.pdf"),
        }
        for year in EDITIONS
    }
