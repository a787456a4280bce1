"""Every whole-file refusal of reading.read_table, word for word: what a file that is not a
returns table (missing, a folder, huge, empty, not UTF-8, a workbook in disguise, a damaged or
hostile archive) is told. Mutation testing found these messages reached only by slow builds,
or by none (the build checks a missing file itself, but notebook 1 reads on its own)."""

import io
import os
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from harmreport.intake import reading
from harmreport.intake.problems import ReturnsError

BIG = reading.MAX_FILE_BYTES


def said(path) -> str:
    with pytest.raises(ReturnsError) as refused:
        reading.read_table(path)
    (problem,) = refused.value.problems
    assert problem.file == path.name and problem.row is None
    return problem.message


def workbook_bytes(**entries) -> bytes:
    """A zip with these entries (name: bytes), as a workbook would be packed."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name.replace("__", "/"), data)
    return packed.getvalue()


def real_workbook(tmp_path, name="w.xlsx", sheet_rows=(("authority_code",),)) -> bytes:
    book = Workbook()
    book.active.title = "returns"
    for row in sheet_rows:
        book.active.append(list(row))
    book.save(tmp_path / name)
    return (tmp_path / name).read_bytes()


def test_missing_folder_empty_and_unknown_kinds(tmp_path):
    assert said(tmp_path / "none.csv") == "the file does not exist"
    (tmp_path / "folder.csv").mkdir()
    assert said(tmp_path / "folder.csv") == "the file is a folder, not a returns file"
    (tmp_path / "blank.csv").write_text(" \n\n")
    assert said(tmp_path / "blank.csv") == "the file is empty"
    (tmp_path / "notes.txt").write_text("authority_code\n")
    assert said(tmp_path / "notes.txt") == "the file is a .txt; use .csv or .xlsx"
    (tmp_path / "returns").write_text("authority_code\n")
    assert said(tmp_path / "returns") == "the file is a file with no extension; use .csv or .xlsx"


def test_a_file_over_the_limit_is_refused_and_one_at_it_is_read(tmp_path):
    over, at = tmp_path / "over.csv", tmp_path / "at.csv"
    for path, size in ((over, BIG + 1), (at, BIG)):
        with open(path, "wb") as f:
            f.truncate(size)  # sparse: no disk used
    assert said(over) == (
        f"the file is {BIG + 1:,} bytes; a returns file is at most {BIG:,} bytes (a year's "
        "returns are some tens of kilobytes): is it the right file?"
    )
    assert said(at) == "the file contains NUL bytes; it is not a CSV text file"


def test_text_that_is_not_utf8_or_is_a_workbook(tmp_path):
    (tmp_path / "latin.csv").write_bytes(b"a,b\nK\xf6ln,1\n")
    assert said(tmp_path / "latin.csv") == (
        "the file is not UTF-8: byte 0xF6 at line 2 (byte 5) cannot be decoded; save it as "
        "'CSV UTF-8'"
    )
    (tmp_path / "w.csv").write_bytes(real_workbook(tmp_path))
    assert said(tmp_path / "w.csv") == "the file is an Excel workbook, not CSV text; name it .xlsx"
    (tmp_path / "old.csv").write_bytes(reading.OLE_MAGIC + b"\0" * 64)
    assert (
        said(tmp_path / "old.csv") == "the file is an Excel workbook, not CSV text; name it .xlsx"
    )


def test_workbooks_in_disguise(tmp_path):
    (tmp_path / "old.xlsx").write_bytes(reading.OLE_MAGIC + b"\0" * 64)
    assert said(tmp_path / "old.xlsx") == (
        "the file is password-protected (encrypted) or in the old .xls format; save an "
        "unprotected .xlsx copy"
    )
    (tmp_path / "text.xlsx").write_text("authority_code,still_missing\n")
    assert said(tmp_path / "text.xlsx") == (
        "the file is named .xlsx but is CSV text; save it as .xlsx or .csv"
    )
    (tmp_path / "binary.xlsx").write_bytes(b"\xff\xfe\xfd" * 10)
    assert said(tmp_path / "binary.xlsx") == (
        "the file is named .xlsx but is not a workbook; save it as .xlsx or .csv"
    )


def test_archives_that_are_not_readable_workbooks(tmp_path):
    cases = {
        "torn.xlsx": (b"PK\x03\x04" + b"\0" * 40, "the file is a damaged or truncated workbook"),
        "nobook.xlsx": (
            workbook_bytes(**{"xl__styles.xml": b"<a/>"}),
            "the file is not an Excel workbook we can read (no xl/workbook.xml)",
        ),
        "locked.xlsx": (
            workbook_bytes(EncryptedPackage=b"x", **{"xl__workbook.xml": b"<a/>"}),
            "the file is not an Excel workbook we can read (no xl/workbook.xml)",
        ),
        "macros.xlsx": (
            workbook_bytes(**{"xl__workbook.xml": b"<a/>", "xl__vbaProject.bin": b"x"}),
            "the file contains macros; save it as a plain .xlsx without macros",
        ),
        "entity.xlsx": (
            workbook_bytes(
                **{"xl__workbook.xml": b"<a/>", "_rels__.rels": b'<!DOCTYPE x [<!ENTITY a "b">]>'}
            ),
            "the file contains XML entity or DTD declarations, which a spreadsheet never "
            "needs; refusing it (it may be an attack)",
        ),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert said(tmp_path / name) == message, name
    (tmp_path / "bomb.xlsx").write_bytes(
        workbook_bytes(**{"xl__workbook.xml": b"<a/>", "xl__big.xml": b"\0" * 400_000})
    )
    size = (tmp_path / "bomb.xlsx").stat().st_size
    assert said(tmp_path / "bomb.xlsx") == (
        f"the file unpacks to 400,004 bytes from {size:,}; refusing a workbook that large (it "
        "may be a zip bomb)"
    )
    (tmp_path / "garbled.xlsx").write_bytes(workbook_bytes(**{"xl__workbook.xml": b"<a"}))
    assert said(tmp_path / "garbled.xlsx").startswith(
        "the file is a damaged or truncated workbook ("
    )


def test_a_workbook_with_macros_enabled_name_is_read_as_a_workbook(tmp_path):
    (tmp_path / "returns.xlsm").write_bytes(real_workbook(tmp_path, sheet_rows=[["a", "b"]]))
    table = reading.read_table(tmp_path / "returns.xlsm")
    assert (table.sheet, table.header) == ("returns", ["a", "b"])


def test_an_empty_sheet_and_the_cells_that_are_not_values(tmp_path):
    real_workbook(tmp_path, "empty.xlsx", sheet_rows=())
    assert said(tmp_path / "empty.xlsx") == "the file has nothing on sheet 'returns'"
    book = Workbook()
    book.active.title = "returns"
    book.active.append(["authority_code", None, "x"])
    book.active.append(["=1+1", "#N/A", "=SUM(A1)"])
    book.active["A2"].data_type = "s"  # typed text that begins with '=', not a formula
    book.save(tmp_path / "cells.xlsx")
    assert load_workbook(tmp_path / "cells.xlsx")["returns"]["A2"].data_type == "s"
    table = reading.read_table(tmp_path / "cells.xlsx")
    assert table.header == ["authority_code", "", "x"]
    (number, cells), *_ = table.rows
    assert number == 2
    assert [str(cell) for cell in cells] == [
        "holds a formula (=1+1); paste the value instead",
        "holds the Excel error #N/A",
        "holds a formula (=SUM(A1)); paste the value instead",
    ]


def test_the_cells_a_workbook_names_for_its_edition_are_read_where_they_point(tmp_path):
    from openpyxl.workbook.defined_name import DefinedName

    book = Workbook()
    book.active.title = "returns"
    book.active.append(["authority_code"])
    info = book.create_sheet("about")
    info["B2"] = 2031
    book.defined_names["hbh_year"] = DefinedName("hbh_year", attr_text="about!$B$2")
    book.defined_names["hbh_period_end"] = DefinedName("hbh_period_end", attr_text="gone!$A$1")
    book.save(tmp_path / "named.xlsx")
    assert reading.read_table(tmp_path / "named.xlsx").declared == {"hbh_year": 2031}
    os.remove(tmp_path / "named.xlsx")


def test_an_error_cell_excel_names_otherwise_is_still_an_error(tmp_path):
    book = Workbook()
    book.active.title = "returns"
    book.active.append(["authority_code"])
    book.active["A2"] = "#CALC!"
    book.active["A2"].data_type = "e"  # a newer Excel error than the ones listed
    book.save(tmp_path / "calc.xlsx")
    (_, (cell,)), *_ = reading.read_table(tmp_path / "calc.xlsx").rows
    assert str(cell) == "holds the Excel error #CALC!"


def test_a_problem_without_public_words_says_none():
    table = reading.RawTable("r.csv", None, [], [])
    problem = table.problem("the typed 'Kent CC' differs", row=3, column="authority_name")
    assert (problem.public, problem.code) == ("", None)
    assert problem.published() == "row 3, column authority_name: see the build log"


def csv_problems(tmp_path, text: str) -> list[str]:
    (tmp_path / "r.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ReturnsError) as refused:
        reading.read_table(tmp_path / "r.csv")
    return [f"row {p.row}: {p.message}" for p in refused.value.problems]


def test_a_row_with_too_few_or_too_many_cells_is_named_and_a_blank_one_is_not(tmp_path):
    text = "a,b,c\n1,2,3\n1,2\n,,,\n1,2,3,4\n"
    assert csv_problems(tmp_path, text) == [
        "row 3: the row has 2 cells but the header has 3; a missing or extra comma would "
        "shift every cell after it",
        "row 5: the row has 4 cells but the header has 3; a missing or extra comma would "
        "shift every cell after it",
    ]


def test_a_row_a_stray_quote_swallowed_is_not_also_counted(tmp_path):
    """The quote's row has whatever cells the quote made of it: one problem, not two; the
    rows before and after are still checked."""
    text = 'a,b,c\n1,"2,3\n4,5,6\n7,8",9\n1,2\n'
    assert csv_problems(tmp_path, text) == [
        'row 2: a quote (") opens a cell in column 2 (b) on line 2 of the file and the cell runs '
        "on to line 4, so every row between was read into this one cell; remove the stray "
        "quote (a cell cannot hold a line break)",
        "row 3: the row has 2 cells but the header has 3; a missing or extra comma would "
        "shift every cell after it",
    ]


@pytest.mark.parametrize("end", ["", "\n"])
def test_a_quote_open_to_the_last_line_runs_to_the_end_of_the_file(tmp_path, end):
    text = f'a,b\n1,"2\n3,4{end}'
    (problem,) = csv_problems(tmp_path, text)
    assert "the cell runs on to the end of the file" in problem


def test_a_quote_closed_before_the_last_line_names_its_line_without_a_final_newline(tmp_path):
    (problem,) = csv_problems(tmp_path, 'a,b,c\n1,"2,3\n4,5",6\n7,8,9')
    assert "the cell runs on to line 3, so every row" in problem
