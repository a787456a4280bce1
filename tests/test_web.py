"""The web edition as readers and web staff get it, in the real browser (Debian's headless
Chromium): no sideways scrolling on a phone, readable chart text, axe-core finding nothing, the
W3C Nu checker finding no error, the links, the fragment for the CMS and the index.

Where Chromium (or Java, for the Nu checker) cannot start these tests skip, saying why; CI sets
HBH_REQUIRE_BROWSER=1 so that there they fail instead."""

import base64
import json
import re
import shutil
import struct
import subprocess

import pytest
from markupsafe import escape

from harmreport.outputs import cms_fragment, render
from harmreport.project import editions, formatting, paths
from harmreport.publishing import edition_index
from tests.conftest import BASE_URL, BUILT, build_messages, here_and_in_ci, unavailable

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

AXE = paths.ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = paths.ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# One short run of the checker: the quick compiler only and one garbage collector thread take
# half the CPU of Java's defaults for the same findings (its schema recurses deeply: the
# quick compiler's frames need a larger stack than the default).
QUICK_START_JAVA = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss8m"]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PAGES = ["2015/index.html", "2024/index.html", "index.html"]


def axe_findings(browser, context: str = "document") -> dict:
    if not AXE.is_file():
        unavailable("axe-core is not installed: run make setup (npm ci)")
    browser.run(AXE.read_text(encoding="utf-8") + "; return true;")
    script = (
        "return axe.run(CONTEXT, {runOnly: {type: 'tag', values: arguments[0]}, "
        "resultTypes: ['violations', 'incomplete']}).then(r => ({"
        "violations: r.violations.map(v => [v.id, v.impact, v.nodes.length]), "
        "incomplete: r.incomplete.map(v => [v.id, v.impact, v.nodes.length])}))"
    ).replace("CONTEXT", context)
    return browser.run(script, WCAG_22_AA)


@pytest.mark.parametrize("width", [320, 360])
@pytest.mark.parametrize("page", PAGES)
def test_no_sideways_scrolling_on_a_phone(built, browser, page, width):
    browser.open(built / page, width)
    scroll, inner = browser.run("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert inner == width and scroll <= inner, f"{page} at {width} px: scrolls to {scroll} px"


@pytest.mark.parametrize(
    "page, width",
    here_and_in_ci(
        [(page, width) for page in PAGES for width in (360, 1280)],
        [("2015/index.html", 360), ("2024/index.html", 1280)],
    ),
)
def test_axe_finds_nothing_at_any_impact(built, browser, page, width, tmp_path):
    browser.open(built / page, width)
    found = axe_findings(browser)
    shot = browser.screenshot(tmp_path / f"{page.replace('/', '-')}-{width}.png", full_page=True)
    assert shot.stat().st_size > 10_000  # kept in the test's temp folder for a reviewer
    assert found == {"violations": [], "incomplete": []}, f"{page} at {width} px: {found}"


def test_axe_does_find_what_it_should(built, browser, tmp_path):
    """The audit can fail: the same page with an image stripped of its text alternative."""
    broken = tmp_path / "index.html"
    broken.write_text(
        re.sub(
            r'<img class="chart" src="([^"]+)" alt="[^"]*"',
            r'<img class="chart" src="\1"',
            (built / "2024" / "index.html").read_text(),
            count=1,
        )
    )
    browser.open(broken, 1280)
    assert "image-alt" in {v[0] for v in axe_findings(browser)["violations"]}


@pytest.mark.parametrize("year", [2015, 2024])
def test_chart_text_is_at_least_twelve_pixels_on_a_phone(built, browser, year):
    browser.open(built / str(year) / "index.html", 360)
    shown = browser.run(
        "return [...document.querySelectorAll('figure img')].map("
        "i => [i.currentSrc, i.getBoundingClientRect().width])"
    )
    assert len(shown) >= 6
    for source, width in shown:
        svg = base64.b64decode(source.split(",", 1)[1]).decode("utf-8")
        view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
        sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
        smallest = min(sizes) * width / view_width
        title = re.search(r"<title>(.*?)</title>", svg).group(1)
        assert smallest >= 12, f"'{title}': text at {smallest:.1f} px"


@pytest.fixture(scope="session")
def nu_findings(built) -> list[dict]:
    """The Nu checker's errors on every page, from one run of it (Java starts slowly)."""
    if not shutil.which("java") or not VNU.is_file():
        unavailable("the Nu checker needs Java and vnu.jar (make setup)")
    result = subprocess.run(
        ["java", *QUICK_START_JAVA, "-jar", str(VNU), "--errors-only", "--format", "json"]
        + [str(built / page) for page in PAGES],
        capture_output=True,
        text=True,
    )
    return json.loads(result.stderr or '{"messages": []}')["messages"]


@pytest.mark.parametrize("page", PAGES)
def test_the_nu_checker_finds_no_error(built, page, nu_findings):
    on_page = [m for m in nu_findings if m.get("url") == f"file:{built / page}"]
    assert on_page == [], on_page
    assert {m.get("url") for m in nu_findings} <= {f"file:{built / p}" for p in PAGES}


@pytest.mark.parametrize("year", [2015, 2024])
def test_the_edition_page_links_its_downloads_and_the_editions(built, year):
    folder = built / str(year)
    page = (folder / "index.html").read_text()
    size = formatting.file_size(folder / "report.pdf")
    assert f'<a href="report.pdf">The report as a PDF ({size})</a>' in page
    for target in ("stats.json", "stats.csv", "answers.csv", "../index.html"):
        assert f'<a href="{target}">' in page and (folder / target).is_file()
    assert re.fullmatch(r"\d+ KB|\d+\.\d MB", size)


@pytest.mark.parametrize("year", [2015, 2024])
def test_sharing_metadata_and_a_preview_image(built, year):
    page = (built / str(year) / "index.html").read_text()
    title = editions.edition(year).title
    assert f'<meta property="og:title" content="{title}:' in page
    assert '<meta property="og:description"' in page
    assert f'<meta property="og:image" content="{BASE_URL}{year}/preview.png">' in page
    png = (built / str(year) / "preview.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 630)
    # Read as a picture: whoever sees it shared sees the title, the year and the publishers.
    read = subprocess.run(["tesseract", str(built / str(year) / "preview.png"), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    seen = " ".join(read.split())
    edition = editions.edition(year)
    for words in (edition.title, str(year), *edition.publishers, "Illustrative data"):
        assert words in seen, f"{words!r} not seen in the preview: {seen!r}"


@pytest.mark.parametrize("year", [2015, 2024])
def test_the_cms_fragment_owns_nothing_of_the_host_page(built, year):
    """No page furniture the host has its own of; every id and class prefixed; every link
    absolute, to the edition as published; every rule scoped, after the reset."""
    fragment = (built / str(year) / "fragment.html").read_text()
    assert not re.search(r"<(html|head|body|main|header|footer|h1)\b|<!DOCTYPE", fragment, re.I)
    assert "skip-link" not in fragment.split("</style>", 1)[1]
    assert fragment.startswith('<div id="hbh-report" class="hbh-report" lang="en-GB">')
    style = re.search(r"<style>(.*?)</style>", fragment, re.S).group(1)
    assert style.lstrip().startswith(
        "#hbh-report#hbh-report, #hbh-report#hbh-report * { all: revert; }"
    )
    selectors = re.findall(r"(?:^|\})\s*([^{}@]+?)\s*\{", style)
    assert selectors and all(
        s.startswith("#hbh-report#hbh-report") for sel in selectors for s in sel.split(", ")
    )
    body = fragment.split("</style>", 1)[1]
    ids = re.findall(r'\bid="([^"]+)"', body)
    classes = [c for found in re.findall(r'\bclass="([^"]+)"', body) for c in found.split()]
    assert ids and classes and all(n.startswith("hbh-") for n in ids + classes)
    links = re.findall(r'href="([^"]+)"', body)
    assert all(link.startswith(("https://", "http://", "#hbh-")) for link in links)
    assert f'href="{BASE_URL}{year}/report.pdf"' in body
    assert f'href="{BASE_URL}index.html"' in body  # every edition of the series
    targets = {link[1:] for link in links if link.startswith("#")}
    assert targets <= set(ids)  # every in-page link still lands


def test_without_an_address_to_publish_at_no_fragment_is_made(web_edition):
    assert not (web_edition / "2024" / "fragment.html").exists()
    assert "no fragment.html" in build_messages(web_edition)
    assert "og:image" not in (web_edition / "2024" / "index.html").read_text()


def test_an_address_that_cannot_be_published_at_is_refused(capsys):
    from harmreport import cli

    assert cli.main(["--year", "2024", "--base-url", "www.example.org/reports"]) == 2
    assert "is not an address to publish at" in capsys.readouterr().err


@pytest.mark.parametrize(("url", "why"), [
    ("http://www.example.org/hbh/", "it must start https://"),
    ("https://user:pw@example.org/hbh/", "it holds a user name or password"),
    ("https://editor@example.org/hbh/", "it holds a user name or password"),
    ("https://example.org/hbh", "ending in '/'"),
    ("https://example.org/hbh/?page=2", "ending in '/'"),
    ("https:///hbh/", "ending in '/'"),
])  # fmt: skip
def test_only_an_https_address_without_credentials_is_taken(url, why):
    from harmreport import cli
    from harmreport.project.errors import InputError

    with pytest.raises(InputError, match=re.escape(why)):
        cli.checked_base_url(url)


def test_an_international_address_is_written_as_punycode():
    from harmreport import cli

    assert cli.checked_base_url("https://bücher.example/rapports été/") == (
        "https://xn--bcher-kva.example/rapports%20%C3%A9t%C3%A9/"
    )
    assert cli.checked_base_url("https://www.example.org:8443/hbh/") == (
        "https://www.example.org:8443/hbh/"
    )
    assert cli.checked_base_url("") == ""


def test_a_fragment_selector_is_prefixed_and_the_host_s_elements_become_classes():
    assert cms_fragment._fragment_selector("main, .cover h1, nav.toc a") == (
        ".hbh-main, .hbh-cover .hbh-title, nav.hbh-toc a"
    )
    assert (
        cms_fragment._fragment_selector("table.stack td::before") == "table.hbh-stack td::before"
    )
    assert cms_fragment._fragment_selector("#notes li") == "#hbh-notes li"


def test_scoping_keeps_media_queries_and_maps_the_root():
    css = ":root { --a: 1; }\nh2, p a { color: red; }\n@media (max-width: 40em) { td { x: y; } }"
    assert cms_fragment.scope_css(css, ".s") == (
        ".s { --a: 1; }\n.s h2, .s p a { color: red; }\n"
        "@media (max-width: 40em) {\n.s td { x: y; }\n}\n"
    )


def test_scoping_reads_css_as_a_browser_does():
    """@supports is scoped inside like @media; @font-face and @keyframes are kept whole; a
    brace in a string and the commas of :is() are not taken for the rule's own."""
    css = (
        "@font-face { font-family: Lato; src: url(lato.woff2); }\n"
        "@supports (display: grid) { .a { display: grid; } }\n"
        "@keyframes fade { from { opacity: 0; } to { opacity: 1; } }\n"
        'q::before { content: "{"; }\n'
        ":is(h2, h3) a, p { color: red; /* a note */ }\n"
    )
    assert cms_fragment.scope_css(css, ".s") == (
        "@font-face { font-family: Lato; src: url(lato.woff2); }\n"
        "@supports (display: grid) {\n.s .a { display: grid; }\n}\n"
        "@keyframes fade { from { opacity: 0; } to { opacity: 1; } }\n"
        '.s q::before { content: "{"; }\n'
        ".s :is(h2, h3) a, .s p { color: red;  }\n"
    )


def test_the_fragment_rewrites_tags_and_never_text_that_looks_like_one():
    page = (
        "<html><head><title>t</title></head><body>\n"
        '<a class="skip-link" href="#main">Skip</a>\n'
        '<header class="cover"><h1 id="top">Title</h1></header>\n'
        '<main id="main"><p class="note">Type id="x" or href="#y"; <a href="data/a.csv">a</a>'
        '</p><!-- <main> --><a href="#top">up</a></main>\n</body></html>'
    )
    body = cms_fragment.fragment(page, "", "https://example.org/r/", 2024).split("</style>\n")[1]
    assert body == (
        '<div class="hbh-header hbh-cover"><p class="hbh-title" id="hbh-top">Title</p></div>\n'
        '<div class="hbh-main" id="hbh-main"><p class="hbh-note">Type id="x" or href="#y"; '
        '<a href="https://example.org/r/2024/data/a.csv">a</a></p><!-- <main> -->'
        '<a href="#hbh-top">up</a></div>\n</div>\n'
    )


def test_css_the_fragment_cannot_read_stops_it():
    with pytest.raises(ValueError, match="CSS the fragment cannot scope"):
        cms_fragment.scope_css("a { color: red; } } b { x: y; }", ".s")


def test_the_index_lists_every_edition_newest_first_with_its_pdf(built):
    page = (built / "index.html").read_text()
    years = sorted(BUILT, reverse=True)
    titles = [str(escape(editions.edition(y).title)) for y in years]
    positions = [page.index(f"<h3>{t}</h3>") for t in titles]
    assert positions == sorted(positions)
    for year in years:
        edition = editions.edition(year)
        assert edition.period_label in page and f"published {edition.published}" in page
        size = formatting.file_size(built / str(year) / "report.pdf")
        title = str(escape(edition.title))
        assert f'<a href="{year}/report.pdf">{title} as a PDF ({size})</a>' in page
        assert f'<a href="{year}/index.html">' in page
        stats = json.loads((built / str(year) / "stats.json").read_text())
        share = formatting.percent(stats["trafficked"]["share_went_missing"])
        row = re.search(rf'<th scope="row">{re.escape(title)} \({year}\)</th>(.*?)</tr>', page)
        assert f">{share}</td>" in row.group(1)
    assert "(built from illustrative data)" not in page and "PDF(" not in page


def test_the_index_lists_only_the_editions_the_folder_holds(built, tmp_path):
    shutil.copytree(built / "2024", tmp_path / "2024")
    (tmp_path / "2031").mkdir()  # a year's folder with no manifest: nothing published there
    page = render.render_index(edition_index.index_entries(tmp_path), tmp_path)
    assert page.count("<h3>") == 1 and f"<h3>{escape(editions.edition(2024).title)}</h3>" in page
    for year in set(editions.all_editions()) - {2024}:
        assert f"<h3>{escape(editions.edition(year).title)}</h3>" not in page
    assert "STUB" not in page and "Not yet built" not in page


@pytest.mark.parametrize("width", [360, 1280])
def test_a_contents_link_lands_below_the_illustrative_banner(built, browser, width):
    browser.open(built / "2024" / "index.html", width)
    browser.run("document.querySelector('a[href=\"#method\"]').click(); return 1")
    banner, heading = browser.run(
        "return [document.querySelector('.illustrative-banner').getBoundingClientRect().bottom,"
        " document.querySelector('#method-title').getBoundingClientRect().top]"
    )
    assert heading >= banner, f"the heading is under the banner at {width} px"
