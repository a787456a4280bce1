"""Names holding &, <, " and ' reach every table, chart and the answers appendix as text:
never as markup, in the web page, its fragment, the print HTML, the PDF or a chart."""

import csv
import json
import shutil

import pytest

from harmreport.outputs import cms_fragment, figures, pdf, render
from harmreport.project import editions
from tests.conftest import html_text, pdf_text

pytestmark = pytest.mark.slow  # uses the shared build of every edition

HOSTILE = """Tyne & Wear <b>"Council"</b> O'Brien's"""
NATIONALITY = """Ruritanian & <i>'Other'</i> "State\""""


@pytest.fixture(scope="module")
def hostile_edition(built, tmp_path_factory):
    """The 2015 edition's analysis with a hostile authority name in the answers appendix and
    the named list, and a hostile nationality in the ranking."""
    folder = tmp_path_factory.mktemp("hostile") / "2015"
    shutil.copytree(built / "2015", folder)
    with open(folder / "answers.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["name"] = HOSTILE
    with open(folder / "answers.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    stats = json.loads((folder / "stats.json").read_text(encoding="utf-8"))
    stats["combined"]["most_still_missing"][0]["name"] = HOSTILE
    stats["nationalities"]["trafficked"]["ranking"][0]["nationality"] = NATIONALITY
    return folder, stats


def test_the_web_page_and_fragment_show_hostile_names_as_text(hostile_edition):
    folder, stats = hostile_edition
    page = render.render_html(stats, editions.edition(2015), folder)
    for html in (
        page,
        cms_fragment.fragment(page, render.web_css(), "https://example.org/", 2015),
    ):
        assert "<b>" not in html and "<i>" not in html  # no markup made from a name
        text = html_text(html)
        assert text.count(HOSTILE) >= 2  # the named list and the answers appendix
        assert NATIONALITY in text


def test_the_pdf_prints_hostile_names_as_typed(hostile_edition, tmp_path):
    folder, stats = hostile_edition
    printed = render.render_html(stats, editions.edition(2015), folder, for_print=True)
    assert "<b>" not in printed
    pdf.render_pdf(printed, folder, tmp_path / "report.pdf")
    text = pdf_text(tmp_path / "report.pdf")
    assert HOSTILE in text and NATIONALITY in text


def test_a_chart_labels_a_hostile_name_as_text(hostile_edition, tmp_path):
    _, stats = hostile_edition
    path = figures.save_svg(
        figures.nationalities_chart(stats, "trafficked"), tmp_path / "n.svg", HOSTILE, HOSTILE
    )
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()  # well-formed: nothing broke out of the markup
    text = " ".join(t for t in root.itertext())
    assert HOSTILE in text and NATIONALITY in text
