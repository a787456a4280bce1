"""What web staff upload besides the report page: the fragment for the charity's content
management system, and the index of every edition the project knows."""

import re
from pathlib import Path

from . import editions
from .outputs import read_json

SCOPE = ".hbh-report"


def file_size(path: Path) -> str:
    """A download's size as a link text gives it: '312 KB', '1.4 MB'."""
    size = Path(path).stat().st_size
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} KB"
    return f"{size / 1_000_000:.1f} MB"


def scope_css(css: str, scope: str = SCOPE) -> str:
    """Every rule of `css` made to apply only inside `scope`: `:root`, `html` and `body`
    become the scope itself, any other selector a descendant of it; @media blocks are scoped
    inside. Comments are dropped."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, position = [], 0
    for match in re.finditer(r"([^{}]+)\{", css):
        if match.start() < position:
            continue
        head = match.group(1).strip()
        body, end = _block(css, match.end())
        if head.startswith("@media"):
            out.append(f"{head} {{\n{scope_css(body, scope)}}}\n")
        else:
            out.append(f"{_scoped(head, scope)} {{{body}}}\n")
        position = end
    return "".join(out)


def _block(css: str, start: int) -> tuple[str, int]:
    depth, i = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(css[i], 0)
        i += 1
    return css[start : i - 1], i


def _scoped(selectors: str, scope: str) -> str:
    scoped = []
    for selector in (s.strip() for s in selectors.split(",")):
        root = re.match(r"^(:root|html|body)\b(.*)$", selector)
        scoped.append(f"{scope}{root.group(2)}" if root else f"{scope} {selector}")
    return ", ".join(scoped)


def fragment(page: str, css: str) -> str:
    """The report body for a content management system: no <html> or <head>, its styles
    scoped to one wrapping element so they cannot restyle the rest of the site."""
    body = re.search(r"<body>(.*)</body>", page, re.S).group(1)
    return (
        f'<div class="{SCOPE[1:]}" lang="en-GB">\n<style>\n{scope_css(css)}</style>\n'
        f"{body.strip()}\n</div>\n"
    )


def index_entries(out_root: Path) -> list[dict]:
    """Every edition in data/editions.toml, newest first, with what is built of it."""
    entries = []
    for year in sorted(editions.all_editions(), reverse=True):
        edition = editions.edition(year)
        folder = Path(out_root) / str(year)
        built = (folder / "manifest.json").is_file()
        stats = read_json(folder / "stats.json") if (folder / "stats.json").is_file() else None
        entries.append(
            {
                "year": year,
                "edition": edition,
                "built": built,
                "has_html": built and (folder / "index.html").is_file(),
                "pdf_size": file_size(folder / "report.pdf")
                if built and (folder / "report.pdf").is_file()
                else "",
                "stats": stats,
                "illustrative": bool(stats and stats.get("illustrative")),
            }
        )
    return entries
