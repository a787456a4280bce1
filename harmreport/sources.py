"""The sources registry and the footnotes rendered from it.

One `Notes` object numbers the sources of one report in order of first citation. The same
numbers serve the web page (endnotes) and the PDF (page footnotes): the first citation of a
source carries the note text inline, which print CSS floats to the foot of the page; later
citations of the same source point back to that number.
"""

import tomllib
from dataclasses import dataclass

from markupsafe import Markup, escape

from . import paths


@dataclass(frozen=True)
class Source:
    key: str
    author: str
    year: str
    title: str
    url: str = ""
    pages: str = ""

    def citation(self) -> Markup:
        text = escape(f"{self.author} ({self.year}) ") + Markup("<cite>{}</cite>").format(
            self.title
        )
        if self.pages:
            text += escape(f", {self.pages}")
        if self.url:
            text += Markup('. <a href="{0}">{0}</a>').format(self.url)
        return text


@dataclass(frozen=True)
class Fact:
    key: str
    value: str
    about: str
    source: str


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
    """Numbers citations for one report, in the order the template makes them."""

    def __init__(self, sources: dict[str, Source], facts: dict[str, Fact]):
        self.sources = sources
        self.facts = facts
        self.order: list[str] = []
        self.calls: dict[str, int] = {}

    def cite(self, key: str) -> Markup:
        source = self.sources[key]  # KeyError names an uncited or misspelt source
        first = key not in self.order
        if first:
            self.order.append(key)
        number = self.order.index(key) + 1
        self.calls[key] = self.calls.get(key, 0) + 1
        ref_id = f"ref-{number}" + ("" if first else f"-{self.calls[key]}")
        call = Markup(
            '<a class="noteref{first}" href="#note-{n}" id="{rid}" role="doc-noteref" '
            'aria-label="note {n}">{n}</a>'
        ).format(first=" first" if first else "", n=number, rid=ref_id)
        if not first:
            return call
        return call + Markup('<span class="footnote" role="doc-footnote">{}</span>').format(
            source.citation()
        )

    def fact(self, key: str) -> Markup:
        fact = self.facts[key]
        return escape(fact.value) + self.cite(fact.source)

    def endnotes(self) -> list[dict]:
        return [
            {"number": i + 1, "id": key, "citation": self.sources[key].citation()}
            for i, key in enumerate(self.order)
        ]
