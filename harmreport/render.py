"""Assemble statistics, figures and prose into the report: one HTML page, and a PDF printed
by WeasyPrint from the same HTML and CSS."""

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import codes, disclosure, editions, formatting, paths, returns, sources

FIGURES = ("share_went_missing", "responses", "regions")


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
    )
    return env


def report_template(year: int) -> str:
    edition_template = paths.TEMPLATES / "editions" / f"{year}.html.j2"
    return f"editions/{year}.html.j2" if edition_template.exists() else "report.html.j2"


def svg_data_uri(path: Path) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def render_html(stats: dict, edition: editions.DataYear, folder: Path) -> str:
    """The report page; figures are read from `folder`/figures and embedded, so the page
    makes no request of its own."""
    registry = sources.load_sources()
    notes = sources.Notes(registry, sources.load_facts(sources=registry))
    context = {
        "stats": stats,
        "edition": edition,
        "figures": {name: svg_data_uri(folder / "figures" / f"{name}.svg") for name in FIGURES},
        "css": Markup((paths.TEMPLATES / "report.css").read_text(encoding="utf-8")),
        "cite": notes.cite,
        "fact": notes.fact,
        "notes": notes,
        "categories": codes.CATEGORIES,
        "category_labels": codes.CATEGORY_LABELS,
        "question_labels": dict(zip(returns.COUNT_COLUMNS, QUESTION_TEXT, strict=True)),
        "value_codes": VALUE_CODES,
        "how_many": lambda key: how_many(stats, key),
    }
    return environment().get_template(report_template(edition.year)).render(context)


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


def render_pdf(html: str, folder: Path, target: Path) -> Path:
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDF needs it

    HTML(string=html, base_url=str(folder)).write_pdf(target, pdf_tags=True)
    return target


def render_index(built: list[dict]) -> str:
    css = Markup((paths.TEMPLATES / "report.css").read_text(encoding="utf-8"))
    return environment().get_template("index.html.j2").render(editions=built, css=css)


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
# What authorities could write in a cell, for the methodology section (from codes.py, so the
# report describes exactly what the validator accepts).
VALUE_CODES = [
    (
        codes.CATEGORY_LABELS[category],
        ", ".join(sorted(w or "an empty cell" for w, c in codes.WORDS.items() if c == category)),
    )
    for category in (codes.NOT_RECORDED, codes.REFUSED, codes.NO_RESPONSE)
]
