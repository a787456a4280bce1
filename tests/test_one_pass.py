"""Every problem of a returns file in one pass: cell errors, row checks, answers for another
period or group, and the nationalities table, all in the one message a build gives."""

import csv

import pytest

from harmreport.intake.problems import ReturnsError
from harmreport.intake.returns import load_returns

from .helpers import full, row, write_returns


def test_cells_rows_and_nationalities_are_reported_together(tmp_path):
    path = write_returns(
        tmp_path,
        [
            row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6)),
            row("E09000008", trafficked_in_care="section 12"),  # a council's wording
            row("E09000017", **full(5, 9, 9, 10, 1, 1, 0, 0)),  # 9 of 5 went missing
            row("E06000034", **full(6, 2, 3, 9, 1, 1, 0, 0)),
        ],
        name="returns_2024.csv",
    )
    with open(tmp_path / "returns_2024_nationalities.csv", "w", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["authority_code", "group", "nationality", "went_missing"])
        writer.writerow(["E10000016", "trafficked", "Vietnamse", "3"])  # misspelt
        writer.writerow(["E09000008", "trafficked", "Albanian", "2"])  # its row is refused
    with pytest.raises(ReturnsError) as refused:
        load_returns(path, 2024)
    said = [str(problem) for problem in refused.value.problems]
    assert any("row 3 (Croydon), column trafficked_in_care" in p and "type s12" in p for p in said)
    assert any("row 4 (Hillingdon)" in p and "9 went missing but only 5" in p for p in said)
    assert any("'Vietnamse' is not a nationality" in p for p in said)
    assert not any("Albanian" in p or "not an authority in the returns" in p for p in said)
    assert not any("have no row" in str(w) for w in refused.value.warnings)


def test_a_period_or_group_that_is_not_one_is_named_with_the_terms(tmp_path):
    header = ["authority_code", "authority_name", *full(*range(8)), "unaccompanied_period"]
    record = {**row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6)),
              "unaccompanied_period": "Jan to Apr"}  # fmt: skip
    path = write_returns(tmp_path, [record], name="returns_2024.csv", header=header)
    with pytest.raises(ReturnsError) as refused:
        load_returns(path, 2024)
    said = str(refused.value)
    assert "column unaccompanied_period: 'Jan to Apr' is not a period the returns record" in said
    assert "part year, single day, rolling 12 months, financial year, other period" in said
