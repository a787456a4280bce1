"""The value codes of an FOI returns cell (docs/returns-contract.md: what a cell may hold)."""

import re
import unicodedata
from dataclasses import dataclass

COUNT = "count"
SUPPRESSED = "suppressed"
NOT_RECORDED = "not_recorded"
REFUSED = "refused"
NO_RESPONSE = "no_response"
CATEGORIES = (COUNT, SUPPRESSED, NOT_RECORDED, REFUSED, NO_RESPONSE)
# "Reports" a question: gave a number, even a withheld small one.
REPORTED = (COUNT, SUPPRESSED)

CATEGORY_LABELS = {
    COUNT: "gave a count",
    SUPPRESSED: "withheld a small number",
    NOT_RECORDED: "do not record it",
    REFUSED: "refused",
    NO_RESPONSE: "did not answer",
}
WORDS = {
    "not recorded": NOT_RECORDED,
    "not held": NOT_RECORDED,
    "unknown": NOT_RECORDED,
    "refused": REFUSED,
    "exempt": REFUSED,
    "s12": REFUSED,
    "s40": REFUSED,
    "": NO_RESPONSE,
    "no response": NO_RESPONSE,
}
ALLOWED = "a whole number, <N, not recorded, refused, no response"
# No authority looks after anything like this many children in a year: a larger count is a
# typing or export slip (a pasted phone number, Excel's 1E+20), never data.
MAX_COUNT = 100_000
SUPPRESSION_LIMITS = range(2, 11)

_COUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?")
_SUPPRESSED = re.compile(r"(?:<|fewer than)\s*(\d+)")
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")
_ASCII_SPACE = " \t\r\n"


@dataclass(frozen=True)
class Cell:
    category: str
    count: int | None = None  # the number, for a count
    limit: int | None = None  # N of "<N", for a suppressed cell


class CellError(ValueError):
    """A cell that is not one of the contract's value codes; the message says why."""


def parse_cell(raw) -> Cell:
    """Parse one count cell as typed in the returns (a string, or a number from Excel)."""
    if raw is None:
        return Cell(NO_RESPONSE)
    if isinstance(raw, bool):
        raise CellError(f"{raw!r} is a TRUE/FALSE value, not a count ({ALLOWED})")
    if isinstance(raw, int):
        return _count(raw, raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")) or not raw.is_integer():
            raise CellError(f"{raw!r} is not a whole number ({ALLOWED})")
        return _count(int(raw), raw)
    if not isinstance(raw, str):
        raise CellError(f"{raw!s} is a {type(raw).__name__}, not a count ({ALLOWED})")
    return _parse_text(raw)


def _count(value: int, raw) -> Cell:
    if value < 0:
        raise CellError(f"'{raw}' is negative; a count is a whole number from 0")
    if value > MAX_COUNT:
        raise CellError(
            f"'{raw}' is more than {MAX_COUNT:,}, far beyond any authority's count; check the "
            "cell (a number too long for Excel shows as 1E+20)"
        )
    return Cell(COUNT, count=value)


def _parse_text(raw: str) -> Cell:
    text = raw.strip(_ASCII_SPACE)
    _reject_lookalikes(raw, text)
    text = " ".join(text.lower().split())
    if text in WORDS:
        return Cell(WORDS[text])
    if match := _COUNT.fullmatch(text):
        return _count(int(match.group(1).replace(",", "")), raw)
    if match := _SUPPRESSED.fullmatch(text):
        limit = int(match.group(1))
        if limit not in SUPPRESSION_LIMITS:
            raise CellError(f"'{raw}' withholds a count below {limit}; N in <N must be 2 to 10")
        return Cell(SUPPRESSED, limit=limit)
    if _NUMBER.fullmatch(text):
        raise CellError(f"'{raw}' is not a whole number from 0 ({ALLOWED})")
    if text.startswith("="):
        raise CellError(f"'{raw}' is a formula; type the value itself ({ALLOWED})")
    raise CellError(f"'{raw}' is not a count or a recognised code ({ALLOWED})")


def _reject_lookalikes(raw: str, text: str) -> None:
    # A non-breaking space or a Cyrillic letter looks right on screen but is not the code:
    # name it so the typist can find it instead of guessing what was meant.
    for char in text:
        if ord(char) > 127:
            name = unicodedata.name(char, "unnamed character")
            raise CellError(
                f"'{raw}' contains U+{ord(char):04X} ({name}), which looks like ordinary text "
                f"but is not; retype the cell ({ALLOWED})"
            )
