"""Workbooks as people really save them: a stray value far from the table, a hidden or very
hidden sheet, merged cells. Each is refused naming the cell, the sheet or the range, and
reading costs what the data costs (the limits are in docs/returns-contract.md). Made with
openpyxl, and re-saved in LibreOffice where that changes what the file holds."""

import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from harmreport.intake import reading
from harmreport.intake.problems import ReturnsError
from harmreport.project import paths

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
    from harmreport.intake.returns import load_returns

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
    from harmreport.intake.returns import load_returns

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


def test_the_edges_of_the_table_read(tmp_path):
    def stray(*cells):
        def change(book):
            for at, value in cells:
                book["returns"][at] = value

        return changed(returns_workbook(tmp_path), change)

    assert len(reading.read_table(stray(("A5000", "x"))).rows) == 4999  # the last row allowed
    assert len(reading.read_table(stray(("Z9", ""))).rows) == 212  # an empty text is no value
    with pytest.raises(ReturnsError) as refused:
        reading.read_table(stray(("A6000", "far"), ("M3", "near")))
    (problem,) = refused.value.problems
    assert problem.row == 3 and "cell M3 holds 'near'" in problem.message  # the first, by row


def test_a_table_wider_than_the_limit_is_refused_by_the_limit(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "returns"
    book.active.append([f"c{n}" for n in range(61)])
    book.save(tmp_path / "wide.xlsx")
    assert (
        "cell BI1 holds 'c60', outside the returns table (a sheet of returns has at most 60 "
        "columns)" in refusal(tmp_path / "wide.xlsx")
    )


def test_a_sheet_without_a_header_or_very_hidden_says_which(tmp_path):
    def no_header(book):
        book["returns"].delete_rows(1)
        book["returns"].insert_rows(1)

    assert refusal(changed(returns_workbook(tmp_path), no_header)) == (
        "returns.xlsx: the file has no header on sheet 'returns' (row 1 is the header)"
    )

    def very_hidden(book):
        book.create_sheet("notes")
        book["returns"].sheet_state = "veryHidden"

    assert refusal(changed(returns_workbook(tmp_path), very_hidden)) == (
        "returns.xlsx: the file has its 'returns' sheet very hidden (only a macro or an editor "
        "can show it); unhide it if it holds the returns, or delete it (a hidden sheet is never "
        "read)"
    )


def test_the_first_merged_range_is_named_and_a_header_one_says_so(tmp_path):
    def two(book):  # by row, D5:E6 comes first; by name, B9:C9 would
        book["returns"].merge_cells("B9:C9")
        book["returns"].merge_cells("D5:E6")

    assert "row 5: cells D5:E6 are merged" in refusal(changed(returns_workbook(tmp_path), two))
    header = changed(returns_workbook(tmp_path), lambda b: b["returns"].merge_cells("A1:B1"))
    assert refusal(header).endswith(
        "row 1: header cells A1:B1 are merged; unmerge them and give every column its own "
        "header cell"
    )


def test_a_look_alike_among_other_files_is_still_found(tmp_path):
    from harmreport.intake.returns import load_returns

    returns = shutil.copy(paths.RETURNS / "returns_2015.csv", tmp_path / "returns_2015.csv")
    (tmp_path / "aaa.png").write_bytes(b"\x89PNG")  # sorted first, and not a table
    (tmp_path / "returns_2015 nationality.csv").mkdir()  # a folder, whatever its name
    with pytest.raises(ReturnsError, match="returns_2015_nationality.tsv beside"):
        shutil.copy(paths.RETURNS / "returns_2015_nationalities.csv",
                    tmp_path / "returns_2015_nationality.tsv")  # fmt: skip
        load_returns(returns, 2015)


@pytest.mark.parametrize(("header", "shown"), [
    ("authority_code;authority_name;still_missing", "semicolon ';'"),
    ("authority_code|authority_name|still_missing", "bar '|'"),
])  # fmt: skip
def test_a_csv_with_another_delimiter_says_which(tmp_path, header, shown):
    path = tmp_path / "returns.csv"
    path.write_text(header + "\nE10000016;Kent;3\n")
    assert refusal(path) == (
        f"returns.csv: the file uses the {shown} as its delimiter, not a comma; save it again "
        "as CSV with commas (Excel: 'CSV UTF-8 (Comma delimited)'; LibreOffice: field "
        "delimiter ',')"
    )


def test_a_cell_s_column_is_named_by_its_header_where_it_has_one(tmp_path):
    path = tmp_path / "returns.csv"
    path.write_text("authority_code,,still_missing\nE10000016,a\x07b,3,c\x07d\n")
    with pytest.raises(ReturnsError) as refused:
        reading.read_table(path)
    said = [p.message for p in refused.value.problems]
    assert said[0].startswith("the cell in column 2 holds the control character U+0007")
    assert said[1].startswith("the cell in column 4 holds the control character U+0007")
