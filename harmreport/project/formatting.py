"""How numbers read in the report text. Shares are stored unrounded and rounded only here."""

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import wraps
from pathlib import Path

# A figure not published is written as its symbol, never as a number: [c] hidden by
# disclosure control; and the GSS symbols for a figure that is not a number (the Analysis
# Function's guidance on symbols in tables): no authority gave a count behind it, or it cannot
# apply (a share of no children). Neither is ever written as 0.
MARK = "[c]"
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"

NUMBER_WORDS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
}


def _decimal(value: float) -> Decimal:
    # repr gives the shortest decimal that round-trips: 0.125 stays 0.125, so half-up rounding
    # sees the exact half that the division produced.
    return Decimal(repr(float(value)))


NOT_KNOWN = "not known"
SYMBOLS = (MARK, NOT_AVAILABLE, NOT_APPLICABLE)  # what stats.json holds for a figure not shown


def is_figure(value) -> bool:
    """A published number (not a symbol, not a yes/no)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def passes_mark(format_value):
    """A figure withheld by disclosure control is printed as its mark, and one that could not
    be computed (no authority could answer) as 'not known', whatever the format."""

    @wraps(format_value)
    def formatted(value, *args, **kwargs):
        if value is None or value == NOT_AVAILABLE:
            return NOT_KNOWN
        if value == NOT_APPLICABLE:
            return "not applicable"
        return MARK if value == MARK else format_value(value, *args, **kwargs)

    return formatted


def round_half_up(value: float, places: int = 0) -> Decimal:
    return _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def whole_percent(share: float) -> int:
    """A share in whole percent as tables give it: 0.125 -> 13 (half up)."""
    return int(round_half_up(_decimal(share) * 100))


@passes_mark
def percent(share: float, places: int = 0) -> str:
    """0.125 -> '13%' (half up, never banker's rounding); a share above 0 that rounds to
    nothing reads 'fewer than 1%', never '0%'."""
    shown = round_half_up(_decimal(share) * 100, places)
    if share > 0 and shown == 0:
        return f"fewer than {Decimal(1).scaleb(-places)}%"
    return f"{shown}%"


def direction(now: float, then: float) -> str:
    """'same', 'up' or 'down', judged on the shares as the report prints them: the one
    comparison every sentence uses, so that no two sentences disagree."""
    if percent(now) == percent(then):
        return "same"
    return "up" if now > then else "down"


def relative_size(change: float) -> str:
    """A relative change's size as printed: 'less than 1%' where it rounds to nothing."""
    shown = percent(abs(change))
    return "less than 1%" if shown.startswith("fewer than") or shown == "0%" else shown


@passes_mark
def number(value: int) -> str:
    return f"{int(value):,}"


@passes_mark
def decimal(value: float, places: int = 1) -> str:
    return str(round_half_up(value, places))


def long_date(day) -> str:
    """A date as the report writes it: "1 March 2026"."""
    return f"{day.day} {day:%B %Y}"


def revised_value(value) -> str:
    """A revised figure as the report prints it: a count with its thousands, a share as a
    percentage."""
    if isinstance(value, float):
        return percent(value)
    return number(value) if isinstance(value, int) else str(value)


def without_full_stop(text: str) -> str:
    """A phrase a template ends with its own punctuation."""
    return str(text).strip().rstrip(".")


def count_word(value: int) -> str:
    return NUMBER_WORDS.get(int(value), number(value))


@passes_mark
def one_in(share: float) -> str:
    """0.307 -> 'nearly one in three'; 0.1679 -> 'over one in six'; 0.25 -> 'one in four'."""
    share = Fraction(repr(float(share)))
    n = round(1 / share)
    exact = Fraction(1, n)
    if abs(share - exact) < exact / 1000:
        qualifier = ""
    else:
        qualifier = "over " if share > exact else "nearly "
    return f"{qualifier}one in {count_word(n)}"


def by_size(rows: list[dict], column: str, name: str) -> list[dict]:
    """Table rows largest first by `column`; rows whose figure is hidden ([c]) or not known
    follow in order of `name`, so their place says nothing about their size."""
    shown = [r for r in rows if isinstance(r[column], int | float)]
    hidden = [r for r in rows if not isinstance(r[column], int | float)]
    first = sorted(shown, key=lambda r: (-r[column], r[name]))
    return first + sorted(hidden, key=lambda r: r[name])


def no_widow(text: str) -> str:
    """The last two words joined by a no-break space, so a heading never ends on a lone "it"."""
    head, space, last = str(text).rpartition(" ")
    return f"{head}\u00a0{last}" if space else last


def common_name(name: str) -> str:
    """An authority's name as people say it: "Bristol, City of" is Bristol (the reference
    name stays in answers.csv)."""
    return re.sub(r", (City|County) of$", "", name)


def table_cell(value, low: bool = False) -> str:
    """A count as a table shows it: the number, or its symbol ([c], [x], [z]) as it is; a
    figure of low reliability carries [u] after it."""
    shown = value if isinstance(value, str) else number(value)
    return f"{shown} [u]" if low and is_figure(value) else shown


def table_share(value, low: bool = False) -> str:
    """A share as a table shows it (whole percent), or its symbol."""
    shown = value if isinstance(value, str) else percent(value)
    return f"{shown} [u]" if low and is_figure(value) else shown


def file_size(path: Path) -> str:
    """A download's size as a link text gives it: '312 KB', '1.4 MB'."""
    size = Path(path).stat().st_size
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} KB"
    return f"{size / 1_000_000:.1f} MB"
