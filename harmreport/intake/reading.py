"""Read a returns table (CSV or XLSX) into rows of raw cells, refusing files that are not
what they claim to be before any parser sees them."""

import csv
import difflib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException

from harmreport.intake.problems import Problem, ReturnsError

# A returns workbook is a few hundred kilobytes; anything that unpacks to more than this is
# refused before openpyxl sees it (a zip bomb), as is an absurd compression ratio.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# A year's returns are about 220 rows of short cells: some tens of kilobytes. A file or a cell
# far larger is not a returns table (a wrong file, a paste gone astray), and is refused before
# it is read, so memory stays bounded whatever is passed.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_CELL_CHARACTERS = 1000
# A sheet's table: rows and columns beyond these are refused before any grid is made (the UK
# has about 220 authorities; a nationalities table a row per authority and nationality).
MAX_ROWS = 5_000
MAX_COLUMNS = 60
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The cells a returns workbook made for an edition names: its year and period.
DECLARED = ("hbh_year", "hbh_period_start", "hbh_period_end")
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!"}


@dataclass
class RawTable:
    """Cells as typed, with the row numbers a spreadsheet shows (header = row 1)."""

    file: str
    sheet: str | None
    header: list[str]
    rows: list[tuple[int, list]]
    note: str = ""  # how the table was found, when that helps explain an error
    declared: dict = field(default_factory=dict)  # what the workbook says it is for (hbh_*)

    def problem(
        self, message, row=None, authority=None, column=None, public="", code=None
    ) -> Problem:
        return Problem(self.file, self.sheet, row, authority, column, message, public, code)


class CellProblem:
    """A cell Excel holds as something other than a value (a formula, an error): the
    validator reports it with the cell's location instead of reading it as empty."""

    def __init__(self, message: str):
        self.message = message

    def __str__(self) -> str:
        return self.message


def read_table(path: Path, sheet: str | None = None) -> RawTable | None:
    """Read the returns table; with `sheet`, that optional sheet of a workbook (None if the
    workbook has no such sheet)."""
    path = Path(path)
    data = _read_bytes(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data, sheet or "returns", fallback_first=sheet is None)
    if path.suffix.lower() == ".csv":
        return _read_csv(path, data)
    raise _file_error(path, f"is a {path.suffix or 'file with no extension'}; use .csv or .xlsx")


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES and path.is_file():
            raise _file_error(
                path,
                f"is {size:,} bytes; a returns file is at most {MAX_FILE_BYTES:,} bytes "
                "(a year's returns are some tens of kilobytes): is it the right file?",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise _file_error(path, "does not exist") from None
    except IsADirectoryError:
        raise _file_error(path, "is a folder, not a returns file") from None
    except PermissionError:
        raise _file_error(path, "cannot be read (permission denied)") from None
    if not data.strip():
        raise _file_error(path, "is empty")
    return data


def _file_error(path: Path, message: str) -> ReturnsError:
    return ReturnsError([Problem(path.name, None, None, None, None, f"the file {message}")])


def _read_csv(path: Path, data: bytes) -> RawTable:
    if data.startswith(b"PK\x03\x04") or data.startswith(OLE_MAGIC):
        raise _file_error(path, "is an Excel workbook, not CSV text; name it .xlsx")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _file_error(
            path,
            f"is not UTF-8: byte 0x{data[exc.start]:02X} at line {line} (byte {exc.start}) "
            "cannot be decoded; save it as 'CSV UTF-8'",
        ) from None
    if "\x00" in text:
        raise _file_error(path, "contains NUL bytes; it is not a CSV text file")
    table = RawTable(path.name, None, [], [])
    problems, swallowing = [], set()
    last_line = text.count("\n") + (not text.endswith("\n"))
    for number, record, lines in _csv_records(text):
        if number > MAX_ROWS:
            raise _file_error(path, f"has more than {MAX_ROWS:,} rows; a sheet of returns has at "
                              "most that many (is it the right file?)")  # fmt: skip
        found = _record_problems(table, number, record, lines, last_line)
        if lines[0] != lines[1]:
            swallowing.add(number)
        problems += found
        if number == 1:
            table.header = record
            _refuse_other_delimiter(path, record)
        else:
            table.rows.append((number, record))
    width = len(table.header)
    for number, record in table.rows:
        if number in swallowing:
            continue  # its cell count is whatever the stray quote made of it
        if record and len(record) != width and any(cell.strip() for cell in record):
            problems.append(
                table.problem(
                    f"the row has {len(record)} cells but the header has {width}; a missing "
                    "or extra comma would shift every cell after it",
                    row=number,
                )
            )
    if problems:
        raise ReturnsError(problems)
    return table


def _refuse_other_delimiter(path: Path, header: list) -> None:
    """A header read as one cell holding semicolons (or tabs, or bars) is a file saved with
    another delimiter: every row would be one cell."""
    if len(header) != 1:
        return
    found = max(";\t|", key=header[0].count)
    if header[0].count(found) >= 2:
        shown = {"\t": "tab", ";": "semicolon ';'", "|": "bar '|'"}[found]
        raise _file_error(
            path,
            f"uses the {shown} as its delimiter, not a comma; save it again as CSV with "
            "commas (Excel: 'CSV UTF-8 (Comma delimited)'; LibreOffice: field delimiter ',')",
        )


def _csv_records(text: str):
    """(row number, cells, (first line, last line)) for each record: row numbers count
    records as a spreadsheet shows them, lines count lines as a text editor does."""
    # Every cell is read, however long (the cell check below names an over-long one). The
    # limit is the csv module's, for the whole process: it is put back when reading ends.
    previous = csv.field_size_limit(len(text) + 1)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        line = 1
        for number, record in enumerate(reader, start=1):
            yield number, record, (line, reader.line_num)
            line = reader.line_num + 1
    finally:
        csv.field_size_limit(previous)


def _record_problems(table: RawTable, number: int, record: list, lines, last_line) -> list:
    first, last = lines
    problems = []
    for index, cell in enumerate(record):
        named = table.header[index].strip() if index < len(table.header) else ""
        column = f"column {index + 1}" + (f" ({named})" if named else "")  # none in row 1
        if "\n" in cell or "\r" in cell:
            ends = "the end of the file" if last >= last_line else f"line {last}"
            problems.append(
                table.problem(
                    f'a quote (") opens a cell in {column} on line {first} of the file and '
                    f"the cell runs on to {ends}, so every row between was read into this one "
                    "cell; remove the stray quote (a cell cannot hold a line break)",
                    row=number,
                )
            )
            return problems  # its other cells are whatever the quote swallowed
        if len(cell) > MAX_CELL_CHARACTERS:
            problems.append(
                table.problem(
                    f"the cell in {column} holds {len(cell):,} characters; no cell of the "
                    f"returns needs more than {MAX_CELL_CHARACTERS:,}",
                    row=number,
                )
            )
        control = [c for c in cell if ord(c) < 32 and c != "\t" or ord(c) == 127]
        if control:
            problems.append(
                table.problem(
                    f"the cell in {column} holds the control character "
                    f"U+{ord(control[0]):04X}, which a returns table never needs; retype it",
                    row=number,
                )
            )
    return problems


def _open_workbook(path: Path, data: bytes):
    if data.startswith(OLE_MAGIC):
        raise _file_error(
            path,
            "is password-protected (encrypted) or in the old .xls format; "
            "save an unprotected .xlsx copy",
        )
    if not data.startswith(b"PK\x03\x04"):
        looks = "CSV text" if _looks_like_text(data) else "not a workbook"
        raise _file_error(path, f"is named .xlsx but is {looks}; save it as .xlsx or .csv")
    _check_archive(path, data)
    import openpyxl  # here: a build from a CSV need not import it (60 ms, in the kernel's start)

    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    except DefusedXmlException:
        raise _file_error(
            path,
            "contains XML entity or DTD declarations, which a "
            "spreadsheet never needs; refusing it (it may be an attack)",
        ) from None
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise _file_error(path, f"is a damaged or truncated workbook ({exc})") from exc


def _looks_like_text(data: bytes) -> bool:
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_archive(path: Path, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile:
        raise _file_error(path, "is a damaged or truncated workbook") from None
    unpacked = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        raise _file_error(
            path,
            f"unpacks to {unpacked:,} bytes from {len(data):,}; refusing a workbook "
            "that large (it may be a zip bomb)",
        )
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels")) and b"<!DOCTYPE" in archive.read(entry):
            raise _file_error(
                path,
                "contains XML entity or DTD declarations, which a "
                "spreadsheet never needs; refusing it (it may be an attack)",
            )
    names = {e.filename for e in entries}
    if any(name.endswith("vbaProject.bin") for name in names):
        raise _file_error(path, "contains macros; save it as a plain .xlsx without macros")
    if "EncryptedPackage" in names or "xl/workbook.xml" not in names:
        raise _file_error(path, "is not an Excel workbook we can read (no xl/workbook.xml)")


def _read_xlsx(path: Path, data: bytes, wanted: str, fallback_first: bool) -> RawTable:
    book = _open_workbook(path, data)
    sheet = _sheet_named(path, book, wanted)
    if sheet is None and fallback_first:
        sheet = _first_sheet(path, book, wanted)
    elif sheet is None:
        _refuse_lookalike(path, book, wanted)
        return None
    table = RawTable(path.name, sheet.title, [], [])
    if _name_key(sheet.title) != _name_key(wanted):
        table.note = f"no sheet is named '{wanted}', so the first sheet was read"
    _refuse_merged(table, sheet)
    grid = _used_grid(path, table, sheet)
    table.declared = _declared(book)
    table.header = ["" if v is None else str(v) for v in grid[0]]
    table.rows = [(number, values) for number, values in enumerate(grid[1:], start=2)]
    return table


def _hidden(sheet) -> bool:
    return sheet.sheet_state in ("hidden", "veryHidden")


def _first_sheet(path: Path, book, wanted: str):
    """The first sheet, when none is named `wanted`: never a hidden one (a stale copy kept out
    of sight would be published silently)."""
    first = book.worksheets[0]
    if _hidden(first):
        raise _file_error(
            path,
            f"has no sheet named '{wanted}', and its first sheet '{first.title}' is hidden; "
            f"name the visible sheet that holds the returns '{wanted}'",
        )
    return first


def _used_grid(path: Path, table: RawTable, sheet) -> list[list]:
    """The table's cells, from the cells the file holds (never walking the empty ones up to a
    stray far cell): as wide as the header, as long as the last row used. A value outside
    that table, or beyond the limits, is refused naming its cell."""
    from openpyxl.utils import get_column_letter

    used = {at: cell for at, cell in sheet._cells.items() if cell.value not in (None, "")}
    if not used:
        raise _file_error(path, f"has nothing on sheet '{sheet.title}'")
    header = [column for row, column in used if row == 1]
    if not header:
        raise _file_error(path, f"has no header on sheet '{sheet.title}' (row 1 is the header)")
    width = max(header)
    outside = sorted(at for at in used if at[1] > min(width, MAX_COLUMNS) or at[0] > MAX_ROWS)
    if outside:
        row, column = outside[0]
        where = f"{get_column_letter(column)}{row}"
        limit = (
            f"the header ends at column {get_column_letter(width)}"
            if column > width
            else f"a sheet of returns has at most {MAX_ROWS:,} rows"
            if row > MAX_ROWS
            else f"a sheet of returns has at most {MAX_COLUMNS} columns"
        )
        raise ReturnsError(
            [
                table.problem(
                    f"cell {where} holds '{used[row, column].value}', outside the "
                    f"returns table ({limit}); delete it or move it into the table",
                    row=row,
                )
            ]  # fmt: skip
        )
    last = max(row for row, _ in used)
    grid = [[None] * width for _ in range(last)]
    for (row, column), cell in used.items():
        grid[row - 1][column - 1] = _cell_value(cell)
    return grid


def _declared(book) -> dict:
    """The cells a returns workbook made by `run_report.py new` names (hbh_year and the
    period), by name, read where they point."""
    found = {}
    for name in DECLARED:
        defined = book.defined_names.get(name)
        for title, coordinate in defined.destinations if defined else ():
            if title in book.sheetnames:
                found[name] = book[title][coordinate.replace("$", "")].value
    return found


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _sheet_named(path: Path, book, wanted: str):
    """The sheet named `wanted`, whatever its case and the spaces around or inside it; a
    hidden one is refused, naming it (what is published must be what the team sees)."""
    found = [s for s in book.worksheets if _name_key(s.title) == _name_key(wanted)]
    if len(found) > 1:
        names = ", ".join(f"'{s.title}'" for s in found)
        raise _file_error(path, f"has {len(found)} sheets named like '{wanted}' ({names})")
    if found and _hidden(found[0]):
        how = "very hidden (only a macro or an editor can show it)" if (
            found[0].sheet_state == "veryHidden") else "hidden"  # fmt: skip
        raise _file_error(
            path,
            f"has its '{found[0].title}' sheet {how}; unhide it if it holds the returns, "
            "or delete it (a hidden sheet is never read)",
        )
    return found[0] if found else None


def _refuse_lookalike(path: Path, book, wanted: str) -> None:
    """An optional sheet missing, but one looks like it (a misspelt or longer name): refused,
    never silently left out."""
    stem = _name_key(wanted)[: max(4, len(wanted) - 3)]
    for sheet in book.worksheets:
        key = _name_key(sheet.title)
        close = difflib.SequenceMatcher(None, key, _name_key(wanted)).ratio() >= 0.75
        if stem in key or close:
            raise _file_error(
                path,
                f"has a sheet '{sheet.title}' that looks like the '{wanted}' table; name it "
                f"'{wanted}' to use it, or remove it",
            )


def _refuse_merged(table: RawTable, sheet) -> None:
    """Merged cells hold one value for several: in the table, every cell must hold its own."""
    ranges = sorted(sheet.merged_cells.ranges, key=lambda merged: (merged.min_row, merged.min_col))
    if ranges:
        merged = ranges[0]
        what = "header cells" if merged.min_row == 1 else "cells"
        need = (
            "every column its own header cell"
            if merged.min_row == 1
            else "each cell its own value"
        )
        raise ReturnsError(
            [
                table.problem(
                    f"{what} {merged.coord} are merged; unmerge them and give {need}",
                    row=merged.min_row,
                )
            ]  # fmt: skip
        )


def _cell_value(cell):
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        return CellProblem(f"holds a formula ({value}); paste the value instead")
    if cell.data_type == "e" or (isinstance(value, str) and value in EXCEL_ERRORS):
        return CellProblem(f"holds the Excel error {value}")
    if cell.is_date:
        return CellProblem(f"holds a date ({value}); format the cell as a number or text")
    return value
