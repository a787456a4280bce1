"""Every statistic's definition (foi-returns-contract.md) on small hand-made tables."""

import pytest

from harmreport import statistics as st
from harmreport.returns import load_returns
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
    assert st.total(returns, "trafficked_in_care") == 37
    assert st.suppressed_authorities(returns, "trafficked_in_care") == 1
    assert st.total(returns, "still_missing") == 5


def test_share_is_over_authorities_that_answered_both(returns):
    share = st.share_went_missing(returns, "trafficked")
    # Croydon (in care 20, went missing not recorded) and Hillingdon (<5) are left out.
    assert (share.numerator, share.denominator, share.authorities) == (7, 17, 3)
    assert share.value == 7 / 17


def test_episodes_per_child_needs_both_counts_and_a_missing_child(returns):
    per_child = st.episodes_per_missing_child(returns, "trafficked")
    # Kent only: Surrey's episodes are not recorded, Thurrock had nobody missing.
    assert (per_child.numerator, per_child.denominator, per_child.authorities) == (12, 5, 1)
    unaccompanied = st.episodes_per_missing_child(returns, "unaccompanied")
    assert (unaccompanied.numerator, unaccompanied.denominator) == (65, 39)


def test_missing_over_week_share_needs_all_three_counts(returns):
    share = st.ratio_over_complete(
        returns, ["missing_over_week"], ["trafficked_went_missing", "unaccompanied_went_missing"]
    )
    # Kent 6/(5+20), Surrey 3/(2+9); Croydon lacks trafficked_went_missing.
    assert (share.numerator, share.denominator, share.authorities) == (9, 36, 2)


def test_ratio_with_nothing_to_divide_is_none(tmp_path):
    path = write_returns(tmp_path, [row("E10000016")])
    assert st.share_went_missing(load_returns(path, 2024), "trafficked").value is None


def test_authorities_above_zero_and_largest(returns):
    assert st.authorities_above_zero(returns, "trafficked_went_missing") == 2
    assert st.largest(returns, "trafficked_went_missing") == 5
    assert st.largest(returns, "still_missing") is None  # 4 is too small to publish


def test_top_authorities_never_names_a_count_below_five(returns):
    top = st.top_authorities(returns, "unaccompanied_went_missing", 5)
    assert [(r["name"], r["value"]) for r in top] == [("Kent", 20), ("Croydon", 10), ("Surrey", 9)]
    assert st.top_authorities(returns, "still_missing", 5) == []


def test_response_categories(returns):
    answers = st.response_categories(returns)["trafficked_in_care"]
    assert answers == {
        "count": 4,
        "suppressed": 1,
        "not_recorded": 0,
        "refused": 0,
        "no_response": 1,
    }


def test_totals_by_region_use_nation_outside_england(returns):
    by_area = st.totals_by_region(returns, ["unaccompanied_in_care"])
    assert by_area.loc["London", "unaccompanied_in_care"] == 50
    assert by_area.loc["South East", "unaccompanied_in_care"] == 130
    assert "Wales" in by_area.index
    assert st.share_in_areas(by_area, "unaccompanied_in_care", ["London"]) == 50 / 180


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
    assert ranking.values.tolist() == [["Vietnamese", 5], ["British", 2]]
    assert st.nationality_authorities(returns, "trafficked") == 2
    assert st.nationality_authorities(returns, "unaccompanied") == 1
    assert st.nationality_ranking(returns, "unaccompanied").values.tolist()[0] == ["Eritrean", 6]


def test_relative_change():
    assert round(st.relative_change(378 / 1231, 236 / 960), 3) == 0.249


def test_warnings_do_not_stop_loading(tmp_path):
    rows = [
        row("E10000016", **full(1, 0, 0, 1, 0, 0, 0, 0), authority_name="Kent CC"),
        row("E08000019", **full(2, 0, 0, 2, 0, 0, 0, 0), authority_name="Sheffield"),
        row("E09000008", **full(3, 0, 0, 3, 0, 0, 0, 0)),
    ]
    for r in rows:
        r["notes"] = "typed by Sam"
    from tests.helpers import HEADER

    path = write_returns(tmp_path, rows, header=[*HEADER, "notes"])
    returns = load_returns(path, 2024)
    messages = [str(w) for w in returns.warnings]
    assert any("column 'notes' is not part of the returns format; ignored" in m for m in messages)
    assert any(
        "row 3 (Sheffield), column authority_code: 'E08000019' is a former code" in m
        for m in messages
    )
    assert any("row 2 (Kent CC), column authority_name: 'Kent CC' differs" in m for m in messages)
    assert list(returns.authorities.index) == ["E10000016", "E08000039", "E09000008"]
