"""Bad returns, CSV and XLSX: each through the command line's main(), which must exit 2 naming
the file, the row and the column, with no traceback, leaving the published edition as it was."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from harmreport import cli
from harmreport.publishing.edition_folders import work_folder
from tests.conftest import copy_of
from tests.helpers import AUTHORITIES, HEADER, full, row, tree_hashes, write_returns

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

GOOD = [
    row("E10000016", **full(40, 12, 30, 400, 60, 90, 20, 9)),  # Kent, spreadsheet row 2
    row("E09000008", **full(30, 9, 20, 300, 30, 40, 10, 6)),  # Croydon, row 3
    row("E09000017", **full(0, 0, 0, 100, 10, 12, "not recorded", "<5")),  # Hillingdon, row 4
]


def csv_with(folder, changes=None, rows=None, name="returns.csv", header=HEADER):
    rows = [dict(r) for r in (rows or GOOD)]
    for index, cells in (changes or {}).items():
        rows[index].update(cells)
    return write_returns(folder, rows, name=name, header=header)


def raw_file(folder, name, data: bytes):
    path = folder / name
    path.write_bytes(data)
    return path


def workbook(rows=None, changes=None, sheet="returns"):
    """A returns workbook as openpyxl objects, for a case to spoil before saving."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(HEADER)
    rows = [dict(r) for r in (rows or GOOD)]
    for index, cells in (changes or {}).items():
        rows[index].update(cells)
    for r in rows:
        ws.append([r[c] for c in HEADER])
    return book


def xlsx_with(folder, book, name="returns.xlsx"):
    path = folder / name
    book.save(path)
    return path


def xlsx_cell(folder, value, column="trafficked_went_missing", data_row=0):
    book = workbook()
    book["returns"].cell(row=data_row + 2, column=HEADER.index(column) + 1, value=value)
    return xlsx_with(folder, book)


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def good_xlsx_bytes(folder) -> bytes:
    return xlsx_with(folder, workbook(), name="good.xlsx").read_bytes()


def with_entries(folder, extra: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(good_xlsx_bytes(folder)))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    return zipped({**entries, **extra})


BILLION_LAUGHS = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'


def entity_attack(folder) -> bytes:
    """The worksheet itself declares entities (a 'billion laughs' in miniature)."""
    source = zipfile.ZipFile(io.BytesIO(good_xlsx_bytes(folder)))
    sheet = source.read("xl/worksheets/sheet1.xml")
    declaration_end = sheet.find(b"?>") + 2 if b"?>" in sheet else 0
    poisoned = sheet[:declaration_end] + BILLION_LAUGHS + sheet[declaration_end:]
    return with_entries(folder, {"xl/worksheets/sheet1.xml": poisoned})


def nationalities(folder, lines):
    (folder / "returns_nationalities.csv").write_text(
        "authority_code,group,nationality,went_missing\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    return csv_with(folder)


def merged_header(folder):
    book = workbook()
    book["returns"].merge_cells("C1:D1")
    return xlsx_with(folder, book)


def first_sheet_not_returns(folder):
    book = workbook(sheet="Returns 2024")
    notes = book.create_sheet("notes", 0)
    notes.append(["These are our notes"])
    return xlsx_with(folder, book)


def nationalities_sheet(folder):
    book = workbook()
    sheet = book.create_sheet("nationalities")
    sheet.append(["authority_code", "group", "nationality", "went_missing"])
    sheet.append(["E10000016", "trafficked", "Vietnamese", "lots"])
    return xlsx_with(folder, book)


def many_errors(folder):
    """Eight authorities with every count cell wrong: 64 problems, 50 shown."""
    rows = [dict(row(code), **dict.fromkeys(HEADER[2:], "bad")) for code in AUTHORITIES]
    return csv_with(folder, rows=rows)


# id: (make the file in a folder, texts the message must contain)
CASES = {
    # CSV: cells
    "csv-word": (
        lambda f: csv_with(f, {0: {"trafficked_went_missing": "12a"}}),
        [
            "returns.csv, row 2 (Kent), column trafficked_went_missing: '12a' is not a "
            "count or a recognised code (a whole number, <N, <=N, *, not held, s12, s40, "
            "redirected, no response)"
        ],
    ),
    "csv-negative": (
        lambda f: csv_with(f, {1: {"unaccompanied_in_care": "-3"}}),
        ["row 3 (Croydon), column unaccompanied_in_care: '-3'"],
    ),
    "csv-fraction": (
        lambda f: csv_with(f, {0: {"still_missing": "2.5"}}),
        ["row 2 (Kent), column still_missing: '2.5' is not a whole number"],
    ),
    "csv-n/a": (
        lambda f: csv_with(f, {2: {"missing_over_week": "N/A"}}),
        ["row 4 (Hillingdon), column missing_over_week: 'N/A'"],
    ),
    "csv-formula-text": (
        lambda f: csv_with(f, {0: {"trafficked_in_care": "=SUM(B2:B9)"}}),
        ["row 2 (Kent), column trafficked_in_care: '=SUM(B2:B9)' is a formula"],
    ),
    "csv-below-2": (
        lambda f: csv_with(f, {0: {"still_missing": "<1"}}),
        ["row 2 (Kent), column still_missing", "2 to 10"],
    ),
    "csv-above-10": (
        lambda f: csv_with(f, {0: {"still_missing": "fewer than 20"}}),
        ["row 2 (Kent), column still_missing", "2 to 10"],
    ),
    "csv-nbsp": (
        lambda f: csv_with(f, {1: {"still_missing": "not\u00a0recorded"}}),
        ["row 3 (Croydon), column still_missing", "U+00A0 (NO-BREAK SPACE)"],
    ),
    "csv-cyrillic": (
        lambda f: csv_with(f, {1: {"trafficked_in_care": "\u0415xempt"}}),
        ["row 3 (Croydon), column trafficked_in_care", "U+0415"],
    ),
    "csv-fullwidth-digits": (
        lambda f: csv_with(f, {0: {"trafficked_in_care": "１２"}}),
        ["row 2 (Kent), column trafficked_in_care", "U+FF11"],
    ),
    "csv-approximate": (
        lambda f: csv_with(f, {0: {"trafficked_in_care": "about 40"}}),
        ["row 2 (Kent), column trafficked_in_care: 'about 40'"],
    ),
    # CSV: cross-checks
    "missing-over-care": (
        lambda f: csv_with(f, {0: {"trafficked_went_missing": 41}}),
        ["row 2 (Kent), column trafficked_went_missing: 41 went missing but only 40 were in care"],
    ),
    "episodes-below-missing": (
        lambda f: csv_with(f, {1: {"unaccompanied_missing_episodes": 5}}),
        [
            "row 3 (Croydon), column unaccompanied_missing_episodes: 5 "
            "missing episodes for 30 children"
        ],
    ),
    "episodes-without-missing": (
        lambda f: csv_with(f, {2: {"trafficked_missing_episodes": 2}}),
        [
            "row 4 (Hillingdon), column trafficked_missing_episodes: 2 "
            "missing episodes but no child went missing"
        ],
    ),
    "still-missing-over-sum": (
        lambda f: csv_with(f, {0: {"still_missing": 73}}),
        ["row 2 (Kent), column still_missing: 73 exceeds the 72"],
    ),
    "over-week-over-sum": (
        lambda f: csv_with(f, {1: {"missing_over_week": 40}}),
        ["row 3 (Croydon), column missing_over_week: 40 exceeds the 39"],
    ),
    # CSV: authorities
    "unknown-code": (
        lambda f: csv_with(f, {0: {"authority_code": "E99999999"}}),
        ["row 2 (Kent), column authority_code: 'E99999999' is not the code"],
    ),
    "not-in-operation": (
        lambda f: csv_with(
            f, {0: {"authority_code": "E10000021", "authority_name": "Northamptonshire"}}
        ),
        [
            "row 2 (Northamptonshire), column authority_code",
            "was not in operation during 1 January to 31 December 2024",
        ],
    ),
    "duplicate-authority": (
        lambda f: csv_with(f, {1: {"authority_code": "e10000016 "}}),
        ["row 3 (Croydon), column authority_code: authority E10000016 appears twice (also row 2)"],
    ),
    "empty-code": (
        lambda f: csv_with(f, {2: {"authority_code": ""}}),
        ["row 4 (Hillingdon), column authority_code: the authority code is empty"],
    ),
    "lookalike-code": (
        lambda f: csv_with(f, {0: {"authority_code": "\u041510000016"}}),
        ["row 2 (Kent), column authority_code", "U+0415"],
    ),
    # CSV: the file itself
    "missing-column": (
        lambda f: csv_with(f, header=HEADER[:-1]),
        ["returns.csv, row 1: missing column still_missing; expected columns"],
    ),
    "duplicated-column": (
        lambda f: raw_file(
            f,
            "returns.csv",
            (",".join([*HEADER, "still_missing"]) + "\n").encode()
            + b"E10000016,Kent,1,0,0,1,0,0,0,0,0\n",
        ),
        ["returns.csv, row 1: column 'still_missing' appears twice (columns 10 and 11)"],
    ),
    "semicolons": (
        lambda f: raw_file(
            f,
            "returns.csv",
            (";".join(HEADER) + "\n").encode() + b"E10000016;Kent;1;0;0;1;0;0;0;0\n",
        ),
        [
            "returns.csv: the file uses the semicolon ';' as its delimiter, not a comma; save "
            "it again as CSV with commas",
        ],
    ),
    "tabs": (
        lambda f: raw_file(
            f,
            "returns.csv",
            ("\t".join(HEADER) + "\n").encode() + b"E10000016\tKent\t1\t0\t0\t1\t0\t0\t0\t0\n",
        ),
        ["returns.csv: the file uses the tab as its delimiter, not a comma"],
    ),
    "empty-file": (lambda f: raw_file(f, "returns.csv", b""), ["returns.csv: the file is empty"]),
    "header-only": (
        lambda f: (
            csv_with(f, rows=[])
            if False
            else raw_file(f, "returns.csv", (",".join(HEADER) + "\n").encode())
        ),
        ["returns.csv: the table has a header but no authorities"],
    ),
    "latin-1": (
        lambda f: raw_file(
            f,
            "returns.csv",
            (",".join(HEADER) + "\n").encode()
            + b"E10000016,Kent,1,0,0,1,0,0,0,0\n"
            + b"E09000008,Croyd\xe9n,1,0,0,1,0,0,0,0\n",
        ),
        ["returns.csv: the file is not UTF-8: byte 0xE9 at line 3"],
    ),
    "workbook-named-csv": (
        lambda f: raw_file(f, "returns.csv", good_xlsx_bytes(f)),
        ["returns.csv: the file is an Excel workbook, not CSV text"],
    ),
    "binary-nul": (
        lambda f: raw_file(f, "returns.csv", b"authority_code\x00\x00\n"),
        ["returns.csv: the file contains NUL bytes"],
    ),
    "wrong-extension": (
        lambda f: raw_file(f, "returns.txt", b"a,b\n"),
        ["returns.txt: the file is a .txt; use .csv or .xlsx"],
    ),
    "many-errors-capped": (
        many_errors,
        [
            "the returns have 64 problems",
            "returns.csv, row 2",
            "... and 14 more problems (see the log)",
        ],
    ),
    # CSV: nationalities
    "nationality-group": (
        lambda f: nationalities(f, ["E10000016,smuggled,Afghan,3"]),
        ["returns_nationalities.csv, row 2 (E10000016), column group: 'smuggled' is not a group"],
    ),
    "nationality-authority": (
        lambda f: nationalities(f, ["W06000015,trafficked,Afghan,3"]),
        [
            "returns_nationalities.csv, row 2, column authority_code: "
            "'W06000015' is not an authority in the returns table"
        ],
    ),
    "nationality-too-many": (
        lambda f: nationalities(
            f, ["E10000016,trafficked,Albanian,8", "E10000016,trafficked,British,5"]
        ),
        [
            "returns_nationalities.csv, row 3 (E10000016), column went_missing: "
            "nationalities add up to 13 trafficked children but the "
            "returns say 12"
        ],
    ),
    "nationality-value": (
        lambda f: nationalities(f, ["E10000016,trafficked,Albanian,some"]),
        ["returns_nationalities.csv, row 2 (E10000016), column went_missing: 'some'"],
    ),
    # XLSX: cells
    "xlsx-word": (
        lambda f: xlsx_cell(f, "12a"),
        [
            "returns.xlsx, sheet returns, row 2 (Kent), column trafficked_went_missing: "
            "'12a' is not a count"
        ],
    ),
    "xlsx-formula": (
        lambda f: xlsx_cell(f, "=B2*2", data_row=1),
        [
            "returns.xlsx, sheet returns, row 3 (Croydon), column "
            "trafficked_went_missing: holds a formula (=B2*2)"
        ],
    ),
    "xlsx-error-value": (
        lambda f: xlsx_cell(f, "#REF!", "still_missing"),
        ["sheet returns, row 2 (Kent), column still_missing: holds the Excel error #REF!"],
    ),
    "xlsx-date": (
        lambda f: xlsx_cell(f, dt.datetime(2024, 3, 5), "trafficked_in_care"),
        ["sheet returns, row 2 (Kent), column trafficked_in_care: holds a date"],
    ),
    "xlsx-boolean": (
        lambda f: xlsx_cell(f, True, "unaccompanied_in_care", data_row=2),
        [
            "sheet returns, row 4 (Hillingdon), column unaccompanied_in_care: True is "
            "a TRUE/FALSE value"
        ],
    ),
    "xlsx-fraction": (
        lambda f: xlsx_cell(f, 2.5, "still_missing"),
        ["sheet returns, row 2 (Kent), column still_missing: 2.5 is not a whole"],
    ),
    "xlsx-cross-check": (
        lambda f: xlsx_cell(f, 99, "trafficked_went_missing"),
        [
            "sheet returns, row 2 (Kent), column trafficked_went_missing: 99 went "
            "missing but only 40"
        ],
    ),
    "xlsx-merged-header": (
        merged_header,
        ["returns.xlsx, sheet returns, row 1: header cells C1:D1 are merged"],
    ),
    "xlsx-wrong-first-sheet": (
        first_sheet_not_returns,
        [
            "returns.xlsx, sheet notes, row 1: missing columns",
            "no sheet is named 'returns', so the first sheet was read",
        ],
    ),
    "xlsx-nationalities-sheet": (
        nationalities_sheet,
        ["returns.xlsx, sheet nationalities, row 2 (E10000016), column went_missing: 'lots'"],
    ),
    # XLSX: the file itself
    "csv-named-xlsx": (
        lambda f: raw_file(f, "returns.xlsx", (",".join(HEADER) + "\n").encode()),
        ["returns.xlsx: the file is named .xlsx but is CSV text"],
    ),
    "truncated-xlsx": (
        lambda f: raw_file(f, "returns.xlsx", good_xlsx_bytes(f)[:900]),
        ["returns.xlsx: the file is a damaged or truncated workbook"],
    ),
    "not-a-workbook": (
        lambda f: raw_file(f, "returns.xlsx", zipped({"hello.txt": b"hi"})),
        ["returns.xlsx: the file is not an Excel workbook we can read"],
    ),
    "encrypted-xlsx": (
        lambda f: raw_file(f, "returns.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
        ["returns.xlsx: the file is password-protected (encrypted) or in the old .xls format"],
    ),
    "macros": (
        lambda f: raw_file(
            f, "returns.xlsx", with_entries(f, {"xl/vbaProject.bin": b"macro" * 50})
        ),
        ["returns.xlsx: the file contains macros"],
    ),
    "zip-bomb": (
        lambda f: raw_file(
            f, "returns.xlsx", with_entries(f, {"xl/media/pad.bin": bytes(60 * 2**20)})
        ),
        ["returns.xlsx: the file unpacks to", "it may be a zip bomb"],
    ),
    "xml-entities": (
        lambda f: raw_file(f, "returns.xlsx", entity_attack(f)),
        ["returns.xlsx: the file contains XML entity or DTD declarations"],
    ),
}


@pytest.fixture(scope="session")
def published(web_edition, tmp_path_factory):
    """One copy of the run's 2024 web edition for these cases (no case may change it)."""
    out = copy_of(web_edition, tmp_path_factory.mktemp("bad-inputs") / "site")
    return out, tree_hashes(out / "2024")


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exits_2_naming_the_place(case, published, tmp_path, capsys):
    """In-process: the command line adds nothing to what these cases test (test_end_to_end
    runs bad returns through the real command)."""
    out, before = published
    make, expected = CASES[case]
    path = make(tmp_path)
    status = cli.main(["--year", "2024", "--data", str(path), "--out", str(out)])
    stderr = capsys.readouterr().err
    assert status == 2, stderr
    for text in expected:
        assert text in stderr
    assert "Traceback" not in stderr
    assert tree_hashes(out / "2024") == before
    assert not list(work_folder(out).glob("staging/2024-*"))
