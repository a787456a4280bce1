"""Backtests: the default build reproduces every 'must match' figure of the published editions
(data/published_figures.toml), in stats.json, in the web page's text and in the PDF's text."""

import json
import re
import subprocess
import sys
import tomllib

import pytest

from harmreport.project import editions, paths
from harmreport.project.formatting import decimal, number, percent
from tests.conftest import BETWEEN, BUILT, EDITIONS, here_and_in_ci
from tests.helpers import analysed

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

PUBLISHED_FIGURES = paths.DATA / "published_figures.toml"
with open(PUBLISHED_FIGURES, "rb") as f:
    GROUND_TRUTH = tomllib.load(f)
# (edition, stats.json key, value as printed, text that must appear in HTML and PDF)
PUBLISHED = [(f["edition"], f["key"], f["value"], f["text"]) for f in GROUND_TRUTH["figure"]]
# (edition, names that must appear, in this order, in both documents)
ORDERED = [(o["edition"], o["names"]) for o in GROUND_TRUTH["order"]]


def in_text(rows):
    """A text check of each row: those of an edition `make test` does not build left to CI."""
    return here_and_in_ci(rows, [row for row in rows if row[0] in BETWEEN])


def lookup(stats, key):
    for part in key.split("."):
        stats = stats[part]
    return stats


def shown(key, value):
    """A stats value as the report prints it."""
    if key.endswith("episodes_per_missing_child"):
        return decimal(value)
    if key.endswith(("rate", "share", "share_went_missing", "share_change")):
        return percent(value)
    return value


@pytest.fixture(scope="session")
def stats(built, tmp_path_factory):
    """Each edition's stats.json: as built, or as its notebooks compute it for an edition that
    `make test` does not build (CI builds every one)."""
    return {
        year: json.loads((built / str(year) / "stats.json").read_text())
        if year in BUILT
        else analysed(editions.edition(year).returns, tmp_path_factory.mktemp(str(year)), year)
        for year in EDITIONS
    }


@pytest.mark.parametrize(
    "year, key, expected, text", PUBLISHED, ids=[f"{y}-{k}" for y, k, *_ in PUBLISHED]
)
def test_published_figure_in_stats(stats, year, key, expected, text):
    assert shown(key, lookup(stats[year], key)) == expected


@pytest.mark.parametrize("form", ["html", "pdf"])
@pytest.mark.parametrize(
    "year, key, expected, text", in_text(PUBLISHED), ids=[f"{y}-{k}" for y, k, *_ in PUBLISHED]
)
def test_published_figure_in_text(texts, form, year, key, expected, text):
    if text.startswith("about "):  # the phrase varies; the figure must still be printed
        text = text.removeprefix("about ")
    assert text in texts[year][form]


def test_exact_half_rounds_up(stats):
    assert stats[2015]["unaccompanied"]["share_went_missing"] == 0.125  # 593 / 4,744


@pytest.mark.ci  # 2017 and 2020: built in CI only
def test_one_in_phrases(texts):
    assert "one in three" in texts[2020]["html"] and "one in three" in texts[2020]["pdf"]
    assert "over one in six" in texts[2017]["html"]


def test_change_since_2018_to_one_decimal(stats):
    assert round(stats[2020]["comparison"]["trafficked_share_change"] * 100, 1) == 24.9
    assert stats[2020]["comparison"]["trafficked_went_missing"] == 236


@pytest.mark.parametrize("form", ["html", "pdf"])
@pytest.mark.parametrize("year, names", in_text(ORDERED))
def test_authorities_named_in_published_order(stats, texts, form, year, names):
    listed = [r["name"] for r in stats[year]["combined"]["most_still_missing"]]
    assert listed[: len(names)] == names
    text = texts[year][form]
    start = text.index("Authorities with the most trafficked and unaccompanied children still")
    positions = [text.index(name, start) for name in names]
    assert positions == sorted(positions)


def test_regional_concentration_2015(stats):
    regions = stats[2015]["regions"]
    assert abs(regions["trafficked_in_care_focus_share"] - 0.75) <= 0.01
    assert abs(regions["unaccompanied_in_care_focus_share"] - 0.90) <= 0.01


@pytest.mark.parametrize("form", ["html", "pdf"])
def test_nationalities_2015(stats, texts, form):
    nat = stats[2015]["nationalities"]
    trafficked = [r["nationality"] for r in nat["trafficked"]["ranking"][:3]]
    unaccompanied = [r["nationality"] for r in nat["unaccompanied"]["ranking"][:4]]
    assert trafficked == ["Vietnamese", "British", "Albanian"]
    assert unaccompanied == ["Albanian", "Afghan", "Vietnamese", "Eritrean"]
    assert "Vietnamese, British and Albanian" in texts[2015][form]
    assert "Albanian, Afghan, Vietnamese and Eritrean" in texts[2015][form]


def test_every_edition_has_published_figures():
    assert {year for year, *_ in PUBLISHED} == set(EDITIONS)


@pytest.mark.parametrize(
    "year, key, expected, text", PUBLISHED, ids=[f"{y}-{k}" for y, k, *_ in PUBLISHED]
)
def test_data_readme_lists_each_published_figure(year, key, expected, text):
    """data/README.md's table of published figures says each one, in its edition's row."""
    rows = (paths.DATA / "README.md").read_text(encoding="utf-8").splitlines()
    row = next(line for line in rows if line.startswith(f"| {year} |"))
    printed = number(expected) if isinstance(expected, int) else expected
    assert re.search(rf"(?<![\d,.]){re.escape(str(printed))}(?!\d|[,.]\d)", row), printed


def test_illustrative_returns_regenerate_byte_for_byte(tmp_path):
    """The seeded generator, run again, writes exactly the shipped returns and the dataset's
    declaration of them (and checks them against data/published_figures.toml as it goes)."""
    generator = paths.ROOT / "scripts" / "make_illustrative_returns.py"
    result = subprocess.run(
        [sys.executable, str(generator), "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    shipped = sorted(p.name for p in paths.RETURNS.glob("returns_*.csv")) + ["ILLUSTRATIVE.toml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(shipped)
    for name in shipped:
        assert (tmp_path / name).read_bytes() == (paths.RETURNS / name).read_bytes(), name
