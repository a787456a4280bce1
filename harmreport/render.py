"""Assemble statistics, figures and prose into the report: one HTML page, and a PDF printed
by WeasyPrint from the same HTML and CSS."""

import base64
import csv
import difflib
import json
import logging
import re
import tomllib
import traceback
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, UndefinedError
from markupsafe import Markup

from . import codes, disclosure, editions, formatting, paths, returns, sources, template_rules
from .errors import InputError
from .outputs import flatten


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
    )
    return env


def report_template(year: int) -> str:
    edition_template = paths.TEMPLATES / "editions" / f"{year}.html.j2"
    return f"editions/{year}.html.j2" if edition_template.exists() else "report.html.j2"


def svg_data_uri(path: Path) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def page_charts(folder: Path) -> dict[str, str]:
    """Each chart once, for the web page: its narrow drawing (made to be read on a phone, and
    shown up to half as large again on a wide screen), embedded in the page; no second copy
    for wide screens."""
    charts = {}
    for path in sorted(folder.glob("*.svg")):
        name = path.stem.removesuffix("_narrow")
        narrow = folder / f"{name}_narrow.svg"
        charts[name] = svg_data_uri(narrow if narrow.is_file() else path)
    return charts


FIGURE_LINK = "hbh-figure:"  # the print HTML's figures: fetched by render_pdf once drawn


class FigureLinks:
    """Figures for the HTML the PDF is printed from, as links (`hbh-figure:<name>`) that
    render_pdf resolves when WeasyPrint first needs them: the HTML can be made, and its
    printing begun, while the figures are still being drawn."""

    def get(self, name: str, default=None) -> str:
        return FIGURE_LINK + name

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
    registry = sources.load_sources()
    notes = sources.Notes(registry, sources.load_facts(sources=registry))
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
        "notes": notes,
        "categories": codes.CATEGORIES,
        "category_labels": codes.CATEGORY_LABELS,
        "question_labels": dict(zip(returns.COUNT_COLUMNS, QUESTION_TEXT, strict=True)),
        "value_codes": VALUE_CODES,
        "how_many": lambda key: how_many(stats, key),
        "colophon": load_colophon(),
        "number_of": Counters(),
        "answers": read_answers(folder / "answers.csv"),
        "computed_in": computed_in(),
        "trend_rows": trend_rows(stats),
        "compared": lambda key: compared(stats, key),
        "direction": formatting.direction,
        "relative_size": formatting.relative_size,
        "by_size": formatting.by_size,
        "source_line": source_line(stats, edition),
        "small_counts": SMALL_COUNTS,
        "question_short": QUESTION_SHORT,
        "answer_marks": ANSWER_MARKS,
        "filler_pages": FILLER_PAGES if for_print else 0,
        "data_of": lambda name: "answers.csv" if name == "answers" else f"data/{name}.csv",
        "figure_data": FIGURE_DATA,
        "watermark_css": Markup(watermark_css() if for_print and illustrative else ""),
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
    from . import tables

    questions = dict(zip(returns.COUNT_COLUMNS, QUESTION_TEXT, strict=True))
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
    return tables.write_tables(
        tables.report_tables(stats, questions), folder / tables.FOLDER, cover
    )


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


def how_many(stats: dict, key: str) -> Markup:
    """A count of children as a sentence says it, including one disclosure control hid."""
    value = stats
    for part in key.split("."):
        value = value[part]
    if value != disclosure.MARK:
        return Markup(formatting.number(value))
    if key in stats["disclosure"]["fewer_than_five"]:
        return Markup("fewer than five ([c])")
    return Markup("an unpublished number ([c])")


SMALL_COUNTS = (
    f"from {formatting.count_word(1)} to {formatting.count_word(disclosure.THRESHOLD - 1)}"
)
QUESTION_SHORT = tuple(f"Q{n}" for n in range(1, len(returns.COUNT_COLUMNS) + 1))
ANSWER_MARKS = {
    codes.COUNT: "N",
    codes.SUPPRESSED: "W",
    codes.NOT_RECORDED: "R",
    codes.REFUSED: "X",
    codes.NO_RESPONSE: "–",
}


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
        page = notebook.replace(".ipynb", ".html")  # harmreport.notebook_pages
        found.append({"label": label, "key": key, "notebook": notebook, "page": page, **where})
    return found


def _assigns(source: str, first: str, name: str) -> bool:
    """Whether a cell's code assigns stats[first]...[name] (a group's keys in a loop)."""
    of_group = first in returns.GROUPS and "GROUPS" in source
    return (of_group or f'"{first}"' in source) and bool(
        re.search(rf"""["']{name}["']\]?\s*[=:]""", source)
    )


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
                **{k: figures[k] for k in TREND_KEYS},
            }
        )
    return rows


def compared(stats: dict, key: str) -> str:
    """Generated wording for a share against the previous edition: "up from 27% in 2017"."""
    years = list(stats.get("trend", {}))
    if len(years) < 2:
        return ""
    now, then = (stats["trend"][y][key] for y in years[-2:][::-1])
    if not all(isinstance(v, int | float) for v in (now, then)):
        return ""
    way = formatting.direction(now, then)
    if way == "same":
        return f"the same as in {years[-2]}"
    return f"{way} from {formatting.percent(then)} in {years[-2]}"


# WeasyPrint's XMP has the title and author; the language (dc:language) is added here.
LANGUAGE_XMP = "data:application/rdf+xml;base64," + base64.b64encode(
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description rdf:about="">'
    b"<dc:language><rdf:Bag><rdf:li>en-GB</rdf:li></rdf:Bag></dc:language>"
    b"</rdf:Description></rdf:RDF>"
).decode("ascii")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        message = record.getMessage()
        self.messages.append(message if len(message) < 300 else message[:300] + "...")


def load_printer() -> None:
    """Import WeasyPrint (Pango, fonts): slow, and only the PDF needs it, so the build does it
    in the background while the notebooks run."""
    import weasyprint  # noqa: F401


NOTE_TAGS = {"::footnote-call": "Reference", "::footnote-marker": "Lbl"}


def _tag_notes() -> None:
    """Tag a note's call as a PDF Reference and its number as a label, so that a screen
    reader announces them as such (WeasyPrint tags both as NonStruct). Done once, by wrapping
    WeasyPrint's own mapping of HTML to PDF tags; tests/test_web.py checks that it holds."""
    from weasyprint.pdf import tags

    if getattr(tags._get_pdf_tag, "notes_tagged", False):
        return
    original = tags._get_pdf_tag

    def pdf_tag(tag):
        for ending, pdf_name in NOTE_TAGS.items():
            if tag and tag.endswith(ending):
                return pdf_name
        return original(tag)

    pdf_tag.notes_tagged = True
    tags._get_pdf_tag = pdf_tag


def render_pdf(html: str, folder: Path, target: Path, figures_drawn=lambda: None) -> list[str]:
    """Print the PDF (tagged, PDF/UA-1, with XMP metadata); returns WeasyPrint's warnings
    and the pages left too empty.
    The figures are read from `folder`/figures once `figures_drawn()` has returned (it waits
    for them, or raises if they will never come)."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDF needs it

    _tag_notes()
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        document = HTML(
            string=html, base_url=str(folder), url_fetcher=_fetcher(folder, figures_drawn)
        ).render(pdf_tags=True, pdf_variant="pdf/ua-1")
        pages = bound_pages(document.pages)
        document.copy(pages).write_pdf(
            target, pdf_tags=True, pdf_variant="pdf/ua-1", xmp_metadata=[LANGUAGE_XMP]
        )
    finally:
        logger.removeHandler(collect)
    return [f"WeasyPrint: {message}" for message in collect.messages] + short_pages(pages)


def watermark_css() -> str:
    """Every page of an illustrative edition's PDF says so across it, behind the text: drawn
    as outlines, not text, so that it never mixes into the text a reader copies."""
    from matplotlib.path import Path as Outline
    from matplotlib.textpath import TextPath

    words = TextPath((0, 0), "Illustrative data", size=24, prop={"weight": "bold"})
    steps = {Outline.MOVETO: "M", Outline.LINETO: "L", Outline.CURVE3: "Q", Outline.CURVE4: "C",
             Outline.CLOSEPOLY: "Z"}  # fmt: skip
    drawn = " ".join(
        steps[code] + ("" if code == Outline.CLOSEPOLY else " ".join(f"{v:.2f}" for v in vertex))
        for vertex, code in words.iter_segments(simplify=False, curves=True)
    )
    box = words.get_extents()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 210 297"><g fill="#6b4f00" '
        f'fill-opacity="0.13" transform="translate(105 148) rotate(-55) scale(1 -1) '
        f'translate({-box.x0 - box.width / 2:.2f} {-box.y0 - box.height / 2:.2f})">'
        f'<path d="{drawn}"/></g></svg>'
    )
    image = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
    return (
        f'@page {{ background: url("{image}") center / 100% no-repeat; }}\n'
        f'@page back {{ background: url("{image}") center / 100% no-repeat, #00558c; }}'
    )


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
FILLER_PAGES = 3  # blank pages the report ends with, before its back cover: up to three are kept


def bound_pages(pages: list) -> list:
    """The pages to print: all but the blank ones, then as many blank ones before the back
    cover as make the count a multiple of four, so the sheets fold into a booklet."""
    blank = [page for page in pages if _page_name(page) == "blank"]
    printed = [page for page in pages if _page_name(page) != "blank"]
    needed = -len(printed) % 4
    return printed[:-1] + blank[:needed] + printed[-1:]


def _page_name(page) -> str:
    return page._page_box.page_type.name or ""


DESIGNED_PAGES = {"cover", "plain", "blank", "back"}
FLOWED_PAGE_FILL = 0.4  # a page of flowing text filled less than this is a layout fault
_INK = {"LineBox", "InlineReplacedBox", "BlockReplacedBox", "TableRowBox"}


def page_fill(page) -> float:
    """How far down its text area a page's content reaches (0 to 1): the footnotes and the
    running heads and feet are left out, so a page of two lines and a note is nearly empty."""
    box = page._page_box
    bottoms = [
        child.position_y + child.margin_height()
        for root in box.children
        if type(root).__name__ not in ("MarginBox", "FootnoteAreaBox")
        for child in _descendants(root)
        if type(child).__name__ in _INK
    ]
    return (max(bottoms) - box.content_box_y()) / box.height if bottoms else 0.0


def short_pages(pages: list) -> list[str]:
    """Pages of flowing text filled less than FLOWED_PAGE_FILL, other than the designed
    pages and the last page before a forced new page (a chapter's natural end)."""
    short = []
    for number, page in enumerate(pages, start=1):
        follows = pages[number] if number < len(pages) else None
        ends_run = follows is None or _page_name(follows) in DESIGNED_PAGES or _opens_part(follows)
        if _page_name(page) in DESIGNED_PAGES or ends_run:
            continue
        fill = page_fill(page)
        if fill < FLOWED_PAGE_FILL:
            short.append(f"page {number} is only {fill:.0%} full")
    return short


def _opens_part(page) -> bool:
    """Whether a page begins with the key findings or an appendix (each starts a page)."""
    for box in _descendants(page._page_box):
        element = getattr(box, "element", None)
        if element is not None and element.get("id", "") in PART_IDS:
            return True
    return False


PART_IDS = {"key-findings", "appendix-answers"}


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _fetcher(folder: Path, figures_drawn):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class FigureFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(FIGURE_LINK):
                return super().fetch(url, headers)
            try:
                figures_drawn()
                svg = (folder / "figures" / f"{url.removeprefix(FIGURE_LINK)}.svg").read_bytes()
            except Exception as exc:  # the PDF would lack a figure: stop printing it
                raise FatalURLFetchingError(f"figure {url}: {exc}") from exc
            return URLFetcherResponse(url, svg, {"Content-Type": "image/svg+xml"})

    return FigureFetcher()


def base_css() -> str:
    return (paths.TEMPLATES / "report.css").read_text(encoding="utf-8")


def web_css() -> str:
    """The web page's styles: the shared ones, then phones and printing the page."""
    return base_css() + "\n" + (paths.TEMPLATES / "screen.css").read_text(encoding="utf-8")


def render_index(entries: list[dict], out_root: Path) -> str:
    """The list of editions, with the trend across them: the chart is the newest built
    edition's (it holds every edition up to it), the table each edition's own figures."""
    newest = next((e for e in entries if e["built"]), None)
    figures = {}
    if newest:
        folder = out_root / str(newest["year"]) / "figures"
        figures = {k: v for k, v in page_charts(folder).items() if k == "trend"}
    return (
        environment()
        .get_template("index.html.j2")
        .render(entries=entries, css=Markup(web_css()), figures=figures, colophon=load_colophon())
    )


QUESTION_TEXT = (
    "Trafficked children in care",
    "Trafficked children who went missing",
    "Missing episodes of trafficked children",
    "Unaccompanied children in care",
    "Unaccompanied children who went missing",
    "Missing episodes of unaccompanied children",
    "Children missing for more than a week",
    "Children still missing",
)
# What an exemption an authority cites means, said where the report lists the answers.
EXEMPTIONS = {
    "s12": "s12 (section 12 of the Freedom of Information Act: finding the answer would cost "
    "more than the legal limit)",
    "s40": "s40 (section 40: the answer would disclose personal information)",
}

# What authorities could write in a cell, for the methodology section (from codes.py, so the
# report describes exactly what the validator accepts).
VALUE_CODES = [
    (
        codes.CATEGORY_LABELS[category],
        ", ".join(
            EXEMPTIONS.get(w, w)
            for w in sorted(w or "an empty cell" for w, c in codes.WORDS.items() if c == category)
        ),
    )
    for category in (codes.NOT_RECORDED, codes.REFUSED, codes.NO_RESPONSE)
]
