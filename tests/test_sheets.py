"""A workbook's sheets are found whatever the case and spaces of their names; a sheet that
looks like the nationalities table but is not named so is refused, never silently left out."""

import openpyxl
import pytest

from harmreport.intake.problems import ReturnsError
from harmreport.intake.returns import load_returns
from tests.helpers import HEADER, full, row

ROWS = [row("E10000016", **full(40, 12, 30, 400, 60, 90, 20, 9))]
NATIONALITIES = [
    ["authority_code", "group", "nationality", "went_missing"],
    ["E10000016", "trafficked", "Vietnamese", 7],
]


def workbook(folder, returns_sheet="returns", nationalities_sheet="nationalities", extra=()):
    book = openpyxl.Workbook()
    book.active.title = "notes"  # first: the returns are found by their name
    sheet = book.create_sheet()
    sheet.title = returns_sheet
    sheet.append(HEADER)
    for r in ROWS:
        sheet.append([r[c] for c in HEADER])
    for name in filter(None, [nationalities_sheet, *extra]):
        other = book.create_sheet(name)
        for line in NATIONALITIES:
            other.append(line)
    path = folder / "returns.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize(
    "name", ["nationalities", "Nationalities", " NATIONALITIES ", "Nationalities\t"]
)
def test_the_nationalities_sheet_is_found_whatever_its_case_and_spaces(tmp_path, name):
    returns = load_returns(workbook(tmp_path, nationalities_sheet=name), 2024)
    assert returns.nationalities is not None
    assert list(returns.nationalities["nationality"]) == ["Vietnamese"]


@pytest.mark.parametrize("name", ["Returns", " RETURNS "])
def test_the_returns_sheet_is_found_whatever_its_case_and_spaces(tmp_path, name):
    assert load_returns(workbook(tmp_path, returns_sheet=name), 2024).contacted == 1


@pytest.mark.parametrize(
    "name", ["Nationality data", "nationalites", "Nationalities 2024", "natoinalities"]
)
def test_a_sheet_that_looks_like_nationalities_is_refused_naming_it(tmp_path, name):
    with pytest.raises(ReturnsError) as refused:
        load_returns(workbook(tmp_path, nationalities_sheet=None, extra=[name]), 2024)
    assert f"a sheet '{name}' that looks like the 'nationalities' table" in str(refused.value)


def test_two_sheets_named_alike_are_refused(tmp_path):
    path = workbook(tmp_path, extra=["Nationalities "])
    with pytest.raises(ReturnsError) as refused:
        load_returns(path, 2024)
    assert "has 2 sheets named like 'nationalities' ('nationalities', 'Nationalities ')" in str(
        refused.value
    )


@pytest.mark.parametrize("name", ["notes", "lists", "instructions", "national totals"])
def test_a_sheet_unlike_nationalities_is_left_alone(tmp_path, name):
    returns = load_returns(workbook(tmp_path, nationalities_sheet=None, extra=[name]), 2024)
    assert returns.nationalities is None


def test_a_workbook_without_nationalities_has_none(tmp_path):
    path = workbook(tmp_path, nationalities_sheet=None, extra=["notes"])
    assert load_returns(path, 2024).nationalities is None
