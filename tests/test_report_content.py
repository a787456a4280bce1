"""The printed and web report as a reader gets it: contents with page numbers, chapters on new
pages, the tile map of exactly the contact list, the trend across editions equal to each
edition's own statistics, numbered figures and tables with sources, the appendices, the back
page, the PDF's metadata, and pages rendered as pictures for a reviewer to look at."""

import csv
import json
import re
import shutil
import subprocess

import pytest
from markupsafe import escape

from harmreport.intake.returns import load_returns
from harmreport.outputs import pdf, render
from harmreport.project import configuration, editions, paths
from tests.conftest import (
    BUILT,
    EACH_BUILT,
    EDITIONS,
    build_messages,
    here_and_in_ci,
    html_text,
    squash,
)
from tests.test_end_to_end import pdf_pages

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

SHOWN = (2015, 2024)


def stats_of(built, year) -> dict:
    return json.loads((built / str(year) / "stats.json").read_text())


def contents_entries(page: str) -> list[str]:
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group()
    return [
        html_text(m.group(2))
        for m in re.finditer(r'<li( class="screen-only")?><a href="#[^"]+">(.*?)</a>', toc)
        if not m.group(1)
    ]


@pytest.mark.parametrize("year", here_and_in_ci(SHOWN, [2015]))
def test_every_contents_entry_has_a_page_number_and_its_chapter_is_on_that_page(built, year):
    pages = pdf_pages(built / str(year) / "report.pdf")
    contents = next(p for p in pages if "Contents" in p)
    entries = contents_entries((built / str(year) / "index.html").read_text())
    assert len(entries) >= 11  # 2024: no nationalities or recommendations of its own
    for entry in entries:
        found = re.search(rf"{re.escape(entry)}\s*\.+\s*(\d+)\s*$", contents, re.M)
        assert found, f"no page number for '{entry}'"
        page = pages[int(found.group(1)) - 1]
        lines = [line.strip() for line in page.splitlines() if line.strip()][1:]
        assert entry in lines, f"'{entry}' is not on page {found.group(1)}"  # chapters flow on
    assert "Notes" not in entries  # the endnotes are the web page's; print has page footnotes


@pytest.mark.parametrize("year", SHOWN)
def test_the_tile_map_holds_exactly_the_contact_list(built, year):
    svg = (built / str(year) / "figures" / "tile_map.svg").read_text()
    hexagons = set(re.findall(r'<g id="hex-([A-Z0-9-]+)"', svg))
    with open(built / str(year) / "answers.csv", encoding="utf-8") as f:
        listed = {row["code"] for row in csv.DictReader(f)}
    contacted = set(load_returns(None, year).authorities.index)
    assert hexagons == listed == contacted
    assert len(hexagons) == stats_of(built, year)["authorities"]["contacted"]
    assert "<title>" in svg and "<desc>" in svg


@pytest.mark.parametrize("year", EACH_BUILT)
def test_the_trend_equals_each_earlier_editions_own_statistics(built, year):
    trend = stats_of(built, year)["trend"]
    assert list(trend) == [str(y) for y in EDITIONS if y <= year]
    for earlier in [y for y in BUILT if y <= year]:  # CI builds, so compares, every edition
        figures, own = trend[str(earlier)], stats_of(built, earlier)
        for group in ("trafficked", "unaccompanied"):
            assert figures[f"{group}_in_care"] == own[group]["in_care"]
            assert figures[f"{group}_share_went_missing"] == own[group]["share_went_missing"]
            assert figures[f"{group}_reporting_rate"] == own[group]["reporting_rate"]


def test_the_trend_is_worded_from_the_figures(built, texts):
    stats = stats_of(built, 2024)
    wording = render.compared(stats, "trafficked_share_went_missing")
    assert wording == "up from 31% in 2020"
    assert wording in texts[2024]["html"] and wording in texts[2024]["pdf"]
    assert render.compared(stats_of(built, 2015), "trafficked_share_went_missing") == ""


@pytest.mark.parametrize("year", SHOWN)
def test_figures_and_tables_are_numbered_in_order_with_a_source(built, year):
    page = (built / str(year) / "index.html").read_text()
    for kind in ("Figure", "Table"):
        numbers = [int(n) for n in re.findall(rf'<span class="label">{kind} (\d+)\.</span>', page)]
        assert numbers == list(range(1, len(numbers) + 1)) and numbers
    assert len(re.findall(r'<span class="label">Figure', page)) >= 6
    figures = re.findall(r"<figure.*?</figure>", page, re.S)
    assert all("Source: FOI returns " in f for f in figures)
    # The trend chart's source names every edition it draws.
    drawn = stats_of(built, year)["trend"]
    trend = [f for f in figures if 'class="figure-trend"' in f]
    assert len(trend) == (len(drawn) > 1)
    for edition in drawn if trend else ():
        assert f"{escape(editions.data_year(int(edition)).title)} (" in trend[0], edition
    for svg in (built / str(year) / "figures").glob("*.svg"):
        text = svg.read_text()
        assert "<title>" in text and "<desc>" in text, svg.name


def test_regions_are_ordered_by_size_with_a_total_row(built):
    page = (built / "2015" / "index.html").read_text()
    table = re.search(
        r"<caption[^>]*><span[^>]*>Table \d+\.</span> Children in care, by English.*?</table>",
        page,
        re.S,
    ).group()
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([\d,]+)</td>', table)
    values = [int(v.replace(",", "")) for _, v in rows[:-1]]
    assert values == sorted(values, reverse=True)
    assert rows[-1] == ("United Kingdom", "590")


@pytest.mark.parametrize("year", SHOWN)
def test_the_answers_appendix_gives_categories_never_counts(built, year):
    page = (built / str(year) / "index.html").read_text()
    table = re.search(r'<table class="answers">.*?</table>', page, re.S).group()
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", table)
    assert len(rows) == stats_of(built, year)["authorities"]["contacted"]
    cells = re.findall(r"<td>([^<]*)</td>", table)  # the nation's cell has its class
    assert len(cells) == 8 * len(rows)
    # The kind of answer as the council gave it: a mark, its range (never narrower than
    # "fewer than five") or the section it cited; never a count.
    marks = {"number", "[c]", "[x]", "refused", "redirected", "no answer"} | {
        f"refused s{n}" for n in (12, 14, 17, 21, 25, 38, 40)
    }
    ranges = re.compile(r"\[c\] (&lt;([5-9]|10)|0–([4-9]))|other basis \([^)0-9]+\)")
    assert all(cell in marks or ranges.fullmatch(cell) for cell in cells), set(cells) - marks


def test_the_how_computed_appendix_names_a_real_cell_for_each_figure(built):
    page = (built / "2024" / "index.html").read_text()
    notebook = json.loads((paths.NOTEBOOKS / "02_headline_statistics.ipynb").read_text())
    ids = {cell["id"] for cell in notebook["cells"]}
    for row in render.computed_in():
        assert row["cell"] in ids and f"<code>{row['key']}</code>" in page


def test_the_2015_edition_carries_the_published_findings(texts):
    text = texts[2015]["pdf"]
    for heading in (
        "What professionals and young people told us",
        "Why children go missing",
        "Exploitation",
        "Creating a culture of trust",
        "Responding to risk",
        "Coordinating the response",
        "The police count and ours",
    ):
        assert heading in text
    assert "113" in text and "told us of 760 trafficked and unaccompanied" in text
    assert "age assessments" in text and "debt bondage" in text


@pytest.mark.parametrize("year", here_and_in_ci(SHOWN, [2015]))
def test_the_back_page_has_the_publishers_the_helpline_and_the_licence(built, year):
    last = squash(pdf_pages(built / str(year) / "report.pdf")[-1])
    assert "ecpat uk and missing people" in last.lower() and "116 000" in last
    assert "Creative Commons" in last and "If you are worried about a child" in last


@pytest.mark.parametrize("year", SHOWN)
def test_the_pdf_is_tagged_pdf_ua_with_its_metadata(built, year):
    pdf = built / str(year) / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "Tagged:          yes" in info
    assert f"Title:           {editions.edition(year).title}:" in info
    assert "Author:          ECPAT UK and Missing People" in info
    meta = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True).stdout
    assert 'pdfuaid:part="1"' in meta and "<dc:creator>" in meta
    assert "<dc:language><rdf:Bag><rdf:li>en-GB</rdf:li>" in meta


def test_printing_gives_no_weasyprint_warning(built):
    """The build prints each of WeasyPrint's warnings (caught as below): none, in any
    edition."""
    said = build_messages(built)
    assert said.count("] published ") == len(BUILT)
    assert "WeasyPrint" not in said


def test_weasyprint_s_warnings_are_caught(tmp_path):
    html = '<html lang="en"><body><p style="colour: red">text</p></body></html>'
    warnings = pdf.render_pdf(html, tmp_path, tmp_path / "report.pdf")
    assert any("colour" in warning for warning in warnings), warnings


@pytest.mark.parametrize("year", here_and_in_ci(SHOWN, [2015]))
def test_pages_rendered_as_pictures_for_review(built, year, tmp_path):
    """Pages 1-3, a findings page and the back page as PNG in the test's temp folder."""
    pdf = built / str(year) / "report.pdf"
    pages = pdf_pages(pdf)
    findings = next(n for n, p in enumerate(pages, 1) if "Trafficked children\n" in p[:400])
    for number in (1, 2, 3, findings, len(pages)):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "40",
                "-png",
                "-f",
                str(number),
                "-l",
                str(number),
                str(pdf),
                str(tmp_path / f"page-{number}"),
            ],
            check=True,
        )
    pictures = sorted(tmp_path.glob("page-*.png"))
    assert len(pictures) == 5 and all(p.stat().st_size > 2000 for p in pictures)


def test_no_edition_cites_a_later_source_or_itself(tmp_path, monkeypatch):
    later = tmp_path / "sources.toml"
    text = paths.SOURCES.read_text()
    later.write_text(
        text.replace(
            '[ilo-2002]\nauthor = "International Labour Office"\nyear = "2002"',
            '[ilo-2002]\nauthor = "International Labour Office"\nyear = "2019"',
        )
    )
    monkeypatch.setattr(paths, "SOURCES", later)
    problems = [str(p) for p in configuration.configuration_problems()]
    assert any(
        "2015.html.j2" in p and "published in 2019, after the 2015 edition" in p for p in problems
    ), problems
    itself = tmp_path / "itself.toml"
    itself.write_text(
        text.replace(
            '[foi-act-2000]\nauthor = "UK Parliament"\nyear = "2000"\n'
            'title = "Freedom of Information Act 2000"',
            '[foi-act-2000]\nauthor = "ECPAT UK and Missing People"\nyear = "2016"\n'
            'title = "Heading Back to Harm: the report"',
        )
    )
    monkeypatch.setattr(paths, "SOURCES", itself)
    problems = [str(p) for p in configuration.configuration_problems()]
    assert any("report.html.j2" in p and "is the 2015 edition itself" in p for p in problems)


def test_shipped_configuration_dates_every_source_by_publication():
    assert configuration.configuration_problems() == []
    shutil.which("pdftoppm") or pytest.fail("pdftoppm is part of the project's set-up")


def page_fill(pdf, folder) -> list[float]:
    """How far down its text area each page's ink reaches (0 to 1), looked at as a picture:
    the page rendered in grey, the running heads and footers left out."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(folder / "p")],
                   check=True)  # fmt: skip
    fills = []
    for image in sorted(folder.glob("p-*.png")):
        picture = Image.open(image).convert("L")
        width, height = picture.size
        margin = int(height * 24 / 297) + 2  # the page's top and bottom margins, 24 mm
        pixel = picture.load()
        ink = [
            y
            for y in range(margin, height - margin)
            if any(pixel[x, y] < 150 for x in range(width // 10, width * 9 // 10))
        ]
        fills.append((max(ink, default=margin) - margin) / (height - 2 * margin))  # fmt: skip
    return fills


# What begins a page of its own: the key findings, Appendix A, a blank page, the back cover.
STARTS_A_PAGE = ("Key findings", "Appendix A: each authority", "intentionally blank", "ECPAT")


@pytest.mark.parametrize("year", here_and_in_ci(SHOWN, [2015]))
def test_no_page_is_under_half_full_except_at_a_chapter_s_end(built, year, tmp_path):
    pdf = built / str(year) / "report.pdf"
    fills, pages = page_fill(pdf, tmp_path), pdf_pages(pdf)
    assert len(fills) == len(pages)
    for number, fill in enumerate(fills[:-1], start=1):
        if number <= 3 or fill >= 0.5:  # the cover, the inside cover and the contents
            continue
        top = " ".join(pages[number].split()[:12])  # the next page's opening words
        assert any(start in top for start in STARTS_A_PAGE), (
            f"page {number} is {fill:.0%} full and the next page goes on: {top}"
        )


@pytest.mark.parametrize("year", here_and_in_ci(SHOWN, [2015]))
def test_each_running_head_names_the_section_current_at_the_top_of_its_page(built, year):
    page = (built / str(year) / "index.html").read_text(encoding="utf-8")
    heading = r'<section id="[^"]+" class="chapter[^"]*"[^>]*>\s*<h2[^>]*>(.*?)</h2>'
    chapters = [html_text(h).strip() for h in re.findall(heading, page, re.S)]
    current, checked = -1, 0
    for text in pdf_pages(built / str(year) / "report.pdf"):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            continue
        head, body = lines[0], lines[1:]
        # A chapter's heading, in the report's order, moves the section on (a line that only
        # repeats an earlier chapter's name, in a chart or a table, does not).
        if body and body[0] in chapters[current + 1 :]:
            current = chapters.index(body[0])
        running = [c for c in chapters if head.endswith(c)]
        if running and current >= 0:
            assert running == [chapters[current]], f"'{head}': {chapters[current]} at the top"
            checked += 1
        for line in body:
            if line in chapters[current + 1 :]:
                current = chapters.index(line)
    assert checked > 10


@pytest.mark.parametrize("year", [2015, 2024])
def test_figures_are_numbered_the_same_on_the_page_in_the_pdf_and_in_the_fragment(
    built, texts, year
):
    def numbered(page: str) -> list[tuple[str, str]]:
        found = re.findall(r'<span class="(?:hbh-)?label">Figure (\d+)\.</span> ([^<.]+)', page)
        return [(n, squash(caption)[:40]) for n, caption in found]

    page = numbered((built / str(year) / "index.html").read_text(encoding="utf-8"))
    fragment = numbered((built / str(year) / "fragment.html").read_text(encoding="utf-8"))
    assert page == fragment and len(page) >= (6 if year == 2024 else 5)
    pdf = texts[year]["pdf"]
    for number, caption in page:
        assert f"Figure {number}. {caption}" in pdf, (number, caption)
