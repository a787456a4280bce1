"""The report as the charity would publish it: no placeholder or talk of the software, every
number in the text one of the edition's own figures, full pages bound in fours, and note
numbers that stay apart from the figures they follow when the PDF's text is copied."""

import datetime as dt
import html
import json
import re
import subprocess

import pypdf
import pytest

from harmreport.outputs import pdf, render
from harmreport.project import formatting, paths, template_rules
from harmreport.project.jsonfiles import flatten
from tests.conftest import EACH_BUILT, build_messages

pytestmark = pytest.mark.slow  # reads the editions the session builds

NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?")
PROSE = re.compile(r"<(p|li|dd)\b[^>]*>(.*?)</\1>", re.S)
LINKS = re.compile(r"<a [^>]*href=\"http.*?</a>", re.S)  # addresses, first: they hold spans
LEFT_OUT = re.compile(  # what is not prose restating a figure: tables, captions, notes, code
    r"<table.*?</table>|<figcaption.*?</figcaption>|<p class=\"table-source\">.*?</p>"
    r"|<span class=\"footnote\">.*?</span>|<a class=\"noteref\".*?</a>|<code>.*?</code>"
    r"|<nav.*?</nav>",
    re.S,
)
TAG = re.compile(r"<[^>]+>")


def report_body(page: str) -> str:
    """The report's chapters, from the key findings to the methodology."""
    start = page.index('<section id="key-findings"')
    end = page.index('<section id="appendix-answers"')
    return LEFT_OUT.sub(" ", LINKS.sub(" ", page[start:end]))


def figures_of(stats: dict) -> set[str]:
    """Every way the report may print one of the edition's figures, or a sum or difference
    of Table 1's (authorities that gave a number or withheld one; those that could not)."""
    shown = set()
    answers = stats["data_quality"].values()
    derived = [a["count"] + a["suppressed"] for a in answers] + [
        stats["authorities"]["contacted"] - stats[group]["authorities_reporting"]
        for group in ("trafficked", "unaccompanied")
    ]
    for value in [value for _, value in flatten(stats)] + derived:
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        ways = [str(value), formatting.number(value) if value == int(value) else ""]
        if isinstance(value, float):
            ways += [formatting.percent(value), formatting.decimal(value)]
            ways += [formatting.relative_size(value)]
            ways += [formatting.one_in(value)] if 0 < value < 1 else []
        for way in ways:
            shown.update(NUMBER.findall(way))
    return shown


def words_with_numbers() -> set[str]:
    """Numbers that come from a sourced fact or from the edition's own description."""
    text = "".join(
        (paths.DATA / name).read_text(encoding="utf-8")
        for name in ("facts.toml", "editions.toml", "colophon.toml")
    )
    said = json.dumps([render.VALUE_CODES, str(render.answer_key())])
    return set(NUMBER.findall(text + said))


def checked_statements(built, year) -> tuple[int, list[str]]:
    page = (built / str(year) / "index.html").read_text(encoding="utf-8")
    stats = json.loads((built / str(year) / "stats.json").read_text())
    known = figures_of(stats) | words_with_numbers()
    count, unknown = 0, []
    for _, body in PROSE.findall(report_body(page)):
        text = html.unescape(TAG.sub("", body))
        numbers = NUMBER.findall(text)
        count += bool(numbers)
        unknown += [f"{n!r} in: {text.strip()[:120]}" for n in numbers if n not in known]
    return count, unknown


@pytest.mark.parametrize("year", EACH_BUILT)
def test_every_number_in_the_text_is_one_of_the_edition_s_figures(built, year):
    count, unknown = checked_statements(built, year)
    assert count > 20  # the statements with a number that were checked
    assert unknown == []


def test_the_check_of_numbers_catches_a_number_the_figures_do_not_hold(built, tmp_path):
    page = (built / "2015" / "index.html").read_text(encoding="utf-8")
    wrong = page.replace("could tell us how many trafficked", "could tell us how 9,999 trafficked")
    (tmp_path / "2015").mkdir()
    (tmp_path / "2015" / "index.html").write_text(wrong, encoding="utf-8")
    (tmp_path / "2015" / "stats.json").write_bytes((built / "2015" / "stats.json").read_bytes())
    assert any("'9,999'" in found for found in checked_statements(tmp_path, 2015)[1])


SERIES_CHAPTERS = (
    ("background", "Why this matters"),
    ("trafficked", "Trafficked children"),
    ("recommendations", "What needs to change"),
    ("methodology", "Methodology and caveats"),
    ("appendix-answers", "Appendix A"),
)


@pytest.mark.parametrize("year", EACH_BUILT)
def test_no_placeholder_or_talk_of_the_software_is_published(built, texts, year):
    for kind in ("html", "pdf"):
        assert not template_rules.UNFINISHED.search(texts[year][kind]), kind
    page = (built / str(year) / "index.html").read_text(encoding="utf-8")
    # Every edition has the series' chapters: context, findings, what needs to change,
    # methodology, appendix, on the page and in the PDF.
    for chapter, heading in SERIES_CHAPTERS:
        assert f'id="{chapter}"' in page, chapter
        assert heading in texts[year]["pdf"], heading
    # The recommendations as published (2015, 2020, from the sources we hold), never
    # invented: the others say they are not held here and cite the published report.
    held = year in (2015, 2020)
    assert ("do not set out the recommendations" in page) != held
    chapter = page.split('id="recommendations"')[1].split("</section>")[0]
    assert 'role="doc-noteref"' in chapter and ("<li>" in chapter.split("Getting help")[0]) == held
    assert "Appendix B" not in texts[year]["pdf"]


def test_a_placeholder_or_an_empty_chapter_is_found():
    page = (
        '<body><section id="change" class="chapter"><h2>Change</h2>\n</section>'
        "<p>The recommendations are not held by this project.</p></body>"
    )
    assert template_rules.unfinished(page) == [
        "the report says 'not held by'",
        "the report says 'this project'",
        "the chapter 'change' is empty",
    ]


@pytest.mark.parametrize("year", EACH_BUILT)
def test_the_pdf_is_bound_in_fours_with_no_page_left_nearly_empty(built, year):
    pages = pypdf.PdfReader(built / str(year) / "report.pdf").pages
    assert len(pages) % 4 == 0
    assert "is only" not in build_messages(built)  # the printer's own measure of each page


def test_a_page_of_two_lines_is_reported_short(tmp_path):
    """The measure behind that message, on a real layout: a paragraph, then a forced new
    page and a full one; the last page, which ends the text, is short by nature."""
    from weasyprint import HTML

    page = '<p>Two lines.</p><p style="break-before: page">Then more.</p>' + "<p>Text.</p>" * 60
    pages = HTML(string=page).render().pages
    assert pdf.page_fill(pages[0]) < 0.1 < 0.9 < pdf.page_fill(pages[1])
    assert pdf.short_pages(pages) == [f"page 1 is only {pdf.page_fill(pages[0]):.0%} full"]
    assert len(pdf.bound_pages(pages)) == len(pages)  # no blank page to keep or drop


@pytest.mark.parametrize("year", EACH_BUILT)
def test_note_numbers_are_tagged_and_never_glued_to_the_figure_before_them(built, year):
    page = (built / str(year) / "index.html").read_text(encoding="utf-8")
    calls = re.findall(r"(\S{1,20})<a class=\"noteref\"[^>]*>(\d+)</a>", page)
    text = subprocess.run(
        ["pdftotext", "-layout", str(built / str(year) / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    text = re.sub(r"\s+", " ", text)
    for before, number in calls:
        word = TAG.sub("", before)[-8:]
        assert f"{word}{number} " not in text
    reader = pypdf.PdfReader(built / str(year) / "report.pdf")
    tags = json.dumps(str(reader.trailer["/Root"]["/StructTreeRoot"].get_object()))
    assert calls and tags  # the tree is there; the references are counted below
    assert _count_tags(reader, "/Reference") == len(calls)


def _count_tags(reader, name: str) -> int:
    found, stack = 0, [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, pypdf.generic.DictionaryObject):
            continue
        found += node.get("/S") == name
        kids = node.get("/K")
        if isinstance(kids, pypdf.generic.ArrayObject):
            stack += [k for k in kids if isinstance(k, pypdf.generic.IndirectObject)]
        elif isinstance(kids, pypdf.generic.IndirectObject):
            stack.append(kids)
    return found


def test_a_republished_edition_lists_its_revisions_and_says_when_it_was_updated(built):
    from dataclasses import replace

    from harmreport.project import editions

    folder = built / "2024"
    stats = json.loads((folder / "stats.json").read_text())
    change = {
        "date": dt.date(2026, 3, 1),
        "what": "Corrected the number of trafficked children in care.",  # a full stop typed
        "figure": "trafficked.in_care",
        "old": 2638,
        "new": 2640,
    }
    share = {"date": dt.date(2026, 3, 9), "what": "Kent's returns corrected", "old": 0.305,
             "new": 0.322, "figure": "trafficked.share_went_missing"}  # fmt: skip
    edition = replace(editions.edition(2024), revisions=(change, share), next_edition="2027")
    page = html.unescape(TAG.sub("", render.render_html(stats, edition, folder)))
    assert (
        "1 March 2026: Corrected the number of trafficked children in care (was 2,638, now "
        "2,640)." in page
    )
    assert "9 March 2026: Kent's returns corrected (was 31%, now 32%)." in page
    assert "in November 2025; updated 9 March 2026." in page
    assert "Next edition expected: 2027." in page
    plain = html.unescape(
        TAG.sub("", render.render_html(stats, editions.edition(2015), built / "2015"))
    )
    assert "RevisionsNone since publication." in plain
