"""Real councils' answers (tests/real_answers.toml, transcribed from their published FOI
responses) built into an edition: every published form says what the councils said, and
nothing that no authority gave a number for is ever written as 0."""

import csv
import io
import json
import tomllib
from pathlib import Path

import pytest

from harmreport.intake import cell_codes
from harmreport.intake.returns import COUNT_COLUMNS

from .conftest import html_text
from .helpers import run_main

HERE = Path(__file__).parent
CORPUS = tomllib.loads((HERE / "real_answers.toml").read_text(encoding="utf-8"))
SHIPPED_2024 = HERE.parent / "data" / "returns" / "returns_2024.csv"
BASIS = [
    f"{who}_{what}"
    for who in ("answer", "trafficked", "unaccompanied")
    for what in ("period", "scope")
]
HEADER = ["authority_code", "authority_name", *COUNT_COLUMNS, *BASIS]


def test_the_corpus_covers_the_four_nations_and_eight_councils():
    prefixes = {council["code"][0] for council in CORPUS["council"]}
    assert len(CORPUS["council"]) >= 8 and prefixes == {"E", "S", "W", "N"}
    for council in CORPUS["council"]:
        assert council["source"].startswith("http") and council["said"]


@pytest.mark.parametrize("wording, code", sorted(CORPUS["wordings"].items()))
def test_a_council_s_wording_is_refused_naming_the_code_to_type(wording, code):
    with pytest.raises(cell_codes.CellError) as refused:
        cell_codes.parse_cell(wording, "Scotland" if "Scotland" in wording else "England")
    assert f"type {code}" in str(refused.value) or f"type '{code}'" in str(refused.value)


def _corpus_returns(folder: Path) -> Path:
    """The 2024 list of authorities, every one 'no response' but the corpus councils."""
    given = {council["code"]: council for council in CORPUS["council"]}
    rows = []
    for record in csv.DictReader(io.StringIO(SHIPPED_2024.read_text(encoding="utf-8"))):
        council = given.pop(record["authority_code"], None)
        row = {
            "authority_code": record["authority_code"],
            "authority_name": record["authority_name"],
        }
        cells = council["cells"] if council else {}
        row.update({column: cells.get(column, "") for column in COUNT_COLUMNS})
        for column in BASIS:
            row[column] = council.get(column, "") if council else ""
        rows.append(row)
    assert not given, f"corpus councils not in the 2024 list: {sorted(given)}"
    path = folder / "returns_2024.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def corpus_edition(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real")
    out = folder / "site"
    result = run_main(
        "--year", 2024, "--data", _corpus_returns(folder), "--out", out, "--format", "html"
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out / "2024", result.stdout + result.stderr


@pytest.mark.slow
def test_nothing_no_authority_gave_a_number_for_is_published_as_zero(corpus_edition):
    edition, _ = corpus_edition
    stats = json.loads((edition / "stats.json").read_text(encoding="utf-8"))
    for group in ("trafficked", "unaccompanied"):
        assert stats[group]["went_missing"] == "[x]"  # withheld, refused or another period
        assert stats[group]["share_went_missing"] == "[x]"
        assert stats[group]["missing_episodes"] == "[x]"
    assert stats["trafficked"]["in_care"] == "[x]"
    assert stats["combined"]["still_missing"] == stats["combined"]["missing_over_week"] == "[x]"
    # Wokingham's 38 is the one count of unaccompanied children in care for the period asked
    # (Devon's and Lincolnshire's are for a single day): low reliability, said as such.
    assert stats["unaccompanied"]["in_care"] == 38
    assert "unaccompanied.in_care" in stats["low_reliability"]
    # A whole region (the North East) and a whole nation (Scotland) gave no count in care.
    areas = {row["area"]: row for row in stats["regions"]["table"]}
    for area in ("North East", "Scotland"):
        assert areas[area]["trafficked_in_care"] == areas[area]["unaccompanied_in_care"] == "[x]"
    regions = (edition / "data" / "regions.csv").read_text(encoding="utf-8")
    assert "North East,[x],[x]" in regions and ",0," not in regions


@pytest.mark.slow
def test_each_answer_is_counted_by_its_kind(corpus_edition):
    edition, _ = corpus_edition
    answers = json.loads((edition / "stats.json").read_text(encoding="utf-8"))["data_quality"]
    assert answers["trafficked_in_care"]["suppressed"] == 1  # Devon: 5 or less
    assert answers["trafficked_in_care"]["not_recorded"] == 1  # Wokingham: unable to report
    assert answers["trafficked_in_care"]["other_basis"] == 1  # Milton Keynes: 12 months
    assert answers["trafficked_went_missing"]["suppressed"] == 2  # Devon, East Dunbartonshire
    assert answers["trafficked_went_missing"]["other_basis"] == 2  # Bridgend, Belfast Trust
    assert answers["unaccompanied_in_care"]["count"] == 1
    assert answers["unaccompanied_in_care"]["other_basis"] == 2  # Devon, Lincolnshire
    assert answers["unaccompanied_went_missing"]["suppressed"] == 1  # Devon, for the period


@pytest.mark.slow
def test_answers_csv_keeps_what_each_council_said_and_never_its_number(corpus_edition):
    edition, _ = corpus_edition
    text = (edition / "answers.csv").read_text(encoding="utf-8")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["E10000008"]["trafficked_in_care"] == "[c] 0–5"
    assert rows["E10000008"]["unaccompanied_in_care"] == (
        "other basis (single day; includes care leavers)"
    )
    assert rows["E06000041"]["trafficked_in_care"] == "[x]"
    assert rows["S12000045"]["trafficked_went_missing"] == "[c] <5"
    assert rows["E06000042"]["trafficked_in_care"] == "other basis (rolling 12 months)"
    assert rows["NI-BHSCT"]["trafficked_went_missing"] == (
        "other basis (financial year; all looked-after children)"
    )
    for number in ("198", "385", "39", "38", "22", "13"):
        assert f",{number}," not in text and not text.rstrip().endswith(number)


@pytest.mark.slow
def test_the_report_says_not_known_and_never_a_false_zero(corpus_edition):
    edition, log = corpus_edition
    page = html_text((edition / "index.html").read_text(encoding="utf-8"))
    # Devon and East Dunbartonshire withheld it; nobody gave a number: not known, never 0.
    assert (
        "2 of the 212 authorities withheld the number of trafficked and unaccompanied "
        "children who went missing as too small to disclose, and none gave one, so it is "
        "not known."
    ) in page
    for false in ("0 trafficked", "0 children", "Only 0%", "0 of the 0", ", ;", "could not say"):
        assert false not in page, false
    assert "Fewer than 1% of authorities could tell us" in page
    assert "warning: [u] unaccompanied.in_care" in log
    table = (edition / "data" / "in_care_and_missing.csv").read_text(encoding="utf-8")
    assert "Trafficked children,[x],[x]," in table
    assert "[x]: not known" in table


@pytest.mark.slow
def test_a_real_edition_never_leans_on_invented_returns(corpus_edition):
    """The earlier editions' returns the project holds are illustrative: in a real edition
    they are labelled so wherever they stand."""
    edition, _ = corpus_edition
    trend = (edition / "data" / "editions.csv").read_text(encoding="utf-8")
    for year in (2015, 2017, 2020):
        assert f"\n{year} (illustrative)," in trend
    assert "\n2024," in trend  # its own returns are real
    page = html_text((edition / "index.html").read_text(encoding="utf-8"))
    assert "When Harm Remains (2020) (illustrative)" in page
