"""Problems found in the inputs, worded for the person who typed them."""

import unicodedata
from dataclasses import dataclass

# The console shows this many problems; the log file has them all.
SHOWN_PROBLEMS = 50


def printable(text: str) -> str:
    """Text safe to show on a terminal: control and invisible characters (an escape sequence
    typed into a cell, a bell, a zero-width space) shown as escapes such as \\x1b."""
    return "".join(_escaped(c) for c in str(text))


def _escaped(char: str) -> str:
    if char == "\n" or unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"):
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None
    row: int | None
    authority: str | None
    column: str | None
    message: str
    public: str = ""  # the message without anything typed in the returns, for published files
    code: str | None = None  # the authority's code from the reference list, if known

    def published(self) -> str:
        """The problem as published files may say it: no text typed in the returns (names,
        headers, values), which may hold anything (disclosure policy, rule 6)."""
        where = [f"row {self.row}" + (f" ({self.code})" if self.code else "")] if self.row else []
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.public or 'see the build log'}"

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}" + (f" ({self.authority})" if self.authority else ""))
        if self.column:
            where.append(f"column {self.column}")
        return printable(f"{', '.join(where)}: {self.message}").replace("\n", "\\n")


class ReturnsError(Exception):
    """The returns cannot be used; every problem found in one pass."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = problems
        self.warnings = warnings or []
        super().__init__(self.summary())

    def lines(self, limit: int | None = SHOWN_PROBLEMS) -> list[str]:
        limit = len(self.problems) if limit is None else limit
        shown = [f"error: {p}" for p in self.problems[:limit]]
        hidden = len(self.problems) - limit
        if hidden > 0:
            shown.append(f"... and {hidden} more problem{'s' * (hidden > 1)} (see the log)")
        return shown

    def summary(self) -> str:
        return "\n".join(self.lines())
