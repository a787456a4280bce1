"""The sources registry and the footnotes rendered from it.

One `Notes` object numbers the citations of one report in order: every citation is its own
note, so the same numbers serve the web page (endnotes, each with a link back to its call) and
the PDF (page footnotes, each on the page of its call). A source's first note cites it in full,
later ones in a short form, and a note citing the same source as the note just before reads
"Ibid.".
"""

import tomllib
from dataclasses import dataclass

from markupsafe import Markup, escape

from harmreport.project import paths


@dataclass(frozen=True)
class Source:
    key: str
    author: str
    year: str
    title: str
    url: str = ""
    pages: str = ""
    short: str = ""  # a short title for later notes; default: the title up to a colon
    accessed: str = ""  # when an online source was last checked, if that matters

    def short_citation(self) -> Markup:
        title = self.short or self.title.split(":")[0]
        text = escape(f"{self.author} ({self.year}) ") + Markup("<cite>{}</cite>").format(title)
        return text + (escape(f", {self.pages}") if self.pages else Markup(""))

    def ibid(self) -> Markup:
        return Markup("Ibid.") if not self.pages else escape(f"Ibid., {self.pages}")

    def citation(self) -> Markup:
        text = escape(f"{self.author} ({self.year}) ") + Markup("<cite>{}</cite>").format(
            self.title
        )
        if self.pages:
            text += escape(f", {self.pages}")
        if self.url:  # the address and its site kept on one line: no break after "https://"
            site, slash, rest = self.url.partition("://")[2].partition("/")
            scheme = self.url.partition("://")[0]
            text += Markup('. <a href="{0}"><span class="site">{1}://{2}</span>{3}{4}</a>').format(
                self.url, scheme, site, slash, rest
            )
        if self.accessed:
            text += escape(f" (accessed {self.accessed})")
        return text


@dataclass(frozen=True)
class Fact:
    key: str
    value: str
    about: str
    source: str
    share: float | None = None  # the value as a share (0.1 for "one in ten"), for comparisons


def load_sources() -> dict[str, Source]:
    with open(paths.SOURCES, "rb") as f:
        return {key: Source(key=key, **entry) for key, entry in tomllib.load(f).items()}


def load_facts(sources=None) -> dict[str, Fact]:
    sources = sources if sources is not None else load_sources()
    with open(paths.FACTS, "rb") as f:
        facts = {key: Fact(key=key, **entry) for key, entry in tomllib.load(f).items()}
    unknown = sorted(f"{f.key} -> {f.source}" for f in facts.values() if f.source not in sources)
    if unknown:
        raise KeyError(f"facts cite sources missing from sources.toml: {', '.join(unknown)}")
    return facts


class Notes:
    """Numbers the citations of one report, in the order the template makes them."""

    def __init__(self, sources: dict[str, Source], facts: dict[str, Fact]):
        self.sources = sources
        self.facts = facts
        self.notes: list[dict] = []

    def cite(self, key: str) -> Markup:
        source = self.sources[key]  # KeyError names a misspelt source (config checks first)
        number = len(self.notes) + 1
        if self.notes and self.notes[-1]["id"] == key:
            text = source.ibid()
        elif any(note["id"] == key for note in self.notes):
            text = source.short_citation()
        else:
            text = source.citation()
        self.notes.append({"number": number, "id": key, "citation": text})
        return Markup(
            '<a class="noteref" href="#note-{n}" id="ref-{n}" role="doc-noteref" '
            'aria-label="note {n}">{n}</a><span class="footnote">{text}</span>'
        ).format(n=number, text=text)

    def fact(self, key: str) -> Markup:
        fact = self.facts[key]
        return escape(fact.value) + self.cite(fact.source)

    def published_report(self, edition) -> Markup:
        """A note citing the edition as its publishers published it (at `report_url` in
        data/editions.toml, where known): where its recommendations are, in their words."""
        published = edition.published.split()[-1]
        source = Source(
            key=f"published-{edition.year}",
            author=" and ".join(edition.publishers),
            year=published,
            title=f"{edition.title}: {edition.subtitle}",
            url=edition.report_url,
        )
        self.sources = {**self.sources, source.key: source}
        return self.cite(source.key)

    def endnotes(self) -> list[dict]:
        return list(self.notes)
