"""The value codes of an FOI returns cell (docs/returns-contract.md: what a cell may hold).

A cell records what the council said, as it said it: a count; a number withheld as small (as
the council put it: "<5" is 1 to 4, "5 or less" is 0 to 5, "*" gives no range); not held;
refused, with the Act and section it cited; sent elsewhere; or no answer. A council's wording
the contract does not take as typed is an error that names the code to type instead.
"""

import re
import unicodedata
from dataclasses import dataclass

# The contract's count columns (docs/returns-contract.md), and how the report words each.
# Here, in a module that imports nothing heavy, so that the commit check can read them.
COUNT_COLUMNS = (
    "trafficked_in_care",
    "trafficked_went_missing",
    "trafficked_missing_episodes",
    "unaccompanied_in_care",
    "unaccompanied_went_missing",
    "unaccompanied_missing_episodes",
    "missing_over_week",
    "still_missing",
)
COLUMN_LABELS = (
    "Trafficked children in care",
    "Trafficked children who went missing",
    "Missing episodes of trafficked children",
    "Unaccompanied children in care",
    "Unaccompanied children who went missing",
    "Missing episodes of unaccompanied children",
    "Children missing for more than a week",
    "Children still missing",
)

COUNT = "count"
SUPPRESSED = "suppressed"
NOT_RECORDED = "not_recorded"
REFUSED = "refused"
REDIRECTED = "redirected"
OTHER_BASIS = "other_basis"  # a count for another period or group (the row's own columns)
NO_RESPONSE = "no_response"
CATEGORIES = (COUNT, SUPPRESSED, NOT_RECORDED, REFUSED, REDIRECTED, OTHER_BASIS, NO_RESPONSE)
# Always shown in the tables of answers; the others only in an edition where they occur.
USUAL = (COUNT, SUPPRESSED, NOT_RECORDED, REFUSED, NO_RESPONSE)
# "Reports" a question: gave a number, even a withheld small one.
REPORTED = (COUNT, SUPPRESSED)

# The one vocabulary of answer kinds: what a sentence, a table heading, a chart's legend and
# the spreadsheet call each kind (LABELS), and the mark that answers.csv and Appendix A print
# for it (MARKS): the GSS symbols [c] (confidential) and [x] (not available) where one exists,
# words where none does, so that no letter can be read as another kind.
CATEGORY_LABELS = {
    COUNT: "gave a number",
    SUPPRESSED: "withheld a small number",
    NOT_RECORDED: "do not record it",
    REFUSED: "refused",
    REDIRECTED: "sent us to another body",
    OTHER_BASIS: "answered for another period or group",
    NO_RESPONSE: "did not answer",
}

ANSWER_MARKS = {
    COUNT: "number",
    SUPPRESSED: "[c]",
    NOT_RECORDED: "[x]",
    REFUSED: "refused",
    REDIRECTED: "redirected",
    OTHER_BASIS: "other basis",
    NO_RESPONSE: "no answer",
}
_KIND_OF_MARK = {mark: kind for kind, mark in ANSWER_MARKS.items()}

# The Acts an authority answers under, and what each section it may cite means. An English,
# Welsh or Northern Irish authority answers under the Freedom of Information Act 2000; a
# Scottish one under the Freedom of Information (Scotland) Act 2002.
FOIA, FOISA = "FOIA", "FOISA"
SECTIONS = {
    (FOIA, 12): (REFUSED, "the cost of finding the answer is over the legal limit"),
    (FOIA, 14): (REFUSED, "the request is vexatious or repeated"),
    (FOIA, 21): (REFUSED, "the information is available by other means"),
    (FOIA, 40): (REFUSED, "personal information"),
    (FOISA, 12): (REFUSED, "the cost of finding the answer is over the legal limit"),
    (FOISA, 17): (NOT_RECORDED, "notice that the information is not held"),
    (FOISA, 25): (REFUSED, "the information is otherwise accessible (published elsewhere)"),
    (FOISA, 38): (REFUSED, "personal information"),
}

CONTRACT_SECTIONS = (12, 40)  # "s12" and "s40" mean refused, whichever Act binds the authority
WORDS = {
    "not recorded": NOT_RECORDED,
    "not held": NOT_RECORDED,
    "unknown": NOT_RECORDED,
    "unable to report": NOT_RECORDED,
    "refused": REFUSED,
    "exempt": REFUSED,
    "redirected": REDIRECTED,
    "": NO_RESPONSE,
    "no response": NO_RESPONSE,
}
ALLOWED = "a whole number, <N, <=N, *, not held, s12, s40, redirected, no response"
# An answer for another period or group than asked, said in brackets after it ("39 (single
# day; includes care leavers)") or in the row's basis columns (docs/returns-contract.md).
PERIODS = ("part year", "single day", "rolling 12 months", "financial year", "other period")
SCOPES = (
    "includes care leavers",
    "includes children not in care",
    "all looked-after children",
    "trafficking without modern slavery",
    "other group",
)
_BASIS = re.compile(r"(.*\S)\s+\(([^()]{3,})\)")  # not "s38(1)(b)": a section's parts
# No authority looks after anything like this many children in a year: a larger count is a
# typing or export slip (a pasted phone number, Excel's 1E+20), never data.
MAX_COUNT = 100_000
SUPPRESSION_LIMITS = range(2, 11)

_COUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?")
# "<5", "fewer than 5", "less than 5": 1 to 4 (the contract's own form).
_FEWER = re.compile(r"(?:<|fewer than|less than)\s*(\d+)")
# "<=5", "5 or less", "5 or fewer", "up to 5": 0 to 5 (the council's answer allows none).
_AT_MOST = re.compile(r"(?:<=\s*(\d+)|(\d+) or (?:less|fewer|under)|up to (\d+))")
_SECTION = re.compile(r"(?:refused\s*)?(?:(foisa|foia)\s*)?s\s?(\d+)(?:\(\d\)(?:\([a-z]\))?)?")
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")
_ASCII_SPACE = " \t\r\n"

# Council wordings the team may copy from a reply, with the code to type instead.
INSTEAD = (
    (re.compile(r".*\bsection\s*12\b.*|.*cost limit.*|.*appropriate limit.*"),
     "s12 (refused under section 12: cost)"),
    (re.compile(r".*\bsection\s*40\b.*|.*personal (data|information).*|.*data protection.*"),
     "s40 (refused under section 40: personal information; s38 for a Scottish authority)"),
    (re.compile(r".*\bsection\s*38\b.*"), "s38 (a Scottish authority's personal information)"),
    (re.compile(r".*\bsection\s*17\b.*"), "s17 (a Scottish authority's notice of not held)"),
    (re.compile(r"n/?a|not applicable"),
     "'not held' if the council does not hold the figure, 0 if it said there were none, or "
     "'no response' if it did not answer"),
    (re.compile(r"none|nil|no children|zero"), "0 (the council said there were none)"),
    (re.compile(r"(less than or equal to|at most|maximum of|no more than)\s*(\d+)"),
     "<=N (withheld: from 0 to N)"),
    (re.compile(r"(less than|fewer than|under|below)\s*(\d+)\s*\*?|<\s*\d+\s*\*"),
     "<N (withheld: from 1 to N-1)"),
    (re.compile(r".*children'?s services.*|.*redirect.*|.*\bask .*"),
     "redirected (the council sent the request to another body)"),
    (re.compile(r"(no reply|no answer|not received|overdue|late|awaiting.*)"),
     "no response (or leave the cell empty)"),
    (re.compile(r".*\bnot held\b.*|unable to (say|provide|answer)|cannot (say|report)|"
                r"not available"),
     "not held (the council does not hold the figure in a form it can report)"),
)  # fmt: skip


@dataclass(frozen=True)
class Cell:
    category: str
    count: int | None = None  # the number, for a count
    limit: int | None = None  # the withheld number is below this (None: no range given)
    low: int = 1  # the withheld number is at least this: 0 where the answer allows none
    detail: str = ""  # as the council gave it: "FOIA s12", "<5", "0 to 5", "range not given"
    basis: tuple[str, ...] = ()  # another period or group the answer is for, as bracketed

    @property
    def answer(self) -> str:
        """The answer as answers.csv records it: its category, and what the council cited."""
        return f"{self.category}: {self.detail}" if self.detail else self.category


def published_answer(answer: str) -> str:
    """An answer ("refused: FOIA s12", "suppressed: 0 to 5") as answers.csv and Appendix A
    print it: its mark, with the range a council gave for a withheld number ("[c] 0–5") or the
    section it cited for a refusal ("refused s12") or the basis of a count that is not the
    edition's ("other basis (financial year)"); never a number it gave."""
    category, _, detail = answer.partition(": ")
    mark = ANSWER_MARKS[category]
    if category == SUPPRESSED and detail and detail != "range not given":
        return f"{mark} {detail.replace(' to ', '–')}"
    if category == REFUSED and detail:
        return f"{mark} {detail.split()[-1]}"
    if category == OTHER_BASIS and detail:
        return f"{mark} ({detail})"
    return mark


def category_of(answer: str) -> str:
    """The category of an answer in answers.csv: as published now ("refused s12", "[c] <5")
    or as editions before the marks recorded it ("refused: FOIA s12", "suppressed")."""
    for mark, kind in _KIND_OF_MARK.items():
        if answer == mark or answer.startswith(mark + " "):
            return kind  # first: a basis given may hold a colon ("other basis (to: March)")
    category = answer.partition(":")[0]
    if category in CATEGORIES:
        return category
    raise ValueError(f"not an answer answers.csv records: {answer!r}")


def in_use(data_quality: dict) -> list[str]:
    """The categories a table of answers shows: the usual five, and any other that occurs."""
    return [
        c
        for c in CATEGORIES
        if c in USUAL or any(answers.get(c) for answers in data_quality.values())
    ]


class CellError(ValueError):
    """A cell that is not one of the contract's value codes; the message says why."""


def act_of(nation: str | None) -> str:
    return FOISA if nation == "Scotland" else FOIA


def parse_cell(raw, nation: str | None = None) -> Cell:
    """Parse one count cell as typed in the returns (a string, or a number from Excel); the
    authority's nation decides which Act a section it cites belongs to."""
    if raw is None:
        return Cell(NO_RESPONSE)
    if isinstance(raw, bool):
        raise CellError(f"{raw!r} is a TRUE/FALSE value, not a count ({ALLOWED})")
    if isinstance(raw, int):
        return _count(raw, raw)
    if isinstance(raw, float):
        if not raw.is_integer():  # NaN and infinities are not integers either
            raise CellError(f"{raw!r} is not a whole number ({ALLOWED})")
        return _count(int(raw), raw)
    if not isinstance(raw, str):
        raise CellError(f"{raw!s} is a {type(raw).__name__}, not a count ({ALLOWED})")
    if bracketed := _BASIS.fullmatch(raw.strip(_ASCII_SPACE)):
        answer, said = bracketed.groups()
        terms = tuple(" ".join(t.lower().split()) for t in said.split(";"))
        unknown = [t for t in terms if t not in PERIODS + SCOPES]
        if unknown:
            raise CellError(
                f"'{raw}': '{unknown[0]}' is not a period or group the returns record; in "
                f"brackets after the answer, type one or more of: {', '.join(PERIODS + SCOPES)}"
            )
        cell = parse_cell(answer, nation)
        return Cell(cell.category, cell.count, cell.limit, cell.low, cell.detail, terms)
    return _parse_text(raw, act_of(nation))


def _count(value: int, raw) -> Cell:
    if value < 0:
        raise CellError(f"'{raw}' is negative; a count is a whole number from 0")
    if value > MAX_COUNT:
        raise CellError(
            f"'{raw}' is more than {MAX_COUNT:,}, far beyond any authority's count; check the "
            "cell (a number too long for Excel shows as 1E+20)"
        )
    return Cell(COUNT, count=value)


def _parse_text(raw: str, act: str) -> Cell:
    text = raw.strip(_ASCII_SPACE)
    _reject_lookalikes(raw, text)
    text = " ".join(text.lower().split())
    if text in WORDS:
        return Cell(WORDS[text])
    if text.startswith("redirected"):
        return Cell(REDIRECTED)  # "redirected: East Sussex": whom to is the team's note only
    if match := _COUNT.fullmatch(text):
        return _count(int(match.group(1).replace(",", "")), raw)
    if text == "*":
        return Cell(SUPPRESSED, low=0, detail="range not given")
    if match := _FEWER.fullmatch(text):
        limit = int(match.group(1))
        if limit not in SUPPRESSION_LIMITS:
            raise CellError(f"'{raw}' withholds a count below {limit}; N in <N must be 2 to 10")
        return Cell(SUPPRESSED, limit=limit, detail=f"<{limit}")
    if match := _AT_MOST.fullmatch(text):
        most = int(next(g for g in match.groups() if g))
        if most + 1 not in SUPPRESSION_LIMITS:
            raise CellError(f"'{raw}' withholds a count up to {most}; N in <=N must be 1 to 9")
        return Cell(SUPPRESSED, limit=most + 1, low=0, detail=f"0 to {most}")
    if match := _SECTION.fullmatch(text):
        return _section(raw, match.group(1), int(match.group(2)), act)
    if _NUMBER.fullmatch(text):
        raise CellError(f"'{raw}' is not a whole number from 0 ({ALLOWED})")
    if text.startswith("="):
        raise CellError(f"'{raw}' is a formula; type the value itself ({ALLOWED})")
    for wording, code in INSTEAD:
        if wording.fullmatch(text):
            raise CellError(f"'{raw}' is the council's wording, not a code: type {code}")
    raise CellError(f"'{raw}' is not a count or a recognised code ({ALLOWED})")


def _section(raw: str, named: str | None, number: int, act: str) -> Cell:
    """A section the council cited, under the Act that binds it."""
    if named and named.upper() != act:
        other = "Scottish authorities" if act == FOISA else "authorities outside Scotland"
        raise CellError(f"'{raw}' names the {named.upper()}, but {other} answer under the {act}")
    if not named and number in CONTRACT_SECTIONS and (act, number) not in SECTIONS:
        return Cell(REFUSED, detail=f"s{number}")  # the contract's own codes, in any nation
    if (act, number) not in SECTIONS:
        known = ", ".join(f"s{n}" for a, n in SECTIONS if a == act)
        hint = ""
        if act == FOIA and (FOISA, number) in SECTIONS:
            hint = " (that is a section of the Scottish Act; an authority outside Scotland "
            hint += "answers under the Freedom of Information Act 2000: s40 for personal data)"
        elif act == FOISA and number == 40:
            hint = " (a Scottish authority cites s38 for personal data)"
        raise CellError(f"'{raw}' cites a section the {act} codes do not hold ({known}){hint}")
    category, _ = SECTIONS[(act, number)]
    return Cell(category, detail=f"{act} s{number}")


def _reject_lookalikes(raw: str, text: str) -> None:
    # A non-breaking space or a Cyrillic letter looks right on screen but is not the code:
    # name it so the typist can find it instead of guessing what was meant.
    for char in text:
        if ord(char) >= 127:  # DEL, and everything beyond ASCII
            name = unicodedata.name(char, "unnamed character")
            raise CellError(
                f"'{raw}' contains U+{ord(char):04X} ({name}), which looks like ordinary text "
                f"but is not; retype the cell ({ALLOWED})"
            )


# What the workbook's drop-down offers (Excel matches them in any case).
WORKBOOK_CODES = [
    "not held", "not recorded", "unable to report", "refused", "s12", "s40", "s17", "s25",
    "s38", "redirected", "no response", "*",
    *(f"<{n}" for n in SUPPRESSION_LIMITS), *(f"<={n - 1}" for n in SUPPRESSION_LIMITS),
]  # fmt: skip
