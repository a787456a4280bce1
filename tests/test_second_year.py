"""The team's second year in a temporary copy of the project (scripts/next_edition_demo.py,
which `make cycle` runs in full): publish 2024 to a site, start 2025, verify 2024 with the
site's index unchanged byte for byte, build 2025 into the site, the index lists both, verify
both; bad input (a revision under a year that is no edition, a misspelt notebook parameter,
a reminder dated before its request) refused with nothing published changed. The script
checks each step and exits 1 at the first that fails."""

import subprocess
import sys

import pytest

from harmreport.project import paths

pytestmark = [pytest.mark.slow, pytest.mark.ci]


def test_starting_the_next_edition_never_disturbs_the_published_site():
    done = subprocess.run(
        [sys.executable, str(paths.ROOT / "scripts" / "next_edition_demo.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    for checked in (
        "the site's index is unchanged, byte for byte",
        "2024 is up to date: nothing rebuilt",
        "the index lists 2024 and 2025",
        "the index shows no STUB",
        "the error names the revision's line",
        "a misspelt notebook parameter is an error",
        "every published file is as it was",
        "a reminder dated before its request is refused naming its cell",
    ):
        assert f"   checked: {checked}" in done.stdout
    assert "[2024] verified: the inputs" in done.stdout
    assert "[2025] verified: the inputs" in done.stdout
