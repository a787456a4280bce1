"""The PDF: printed by WeasyPrint from the report's print HTML (tagged, PDF/UA-1), its pages
measured and bound in fours, its note calls tagged, an illustrative edition's pages
watermarked. WeasyPrint is imported only here, and only when a PDF is printed."""

import base64
import logging
from pathlib import Path

FIGURE_LINK = "hbh-figure:"  # the print HTML's figures: fetched by render_pdf once drawn

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
