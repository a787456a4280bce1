"""Workbooks as people really save them: a stray value far from the table, a hidden or very
hidden sheet, merged cells. Each is refused naming the cell, the sheet or the range, and
reading costs what the data costs (the limits are in docs/returns-contract.md). Made with
openpyxl, and re-saved in LibreOffice where that changes what the file holds."""

import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from harmreport import paths, reading
from harmreport.problems import ReturnsError

SHIPPED = paths.RETURNS / "returns_2024.csv"


def returns_workbook(tmp_path, name="returns.xlsx"):
    """The shipped 2024 returns as a workbook, sheet 'returns'."""
    import csv

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "returns"
    with open(SHIPPED, encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append([int(v) if v.isdigit() else v for v in row])
    path = tmp_path / name
    book.save(path)
    return path


def changed(path, change):
    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


def refusal(path) -> str:
    with pytest.raises(ReturnsError) as refused:
        reading.read_table(path)
    return str(refused.value.problems[0])


@pytest.mark.parametrize(("cell", "why"), [
    ("K1048576", "the header ends at column J"),
    ("A1048576", "a sheet of returns has at most 5,000 rows"),
    ("XFD300", "the header ends at column J"),
    ("M5", "the header ends at column J"),
])  # fmt: skip
def test_a_stray_value_outside_the_table_is_refused_naming_its_cell(tmp_path, cell, why):
    path = changed(returns_workbook(tmp_path), lambda book: book["returns"].__setitem__(cell, "x"))
    assert f"cell {cell} holds 'x', outside the returns table ({why})" in refusal(path)


def test_a_formatted_empty_cell_far_away_costs_nothing(tmp_path):
    from openpyxl.styles import Font

    def format_far(book):
        book["returns"]["K1048576"].font = Font(bold=True)  # formatted, never typed in

    path = changed(returns_workbook(tmp_path), format_far)
    table = reading.read_table(path)
    assert len(table.rows) == 212 and len(table.header) == 10


def test_a_hidden_returns_sheet_is_refused_not_read(tmp_path):
    def hide_and_copy(book):
        stale = book["returns"]
        book.copy_worksheet(stale).title = "returns (2)"
        stale.sheet_state = "hidden"

    path = changed(returns_workbook(tmp_path), hide_and_copy)
    assert "has its 'returns' sheet hidden; unhide it if it holds the returns" in refusal(path)


def test_a_very_hidden_first_sheet_is_never_read_in_place_of_the_returns(tmp_path):
    def stale_first(book):
        book["returns"].title = "answers"
        stale = book.create_sheet("old copy", 0)
        stale.append(["authority_code", "trafficked_in_care"])
        stale.sheet_state = "veryHidden"

    path = changed(returns_workbook(tmp_path), stale_first)
    assert "has no sheet named 'returns', and its first sheet 'old copy' is hidden" in (
        refusal(path)
    )


def test_merged_cells_in_the_table_are_refused_naming_the_range(tmp_path):
    path = changed(returns_workbook(tmp_path), lambda b: b["returns"].merge_cells("C5:D6"))
    assert "row 5: cells C5:D6 are merged; unmerge them and give each cell its own value" in (
        refusal(path)
    )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_keeps_the_stray_cell_and_the_hidden_sheet_and_both_are_refused(tmp_path):
    path = changed(
        returns_workbook(tmp_path), lambda book: book["returns"].__setitem__("K9000", 7)
    )

    def hide(book):
        book.create_sheet("notes")
        book["returns"].sheet_state = "hidden"

    hidden = changed(returns_workbook(tmp_path, "hidden.xlsx"), hide)
    out = tmp_path / "resaved"
    for source in (path, hidden):
        subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir",
                        str(out), str(source)], check=True, capture_output=True)  # fmt: skip
    assert "cell K9000 holds '7', outside the returns table" in refusal(out / path.name)
    assert "sheet hidden" in refusal(out / hidden.name)


@pytest.mark.parametrize(
    "name", ["returns_2015_nationality.csv", "returns_2015 nationalities.csv",
             "Returns_2015_Nationalities.CSV", "returns_2015-nationalities.txt"]
)  # fmt: skip
def test_a_file_named_almost_like_the_nationalities_table_is_refused(tmp_path, name):
    from harmreport.returns import load_returns

    returns = shutil.copy(paths.RETURNS / "returns_2015.csv", tmp_path / "returns_2015.csv")
    shutil.copy(paths.RETURNS / "returns_2015_nationalities.csv", tmp_path / name)
    with pytest.raises(ReturnsError) as refused:
        load_returns(returns, 2015)
    assert str(refused.value.problems[0]) == (
        f"{name}: the file {name} beside returns_2015.csv looks like its nationalities table, "
        "which must be named returns_2015_nationalities.csv; rename it to use it, or move it "
        "out of the folder"
    )
    (tmp_path / name).rename(tmp_path / "returns_2015_nationalities.csv")
    assert load_returns(returns, 2015).nationalities is not None  # named right, it is read


def test_the_sheet_read_is_recorded(tmp_path):
    from harmreport.returns import load_returns

    assert load_returns(returns_workbook(tmp_path), 2024).sheet == "returns"
    assert load_returns(SHIPPED, 2024).sheet is None  # a CSV file has no sheet


def test_a_csv_longer_than_the_row_limit_is_refused_before_it_is_checked(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("authority_code,trafficked_in_care\n" + "E10000016,1\n" * 5_000)
    with pytest.raises(ReturnsError) as refused:
        reading.read_table(path)
    assert str(refused.value.problems[0]) == (
        "long.csv: the file has more than 5,000 rows; a sheet of returns has at most that "
        "many (is it the right file?)"
    )
    path.write_text("authority_code,trafficked_in_care\n" + "E10000016,1\n" * 4_999)
    assert len(reading.read_table(path).rows) == 4_999  # at the limit: read
