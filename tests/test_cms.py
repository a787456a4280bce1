"""What web staff paste, tested where they paste it: a real WordPress (Twenty Twenty-Three, the
theme Debian ships), the 2024 edition uploaded beside it, the fragment posted through the
REST API in a Custom HTML block by an administrator (a role allowed unfiltered HTML), and
the page looked at in Chromium at 320, 360 and 1280 px: laid out as the standalone page is,
nothing scrolling sideways, no style shown as text, every chart loaded, axe-core finding
nothing, every link reaching the uploaded edition."""

import shutil
import urllib.request

import pytest

from harmreport.outputs import cms_fragment, render
from tests.conftest import here_and_in_ci, unavailable
from tests.test_web import axe_findings
from tests.wordpress import Unavailable, WordPress

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

WIDTHS = (320, 360, 1280)
# Rules a theme might well have, at the specificity themes use, to show what the fragment's
# reset and scope stand up to (each broke the fragment before it had them).
HOSTILE_THEME = """
#main { display: grid; grid-template-columns: 1fr 1fr; }
header { background: #222; color: #eee; } .cover { display: none; }
h1, h2, h3, .entry-content h2 { text-transform: uppercase; text-align: center; font-weight: 400; }
ul li, .entry-content li { list-style: disc; margin-left: 3em; }
img, .entry-content img { border: 4px solid #000; border-radius: 50%; width: 100%; }
table { display: block; width: 1200px; } nav { position: fixed; top: 0; }
p { margin: 3em 0; font-size: 22px; text-align: justify; }
"""


@pytest.fixture(scope="module")
def cms(built, tmp_path_factory):
    """A WordPress with the 2024 edition uploaded to /reports/ and its fragment on a page."""
    folder = tmp_path_factory.mktemp("wordpress")
    try:
        with WordPress(folder) as wordpress:
            reports = wordpress.root / "reports"
            shutil.copytree(built / "2024", reports / "2024")
            shutil.copyfile(built / "index.html", reports / "index.html")
            page = (built / "2024" / "index.html").read_text(encoding="utf-8")
            fragment = cms_fragment.fragment(
                page, render.web_css(), f"{wordpress.url}/reports/", 2024
            )
            block = f"<!-- wp:html -->\n{fragment}\n<!-- /wp:html -->"
            themed = f"<!-- wp:html -->\n<style>{HOSTILE_THEME}</style>\n<!-- /wp:html -->"
            yield (
                wordpress,
                {
                    "plain": wordpress.post_page("Until Harm Ends", block),
                    "hostile": wordpress.post_page("Until Harm Ends", themed + block),
                },
            )
    except Unavailable as exc:
        unavailable(str(exc))


def boxes(browser, root: str) -> dict:
    """What lays a report out, measured: the columns of key findings, how far each chart's
    width is from the narrower of its column and its greatest width, the tables, the
    headings."""
    script = """
    const root = document.querySelector(arguments[0]);
    const cards = root.querySelectorAll('.key-findings > li, .hbh-key-findings > li');
    const lefts = new Set([...cards].map(li => Math.round(li.getBoundingClientRect().left)));
    // Each chart as wide as its column or its greatest width, whichever is narrower: 0 if so.
    const figures = [...root.querySelectorAll('figure img')].map(img => Math.round(
        img.getBoundingClientRect().width - Math.min(parseFloat(getComputedStyle(img).maxWidth),
            img.closest('figure').getBoundingClientRect().width)));
    const h2 = root.querySelector('h2');
    return {columns: lefts.size, figures: figures, tables: root.querySelectorAll('table').length,
            heading_weight: Number(getComputedStyle(h2).fontWeight),
            heading_size: parseFloat(getComputedStyle(h2).fontSize),
    heading_look: getComputedStyle(h2).textTransform + " " + getComputedStyle(h2).textAlign,
    cover: root.querySelector('[class~="cover"], [class~="hbh-cover"]').offsetHeight > 0,
    image_border: getComputedStyle(root.querySelector('figure img')).borderTopWidth};
    """
    return browser.run(script, root)


@pytest.mark.parametrize(
    "theme, width",
    here_and_in_ci(
        [(theme, width) for theme in ("plain", "hostile") for width in WIDTHS],
        [("plain", 360), ("plain", 1280), ("hostile", 320), ("hostile", 360)],
    ),
)
def test_the_fragment_in_wordpress_is_laid_out_as_the_standalone_page(
    cms, built, browser, theme, width, tmp_path
):
    wordpress, pages = cms
    url = pages[theme]
    browser.open(built / "2024" / "index.html", width)
    alone = boxes(browser, "body")
    browser.open_url(url, width)
    pasted = boxes(browser, "#hbh-report")
    assert pasted["columns"] == alone["columns"] and pasted["tables"] == alone["tables"]
    assert pasted["heading_weight"] >= 600 and pasted["heading_size"] == alone["heading_size"]
    assert pasted["heading_look"] == alone["heading_look"] and pasted["cover"]
    assert pasted["image_border"] == alone["image_border"] == "0px"
    assert len(pasted["figures"]) == len(alone["figures"])
    assert all(abs(off) <= 1 for off in pasted["figures"] + alone["figures"]), (pasted, alone)
    scroll, inner = browser.run("return [document.documentElement.scrollWidth, innerWidth]")
    assert scroll <= inner, f"the WordPress page scrolls sideways at {width} px"
    text = browser.run("return document.querySelector('#hbh-report').innerText")
    assert "{" not in text and "hbh-" not in text  # no style shown as text
    broken = browser.run(
        "return [...document.querySelectorAll('#hbh-report img')]"
        ".filter(i => !i.complete || i.naturalWidth === 0).length"
    )
    assert broken == 0
    browser.screenshot(tmp_path / f"wordpress-{theme}-{width}.png")


@pytest.mark.parametrize("width", here_and_in_ci((360, 1280), [360]))
def test_axe_finds_nothing_in_the_pasted_report(cms, browser, width):
    browser.open_url(cms[1]["plain"], width)
    found = axe_findings(browser, "document.querySelector('#hbh-report')")
    assert found == {"violations": [], "incomplete": []}, found


def test_every_link_of_the_pasted_report_reaches_the_uploaded_edition(cms, browser):
    wordpress, pages = cms
    url = pages["plain"]
    browser.open_url(url, 1280)
    links = browser.run(
        "return [...document.querySelectorAll('#hbh-report a[href]')].map(a => a.href)"
    )
    inside = [link for link in links if link.startswith(f"{wordpress.url}/reports/")]
    assert len(inside) >= 4  # the PDF, the figures' data, the editions' index, the notebooks
    for link in {link.split("#")[0] for link in inside}:
        with urllib.request.urlopen(link, timeout=30) as response:
            assert response.status == 200, link
    anchors = {link.split("#", 1)[1] for link in links if link.startswith(f"{url}#")}
    present = browser.run(
        "return [...document.querySelectorAll('#hbh-report [id]')].map(e => e.id)"
    )
    assert anchors <= set(present)
