"""The fragment web staff paste into the charity's content management system: the report page's
body with every id and class prefixed, its links made absolute, and its CSS scoped to it."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import tinycss2

PREFIX = "hbh-"  # every id and class of the fragment: a host page's own never collide
ROOT = f"{PREFIX}report"
# The root's id twice: the fragment's rules outrank a theme's, even one naming an id.
SCOPE = f"#{ROOT}#{ROOT}"
# First, every element of the fragment back to the browser's own styles: whatever a theme
# says of headings, lists, images or tables stops at the fragment's edge.
RESET = f"{SCOPE}, {SCOPE} * {{ all: revert; }}\n"
# What a host page owns: in the fragment, each becomes a <div> with its name as a class.
HOST_TAGS = {"main", "header", "footer"}


def scope_css(css: str, scope: str = SCOPE, rename=lambda selector: selector) -> str:
    """Every rule of `css` made to apply only inside `scope`: `:root`, `html` and `body`
    become the scope itself, any other selector a descendant of it; the rules inside
    @media, @supports, @container and @layer blocks are scoped there; other at-rules
    (@font-face, @keyframes, @page, @import) are kept as they are. `rename` rewrites each
    selector first. Comments are dropped. Parsed by tinycss2, so that a brace or a comma in
    a string or inside :is() is read as CSS reads it."""
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        _refuse_errors(rule)
        if rule.type == "qualified-rule":
            selectors = _selectors(rule.prelude)
            out.append(f"{_scoped(selectors, scope, rename)} {{{_text(rule.content)}}}\n")
        elif rule.type == "at-rule" and rule.lower_at_keyword in GROUPING and rule.content:
            head = f"@{rule.at_keyword} {_text(rule.prelude).strip()}"
            out.append(f"{head} {{\n{scope_css(_text(rule.content), scope, rename)}}}\n")
        elif rule.type == "at-rule":
            out.append(f"{_text([rule]).strip()}\n")
    return "".join(out)


def _refuse_errors(rule) -> None:
    """A parse error (a stray brace) is said, never published as a rule nobody meant nor
    silently dropped as a browser would."""
    tokens = [rule] if rule.type == "error" else [*rule.prelude, *(rule.content or [])]
    for token in tokens:
        if token.type == "error":
            raise ValueError(f"CSS the fragment cannot scope: {token.message}")


GROUPING = {"media", "supports", "container", "layer"}  # at-rules that hold rules


def _text(tokens) -> str:
    return tinycss2.serialize(t for t in tokens if t.type != "comment")


def _selectors(prelude) -> list[str]:
    """A rule's selectors, split at its own commas (not those inside :is() or a string)."""
    parts, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append(current)
            current = []
        elif token.type != "comment":
            current.append(token)
    return [_text(part).strip() for part in [*parts, current]]


def _scoped(selectors: list[str], scope: str, rename) -> str:
    scoped = []
    for selector in map(rename, selectors):
        root = re.match(r"^(:root|html|body)\b(.*)$", selector)
        scoped.append(f"{scope}{root.group(2)}" if root else f"{scope} {selector}")
    return ", ".join(scoped)


def _fragment_selector(selector: str) -> str:
    """A page's selector as the fragment needs it: its classes and ids prefixed, the host's
    elements (main, header, footer) and the title (h1) named by class."""
    selector = re.sub(r"([.#])(-?[A-Za-z_][\w-]*)", rf"\1{PREFIX}\2", selector)
    selector = re.sub(r"(?<![\w.#-])(main|header|footer)\b", rf".{PREFIX}\1", selector)
    return re.sub(r"(?<![\w.#-])h1\b", f".{PREFIX}title", selector)


def fragment(page: str, css: str, base_url: str, year: int) -> str:
    """The report body for a content management system, to paste into a "Custom HTML" block:
    no <html>, <head>, <main>, <h1> or skip link (the host page has its own); every id and
    class prefixed; links absolute, to the edition's folder at `base_url`; styles scoped to
    one wrapping element, behind a reset that stops a theme's rules at its edge. The page is
    read by an HTML parser: only real tags are rewritten, never text that looks like one."""
    tags = _Tags(page)
    body_start, body_end = tags.inner("body")
    edits = []  # (start, end, what replaces it), in the page's order
    for tag in tags.found:
        if not body_start <= tag.start < body_end:
            continue
        if tag.name == "a" and tag.attrs.get("class") == "skip-link":
            after = re.compile(r"\s*").match(page, tags.closing_after(tag)).end()
            edits.append((tag.start, after, ""))  # the link and the space after it
        elif tag.closing:
            edits.append((tag.start, tag.end, _closing(tag)))
        else:
            edits.append((tag.start, tag.end, _opening(tag, f"{base_url}{year}/")))
    body = _apply(page, body_start, body_end, edits)
    style = RESET + scope_css(css, SCOPE, _fragment_selector)
    opening = f'<div id="{ROOT}" class="{ROOT}" lang="en-GB">'
    return f"{opening}\n<style>\n{style}</style>\n{body.strip()}\n</div>\n"


@dataclass
class _Tag:
    name: str
    text: str  # as the page has it
    start: int
    end: int
    closing: bool
    attrs: dict


class _Tags(HTMLParser):
    """Every start and end tag of a page, with where it is."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=False)
        self.page, self.found = page, []
        self._lines = [0] + [m.end() for m in re.finditer("\n", page)]
        self.feed(page)
        self.close()

    def _here(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        text, start = self.get_starttag_text(), self._here()
        self.found.append(_Tag(tag, text, start, start + len(text), False, dict(attrs)))

    def handle_endtag(self, tag):
        start = self._here()
        end = self.page.index(">", start) + 1
        self.found.append(_Tag(tag, self.page[start:end], start, end, True, {}))

    def inner(self, name: str) -> tuple[int, int]:
        opening = next(t for t in self.found if t.name == name and not t.closing)
        closing = next(t for t in reversed(self.found) if t.name == name and t.closing)
        return opening.end, closing.start

    def closing_after(self, tag: _Tag) -> int:
        return next(
            t for t in self.found if t.closing and t.name == tag.name and t.start > tag.start
        ).end


def _apply(page: str, start: int, end: int, edits: list) -> str:
    out, at = [], start
    for edit_start, edit_end, text in edits:
        if edit_start < at:
            continue  # inside a span already removed (the skip link's own tags)
        out += [page[at:edit_start], text]
        at = edit_end
    return "".join(out + [page[at:end]])


def _opening(tag: _Tag, base: str) -> str:
    text = tag.text
    if tag.name in HOST_TAGS:  # <main class="x"> as <div class="main x">
        classes = " ".join(filter(None, [tag.name, tag.attrs.get("class")]))
        rest = re.sub(r'\s+class="[^"]*"', "", text[len(tag.name) + 1 :], count=1)
        text = f'<div class="{classes}"{rest}'
    elif tag.name == "h1":
        text = '<p class="title"' + text[3:]
    return _absolute(_prefixed(text), base)


def _closing(tag: _Tag) -> str:
    if tag.name in HOST_TAGS:
        return "</div>"
    return "</p>" if tag.name == "h1" else tag.text


def _prefixed(body: str) -> str:
    def tokens(match: re.Match) -> str:
        names = " ".join(PREFIX + name for name in match.group(2).split())
        return f'{match.group(1)}="{names}"'

    body = re.sub(r'\b(id|class|for|aria-labelledby|aria-describedby)="([^"]*)"', tokens, body)
    return re.sub(r'href="#([^"]+)"', rf'href="#{PREFIX}\1"', body)


def _absolute(body: str, base: str) -> str:
    """Every relative link made absolute, against the edition's folder once published."""

    def absolute(match: re.Match) -> str:
        return f'href="{urljoin(base, match.group(1))}"'

    return re.sub(r'href="(?![a-z][a-z0-9+.-]*:|#|/)([^"]*)"', absolute, body)
