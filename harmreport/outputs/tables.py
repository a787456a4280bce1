"""The report's tables as data people can reuse: one tidy CSV per table (named columns, the
values as the report rounds them, [c] kept and explained in a notes column), and one
spreadsheet of them all laid out as the Government Analysis Function's guidance on
releasing statistics in spreadsheets asks (a cover sheet, contents, notes, one table a
sheet, no merged cells, shorthand explained). Both are made from stats.json alone, and both
go through the independent disclosure check with every other published file."""

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from harmreport.analysis.disclosure import MARK, NOT_APPLICABLE, NOT_AVAILABLE
from harmreport.intake import cell_codes
from harmreport.intake.returns import COUNT_COLUMNS
from harmreport.project import formatting

FOLDER = "data"  # in the edition's folder: data/<table>.csv and data/tables.xlsx
HIDDEN_NOTE = "[c]: confidential, hidden to protect children's identities (see notes)"
NOTES = {
    MARK: HIDDEN_NOTE,
    NOT_AVAILABLE: "[x]: not known, no authority gave a number (see notes)",
    NOT_APPLICABLE: "[z]: not applicable (see notes)",
}
GROUPS = {"trafficked": "Trafficked children", "unaccompanied": "Unaccompanied children"}


@dataclass
class Table:
    name: str  # the file's name, and the sheet's
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)

    def notes(self, row: list) -> str:
        return "; ".join(note for symbol, note in NOTES.items() if symbol in row)


def _count(value):
    return int(value) if formatting.is_figure(value) else value


def _percent(value):
    """A share as the report prints it, in whole percent (halves up)."""
    return formatting.whole_percent(value) if formatting.is_figure(value) else value


def report_tables(stats: dict, questions: dict[str, str]) -> list[Table]:
    """The tables of the report, in its order, from its statistics."""
    tables = [_answers(stats, questions), _groups(stats)]
    if stats["combined"].get("most_still_missing"):
        tables.append(_still_missing(stats))
    tables.append(_regions(stats))
    for group in GROUPS:
        if stats["nationalities"][group]["authorities_reporting"]:
            tables.append(_nationalities(stats, group))
    tables.append(_trend(stats))
    return tables


def _answers(stats, questions) -> Table:
    shown = cell_codes.in_use(stats["data_quality"])
    labels = [cell_codes.CATEGORY_LABELS[c] for c in shown]
    table = Table("answers_by_question", "Authorities' answers, by question",
                  ["question", *(f"authorities that {label}" for label in labels)])  # fmt: skip
    for column in COUNT_COLUMNS:
        answers = stats["data_quality"][column]
        table.rows.append([questions[column], *(answers[c] for c in shown)])
    return table


def _groups(stats) -> Table:
    table = Table(
        "in_care_and_missing",
        "Children in care and children who went missing, by group",
        ["group", "children in care", "went missing", "in care, where both were answered",
         "went missing, where both were answered", "share who went missing (%)"],
    )  # fmt: skip
    for group, label in GROUPS.items():
        figures, base = stats[group], stats[group]["share_went_missing_base"] or {}
        table.rows.append([
            label, _count(figures["in_care"]), _count(figures["went_missing"]),
            _count(base.get("denominator")), _count(base.get("numerator")),
            _percent(figures["share_went_missing"]),
        ])  # fmt: skip
    return table


def _still_missing(stats) -> Table:
    table = Table("most_still_missing",
                  "Authorities with the most trafficked and unaccompanied children still missing",
                  ["authority", "authority code", "children still missing"])  # fmt: skip
    for row in stats["combined"]["most_still_missing"]:
        table.rows.append([formatting.common_name(row["name"]), row["code"], _count(row["value"])])
    return table


def _regions(stats) -> Table:
    table = Table("regions", "Children in care, by English region or by nation",
                  ["region or nation", "trafficked children in care",
                   "unaccompanied children in care"])  # fmt: skip
    rows = formatting.by_size(stats["regions"]["table"], "trafficked_in_care", "area")
    for row in rows:
        table.rows.append([row["area"], _count(row["trafficked_in_care"]),
                           _count(row["unaccompanied_in_care"])])  # fmt: skip
    table.rows.append(["United Kingdom", _count(stats["trafficked"]["in_care"]),
                       _count(stats["unaccompanied"]["in_care"])])  # fmt: skip
    return table


def _nationalities(stats, group) -> Table:
    label = GROUPS[group].lower()
    table = Table(f"nationalities_{group}", f"Nationalities of {label} who went missing",
                  ["nationality", "children who went missing"])  # fmt: skip
    for row in stats["nationalities"][group]["ranking"]:
        table.rows.append([row["nationality"], _count(row["went_missing"])])
    return table


def _trend(stats) -> Table:
    table = Table(
        "editions", "The figures of each edition up to this one",
        ["edition year", "trafficked children in care", "trafficked: share who went missing (%)",
         "trafficked: authorities able to say (%)", "unaccompanied children in care",
         "unaccompanied: share who went missing (%)",
         "unaccompanied: authorities able to say (%)"],
    )  # fmt: skip
    for year, row in stats.get("trend", {}).items():
        # In a real edition, an earlier edition the project holds only illustrative returns
        # for says so where it stands.
        invented = row.get("illustrative") and not stats.get("illustrative")
        table.rows.append([
            f"{year} (illustrative)" if invented else int(year), _count(row["trafficked_in_care"]),
            _percent(row["trafficked_share_went_missing"]),
            _percent(row["trafficked_reporting_rate"]), _count(row["unaccompanied_in_care"]),
            _percent(row["unaccompanied_share_went_missing"]),
            _percent(row["unaccompanied_reporting_rate"]),
        ])  # fmt: skip
    return table


# ---- writing ----------------------------------------------------------------------------


def with_notes(table: Table) -> tuple[list[str], list[list]]:
    """The table's header and rows, with a notes column only where a row has a note: never
    an empty trailing column."""
    noted = any(table.notes(row) for row in table.rows)
    header = [*table.columns, "notes"] if noted else list(table.columns)
    rows = [[*row, table.notes(row)] if noted else list(row) for row in table.rows]
    return header, rows


def csv_text(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header, rows = with_notes(table)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue()


# ---- the data package ------------------------------------------------------------------

MISSING_VALUES = ["", MARK, NOT_AVAILABLE, NOT_APPLICABLE]  # the GSS symbols, as missing values
# A cell of answers.csv: a mark of the one vocabulary of answer kinds, with what the council
# gave after it ("[c] 0–5", "refused s12", "other basis (financial year)").
ANSWER_PATTERN = "|".join(f"{re.escape(mark)}( .+)?" for mark in cell_codes.ANSWER_MARKS.values())
INTEGER, NUMBER = re.compile(r"-?\d+"), re.compile(r"-?\d+\.\d+")


def datapackage_text(edition_folder: Path, about: dict) -> str:
    """datapackage.json: a Frictionless Data Package of every CSV the edition publishes, each
    with its Table Schema (a field a column, typed from its values; the GSS symbols as
    missing values), so that the figures can be reused without reading the report."""
    paths = ["stats.csv", "answers.csv"] + sorted(
        f"{FOLDER}/{p.name}" for p in (edition_folder / FOLDER).glob("*.csv")
    )
    titles = {"stats.csv": "Every published figure, by its name in stats.json",
              "answers.csv": "Each authority's kind of answer to each question, never its number",
              **about.get("titles", {})}  # fmt: skip
    resources = [
        _resource(edition_folder / path, path, titles.get(path, path))
        for path in paths
        if (edition_folder / path).is_file()
    ]
    package = {
        "profile": "tabular-data-package",
        "name": about["name"],
        "title": about["title"],
        "licenses": [about["licence"]],
        "sources": [{"title": about["source"]}],
        "resources": resources,
    }
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def _resource(path: Path, relative: str, title: str) -> dict:
    with open(path, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    answers = relative == "answers.csv"
    fields = []
    for index, name in enumerate(header):
        values = [row[index] for row in rows]
        field = {"name": name, "type": "string" if answers else _type_of(values)}
        if answers and index >= 4:  # code, name, nation, region, then one column a question
            field["constraints"] = {"required": True, "pattern": ANSWER_PATTERN}
        fields.append(field)
    return {
        "name": re.sub(r"[^a-z0-9]+", "-", relative.removesuffix(".csv").lower()),
        "path": relative,
        "title": title,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        # In answers.csv "[c]" and "[x]" are kinds of answer, not missing values.
        "schema": {"fields": fields, "missingValues": [""] if answers else MISSING_VALUES},
    }


def _type_of(values: list[str]) -> str:
    given = [v for v in values if v not in MISSING_VALUES]
    if given and all(INTEGER.fullmatch(v) for v in given):
        return "integer"
    if given and all(INTEGER.fullmatch(v) or NUMBER.fullmatch(v) for v in given):
        return "number"
    return "string"


def write_tables(tables: list[Table], folder: Path, cover: dict) -> list[Path]:
    """data/<name>.csv for each table and data/tables.xlsx of them all; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = folder / f"{table.name}.csv"
        path.write_text(csv_text(table), encoding="utf-8")
        written.append(path)
    path = folder / "tables.xlsx"
    path.write_bytes(spreadsheet(tables, cover))
    return [*written, path]


def spreadsheet(tables: list[Table], cover: dict) -> bytes:
    """Every table, a sheet each, after a cover sheet, contents (linked to each sheet) and
    notes, laid out as the Analysis Function's spreadsheet checklist asks: each table a named
    Excel table with its header row marked, columns wide enough for their contents, the
    document's title and language set. The same bytes for the same tables (fixed dates)."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "cover"
    for line in [cover["title"], *cover["lines"]]:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    contents = book.create_sheet("contents")
    contents.append(["Contents: each table of the report, a sheet each"])
    contents.append(["Sheet", "Table"])
    notes = book.create_sheet("notes")
    notes.append(["Notes: the shorthand in the tables"])
    notes.append(["Note", "Meaning"])
    for symbol, note in NOTES.items():
        notes.append([symbol, note.split(": ", 1)[1].removesuffix(" (see notes)")])
    notes.append(["(%)", "a share in whole percent, rounded as the report rounds it (halves up)"])
    for table in tables:
        contents.append([table.name, table.title])
        link = contents.cell(contents.max_row, 1)
        link.hyperlink = f"#'{table.name}'!A1"
        link.style = "Hyperlink"
        data = book.create_sheet(table.name)
        data.append([table.title])
        header, rows = with_notes(table)
        data.append(header)
        for row in rows:
            data.append(row)
        _excel_table(data, table.name)
    _excel_table(contents, "contents")
    _excel_table(notes, "notes")
    for each in book.worksheets:
        each["A1"].font = Font(bold=True, size=14 if each is sheet else 12)
        _fit_columns(each)
    _text_stays_text(book)
    fixed = dt.datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = fixed
    book.properties.title = cover["title"]
    book.properties.language = "en-GB"
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _excel_table(sheet, name: str) -> None:
    """The sheet's rows under its title (row 1) as one named Excel table, header row marked."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table as ExcelTable
    from openpyxl.worksheet.table import TableStyleInfo

    last = f"{get_column_letter(sheet.max_column)}{sheet.max_row}"
    table = ExcelTable(displayName=f"table_{name}", ref=f"A2:{last}", headerRowCount=1)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    sheet.add_table(table)


def _fit_columns(sheet) -> None:
    """Each column as wide as its longest cell below the title (within reason)."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(sheet.iter_cols(min_row=2, values_only=True), start=1):
        longest = max((len(str(v)) for v in column if v is not None), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 80)


def _text_stays_text(book) -> None:
    """openpyxl stores a text beginning "=" as a formula a spreadsheet would run (a title
    such as "=HYPERLINK(…)" would become a live link): every text cell is stored as text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type != "s":
                    cell.data_type = "s"


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry dated 1 January 1980, and the "modified" date
    openpyxl stamps on saving fixed: the bytes never depend on when the build ran."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z",
                                 content)  # fmt: skip
            info = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()
