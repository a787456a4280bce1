"""The report's tables as data: one CSV a table, agreeing with the table the page shows, and
a spreadsheet of them all that LibreOffice opens to the same rows."""

import csv
import html
import re
import shutil
import subprocess

import pytest

from harmreport import formatting

pytestmark = pytest.mark.slow  # reads the editions the session builds

NAMES_2015 = [
    "answers_by_question", "in_care_and_missing", "most_still_missing", "regions",
    "nationalities_trafficked", "nationalities_unaccompanied", "editions",
]  # fmt: skip


def rows_of(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def as_printed(header: str, value: str) -> str:
    """A CSV value as the report's table prints it."""
    if re.fullmatch(r"\d+", value) and not header.startswith("edition"):
        return f"{value}%" if header.endswith("(%)") else formatting.number(int(value))
    return value


@pytest.mark.parametrize("year", [2015, 2024])
def test_every_table_has_its_csv_and_every_value_is_the_page_s(built, year):
    folder = built / str(year)
    page = html.unescape(re.sub(r"<[^>]+>", " ", (folder / "index.html").read_text()))
    page = re.sub(r"\s+", " ", page)
    names = sorted(p.stem for p in (folder / "data").glob("*.csv"))
    if year == 2015:
        assert names == sorted(NAMES_2015)
    for name in names:
        header, *rows = rows_of(folder / "data" / f"{name}.csv")
        assert header[-1] == "notes" and rows
        for row in rows:
            for column, value in zip(header[:-1], row[:-1], strict=True):
                if value and column not in ("question", "authority code", "edition year"):
                    assert f" {as_printed(column, value)} " in page, (name, column, value)
            assert ("[c]" in row) == (row[-1] != "")  # a note for each hidden figure


def test_the_spreadsheet_opens_in_libreoffice_to_the_csv_rows(built, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        pytest.fail("LibreOffice is not installed (make setup)")
    folder = built / "2015" / "data"
    shutil.copyfile(folder / "tables.xlsx", tmp_path / "tables.xlsx")
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,false,false,false,-1"
    subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", every_sheet, "--outdir", str(tmp_path), str(tmp_path / "tables.xlsx")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    sheets = {p.stem.removeprefix("tables-"): rows_of(p) for p in tmp_path.glob("tables-*.csv")}
    assert {"cover", "contents", "notes"} <= set(sheets)
    assert [row[0] for row in sheets["contents"][1:]] == NAMES_2015
    for name in NAMES_2015:
        title, *table = sheets[name]
        assert title[0] and table == rows_of(folder / f"{name}.csv"), name


def test_a_text_beginning_with_an_equals_sign_is_stored_as_text_not_a_formula(tmp_path):
    import io

    from openpyxl import load_workbook

    from harmreport import tables

    table = tables.Table("answers", "=HYPERLINK(\"https://example.org\")", ["Answer"],
                         [["=1+1"], ["@SUM(A1)"]])  # fmt: skip
    cover = {"title": "=cmd|' /C calc'!A0", "lines": ["+1"]}
    book = load_workbook(io.BytesIO(tables.spreadsheet([table], cover)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    texts = [c for c in cells if isinstance(c.value, str)]
    assert {c.data_type for c in texts} == {"s"}  # no formula anywhere
    assert book["cover"]["A1"].value == "=cmd|' /C calc'!A0"  # shown as typed
    assert book["answers"]["A3"].value == "=1+1"
