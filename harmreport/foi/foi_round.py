"""The Freedom of Information round: the returns workbook the team fills in (one row for every
authority responsible during the period, the contract's columns with data validation and the
question as an input message, a nationalities sheet with drop-downs, an instructions sheet and
a status column per stage of the request, which the build ignores), the request's own text, and
how far the round has got (answers per question, requests overdue under the Act's 20 working
days)."""

import datetime as dt
import functools
from pathlib import Path

from harmreport.intake import cell_codes, reference, vocabulary
from harmreport.intake.returns_checks import BASIS_COLUMNS, DECLARED, STATUS_COLUMNS
from harmreport.project.errors import InputError

QUESTIONS = {
    "trafficked_in_care": "How many children identified or suspected as victims of trafficking "
    "did the authority look after at any time in the period?",
    "trafficked_went_missing": "Of those trafficked children, how many went missing at least "
    "once in the period?",
    "trafficked_missing_episodes": "How many missing episodes (incidents) did those trafficked "
    "children have in the period?",
    "unaccompanied_in_care": "How many unaccompanied (asylum-seeking or migrant) children did "
    "the authority look after at any time in the period?",
    "unaccompanied_went_missing": "Of those unaccompanied children, how many went missing at "
    "least once in the period?",
    "unaccompanied_missing_episodes": "How many missing episodes (incidents) did those "
    "unaccompanied children have in the period?",
    "missing_over_week": "How many trafficked or unaccompanied children who went missing were "
    "away for more than seven days at least once?",
    "still_missing": "How many trafficked or unaccompanied children who went missing in the "
    "period have not been found at the date of your reply?",
}
NATIONALITY_QUESTION = (
    "For the trafficked and unaccompanied children who went missing, please give their "
    "nationalities and how many children of each went missing."
)
CODES = cell_codes.WORKBOOK_CODES
RESPONSE_DAYS = 20  # working days: Freedom of Information Act 2000, section 10


def make_workbook(edition, path: Path) -> Path:
    """The blank returns workbook for `edition`'s FOI round, written to `path`."""
    from openpyxl import Workbook

    book = Workbook()
    authorities = _authorities_in(edition)
    _instructions(book.active, edition)
    _lists(book.create_sheet("lists"), authorities)
    _returns_sheet(book.create_sheet("returns"), authorities)
    _nationalities_sheet(book.create_sheet("nationalities"), len(authorities))
    book.active = 1  # the returns sheet opens first
    book.properties.creator = "harmreport"
    book.properties.created = book.properties.modified = dt.datetime(edition.year, 1, 1)
    book.save(path)
    return path


def _authorities_in(edition) -> list[tuple[str, str]]:
    """(code, reference name) of every body responsible during the period, by nation, name."""
    table = reference.load_authorities()
    ids = reference.responsible_in(table, edition, present=set())
    rows = table.loc[sorted(ids)]
    found = [(reference.published_code(r), r["name"], r["nation"]) for _, r in rows.iterrows()]
    return [(code, name) for code, name, _ in sorted(found, key=lambda f: (f[2], f[1]))]


def _instructions(sheet, edition) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    sheet.title = "instructions"
    rows = [
        ("Returns for the edition", edition.year),
        ("Period from", edition.period_start),
        ("Period to", edition.period_end),
        ("", ""),
        ("How to fill in the returns sheet", ""),
        ("", "One row for each authority the request went to; the code and name are locked."),
        (
            "",
            "Type each answer as the authority gave it: a whole number, or one of: "
            + ", ".join(CODES)
            + " (leave the cell empty if the question was not answered).",
        ),
        (
            "",
            '<N means the authority withheld a number from 1 to N-1; <=N (its "N or less") '
            "a number from 0 to N; * a small number with no range given.",
        ),
        (
            "",
            "s12, s40 and the other sections: the section the authority cited in refusing "
            "(for a Scottish authority, of the Scottish Act: s12, s17, s25, s38). redirected: "
            "it sent the request to another body.",
        ),
        (
            "",
            "An answer for another period or group: its numbers as given, and the period or "
            "group in the answer_period and answer_scope columns (or the trafficked_ and "
            "unaccompanied_ ones for one group's answers); it is then left out of the "
            "totals (docs/returns-contract.md).",
        ),
        (
            "",
            "The status columns (request sent, reminder, answered, internal review, notes) "
            "are for the team; the build ignores them.",
        ),
        ("", "Nationalities: one row per authority, group and nationality on that sheet."),
        ("", ""),
        ("The questions", ""),
        *((column, question) for column, question in QUESTIONS.items()),
        ("nationalities", NATIONALITY_QUESTION),
    ]
    for row in rows:
        sheet.append(row)
    for cell in ("B2", "B3"):
        sheet[cell].number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 110
    book = sheet.parent
    for name, row in zip(DECLARED, (1, 2, 3), strict=True):
        book.defined_names[name] = DefinedName(name, attr_text=f"instructions!$B${row}")


def _lists(sheet, authorities) -> None:
    """What the drop-downs offer: codes, authorities, groups and nationalities (hidden)."""
    from openpyxl.workbook.defined_name import DefinedName

    names = sorted(set(vocabulary.nationality_names().values()))
    columns = {
        "answer_codes": CODES,
        "periods": list(BASIS_COLUMNS["answer_period"][0]),
        "scopes": list(BASIS_COLUMNS["answer_scope"][0]),
        "authority_codes": [code for code, _ in authorities],
        "groups": ["trafficked", "unaccompanied"],
        "nationality_names": names,
    }
    for index, (name, values) in enumerate(columns.items(), start=1):
        letter = chr(ord("A") + index - 1)
        for row, value in enumerate(values, start=1):
            sheet.cell(row=row, column=index, value=value)
        reference = f"lists!${letter}$1:${letter}${len(values)}"
        sheet.parent.defined_names[name] = DefinedName(name, attr_text=reference)
    sheet.sheet_state = "hidden"


def _count_rule(first_cell: str):
    """A whole number from 0, or one of the answer codes, or empty."""
    from openpyxl.worksheet.datavalidation import DataValidation

    formula = (  # or an answer with its period or group in brackets: "39 (single day)"
        f"OR(AND(ISNUMBER({first_cell}),{first_cell}>=0,{first_cell}=INT({first_cell})),"
        f'ISNUMBER(MATCH({first_cell},answer_codes,0)),ISNUMBER(SEARCH("(",{first_cell})))'
    )
    return DataValidation(
        type="custom",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not an answer the returns accept",
        error="Type a whole number from 0, or one of: "
        + ", ".join(CODES[:12])
        + ", <2 to <10, <=1 to <=9.",
    )


def _returns_sheet(sheet, authorities) -> None:
    from openpyxl.styles import Font, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from harmreport.intake.returns import COUNT_COLUMNS, ID_COLUMNS

    header = [*ID_COLUMNS, *COUNT_COLUMNS, *STATUS_COLUMNS, *BASIS_COLUMNS]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    last = len(authorities) + 1
    for code, name in authorities:
        sheet.append([code, name])
    for column, name in enumerate(header, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(14, len(name) + 2)
        if name not in ID_COLUMNS:
            for row in range(2, last + 1):
                sheet.cell(row=row, column=column).protection = Protection(locked=False)
        if name in COUNT_COLUMNS:
            rule = _count_rule(f"{letter}2")
            rule.promptTitle = name[:32]
            rule.prompt = QUESTIONS[name][:255]
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{last}")
        elif name in BASIS_COLUMNS:
            source = "periods" if name.endswith("_period") else "scopes"
            rule = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
            rule.promptTitle = name[:32]
            rule.prompt = "Only for an answer for another period or group than asked; else empty."
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{last}")
        elif name.endswith(("_sent", "answered")):
            rule = DataValidation(type="date", operator="greaterThan", formula1="36526")
            rule.promptTitle, rule.prompt = name[:32], "A date (the build ignores this column)."
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{last}")
            for row in range(2, last + 1):
                sheet.cell(row=row, column=column).number_format = "yyyy-mm-dd"
    sheet.column_dimensions["B"].width = 40
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True  # codes and names locked; no password: a guard, not a lock
    sheet.protection.formatColumns = False


def _nationalities_sheet(sheet, authorities: int) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from harmreport.intake.returns import NATIONALITY_COLUMNS

    sheet.append(list(NATIONALITY_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    last = 1 + 10 * authorities  # room for ten nationalities an authority
    for letter, source in (("A", "authority_codes"), ("B", "groups"), ("C", "nationality_names")):
        rule = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
        sheet.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{last}")
    counts = _count_rule("D2")
    counts.promptTitle, counts.prompt = "went_missing", NATIONALITY_QUESTION[:255]
    sheet.add_data_validation(counts)
    counts.add(f"D2:D{last}")
    for letter, width in zip("ABCD", (16, 16, 24, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def fill_from_csv(workbook: Path, answers: Path) -> None:
    """Type the answers of a returns CSV into a returns workbook, authority by authority (to
    carry answers kept in a CSV over; the rehearsal of the year uses it too)."""
    import csv

    from openpyxl import load_workbook

    book = load_workbook(workbook)
    sheet = book["returns"]
    header = [cell.value for cell in sheet[1]]
    with open(answers, encoding="utf-8-sig", newline="") as f:
        given = {row["authority_code"]: row for row in csv.DictReader(f)}
    for row in sheet.iter_rows(min_row=2):
        record = given.get(row[0].value, {})
        for cell, name in zip(row, header, strict=True):
            if name in record and name not in ("authority_code", "authority_name"):
                value = record[name].strip()
                cell.value = int(value) if value.isdigit() else (value or None)
    book.save(workbook)


def request_text(edition) -> str:
    """The Freedom of Information request, generated from the contract's questions."""
    lines = [
        "Dear Freedom of Information Officer,",
        "",
        "Under the Freedom of Information Act 2000 (or the Freedom of Information (Scotland) "
        "Act 2002), please provide the following information for the period "
        f"{edition.period_start:%-d %B %Y} to {edition.period_end:%-d %B %Y}.",
        "",
    ]
    questions = [*QUESTIONS.values(), NATIONALITY_QUESTION]
    lines += [f"{number}. {question}" for number, question in enumerate(questions, start=1)]
    lines += [
        "",
        "If a number is small and you withhold it to protect the children concerned, please "
        "say so and give the range (for example 'fewer than 5') rather than leaving the "
        "question unanswered. If you do not hold the information, please say so for that "
        "question and answer the others.",
        "",
        "Please reply within 20 working days, as the Act requires.",
        "",
        "Thank you.",
    ]
    return "\n".join(lines) + "\n"


# ---- the round's progress --------------------------------------------------------------


# What each Act counts as a working day: not a Saturday or Sunday, nor Christmas Day, nor a
# bank holiday under the Banking and Financial Dealings Act 1971 in any part of the United
# Kingdom, nor Good Friday (Freedom of Information Act 2000, s10(6)); for a Scottish
# authority, a bank holiday in Scotland (Freedom of Information (Scotland) Act 2002, s73).
# The holidays come from the maintained `holidays` library, never a list typed here.
UK_PARTS = {cell_codes.FOIA: ("ENG", "WLS", "SCT", "NIR"), cell_codes.FOISA: ("SCT",)}
ANSWERED = (
    cell_codes.COUNT,
    cell_codes.SUPPRESSED,
    cell_codes.NOT_RECORDED,
    cell_codes.OTHER_BASIS,
)
DATE_COLUMNS = ("request_sent", "reminder_sent", "answered", "internal_review")


class WorkbookProblem(InputError):
    """A status cell the round's progress cannot be read from (exit 2)."""


@functools.cache  # asked for each day counted
def non_working_days(year: int, act: str) -> frozenset[dt.date]:
    """The days of `year` that are not working days under `act` (weekends aside)."""
    import holidays

    days = {dt.date(year, 12, 25)}
    if act == cell_codes.FOIA:
        days.add(easter(year) - dt.timedelta(days=2))  # Good Friday
    for part in UK_PARTS[act]:
        days |= set(holidays.UnitedKingdom(subdiv=part, years=year))
    return frozenset(days)


def easter(year: int) -> dt.date:
    from dateutil.easter import easter as western

    return western(year)


def is_working_day(day: dt.date, act: str = cell_codes.FOIA) -> bool:
    return day.weekday() < 5 and day not in non_working_days(day.year, act)


def response_due(sent: dt.date, act: str = cell_codes.FOIA) -> dt.date:
    """The 20th working day after the request was received (taken as the day it was sent)."""
    day, counted = sent, 0
    while counted < RESPONSE_DAYS:
        day += dt.timedelta(days=1)
        counted += is_working_day(day, act)
    return day


def working_days_late(due: dt.date, today: dt.date, act: str = cell_codes.FOIA) -> int:
    """Working days after the due date, up to and including today."""
    day, late = due, 0
    while day < today:
        day += dt.timedelta(days=1)
        late += is_working_day(day, act)
    return late


def round_status(workbook: Path, today: dt.date) -> list[str]:
    """How the round stands: per question, the authorities that answered, refused, redirected
    or have not answered yet; the reminders sent and internal reviews asked for; and the
    requests overdue (sent, no reply, past the 20th working day under the authority's Act),
    late counted in working days."""
    records = _status_records(workbook)
    lines = [f"{len(records)} authorities in the round"]
    for column in QUESTIONS:
        tally = {kind: 0 for kind in ("answered", "refused", "redirected", "not yet")}
        for record in records:
            tally[record["answers"][column]] += 1
        lines.append(f"  {column}: " + ", ".join(f"{n} {kind}" for kind, n in tally.items()))
    lines += _listed(records, "refused", "refused (every question answered refused)")
    lines += _listed(records, "redirected", "redirected the request elsewhere")
    reminded = [r for r in records if r["reminder_sent"]]
    lines.append(f"{len(reminded)} reminders sent")
    lines += [f"  {r['name']}: reminded {_shown(r['reminder_sent'])}" for r in reminded]
    reviews = [r for r in records if r["internal_review"]]
    lines.append(f"{len(reviews)} internal reviews asked for")
    lines += [f"  {r['name']}: asked {_shown(r['internal_review'])}" for r in reviews]
    overdue = [_overdue(record, today) for record in records]
    overdue = [line for line in overdue if line]
    lines.append(f"{len(overdue)} overdue under the Act's {RESPONSE_DAYS} working days")
    return lines + overdue


def _overdue(record: dict, today: dt.date) -> str:
    """'  Kent: due 2 March 2026, 4 working days late', or "" if not overdue."""
    sent, act = record["request_sent"], record["act"]
    if not sent or record["answered"] or response_due(sent, act) >= today:
        return ""
    due = response_due(sent, act)
    late = working_days_late(due, today, act)
    line = f"  {record['name']}: due {_shown(due)}, {late} working day{'s' * (late != 1)} late"
    if record["reminder_sent"]:
        line += f" (reminded {_shown(record['reminder_sent'])})"
    return line


def _listed(records: list[dict], kind: str, said: str) -> list[str]:
    whole = [r for r in records if set(r["answers"].values()) == {kind}]
    return [f"{len(whole)} {said}", *(f"  {r['name']}" for r in whole)]


def _shown(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _status_records(workbook: Path) -> list[dict]:
    """Each row of the returns sheet: its name, Act, status dates and the kind of each
    answer; a status date that cannot be one is refused naming its cell."""
    from openpyxl import load_workbook

    sheet = load_workbook(workbook, read_only=True, data_only=True)["returns"]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip().lower() for h in next(rows)]
    nations = _nations()
    records = []
    for number, row in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in row):
            continue
        cells = dict(zip(header, row, strict=False))
        nation = nations.get(str(cells.get("authority_code") or "").strip())
        record = {"name": cells.get("authority_name") or cells.get("authority_code"),
                  "act": cell_codes.act_of(nation)}  # fmt: skip
        for column in DATE_COLUMNS:
            record[column] = _date_in(cells.get(column), workbook, number, column)
        _check_order(record, workbook, number)
        record["answers"] = {c: _kind(cells.get(c), nation) for c in QUESTIONS}
        records.append(record)
    return records


def _nations() -> dict[str, str]:
    table = reference.load_authorities()
    return {reference.published_code(row): row["nation"] for _, row in table.iterrows()}


def _date_in(value, workbook: Path, row: int, column: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise WorkbookProblem(
        f"{workbook.name}, sheet returns, row {row}, column {column}: '{text}' is not a date "
        "(type it as a date, e.g. 1/2/2026 or 2026-02-01)"
    )


def _check_order(record: dict, workbook: Path, row: int) -> None:
    sent = record["request_sent"]
    for column in ("reminder_sent", "answered", "internal_review"):
        day = record[column]
        if day and (sent is None or day < sent):
            why = f"before the request ({sent})" if sent else "but the row has no request_sent"
            raise WorkbookProblem(
                f"{workbook.name}, sheet returns, row {row}, column {column}: {day} is {why}; "
                "correct the date"
            )


def _kind(raw, nation: str | None) -> str:
    """How an answer counts in the round: answered (a figure, "not held", a count for
    another period or group), refused, redirected, or not yet (blank, "no response")."""
    try:
        category = cell_codes.parse_cell(raw, nation).category
    except cell_codes.CellError:
        return "answered"  # something was typed: the build names it if it is not a code
    if category in ANSWERED:
        return "answered"
    return {cell_codes.REFUSED: "refused", cell_codes.REDIRECTED: "redirected"}.get(
        category, "not yet"
    )
