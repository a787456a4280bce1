"""Text typed into the returns, made comparable: Unicode NFC, invisible characters removed
(and named, so the typist can find them), case ignored; and the project's vocabularies, so
that what is published is the project's own spelling, never text as typed."""

import csv
import functools
import unicodedata

from harmreport.project import paths

NATIONALITIES = paths.DATA / "vocabularies" / "nationalities.csv"


def character_name(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed character')})"


def normalise(raw: str) -> tuple[str, list[str]]:
    """NFC text with invisible characters (format and control characters) removed and any
    run of spaces made one; and the names of what was removed."""
    text = unicodedata.normalize("NFC", str(raw))
    removed = [c for c in text if unicodedata.category(c) in ("Cf", "Cc") and not c.isspace()]
    kept = "".join(c for c in text if c not in removed)
    return " ".join(kept.split()), sorted({character_name(c) for c in removed})


def key(text: str) -> str:
    return normalise(text)[0].casefold()


@functools.cache
def nationality_names() -> dict[str, str]:
    """Every accepted spelling (case ignored) -> the nationality as the report prints it:
    the nationality itself, its country, and listed aliases."""
    names = {}
    with open(NATIONALITIES, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            spellings = [row["nationality"], row["country"], *row["aliases"].split(";")]
            for spelling in filter(None, (s.strip() for s in spellings)):
                names.setdefault(key(spelling), row["nationality"])
    return names


def nationality(raw: str) -> str | None:
    """The vocabulary's nationality for a typed spelling, or None if it is not listed."""
    return nationality_names().get(key(raw))
