"""Backtests: the default build reproduces every 'must match' figure of published-figures.md,
in stats.json, in the web page's text and in the PDF's text."""

import json

import pytest

from harmreport.formatting import decimal, percent

# (edition, stats.json key, value as printed, text that must appear in HTML and PDF)
PUBLISHED = [
    (2015, "authorities.contacted", 217, "of the 217 authorities"),
    (2015, "trafficked.authorities_reporting", 174, "174 of the 217 authorities (80%)"),
    (2015, "trafficked.reporting_rate", "80%", "Only 80% of authorities"),
    (2015, "unaccompanied.authorities_reporting", 193, "193 authorities (89%)"),
    (2015, "unaccompanied.reporting_rate", "89%", "and 89% how many unaccompanied"),
    (2015, "trafficked.in_care", 590, "590 trafficked children"),
    (2015, "trafficked.went_missing", 167, "167 trafficked children went missing"),
    (2015, "trafficked.share_went_missing", "28%", "28% of trafficked children"),
    (2015, "trafficked.authorities_with_missing", 39, "from 39 authorities"),
    (2015, "trafficked.episodes_per_missing_child", "2.4", "2.4 times each"),
    (2015, "unaccompanied.in_care", 4744, "4,744 in all"),
    (2015, "unaccompanied.went_missing", 593, "593 went missing at least once"),
    (2015, "unaccompanied.share_went_missing", "13%", "13% of unaccompanied children"),
    (2015, "unaccompanied.authorities_with_missing", 74, "from 74 authorities"),
    (2015, "combined.went_missing", 760, "760 trafficked and unaccompanied children"),
    (2015, "combined.still_missing", 207, "207 children were still missing"),
    (2015, "combined.still_missing_authorities_reporting", 45, "Only 45 of 217 authorities"),
    (2015, "combined.missing_over_week_share", "32%", "32% of the trafficked and unacc"),
    (2015, "london.authorities", 33, "of the 33 London authorities"),
    (2015, "london.reporting_zero_trafficked", 10, "10 of the 33 London authorities"),
    (2015, "london.unable_trafficked", 4, "and 4 more could not tell us"),
    (
        2015,
        "trafficked.largest_went_missing_at_one_authority",
        22,
        "22 trafficked children went missing",
    ),
    (2015, "nationalities.trafficked.authorities_reporting", 10, "Only 10 authorities could"),
    (2017, "trafficked.in_care", 910, "910 trafficked children"),
    (2017, "trafficked.went_missing", 244, "244 trafficked children went missing"),
    (2017, "trafficked.share_went_missing", "27%", "27% of trafficked children"),
    (2017, "unaccompanied.in_care", 4963, "4,963 in all"),
    (2017, "unaccompanied.went_missing", 742, "742 went missing at least once"),
    (2017, "unaccompanied.share_went_missing", "15%", "15% of unaccompanied children"),
    (2017, "combined.went_missing", 986, "986 trafficked and unaccompanied children"),
    (2017, "combined.in_care", 5873, "out of 5,873: over one in six"),
    (2017, "combined.still_missing", 169, "169 children were still missing"),
    (2017, "trafficked.episodes_per_missing_child", "7.2", "7.2 times each"),
    (2020, "trafficked.in_care", 1231, "1,231 trafficked children"),
    (2020, "trafficked.went_missing", 378, "378 trafficked children went missing"),
    (2020, "trafficked.share_went_missing", "31%", "31% of trafficked children"),
    (2020, "trafficked.episodes_per_missing_child", "8.0", "8.0 times each"),
    (2020, "comparison.trafficked_in_care", 960, "about 960 trafficked children"),
    (2020, "comparison.trafficked_share_change", "25%", "a relative rise of 25%"),
    (2024, "trafficked.in_care", 2638, "about 2,638 trafficked children in care in all"),
    (2024, "trafficked.went_missing", 864, "864 trafficked children went missing"),
    (2024, "trafficked.share_went_missing", "37%", "37% of trafficked children"),
    (2024, "trafficked.share_went_missing_base.denominator", 2335, "864 of 2,335"),
    (2024, "trafficked.share_went_missing_base.authorities", 135, "the 135 authorities"),
    (2024, "unaccompanied.in_care", 12530, "12,530 in all"),
    (2024, "unaccompanied.went_missing", 1501, "1,501 went missing at least once"),
    (2024, "unaccompanied.share_went_missing", "13%", "13% of unaccompanied children"),
    (2024, "unaccompanied.share_went_missing_base.denominator", 11999, "1,501 of 11,999"),
    (2024, "unaccompanied.share_went_missing_base.authorities", 141, "the 141 authorities"),
]
# Ordered lists: (edition, text that must appear, in this order, in both documents)
ORDERED = [
    (2015, ["Thurrock", "Hillingdon", "Croydon", "Kent", "Surrey"]),
    (2017, ["Kent", "Rochdale", "Central Bedfordshire"]),
]


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


@pytest.fixture(scope="module")
def stats(built):
    return {
        year: json.loads((built / str(year) / "stats.json").read_text())
        for year in (2015, 2017, 2020, 2024)
    }


@pytest.mark.parametrize(
    "year, key, expected, text", PUBLISHED, ids=[f"{y}-{k}" for y, k, *_ in PUBLISHED]
)
def test_published_figure_in_stats(stats, year, key, expected, text):
    assert shown(key, lookup(stats[year], key)) == expected


@pytest.mark.parametrize("form", ["html", "pdf"])
@pytest.mark.parametrize(
    "year, key, expected, text", PUBLISHED, ids=[f"{y}-{k}" for y, k, *_ in PUBLISHED]
)
def test_published_figure_in_text(texts, form, year, key, expected, text):
    if text.startswith("about "):  # the phrase varies; the figure must still be printed
        text = text.removeprefix("about ")
    assert text in texts[year][form]


def test_exact_half_rounds_up(stats):
    assert stats[2015]["unaccompanied"]["share_went_missing"] == 0.125  # 593 / 4,744


def test_one_in_phrases(texts):
    assert "one in three" in texts[2020]["html"] and "one in three" in texts[2020]["pdf"]
    assert "over one in six" in texts[2017]["html"]


def test_change_since_2018_to_one_decimal(stats):
    assert round(stats[2020]["comparison"]["trafficked_share_change"] * 100, 1) == 24.9
    assert stats[2020]["comparison"]["trafficked_went_missing"] == 236


@pytest.mark.parametrize("form", ["html", "pdf"])
@pytest.mark.parametrize("year, names", ORDERED)
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
