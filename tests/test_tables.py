"""The report's tables as data: one CSV a table, agreeing with the table the page shows, and
a spreadsheet of them all that LibreOffice opens to the same rows."""

import csv
import html
import json
import re
import shutil
import subprocess

import pytest
from openpyxl.utils import get_column_letter

from harmreport.outputs import tables
from harmreport.project import editions, formatting

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
        noted = header[-1] == "notes"  # only where a row has a note: no empty last column
        assert rows and noted == any(set(row) & set(tables.NOTES) for row in rows), name
        for row in rows:
            values = row[:-1] if noted else row
            for column, value in zip(header, values, strict=False):
                if value and column not in ("question", "authority code", "edition year"):
                    assert f" {as_printed(column, value)} " in page, (name, column, value)
            if noted:  # a note for each symbol
                assert bool(set(values) & set(tables.NOTES)) == (row[-1] != "")


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
    assert [row[0] for row in sheets["contents"][2:]] == NAMES_2015
    for name in NAMES_2015:
        title, *table = sheets[name]
        assert title[0] and table == rows_of(folder / f"{name}.csv"), name


def test_a_text_beginning_with_an_equals_sign_is_stored_as_text_not_a_formula(tmp_path):
    import io

    from openpyxl import load_workbook

    from harmreport.outputs import tables

    table = tables.Table("answers", "=HYPERLINK(\"https://example.org\")", ["Answer"],
                         [["=1+1"], ["@SUM(A1)"]])  # fmt: skip
    cover = {"title": "=cmd|' /C calc'!A0", "lines": ["+1"]}
    book = load_workbook(io.BytesIO(tables.spreadsheet([table], cover)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    texts = [c for c in cells if isinstance(c.value, str)]
    assert {c.data_type for c in texts} == {"s"}  # no formula anywhere
    assert book["cover"]["A1"].value == "=cmd|' /C calc'!A0"  # shown as typed
    assert book["answers"]["A3"].value == "=1+1"


@pytest.mark.parametrize("year", [2015, 2024])
def test_the_spreadsheet_is_laid_out_as_the_analysis_function_checklist_asks(built, year):
    from openpyxl import load_workbook

    folder = built / str(year) / "data"
    book = load_workbook(folder / "tables.xlsx")
    assert book.properties.title.startswith(editions.edition(year).title)
    assert book.properties.language == "en-GB"
    contents = book["contents"]
    names = sorted(p.stem for p in folder.glob("*.csv"))
    linked = {row[0].value: row[0].hyperlink.location or row[0].hyperlink.target
              for row in contents.iter_rows(min_row=3)}  # fmt: skip
    assert sorted(linked) == names
    assert all(link in (f"'{n}'!A1", f"#'{n}'!A1") for n, link in linked.items()), linked
    for name in names:
        sheet = book[name]
        header, *rows = rows_of(folder / f"{name}.csv")
        (table,) = sheet.tables.values()  # one named Excel table, its header row marked
        assert table.displayName == f"table_{name}" and table.headerRowCount == 1
        assert table.ref == f"A2:{get_column_letter(len(header))}{len(rows) + 2}", name
        assert [c.value for c in sheet[2]] == header
        last = [sheet.cell(r, len(header)).value for r in range(3, len(rows) + 3)]
        assert any(v not in (None, "") for v in last), f"{name}: an empty last column"
        for index, column in enumerate(header, start=1):
            assert sheet.column_dimensions[get_column_letter(index)].width >= len(column), name


@pytest.mark.parametrize("year", [2015, 2024])
def test_the_data_package_describes_every_csv_and_frictionless_validates_it(built, year):
    import frictionless

    folder = built / str(year)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    published = sorted(str(p.relative_to(folder)) for p in folder.glob("**/*.csv")
                       if "notebooks" not in p.parts)  # fmt: skip
    assert sorted(r["path"] for r in package["resources"]) == published
    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "message"])
    regions = next(r for r in package["resources"] if r["path"] == "data/regions.csv")
    assert [f["type"] for f in regions["schema"]["fields"]][1:3] == ["integer", "integer"]
    assert {"[c]", "[x]"} <= set(regions["schema"]["missingValues"])


def test_a_data_package_refuses_a_cell_its_schema_does_not_allow(built, tmp_path):
    import frictionless

    for wrong in ("answers.csv", "data/regions.csv"):
        copy = tmp_path / wrong.replace("/", "_")
        shutil.copytree(built / "2024", copy, ignore=shutil.ignore_patterns("notebooks"))
        text = (copy / wrong).read_text(encoding="utf-8").splitlines()
        # An answer no reader can place ("R"), or a count that is no number.
        text[1] = re.sub(r",number,", ",R,", text[1]) if wrong == "answers.csv" else (
            re.sub(r",\d+,", ",twelve,", text[1], count=1))  # fmt: skip
        (copy / wrong).write_text("\n".join(text) + "\n", encoding="utf-8")
        assert not frictionless.validate(copy / "datapackage.json").valid, wrong
