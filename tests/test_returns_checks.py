"""The returns' checks one by one, on a report object that keeps what they say: the workbook's
own year and period, the header, an authority's code, and a row's counts against one
another (mutation testing found their words reached only by the slow bad-input builds)."""

import datetime as dt

import pytest

from harmreport.intake import cell_codes, reference
from harmreport.intake import returns_checks as checks
from harmreport.intake.problems import ReturnsError
from harmreport.intake.reading import CellProblem, RawTable
from harmreport.project import editions


class Report:
    """What returns._Checker gives the checks: the table, the period, error and warn."""

    def __init__(self, header=(), note=""):
        self.table = RawTable("r.xlsx", "returns", list(header), [], note)
        self.period = editions.edition(2024)
        self.problems, self.warnings = [], []

    def error(self, message, row=None, authority=None, column=None):
        self.problems.append(self.table.problem(message, row, authority, column))

    def warn(self, message, row=None, authority=None, column=None, public="", code=None):
        self.warnings.append(self.table.problem(message, row, authority, column, public, code))


def test_a_workbook_for_this_edition_passes_and_one_for_another_is_refused():
    report = Report()
    mine = {"hbh_year": 2024, "hbh_period_start": dt.datetime(2024, 1, 1)}
    mine["hbh_period_end"] = dt.date(2024, 12, 31)
    checks.declared_period(report, mine)
    checks.declared_period(report, {})  # a workbook of the team's own: nothing to check
    assert report.problems == []
    with pytest.raises(ReturnsError) as refused:
        checks.declared_period(report, {**mine, "hbh_year": 2023})
    (problem,) = refused.value.problems
    assert problem.message == (
        "the workbook was made for the 2023 edition, 2024-01-01 to 2024-12-31 (its cells "
        "hbh_year, hbh_period_start, hbh_period_end), not for the 2024 edition, 2024-01-01 "
        "to 2024-12-31"
    )


def header_refused(header, note="") -> str:
    with pytest.raises(ReturnsError) as refused:
        checks.header_positions(Report(header, note), ("authority_code", "still_missing"))
    return refused.value.problems[0].message


def test_the_header_names_what_is_missing_duplicated_hidden_or_extra():
    assert header_refused(["authority_code;still_missing"]) == (
        "missing columns authority_code, still_missing (the file seems to use another "
        "delimiter than a comma); expected columns: authority_code, still_missing"
    )
    report = Report(["authority_code", "x\u200b\u2060", "still_missing", None], note="read")
    positions = checks.header_positions(report, ("authority_code", "still_missing"))
    assert positions["still_missing"] == 2
    hidden, extra = report.warnings
    assert hidden.message == (
        "the header of column 2 held invisible characters, removed: U+200B (ZERO WIDTH SPACE), "
        "U+2060 (WORD JOINER)"
    )
    assert (hidden.row, hidden.public) == (1, "the header of column 2 held invisible characters")
    assert extra.public == "column 2 is not part of the returns format; ignored"
    assert len(report.warnings) == 2  # an empty header cell past the table is no column
    assert header_refused(["authority_code"], note="no sheet is named 'returns'") == (
        "missing column still_missing (no sheet is named 'returns'); expected columns: "
        "authority_code, still_missing"
    )


def authority(raw, typed=""):
    report = Report()
    table = reference.load_authorities()
    found = checks.authority(
        report, 7, raw, typed, typed or None, table, reference.code_index(table)
    )
    return found, report


def test_an_authority_code_is_read_or_refused_saying_why():
    found, report = authority(" e10000016 ", "Kent")
    assert found["code"] == "E10000016" and report.problems == [] and report.warnings == []
    for raw, message in [
        (CellProblem("holds a formula (=A1)"), "holds a formula (=A1)"),
        ("  ", "the authority code is empty"),
        (None, "the authority code is empty"),
        ("E1000OO16", "'E1000OO16' is not the code of any authority in the reference list "
         "(GSS code, or the id of a body without one)"),
        ("E1000\u041e016", "'E1000\u041e016' contains U+041E, which looks like ordinary text but "
         "is not; retype the code"),
        ("E1000\u00e9016", "'E1000\u00e9016' contains U+00C9, which looks like ordinary text but "
         "is not; retype the code"),
    ]:  # fmt: skip
        found, report = authority(raw)
        (problem,) = report.problems
        assert found is None and problem.message == message, raw
        assert (problem.row, problem.column) == (7, "authority_code")
    found, report = authority("E10000016", "Kent Council of Somewhere")
    (warning,) = report.warnings
    assert warning.public == "the name typed differs from the reference name, Kent County Council"
    assert (warning.code, warning.column) == ("E10000016", "authority_name")


def counts(**given):
    values = dict.fromkeys(("in_care", "went_missing", "missing_episodes"), 0)
    cells = {}
    for group in checks.GROUPS:
        for question, value in values.items():
            cells[f"{group}_{question}"] = cell_codes.Cell(cell_codes.COUNT, value)
    for name in ("still_missing", "missing_over_week"):
        cells[name] = cell_codes.Cell(cell_codes.COUNT, 0)
    for name, value in given.items():
        cells[name] = cell_codes.Cell(cell_codes.COUNT, value)
    return cells


def test_a_row_s_counts_are_checked_against_one_another():
    report = Report()
    checks.cross_check(report, 5, "Kent", counts(trafficked_went_missing=1,
                                                 trafficked_in_care=1,
                                                 trafficked_missing_episodes=1))  # fmt: skip
    assert report.problems == []  # one child, one episode: fine
    checks.cross_check(report, 5, "Kent", counts(trafficked_in_care=1, trafficked_went_missing=1))
    (problem,) = report.problems
    assert problem.message.startswith("0 missing episodes for 1 children who went missing")
    report = Report()
    checks.cross_check(report, 5, "Kent", counts(trafficked_in_care=2, trafficked_went_missing=2))
    (problem,) = report.problems
    assert problem.message == (
        "0 missing episodes for 2 children who went missing; each went missing at least once"
    )
    report = Report()
    checks.cross_check(report, 5, "Kent", counts(unaccompanied_in_care=3, still_missing=1))
    (problem,) = report.problems
    assert problem.message == (
        "1 exceeds the 0 trafficked and unaccompanied children who went missing"
    )
    assert (problem.row, problem.column) == (5, "still_missing")


def test_a_former_code_is_read_as_the_current_one_and_published_without_what_was_typed():
    found, report = authority("e08000020", "Gateshead")
    assert found["code"] == "E08000037" and report.problems == []
    (warning,) = report.warnings
    assert warning.message == (
        "'E08000020' is a former code of Gateshead Metropolitan Borough Council; read as E08000037"
    )
    assert warning.public == (
        "a former code of Gateshead Metropolitan Borough Council was read as E08000037"
    )
    assert (warning.code, warning.authority) == ("E08000037", "Gateshead")


def test_a_code_s_characters_beyond_ascii_are_named_and_ascii_s_last_is_not():
    """U+007F is ASCII (a code holding it is merely unknown); U+0080 is the first beyond it."""
    for raw, named in [("E1000\u0080016", "U+0080"), ("E1000\u007f\u0080016", "U+0080")]:
        found, report = authority(raw)
        assert found is None and f"contains {named}," in report.problems[0].message, raw
    found, report = authority("E1000\u007f016")
    assert "is not the code of any authority" in report.problems[0].message


def test_a_code_that_could_not_be_read_is_placed_by_the_name_typed_beside_it():
    found, report = authority(CellProblem("holds a formula (=A1)"), "Kent")
    (problem,) = report.problems
    assert found is None and (problem.authority, problem.row) == ("Kent", 7)
