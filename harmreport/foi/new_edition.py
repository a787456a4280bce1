"""`run_report.py new YEAR` starts an edition; `run_report.py status YEAR` says how its FOI
round is going (docs/next-edition.md).

`new` adds the year to data/editions.toml and an edition template whose chapters are marked
STUB (the build refuses to publish while one is left), and writes, into the private returns
folder, the blank returns workbook and the text of the request."""

import argparse
import datetime as dt
import re
from pathlib import Path

from harmreport.project import editions, paths
from harmreport.project.errors import InputError

STUB = "STUB:"  # marks what the team must still write; the build refuses an edition holding one


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run_report.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="start an edition: entry, template, workbook, request")
    new.add_argument("year", type=int, help="the data year: the year the period ends")
    for edge in ("start", "end"):
        new.add_argument(
            f"--period-{edge}",
            type=_date,
            required=True,
            metavar="YYYY-MM-DD",
            help=f"the {'first' if edge == 'start' else 'last'} day the request asks about",
        )
    new.add_argument(
        "--title",
        default=f"{STUB} the edition's title",
        help="the edition's title (default: a STUB to write before the build publishes it)",
    )
    new.add_argument(
        "--returns-folder",
        type=Path,
        help="the private folder for the workbook (default: HBH_RETURNS or local.toml)",
    )
    status = commands.add_parser("status", help="answers so far and overdue requests")
    status.add_argument("year", type=int)
    status.add_argument("--today", type=_date, default=dt.date.today(), metavar="YYYY-MM-DD")
    return parser.parse_args(argv)


def main(argv: list[str], write) -> int:
    args = parse(argv)
    if args.command == "new":
        made = start_edition(args.year, args.period_start, args.period_end, args.title,
                             args.returns_folder)  # fmt: skip
        write(f"[{args.year}] started: " + "; ".join(made))
        write(f"[{args.year}] next: send the request, fill in the workbook, write the STUB "
              "chapters, then: python run_report.py --year " + str(args.year))  # fmt: skip
        return 0
    workbook = editions.edition(args.year).returns
    if workbook.suffix != ".xlsx" or not workbook.is_file():
        raise InputError(f"no returns workbook for {args.year} at {workbook}")
    from harmreport.foi import foi_round  # pandas and openpyxl: not for a build's STUB check

    for line in foi_round.round_status(workbook, args.today):
        write(f"[{args.year}] {line}")
    return 0


def start_edition(year, start, end, title, folder: Path | None) -> list[str]:
    """Add the edition and make its files; return what was made."""
    folder = folder or editions.private_folder()
    if folder is None:
        raise InputError(
            "no private returns folder is named: give --returns-folder, set HBH_RETURNS, or "
            "set returns_folder in local.toml (see docs/next-edition.md)"
        )
    if editions.private_folder_problem(folder):
        raise InputError(editions.private_folder_problem(folder) + "; nothing was changed")
    _check_new_period(year, start, end)
    workbook = Path(folder) / f"returns_{year}.xlsx"
    request = Path(folder) / f"foi_request_{year}.txt"
    template = paths.TEMPLATES / "editions" / f"{year}.html.j2"
    for path in (workbook, request, template):
        if path.exists():
            raise InputError(f"{path} already exists; nothing was changed")
    entry = entry_text(year, start, end, title)
    Path(folder).mkdir(parents=True, exist_ok=True)
    with open(paths.EDITIONS, "a", encoding="utf-8") as toml:
        toml.write(entry)
    template.write_text(template_text(year), encoding="utf-8")
    edition = editions.edition(year)
    from harmreport.foi import foi_round  # pandas and openpyxl: not for a build's STUB check

    foi_round.make_workbook(edition, workbook)
    request.write_text(foi_round.request_text(edition), encoding="utf-8")
    return [f"[years.{year}] in {paths.shown_path(paths.EDITIONS)}",
            paths.shown_path(template), str(workbook), str(request)]  # fmt: skip


def _check_new_period(year: int, start: dt.date, end: dt.date) -> None:
    known = {entry.year: entry for entry in editions.all_data_years()}
    if year in known:
        raise InputError(f"data/editions.toml already has [years.{year}]; nothing was changed")
    if end.year != year or start > end:
        raise InputError(
            f"the period {start} to {end} does not end in {year} (the data year is the year "
            "the period ends)"
        )
    for other in known.values():
        if start <= other.period_end and other.period_start <= end:
            raise InputError(
                f"the period {start} to {end} overlaps {other.year}'s "
                f"({other.period_start} to {other.period_end}); nothing was changed"
            )


def period_label(start: dt.date, end: dt.date) -> str:
    if start.year == end.year:
        return f"{start:%-d %B} to {end:%-d %B %Y}"
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"


def entry_text(year: int, start: dt.date, end: dt.date, title: str) -> str:
    """The new year's entry: what the team must write marked STUB, every other setting an
    edition reads given its default (docs/next-edition.md explains each)."""
    return f"""
[years.{year}]
title = "{title}"
subtitle = "Trafficked and unaccompanied children going missing from care in the UK"
published = "{STUB} the month and year of publication"
publishers = ["ECPAT UK", "Missing People"]
period_label = "{period_label(start, end)}"
period_start = {start.isoformat()}
period_end = {end.isoformat()}
# The returns are returns_{year}.xlsx in the private folder (HBH_RETURNS), never in git.
top_still_missing = 5  # authorities "most still missing" may name (those with five or more)
low_response_floor = 15  # percent of the authorities below which a figure is low reliability
# Optional, with their defaults when left out:
# comparison_year = {year - 1}  # a data year to compare with (default: none)
# focus_regions = ["London"]  # regions the report looks at closely (default: none)
# next_edition = "{year + 2}"  # when the next edition is expected (default: not said)
# isbn = ""  # the PDF's ISBN (default: none)
#
# [years.{year}.top_nationalities]  # how many nationalities to name (default: 3 each)
# trafficked = 3
# unaccompanied = 3
"""


def template_text(year: int) -> str:
    return f"""{{% extends "report.html.j2" %}}
{{#- The {year} edition's own prose. Write each paragraph marked as a stub below (the build
    refuses to publish while one is left); no number is typed here: figures come from
    stats.json and facts cited with fact(). Every edition has the series' chapters: the
    context (why this matters, with a sourced comparison with all looked-after children),
    the findings, what needs to change, the methodology and the appendix. For the comparison,
    add the latest figure for all looked-after children to data/facts.toml, with its source
    and its share as a decimal, and write looked_after with its key in place of the stub. -#}}
{{% block introduction %}}
<p>{STUB} why this edition, and what has changed since the last one.</p>
<p>{STUB} the comparison with all looked-after children (see the note above).</p>
{{% endblock %}}
{{% block recommendations %}}
<p>{STUB} this edition's recommendations, by who must act.</p>
{{% endblock %}}
"""


def stubs_left(year: int) -> list[str]:
    """Every line of the edition's entry and template still marked STUB, as 'file, line N'."""
    found = []
    template = paths.TEMPLATES / "editions" / f"{year}.html.j2"
    sources = [(paths.EDITIONS, _entry_lines(year))]
    if template.is_file():
        sources.append((template, None))
    for path, only in sources:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if STUB in line and (only is None or number in only):
                found.append(f"{paths.shown_path(path)}, line {number}: {line.strip()}")
    return found


def _entry_lines(year: int) -> set[int]:
    """The lines of data/editions.toml inside [years.YEAR] (and its sub-tables)."""
    inside, lines = False, set()
    for number, line in enumerate(paths.EDITIONS.read_text(encoding="utf-8").splitlines(), 1):
        header = re.match(r"\s*\[+([^\]]+)\]", line)
        if header:
            table = header.group(1).strip()
            inside = table == f"years.{year}" or table.startswith(f"years.{year}.")
        if inside:
            lines.add(number)
    return lines
