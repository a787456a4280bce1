"""Assemble statistics, figures and prose into the report: one HTML page, and a PDF printed
by WeasyPrint from the same HTML and CSS."""

import base64
import csv
import difflib
import json
import re
import tomllib
import traceback
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, UndefinedError
from markupsafe import Markup

from harmreport.analysis import disclosure
from harmreport.intake import cell_codes, returns
from harmreport.outputs import footnotes, pdf, prose
from harmreport.project import editions, formatting, paths, template_rules
from harmreport.project.errors import InputError
from harmreport.project.jsonfiles import flatten


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(paths.TEMPLATES),
        autoescape=True,  # every template, whatever its extension
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        percent=formatting.percent,
        number=formatting.number,
        decimal=formatting.decimal,
        one_in=formatting.one_in,
        count_word=formatting.count_word,
        common_name=formatting.common_name,
        no_widow=formatting.no_widow,
        cell=formatting.table_cell,
        share_cell=formatting.table_share,
        long_date=formatting.long_date,
        revised=formatting.revised_value,
        phrase=formatting.without_full_stop,
    )
    return env


def report_template(year: int) -> str:
    edition_template = paths.TEMPLATES / "editions" / f"{year}.html.j2"
    return f"editions/{year}.html.j2" if edition_template.exists() else "report.html.j2"


def svg_data_uri(path: Path) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def page_charts(folder: Path, names=None) -> dict[str, str]:
    """Each chart once (or those `names`), for the web page: its narrow drawing (made to be
    read on a phone, and shown up to half as large again on a wide screen), embedded in the
    page; no second copy for wide screens."""
    found = sorted({path.stem.removesuffix("_narrow") for path in folder.glob("*.svg")})
    charts = {}
    for name in found if names is None else [n for n in names if n in found]:
        narrow = folder / f"{name}_narrow.svg"
        charts[name] = svg_data_uri(narrow if narrow.is_file() else folder / f"{name}.svg")
    return charts


class FigureLinks:
    """Figures for the HTML the PDF is printed from, as links (`hbh-figure:<name>`) that
    render_pdf resolves when WeasyPrint first needs them: the HTML can be made, and its
    printing begun, while the figures are still being drawn."""

    def get(self, name: str, default=None) -> str:
        return pdf.FIGURE_LINK + name

    __getitem__ = get


def render_html(
    stats: dict,
    edition: editions.DataYear,
    folder: Path,
    pdf_size="",
    base_url="",
    for_print=False,
) -> str:
    """The report page; figures are read from `folder`/figures and embedded, so the page
    makes no request of its own. `for_print` adds print.css, the paged-media rules only
    WeasyPrint reads, for the HTML the PDF is made from, and links to the figures instead."""
    illustrative = stats.get("illustrative")
    told = prose.Figures(stats)
    registry = footnotes.load_sources()
    notes = footnotes.Notes(registry, footnotes.load_facts(sources=registry))
    figures = folder / "figures"
    context = {
        "stats": stats,
        "edition": edition,
        "figures": FigureLinks() if for_print else page_charts(figures),
        "css": Markup(base_css() if for_print else web_css()),
        "pdf_size": pdf_size,
        "base_url": base_url,
        "for_print": for_print,
        "print_css": Markup(
            (paths.TEMPLATES / "print.css").read_text(encoding="utf-8") if for_print else ""
        ),
        "cite": notes.cite,
        "fact": notes.fact,
        "published_report": lambda: notes.published_report(edition),
        "looked_after": lambda key, group="trafficked": prose.looked_after_comparison(
            told, group, notes.fact(key), notes.facts[key].share
        ),
        "away_longer": lambda key: prose.longer_comparison(
            told, notes.fact(key), notes.facts[key].share
        ),
        "notes": notes,
        "categories": cell_codes.in_use(stats["data_quality"]),
        "category_labels": cell_codes.CATEGORY_LABELS,
        "question_labels": QUESTIONS,
        "value_codes": VALUE_CODES,
        "how_many": lambda key: Markup(told.how_many(key)),
        "colophon": load_colophon(),
        "number_of": Counters(),
        "answers": read_answers(folder / "answers.csv"),
        "computed_in": computed_in(),
        "trend_rows": trend_rows(stats),
        "trend_source": trend_source(stats, edition),
        "compared": lambda key: compared(stats, key),
        "key_findings": prose.key_findings(stats, compared(stats, TRAFFICKED_SHARE)),
        "told": told,
        "prose": prose,
        "direction": formatting.direction,
        "relative_size": formatting.relative_size,
        "by_size": formatting.by_size,
        "source_line": source_line(stats, edition),
        "small_counts": SMALL_COUNTS,
        "question_short": QUESTION_SHORT,
        "answer_key": answer_key(),
        "filler_pages": pdf.FILLER_PAGES if for_print else 0,
        "data_of": lambda name: "answers.csv" if name == "answers" else f"data/{name}.csv",
        "figure_data": FIGURE_DATA,
        "watermark_css": Markup(pdf.watermark_css() if for_print and illustrative else ""),
    }
    template = environment().get_template(report_template(edition.year))
    try:
        html = template.render(context)
    except (UndefinedError, KeyError) as exc:  # a misspelt statistic or name in a template
        raise InputError(template_mistake(exc, stats)) from None
    problems = template_rules.unfinished(html)
    if problems:
        raise InputError(
            f"the {edition.year} report is not finished; nothing was published", problems
        )
    return html


def write_tables(stats: dict, edition: editions.DataYear, folder: Path) -> list[Path]:
    """The report's tables as CSV files and one spreadsheet, in `folder`/data."""
    from harmreport.outputs import tables

    colophon = load_colophon()
    cover = {
        "title": f"{edition.title}: the tables of the report, {edition.period_label}",
        "lines": [
            f"Published by {' and '.join(edition.publishers)}, {edition.published}.",
            f"Source: {source_line(stats, edition)}.",
            *(["Illustrative data: figures for single authorities are invented."]
              if stats.get("illustrative") else []),
            "Each table is on a sheet of its own (see contents); shorthand is explained in notes.",
            "Figures shown as [c] are confidential: hidden to protect children's identities.",
            f"Licence: {colophon['licence']['name']} ({colophon['licence']['url']}).",
            f"Contact: {colophon['statistics']['contact']}, {colophon['statistics']['url']}.",
        ],
    }  # fmt: skip
    report_tables = tables.report_tables(stats, QUESTIONS)
    written = tables.write_tables(report_tables, folder / tables.FOLDER, cover)
    about = {
        "name": re.sub(r"[^a-z0-9]+", "-", f"{edition.title} {edition.year}".lower()),
        "title": cover["title"],
        "licence": {"name": "CC-BY-4.0", "path": colophon["licence"]["url"],
                    "title": colophon["licence"]["name"]},
        "source": source_line(stats, edition),
        "titles": {f"{tables.FOLDER}/{t.name}.csv": t.title for t in report_tables},
    }  # fmt: skip
    package = folder / "datapackage.json"
    package.write_text(tables.datapackage_text(folder, about), encoding="utf-8")
    return [*written, package]


def template_mistake(exc: Exception, stats: dict) -> str:
    """Where in which template a name is unknown, and what it may have meant."""
    where = next(
        (f"templates/{Path(f.filename).relative_to(paths.TEMPLATES)}, line {f.lineno}"
         for f in reversed(traceback.extract_tb(exc.__traceback__))
         if f.filename.endswith(".j2")),
        "a template",
    )  # fmt: skip
    text = exc.message if isinstance(exc, UndefinedError) else f"no statistic '{exc.args[0]}'"
    missing = re.search(r"'([^']+)'$", text) or re.search(r"'([^']+)'", text)
    known = {part for key, _ in flatten(stats) for part in key.split(".")}
    close = difflib.get_close_matches(missing.group(1), known, n=1) if missing else []
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{where}: {text}{hint}; nothing was published"


SMALL_COUNTS = (
    f"from {formatting.count_word(1)} to {formatting.count_word(disclosure.THRESHOLD - 1)}"
)
QUESTION_SHORT = tuple(f"Q{n}" for n in range(1, len(returns.COUNT_COLUMNS) + 1))
KEY_EXTRAS = {  # what Appendix A's key adds to a kind's label
    cell_codes.SUPPRESSED: " (confidential), with the range the authority gave, such as [c] 0–5",
    cell_codes.NOT_RECORDED: " (not available)",
    cell_codes.REFUSED: ", with the section of the Act it cited, such as refused s12",
    cell_codes.OTHER_BASIS: ", so not counted",
}


def answer_key() -> Markup:
    """Appendix A's key, from the one vocabulary of answer kinds (codes)."""
    return Markup("; ").join(
        Markup("<strong>{}</strong> {}{}").format(
            mark, cell_codes.CATEGORY_LABELS[kind], KEY_EXTRAS.get(kind, "")
        )
        for kind, mark in cell_codes.ANSWER_MARKS.items()
    ) + Markup(".")


def source_line(stats: dict, edition) -> str:
    """The "Source:" line of every chart and table."""
    line = (
        f"FOI returns from {stats['authorities']['contacted']} UK local authorities, "
        f"{edition.period_label}; {' and '.join(edition.publishers)}"
    )
    return line + ("; illustrative data" if stats.get("illustrative") else "")


class Counters:
    """Numbers figures and tables in the order the template places them."""

    def __init__(self):
        self.counts = {}

    def __call__(self, kind: str) -> int:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]


def load_colophon() -> dict:
    with open(paths.COLOPHON, "rb") as f:
        return tomllib.load(f)


def read_answers(path: Path) -> list[dict]:
    """answers.csv (notebook 1): each authority's answer category per question."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# Headline figures as the appendix lists them: what the report calls it, its stats.json key.
HEADLINE_FIGURES = (
    ("Authorities contacted", "authorities.contacted"),
    ("Reporting rate, trafficked children", "trafficked.reporting_rate"),
    ("Reporting rate, unaccompanied children", "unaccompanied.reporting_rate"),
    ("Trafficked children in care", "trafficked.in_care"),
    ("Trafficked children who went missing", "trafficked.went_missing"),
    ("Share of trafficked children who went missing", "trafficked.share_went_missing"),
    ("Missing episodes per trafficked child", "trafficked.episodes_per_missing_child"),
    ("Unaccompanied children in care", "unaccompanied.in_care"),
    ("Unaccompanied children who went missing", "unaccompanied.went_missing"),
    ("Share of unaccompanied children who went missing", "unaccompanied.share_went_missing"),
    ("Trafficked and unaccompanied children who went missing", "combined.went_missing"),
    ("Missing for more than a week (share)", "combined.missing_over_week_share"),
    ("Children still missing", "combined.still_missing"),
    ("Authorities with the most children still missing", "combined.most_still_missing"),
    ("London authorities reporting no trafficked children", "london.reporting_zero_trafficked"),
    ("Children in care by region or nation", "regions.table"),
    ("Nationalities of children who went missing", "nationalities"),
    ("Figures of every edition up to this one", "trend"),
)


def computed_in(notebook: str = "02_headline_statistics.ipynb") -> list[dict]:
    """Each headline figure with the notebook cell that computes it: the first code cell that
    assigns its key, and the heading of the section the cell sits in."""
    cells = json.loads((paths.NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
    found = []
    for label, key in HEADLINE_FIGURES:
        first, name = key.split(".")[0], key.split(".")[-1]
        heading, where = "", None
        for cell in cells:
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and source.startswith("#"):
                heading = source.splitlines()[0].lstrip("# ").strip()
            elif cell["cell_type"] == "code" and _assigns(source, first, name):
                where = {"cell": cell["id"], "section": heading}
                break
        if where is None:
            raise LookupError(f"no cell of {notebook} assigns '{key}'")
        page = notebook.replace(".ipynb", ".html")  # harmreport.notebooks.pages
        found.append({"label": label, "key": key, "notebook": notebook, "page": page, **where})
    return found


def _assigns(source: str, first: str, name: str) -> bool:
    """Whether a cell's code assigns stats[first]...[name] (a group's keys in a loop)."""
    of_group = first in returns.GROUPS and "GROUPS" in source
    return (of_group or f'"{first}"' in source) and bool(
        re.search(rf"""["']{name}["']\]?\s*[=:]""", source)
    )


TRAFFICKED_SHARE = "trafficked_share_went_missing"
TREND_KEYS = (
    "trafficked_in_care",
    "trafficked_share_went_missing",
    "trafficked_reporting_rate",
    "unaccompanied_in_care",
    "unaccompanied_share_went_missing",
    "unaccompanied_reporting_rate",
)


def trend_rows(stats: dict) -> list[dict]:
    """One row per edition up to this one, with its title, from stats.json's trend."""
    rows = []
    for year, figures in stats.get("trend", {}).items():
        edition = editions.data_year(int(year))
        rows.append(
            {
                "year": year,
                "title": edition.title,
                "period": edition.period_label,
                "illustrative": figures.get("illustrative", False),
                **{k: figures[k] for k in TREND_KEYS},
            }
        )
    return rows


def trend_source(stats: dict, edition) -> str:
    """The trend chart's "Source:" line: every edition it draws, each by its own returns."""
    drawn = [f"{row['title']} ({row['period']})" for row in trend_rows(stats)]
    listed = ", ".join(drawn[:-1]) + " and " + drawn[-1] if len(drawn) > 1 else "".join(drawn)
    line = f"FOI returns of each edition drawn: {listed}; {' and '.join(edition.publishers)}"
    return line + ("; illustrative data" if stats.get("illustrative") else "")


def compared(stats: dict, key: str) -> str:
    """Generated wording for a share against the previous edition: "up from 27% in 2017"."""
    years = list(stats.get("trend", {}))
    if len(years) < 2:
        return ""
    now, then = (stats["trend"][y][key] for y in years[-2:][::-1])
    if not all(formatting.is_figure(v) for v in (now, then)):
        return ""
    if (
        stats["trend"][years[-2]].get("illustrative")
        and not stats.get("illustrative")
        and (years[-2], key.replace("_", ".", 1)) not in editions.published_figure_keys()
    ):
        return ""  # a real edition is compared with what an edition published, never invented
    low = stats.get("low_reliability", {})
    if any(f"trend.{y}.{key}" in low for y in years[-2:]):
        return ""
    way = formatting.direction(now, then)
    if way == "same":
        return f"the same as in {years[-2]}"
    return f"{way} from {formatting.percent(then)} in {years[-2]}"


# The table each chart draws (data/<name>.csv; "answers": each authority's answer).
FIGURE_DATA = {
    "responses": "answers_by_question",
    "tile_map": "answers",
    "in_care_and_missing": "in_care_and_missing",
    "share_went_missing": "in_care_and_missing",
    "regions": "regions",
    "nationalities_trafficked": "nationalities_trafficked",
    "nationalities_unaccompanied": "nationalities_unaccompanied",
    "trend": "editions",
}


def base_css() -> str:
    return (paths.TEMPLATES / "report.css").read_text(encoding="utf-8")


def web_css() -> str:
    """The web page's styles: the shared ones, then phones and printing the page."""
    return base_css() + "\n" + (paths.TEMPLATES / "screen.css").read_text(encoding="utf-8")


def render_index(entries: list[dict], out_root: Path) -> str:
    """The list of editions, with the trend across them: the chart is the newest edition's
    (it holds every edition up to it), the table each edition's own figures."""
    newest = next(iter(entries), None)
    figures = {}
    if newest:
        folder = out_root / str(newest["year"]) / "figures"
        figures = page_charts(folder, ["trend"])
    return (
        environment()
        .get_template("index.html.j2")
        .render(entries=entries, css=Markup(web_css()), figures=figures, colophon=load_colophon())
    )


QUESTION_TEXT = cell_codes.COLUMN_LABELS
QUESTIONS = dict(zip(returns.COUNT_COLUMNS, QUESTION_TEXT, strict=True))  # column -> question
# The Acts whose sections an authority may cite, as the methodology names them.
ACTS = {
    cell_codes.FOIA: "the Freedom of Information Act 2000",
    cell_codes.FOISA: "the Freedom of Information (Scotland) Act 2002, for Scottish authorities",
}


def _sections(category: str) -> list[str]:
    """The sections of each Act an answer of `category` may cite, said for readers."""
    return [
        f"s{number} of {ACTS[act]} ({meaning})"
        for (act, number), (kind, meaning) in cell_codes.SECTIONS.items()
        if kind == category
    ]


# What authorities could answer, for the methodology section (from cell_codes.py, so the report
# describes exactly what the validator accepts).
VALUE_CODES = [
    (
        cell_codes.CATEGORY_LABELS[category],
        ", ".join(
            [
                *sorted(
                    w or "an empty cell" for w, c in cell_codes.WORDS.items() if c == category
                ),
                *_sections(category),
            ]
        ),
    )
    for category in (
        cell_codes.NOT_RECORDED,
        cell_codes.REFUSED,
        cell_codes.REDIRECTED,
        cell_codes.NO_RESPONSE,
    )
]
