"""Every statistic's definition (docs/returns-contract.md) on small hand-made tables."""

import csv

import pandas as pd
import pytest

from harmreport.analysis import statistics as st
from harmreport.check import file_text
from harmreport.intake.problems import ReturnsError
from harmreport.intake.returns import (
    TABLES,
    NotValidated,
    load_returns,
    read_validated,
    save_validated,
)
from tests.helpers import full, row, write_returns


@pytest.fixture
def returns(tmp_path):
    rows = [
        row("E10000016", **full(10, 5, 12, 100, 20, 30, 6, 4)),  # Kent: everything
        row("E09000008", **full(20, "not recorded", "not recorded", 50, 10, 10, 2, 1)),
        row("E09000017", **full("<5", "<5", "not recorded", 0, 0, 0, "<5", "<5")),
        row("E06000034", **full(0, 0, 0, "refused", "refused", "refused", "", "")),
        row("E10000030", **full(7, 2, "not recorded", 30, 9, 25, 3, 0)),
        row("W06000015", **full("", "", "", "", "", "", "", "")),
    ]
    return load_returns(write_returns(tmp_path, rows), 2024)


def test_contacted_is_every_row(returns):
    assert returns.contacted == 6


def test_reporting_counts_counts_and_suppressed(returns):
    assert st.authorities_reporting(returns, "trafficked_in_care") == 5
    assert st.reporting_rate(returns, "trafficked_in_care") == 5 / 6
    assert st.authorities_reporting(returns, "unaccompanied_in_care") == 4


def test_totals_leave_suppressed_cells_out_and_count_them(returns):
    in_care = st.total(returns, "trafficked_in_care")
    assert in_care.value == 37
    assert in_care.contributors == {"E10000016", "E09000008", "E10000030"}  # not zero, not <5
    assert st.suppressed_authorities(returns, "trafficked_in_care") == 1
    assert st.total(returns, "still_missing").value == 5


def test_share_is_over_authorities_that_answered_both(returns):
    share = st.share_went_missing(returns, "trafficked")
    # Croydon (in care 20, went missing not recorded) and Hillingdon (<5) are left out.
    assert (share.numerator.value, share.denominator.value, share.authorities) == (7, 17, 3)
    assert share.value == 7 / 17


def test_episodes_per_child_needs_both_counts_and_a_missing_child(returns):
    per_child = st.episodes_per_missing_child(returns, "trafficked")
    # Kent only: Surrey's episodes are not recorded, Thurrock had nobody missing.
    assert (per_child.numerator.value, per_child.denominator.value) == (12, 5)
    assert per_child.authorities == 1 and per_child.numerator.contributors == {"E10000016"}
    unaccompanied = st.episodes_per_missing_child(returns, "unaccompanied")
    assert (unaccompanied.numerator.value, unaccompanied.denominator.value) == (65, 39)


def test_missing_over_week_share_needs_all_three_counts(returns):
    share = st.ratio_over_complete(
        returns, ["missing_over_week"], ["trafficked_went_missing", "unaccompanied_went_missing"]
    )
    # Kent 6/(5+20), Surrey 3/(2+9); Croydon lacks trafficked_went_missing.
    assert (share.numerator.value, share.denominator.value, share.authorities) == (9, 36, 2)


def test_ratio_with_nothing_to_divide_is_none(tmp_path):
    path = write_returns(tmp_path, [row("E10000016")])
    assert st.share_went_missing(load_returns(path, 2024), "trafficked").value is None


def test_authorities_above_zero_and_largest(returns):
    assert st.authorities_above_zero(returns, "trafficked_went_missing") == 2
    largest = st.largest(returns, "trafficked_went_missing")
    assert largest.value == 5 and largest.contributors == {"E10000016"}
    assert largest.level == "authority"  # so disclosure control hides it from 1 to 4


def test_top_authorities_never_names_a_count_below_five(returns):
    top = st.top_authorities(returns, "unaccompanied_went_missing", 5)
    assert [(r["name"], r["value"].value) for r in top] == [
        ("Kent", 20),
        ("Croydon", 10),
        ("Surrey", 9),
    ]
    assert st.top_authorities(returns, "still_missing", 5) == []


def test_response_categories(returns):
    answers = st.response_categories(returns)["trafficked_in_care"]
    assert answers == {
        "count": 4,
        "suppressed": 1,
        "not_recorded": 0,
        "refused": 0,
        "redirected": 0,
        "other_basis": 0,
        "no_response": 1,
    }


def test_totals_by_region_use_nation_outside_england(returns):
    rows = st.totals_by_area(returns, ["unaccompanied_in_care"])
    by_area = {r["area"]: r["unaccompanied_in_care"] for r in rows}
    assert by_area["London"].value == 50 and by_area["London"].level == "area"
    assert by_area["South East"].value == 130
    assert "Wales" in by_area
    everywhere = st.total(returns, "unaccompanied_in_care")
    share = st.share_in_areas(rows, "unaccompanied_in_care", ["London"], everywhere)
    assert share.value == 50 / 180


def test_nationalities_rank_across_authorities(tmp_path):
    path = write_returns(
        tmp_path,
        [
            row("E10000016", **full(10, 5, 5, 40, 12, 12, 0, 0)),
            row("E09000008", **full(9, 4, 4, 30, 9, 9, 0, 0)),
        ],
    )
    (tmp_path / "returns_nationalities.csv").write_text(
        "authority_code,group,nationality,went_missing\n"
        "E10000016,trafficked,Vietnamese,3\nE09000008,trafficked,vietnamese,2\n"
        "E09000008,trafficked,British,2\nE10000016,unaccompanied,Afghan,<5\n"
        "E10000016,unaccompanied,Eritrean,6\n",
        encoding="utf-8",
    )
    returns = load_returns(path, 2024)
    ranking = st.nationality_ranking(returns, "trafficked")
    assert [(r["nationality"], r["went_missing"].value) for r in ranking] == [
        ("Vietnamese", 5),
        ("British", 2),
    ]
    assert st.nationality_authorities(returns, "trafficked") == 2
    assert st.nationality_authorities(returns, "unaccompanied") == 1
    top = st.nationality_ranking(returns, "unaccompanied")[0]
    assert (top["nationality"], top["went_missing"].value) == ("Eritrean", 6)


def test_relative_change():
    now = st.Ratio(st.Count(378), st.Count(1231), 1)
    before = st.Ratio(st.Count(236), st.Count(960), 1)
    assert round(st.relative_change(now, before).value, 3) == 0.249


def test_warnings_do_not_stop_loading(tmp_path):
    rows = [
        row("E10000016", **full(1, 0, 0, 1, 0, 0, 0, 0), authority_name="Kent CC"),
        row("E08000019", **full(2, 0, 0, 2, 0, 0, 0, 0), authority_name="Sheffield"),
        row("E09000008", **full(3, 0, 0, 3, 0, 0, 0, 0)),
    ]
    for r in rows:
        r["comments"] = "typed by Sam"
        r["request_sent"] = "2025-01-05"  # a status column of the returns workbook: silent
    from tests.helpers import HEADER

    path = write_returns(tmp_path, rows, header=[*HEADER, "comments", "request_sent"])
    returns = load_returns(path, 2024)
    messages = [str(w) for w in returns.warnings]
    assert any(
        "column 'comments' is not part of the returns format; ignored" in m for m in messages
    )
    assert not any("request_sent" in m for m in messages)
    assert any(
        "row 3 (Sheffield), column authority_code: 'E08000019' is a former code" in m
        for m in messages
    )
    assert any("row 2 (Kent CC), column authority_name: 'Kent CC' differs" in m for m in messages)
    published = [w.published() for w in returns.warnings]
    assert "row 1: column 11 is not part of the returns format; ignored" in published
    assert not any("Kent CC" in m or "notes" in m for m in published)  # typed text stays out
    assert list(returns.authorities.index) == ["E10000016", "E08000039", "E09000008"]


def test_nationalities_are_published_in_the_vocabulary_spelling(tmp_path):
    path = write_returns(tmp_path, [row("E10000016", **full(10, 5, 5, 40, 12, 12, 0, 0))])
    hidden_space = "Viet\u200bnam"  # a zero-width space inside a country name
    (tmp_path / "returns_nationalities.csv").write_text(
        "authority_code,group,nationality,went_missing\n"
        f"E10000016,trafficked,{hidden_space},3\nE10000016,unaccompanied,ERITREA,6\n",
        encoding="utf-8",
    )
    returns = load_returns(path, 2024)
    assert sorted(returns.nationalities["nationality"]) == ["Eritrean", "Vietnamese"]
    assert any("U+200B (ZERO WIDTH SPACE)" in str(w) for w in returns.warnings)


def test_a_nationality_outside_the_vocabulary_is_an_error_naming_the_row(tmp_path):
    path = write_returns(tmp_path, [row("E10000016", **full(10, 5, 5, 40, 12, 12, 0, 0))])
    (tmp_path / "returns_nationalities.csv").write_text(
        "authority_code,group,nationality,went_missing\n"
        "E10000016,trafficked,Vietnamese,2\nE10000016,trafficked,the boy from flat 3,1\n",
        encoding="utf-8",
    )
    with pytest.raises(ReturnsError) as error:
        load_returns(path, 2024)
    assert "row 3 (E10000016), column nationality: 'the boy from flat 3' is not a" in str(
        error.value
    )


def test_reading_a_csv_leaves_the_csv_module_s_limit_as_it_was(tmp_path):
    """The limit is the whole process's: a small returns file once left it at its own size,
    and the next, longer, CSV the build read failed."""
    before = csv.field_size_limit()
    path = write_returns(tmp_path, [row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6))])
    load_returns(path, 2024)
    assert csv.field_size_limit() == before
    file_text.file_lines(path)
    assert csv.field_size_limit() == before


def test_validated_returns_are_kept_beside_the_output_and_refused_once_stale(tmp_path):
    """Notebook 2 reads the returns notebook 1 validated, only while the file (and its
    nationalities table) hold the bytes they were validated from."""
    out = tmp_path / "edition"
    path = write_returns(tmp_path, [row("E10000016", **full(10, 5, 12, 100, 20, 30, 6, 4))])
    beside = tmp_path / "returns_nationalities.csv"
    beside.write_text("authority_code,group,nationality,went_missing\n", encoding="utf-8")
    with pytest.raises(NotValidated, match="run notebook 1 first"):
        read_validated(out, path, 2024)
    kept = save_validated(load_returns(path, 2024), out)
    assert kept.parent == tmp_path / "edition.validated"  # never in the published folder
    again = read_validated(out, path, 2024)
    assert again.counts.loc["E10000016", "still_missing"] == 4
    with pytest.raises(NotValidated, match="run notebook 1 again"):
        read_validated(out, path, 2023)
    beside.write_text(beside.read_text() + "E10000016,trafficked,Vietnamese,3\n")
    with pytest.raises(NotValidated, match="run notebook 1 again"):
        read_validated(out, path, 2024)
    save_validated(load_returns(path, 2024), out)
    path.write_text(path.read_text().replace(",4\n", ",5\n"))
    with pytest.raises(NotValidated, match="returns.csv for 2024 as it is now"):
        read_validated(out, path, 2024)
    kept.write_bytes(b"not the returns' description")
    with pytest.raises(NotValidated, match="cannot be read .*: run notebook 1 again"):
        read_validated(out, path, 2024)


@pytest.mark.parametrize("year", [2015, 2020])
def test_the_hand_over_between_notebooks_is_typed_tables_that_give_back_the_returns(
    tmp_path, year
):
    """Notebook 1 hands notebook 2 CSV tables with their schema (no pickle): read back, every
    table, type and warning is as validated (2015 has nationalities; 2020 a warning)."""
    returns = load_returns(None, year)
    kept = save_validated(returns, tmp_path / "out")
    assert sorted(p.name for p in kept.parent.iterdir()) == sorted(
        [f"{name}.csv" for name in TABLES if getattr(returns, name) is not None] + ["returns.json"]
    )
    back = read_validated(tmp_path / "out", returns.source, year)
    for name in TABLES:
        mine, theirs = getattr(back, name), getattr(returns, name)
        if theirs is None:
            assert mine is None
        else:
            pd.testing.assert_frame_equal(mine, theirs)
    assert back.warnings == returns.warnings and (back.year, back.source) == (year, returns.source)
