"""The project's configuration is input too: data/editions.toml, data/sources.toml and
data/facts.toml are checked against their schema before any kernel starts, and every problem
is reported with file, line and key (never a traceback half-way through a build)."""

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from harmreport.project import editions, paths, template_rules
from harmreport.project.editions import DATE, NUMBER, TEXT, TEXTS
from harmreport.project.errors import InputError

# key: (kind, required for every data year, required for an edition), from editions.DataYear
EDITION_KEYS = {
    key.name: (key.metadata["kind"], key.metadata["always"], key.metadata["edition"])
    for key in fields(editions.DataYear)
    if key.metadata
}
SOURCE_KEYS = {
    "author": True,
    "year": True,
    "title": True,
    "url": False,
    "pages": False,
    "short": False,
    "accessed": False,
}
FACT_KEYS = {"value": True, "about": True, "source": True, "share": False}
NUMBER_KEYS = ("share",)  # a fact's keys that hold a number, checked by check_facts
FIGURE = (int, float)  # a figure as stats.json holds it
REVISION_KEYS = {  # key: (type, required)
    "date": (DATE, True),
    "what": (TEXT, True),
    "figure": (TEXT, False),  # its key in stats.json, such as "trafficked.in_care"
    "old": (FIGURE, False),
    "new": (FIGURE, False),
}
PERIOD_KEYS = ("period_label", "period_start", "period_end")


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    line: int | None
    table: str
    key: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file] + ([f"line {self.line}"] if self.line else [])
        if self.file.endswith(".toml"):
            table = self.table if self.table.startswith("[") else f"[{self.table}]"
            where.append(table + (f" key '{self.key}'" if self.key else ""))
        return f"{', '.join(where)}: {self.message}"


class _File:
    """One TOML file, its parsed content, and the line of each table and key."""

    def __init__(self, path: Path):
        self.path = path
        self.name = (
            str(path.relative_to(paths.ROOT)) if path.is_relative_to(paths.ROOT) else path.name
        )
        self.text = path.read_text(encoding="utf-8")
        self.problems: list[ConfigProblem] = []
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            self.data = None
            self.problems.append(ConfigProblem(self.name, None, "file", None, f"not TOML: {exc}"))

    def line(self, table: str, key: str | None = None) -> int | None:
        """The line where `table` starts, or where `key` is set inside it."""
        current = None
        for number, text in enumerate(self.text.splitlines(), start=1):
            header = re.fullmatch(r"\s*\[([^\]]+)\]\s*(#.*)?", text)
            if header:
                current = header.group(1).strip().replace('"', "")
                if key is None and current == table:
                    return number
            elif key and current == table and re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", text):
                return number
        return None

    def problem(self, table: str, key: str | None, message: str) -> None:
        line = self.line(table, key) or self.line(table)
        self.problems.append(ConfigProblem(self.name, line, table, key, message))


def _unknown_key(found: _File, table: str, key: str, known) -> None:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; known keys: {', '.join(known)}"
    found.problem(table, key, f"unknown key{hint}")


def _type_ok(value, kind) -> bool:
    if kind == TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind is NUMBER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is FIGURE:
        return isinstance(value, FIGURE) and not isinstance(value, bool)
    return isinstance(value, kind) and not isinstance(value, dt.datetime)


def _kind_name(kind) -> str:
    names = {TEXT: "a text", DATE: "a date (YYYY-MM-DD)", NUMBER: "a whole number"}
    names[FIGURE] = "a number (the figure as stats.json holds it)"
    return names.get(kind, "a table" if kind is dict else str(kind))


def check_editions(found: _File) -> None:
    years = (found.data or {}).get("years")
    if not isinstance(years, dict):
        found.problem("years", None, "the file needs [years.<year>] tables")
        return
    for year, entry in years.items():
        table = f"years.{year}"
        if not re.fullmatch(r"\d{4}", year):
            found.problem(table, None, f"'{year}' is not a year")
            continue
        edition = "title" in entry
        if "revisions" in entry and not edition:
            _revision_outside_an_edition(found, year, entry, years)
            continue
        for key, value in entry.items():
            if key not in EDITION_KEYS:
                _unknown_key(found, table, key, EDITION_KEYS)
            elif not _type_ok(value, EDITION_KEYS[key][0]):
                found.problem(table, key, f"must be {_kind_name(EDITION_KEYS[key][0])}")
        for key, (_, always, for_edition) in EDITION_KEYS.items():
            if key not in entry and (always or (edition and for_edition)):
                found.problem(table, None, f"missing key '{key}'")
        _check_year_values(found, table, entry, years)
        _check_revisions(found, year, entry.get("revisions"))
    _check_overlaps(found, years)


def revision_lines(text: str, year: int | str) -> list[int]:
    """The line of each [[years.YEAR.revisions]] header, in order."""
    header = re.compile(rf"\s*\[\[\s*years\.{year}\.revisions\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), 1) if header.match(line)]


def _revision_outside_an_edition(found: _File, year: str, entry: dict, years: dict) -> None:
    editions = ", ".join(y for y, e in years.items() if isinstance(e, dict) and "title" in e)
    line = (revision_lines(found.text, year) or [None])[0]
    if any(key in entry for key in PERIOD_KEYS):
        why = f"{year} is a data year used for comparison, not an edition"
    else:
        why = f"there is no edition {year}"
    found.problems.append(
        ConfigProblem(
            found.name,
            line,
            f"[[years.{year}.revisions]]",
            None,
            f"{why}: a revision belongs to the edition that published the figure "
            f"(editions: {editions})",
        )
    )


def _check_revisions(found: _File, year: str, revisions) -> None:
    if not isinstance(revisions, list):
        return  # absent, or its type is reported with the year's other keys
    lines = revision_lines(found.text, year)
    for number, revision in enumerate(revisions):
        line = lines[number] if number < len(lines) else found.line(f"years.{year}")
        table = f"[[years.{year}.revisions]] number {number + 1}"

        def problem(key, message, table=table, line=line):
            found.problems.append(ConfigProblem(found.name, line, table, key, message))

        if not isinstance(revision, dict):
            problem(None, "must be a table: [[years.N.revisions]] with date and what")
            continue
        for key, value in revision.items():
            if key not in REVISION_KEYS:
                close = difflib.get_close_matches(key, list(REVISION_KEYS), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problem(key, f"unknown key{hint}; known keys: {', '.join(REVISION_KEYS)}")
            elif not _type_ok(value, REVISION_KEYS[key][0]):
                quoted = " written without quotes" if isinstance(value, str) else ""
                problem(key, f"must be {_kind_name(REVISION_KEYS[key][0])}{quoted}")
        for key, (_, required) in REVISION_KEYS.items():
            if required and key not in revision:
                problem(None, f"missing key '{key}'")
        given = [key for key in ("old", "new") if key in revision]
        if given and "figure" not in revision:
            problem(None, "old and new need 'figure': the stats.json key of the figure revised")
        elif len(given) == 1:
            problem(None, f"'{given[0]}' needs '{({'old', 'new'} - set(given)).pop()}' too")


def _check_year_values(found: _File, table: str, entry: dict, years: dict) -> None:
    start, end = entry.get("period_start"), entry.get("period_end")
    if _type_ok(start, DATE) and _type_ok(end, DATE) and start > end:
        found.problem(table, "period_end", "the period ends before it starts")
    year = table.removeprefix("years.")
    if _type_ok(end, DATE) and str(end.year) != year:
        found.problem(
            table,
            "period_end",
            f"the period ends in {end.year}, but the data year is {year} (the year the "
            "period ends): rename the table or correct the dates",
        )
    returns = entry.get("returns")
    if isinstance(returns, str) and not (paths.DATA / returns).is_file():
        found.problem(table, "returns", f"no file data/{returns}")
    floor = entry.get("low_response_floor")
    if _type_ok(floor, NUMBER) and not 0 <= floor <= 100:
        found.problem(table, "low_response_floor", "must be a percentage from 0 to 100")
    comparison = entry.get("comparison_year")
    if isinstance(comparison, int) and str(comparison) not in years:
        found.problem(table, "comparison_year", f"there is no [years.{comparison}]")


def _check_overlaps(found: _File, years: dict) -> None:
    """Two data years' periods may not share a day: a child would be counted twice."""
    periods = sorted(
        (entry["period_start"], entry["period_end"], year)
        for year, entry in years.items()
        if isinstance(entry, dict)
        and _type_ok(entry.get("period_start"), DATE)
        and _type_ok(entry.get("period_end"), DATE)
    )
    for (_, end, first), (start, _, second) in zip(periods, periods[1:], strict=False):
        if start <= end:
            found.problem(
                f"years.{second}",
                "period_start",
                f"the period overlaps [years.{first}]'s, which ends on {end}",
            )


def check_sources(found: _File) -> None:
    for key, entry in (found.data or {}).items():
        _check_table(found, key, entry, SOURCE_KEYS)


def check_facts(found: _File, sources: dict) -> None:
    for key, entry in (found.data or {}).items():
        _check_table(found, key, entry, FACT_KEYS)
        source = entry.get("source") if isinstance(entry, dict) else None
        if isinstance(source, str) and source not in sources:
            found.problem(key, "source", f"cites '{source}', which is not in data/sources.toml")
        share = entry.get("share") if isinstance(entry, dict) else None
        if share is not None and not (isinstance(share, float) and 0 < share <= 1):
            found.problem(
                key, "share", f"must be a decimal from 0 to 1 (0.1 for one in ten), not {share!r}"
            )


def _check_table(found: _File, table: str, entry, keys: dict) -> None:
    if not isinstance(entry, dict):
        found.problem(table, None, "must be a table of keys")
        return
    for key, value in entry.items():
        if key not in keys:
            _unknown_key(found, table, key, keys)
        elif not isinstance(value, str) and key not in NUMBER_KEYS:
            found.problem(table, key, "must be a text (in quotes)")
    for key, required in keys.items():
        if required and key not in entry:
            found.problem(table, None, f"missing key '{key}'")


# cite("source"), fact("fact"), and the comparisons that print a fact: looked_after("fact"),
# away_longer("fact").
CITATION = re.compile(r"""\b(cite|fact|looked_after|away_longer)\(\s*["']([^"']*)["']""")


def template_citations() -> list[tuple[str, int, str, str]]:
    """(template, line, 'cite' or 'fact', key) for every citation typed in a template."""
    found = []
    for template in sorted(paths.TEMPLATES.rglob("*.j2")):
        name = f"templates/{template.relative_to(paths.TEMPLATES)}"
        text = re.sub(  # Jinja comments are not citations; keep their lines for numbering
            r"\{#.*?#\}",
            lambda m: "\n" * m.group().count("\n"),
            template.read_text("utf-8"),
            flags=re.S,
        )
        for number, line in enumerate(text.splitlines(), 1):
            found += [(name, number, kind, key) for kind, key in CITATION.findall(line)]
    return found


def check_templates(sources: dict, facts: dict) -> list[ConfigProblem]:
    problems = []
    for template, line, kind, key in template_citations():
        registry, file = (sources, "sources") if kind == "cite" else (facts, "facts")
        if key not in registry:
            problems.append(
                ConfigProblem(
                    template, line, kind, key, f"{kind}('{key}') names nothing in data/{file}.toml"
                )
            )
        elif kind not in ("cite", "fact") and "share" not in registry[key]:
            problems.append(
                ConfigProblem(
                    template, line, kind, key, f"{kind}('{key}') compares a fact with no share"
                )
            )
    return problems


def uncited_sources() -> list[str]:
    """Registered sources no template cites, directly or through a fact: worth a warning."""
    sources = tomllib.loads(paths.SOURCES.read_text(encoding="utf-8"))
    facts = tomllib.loads(paths.FACTS.read_text(encoding="utf-8"))
    cited = set()
    for _, _, kind, key in template_citations():
        cited.add(key if kind == "cite" else facts.get(key, {}).get("source"))
    return sorted(set(sources) - cited)


WEB_ADDRESS = re.compile(r"https?://[^\s/]+\S*")


def check_urls(found: _File) -> None:
    """Every address the report links to is a web address: a `javascript:` or `data:` one
    would be a live link on the charity's page."""

    def walk(node, table):
        if isinstance(node, list):
            for item in node:
                walk(item, table)
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, dict | list):
                    walk(value, f"{table}.{key}" if table else key)
                elif key.endswith("url") and value != "" and not _web_address(value):
                    line = _line_of(found, key, value)
                    found.problems.append(
                        ConfigProblem(
                            found.name,
                            line,
                            table or "file",
                            key,
                            f"'{value}' is not a web address (it must start https:// or http://)",
                        )
                    )

    walk(found.data or {}, "")


def _web_address(value) -> bool:
    return isinstance(value, str) and WEB_ADDRESS.fullmatch(value) is not None


def _line_of(found: _File, key: str, value) -> int | None:
    for number, text in enumerate(found.text.splitlines(), start=1):
        if re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", text) and str(value) in text:
            return number
    return None


def configuration_problems() -> list[ConfigProblem]:
    files = [_File(Path(p)) for p in (paths.EDITIONS, paths.SOURCES, paths.FACTS, paths.COLOPHON)]
    check_editions(files[0])
    check_sources(files[1])
    check_facts(files[2], files[1].data or {})
    for found in files[1:]:
        check_urls(found)
    problems = [problem for f in files for problem in f.problems]
    problems += check_templates(files[1].data or {}, files[2].data or {})
    problems += [
        ConfigProblem(p.template, p.line, "template", p.found, f"{p.rule}: '{p.found}'")
        for p in template_rules.all_problems()
    ]
    if not problems:
        problems += check_citation_dates(files[0].data, files[1].data, files[2].data)
    return problems


def check_citation_dates(editions: dict, sources: dict, facts: dict) -> list[ConfigProblem]:
    """No edition cites a source published after it, or cites itself. The shared template's
    citations count for every edition; an edition's own template's for that edition."""
    problems, citations = [], template_citations()  # read the templates once
    for year, entry in editions["years"].items():
        named = re.search(r"\d{4}", str(entry.get("published", "")))
        if "title" not in entry or not named:  # no year yet: a STUB, refused before a build
            continue
        published = int(named.group())
        for template, line, kind, key in citations:
            if template.startswith("templates/editions/") and not template.endswith(
                f"/{year}.html.j2"
            ):
                continue
            source_key = key if kind == "cite" else facts[key]["source"]
            source = sources[source_key]
            why = ""
            if int(re.search(r"\d{4}", source["year"]).group()) > published:
                why = f"was published in {source['year']}, after the {year} edition ({published})"
            elif entry["title"].lower() in source["title"].lower() and any(
                publisher in source["author"] for publisher in entry.get("publishers", [])
            ):
                why = f"is the {year} edition itself"
            if why:
                problems.append(
                    ConfigProblem(
                        template, line, kind, key, f"{kind}('{key}'): '{source_key}' {why}"
                    )
                )
    return problems


def check_configuration() -> None:
    """Raise an InputError (exit 2) listing every problem in the configuration files."""
    problems = configuration_problems()
    if problems:
        count = len(problems)
        raise InputError(
            f"the configuration has {count} problem{'s' * (count > 1)}; nothing was built",
            [f"error: {p}" for p in problems],
        )
