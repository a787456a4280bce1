import datetime as dt
import re

import pytest

from harmreport.intake.cell_codes import (
    COUNT,
    NO_RESPONSE,
    NOT_RECORDED,
    REDIRECTED,
    REFUSED,
    SUPPRESSED,
    CellError,
    parse_cell,
)


@pytest.mark.parametrize(
    "raw, count",
    [
        ("0", 0),
        ("12", 12),
        ("1,234", 1234),
        ("12.0", 12),
        (" 7 ", 7),
        (12, 12),
        (12.0, 12),
        ("1,234.00", 1234),
        ("\t3\n", 3),
    ],
)
def test_counts(raw, count):
    assert parse_cell(raw).category == COUNT
    assert parse_cell(raw).count == count


@pytest.mark.parametrize(
    "raw, category",
    [
        ("<5", SUPPRESSED),
        ("< 5", SUPPRESSED),
        ("fewer than 10", SUPPRESSED),
        ("Fewer Than 3", SUPPRESSED),
        ("<2", SUPPRESSED),
        ("not recorded", NOT_RECORDED),
        ("Not Held", NOT_RECORDED),
        ("UNKNOWN", NOT_RECORDED),
        ("not  recorded", NOT_RECORDED),
        ("refused", REFUSED),
        ("Exempt", REFUSED),
        ("s12", REFUSED),
        ("S40", REFUSED),
        ("", NO_RESPONSE),
        ("   ", NO_RESPONSE),
        (None, NO_RESPONSE),
        ("No response", NO_RESPONSE),
    ],
)
def test_codes(raw, category):
    assert parse_cell(raw).category == category
    assert parse_cell(raw).count is None


def test_suppressed_keeps_its_limit():
    assert parse_cell("fewer than 5").limit == 5


@pytest.mark.parametrize(
    "raw, says",
    [
        ("-1", "whole number"),
        ("2.5", "whole number"),
        ("12a", "not a count or a recognised"),
        ("N/A", "type 'not held' if the council does not hold the figure"),
        ("n/a", "the council's wording, not a code"),
        ("<1", "2 to 10"),
        ("<11", "2 to 10"),
        ("=SUM(A1:A3)", "formula"),
        (True, "TRUE/FALSE"),
        (2.5, "whole"),
        (-3, "negative"),
        ("1,23", "whole number"),
        ("approx 5", "not a count"),
        ("not\u00a0recorded", "U+00A0"),
        ("\u0415xempt", "U+0415"),
        ("１２", "U+FF11"),
        (float("nan"), "whole number"),
    ],
)
def test_errors_say_why(raw, says):
    with pytest.raises(CellError, match=re.escape(says)):
        parse_cell(raw)


def test_error_lists_what_is_allowed():
    with pytest.raises(CellError) as error:
        parse_cell("12a")
    assert "(a whole number, <N, <=N, *, not held, s12, s40, redirected, no response)" in str(
        error.value
    )


@pytest.mark.parametrize(
    "raw, nation, category, low, limit, detail",
    [
        ("5 or less", None, SUPPRESSED, 0, 6, "0 to 5"),  # allows none: never "at least one"
        ("<=5", None, SUPPRESSED, 0, 6, "0 to 5"),
        ("up to 4", None, SUPPRESSED, 0, 5, "0 to 4"),
        ("less than 5", None, SUPPRESSED, 1, 5, "<5"),
        ("*", None, SUPPRESSED, 0, None, "range not given"),
        ("unable to report", None, NOT_RECORDED, 1, None, ""),
        ("s12", "Scotland", REFUSED, 1, None, "FOISA s12"),
        ("s38", "Scotland", REFUSED, 1, None, "FOISA s38"),
        ("s38(1)(b)", "Scotland", REFUSED, 1, None, "FOISA s38"),
        ("s17", "Scotland", NOT_RECORDED, 1, None, "FOISA s17"),
        ("s25", "Scotland", REFUSED, 1, None, "FOISA s25"),
        ("s40", "Scotland", REFUSED, 1, None, "s40"),  # the contract's code, in any nation
        ("refused s40", "Wales", REFUSED, 1, None, "FOIA s40"),
        ("S40(2)", "England", REFUSED, 1, None, "FOIA s40"),
        ("redirected", None, REDIRECTED, 1, None, ""),
        ("Redirected: East Sussex", None, REDIRECTED, 1, None, ""),
    ],
)
def test_council_answers_are_recorded_as_given(raw, nation, category, low, limit, detail):
    cell = parse_cell(raw, nation)
    assert (cell.category, cell.low, cell.limit, cell.detail) == (category, low, limit, detail)
    assert cell.count is None


def test_an_answer_for_another_period_or_group_says_so_in_brackets():
    cell = parse_cell("39 (single day; Includes  care leavers)")
    assert (cell.category, cell.count) == (COUNT, 39)
    assert cell.basis == ("single day", "includes care leavers")
    assert parse_cell("<5 (rolling 12 months)").basis == ("rolling 12 months",)
    with pytest.raises(CellError, match="'as at june' is not a period or group"):
        parse_cell("39 (as at June)")


def test_an_answer_s_category_and_the_kinds_a_table_shows():
    from harmreport.intake.cell_codes import OTHER_BASIS, USUAL, category_of, in_use

    assert (
        category_of("refused: FOIA s12") == REFUSED and category_of("no_response") == NO_RESPONSE
    )
    usual = {"q1": dict.fromkeys(USUAL, 1) | {REDIRECTED: 0, OTHER_BASIS: 0}}
    assert in_use(usual) == list(USUAL)  # the usual five, even at 0; others only if they occur
    assert in_use({**usual, "q2": {REDIRECTED: 0, OTHER_BASIS: 2}})[-2:] == [
        OTHER_BASIS,
        NO_RESPONSE,
    ]
    assert REDIRECTED not in in_use({**usual, "q2": {OTHER_BASIS: 2}})


def test_every_code_the_workbook_offers_is_read_as_what_it_says():
    from harmreport.intake.cell_codes import WORKBOOK_CODES

    nations = {"s17": "Scotland", "s25": "Scotland", "s38": "Scotland"}
    kinds = {parse_cell(code, nations.get(code)).category for code in WORKBOOK_CODES}
    assert kinds == {SUPPRESSED, NOT_RECORDED, REFUSED, REDIRECTED, NO_RESPONSE}
    assert {"<=5", "*", "unable to report", "redirected", "s38"} <= set(WORKBOOK_CODES)


@pytest.mark.parametrize(
    "raw, nation, message",
    [
        (-3, None, "'-3' is negative; a count is a whole number from 0"),
        ("-3", None, "'-3' is not a whole number from 0"),
        (
            100_001,
            None,
            "'100001' is more than 100,000, far beyond any authority's count; check "
            "the cell (a number too long for Excel shows as 1E+20)",
        ),
        (float("inf"), None, "inf is not a whole number"),
        (float("nan"), None, "nan is not a whole number"),
        (dt.date(2024, 1, 1), None, "2024-01-01 is a date, not a count"),
        (
            "39 (as at June)",
            None,
            "'39 (as at June)': 'as at june' is not a period or group the "
            "returns record; in brackets after the answer, type one or more of: part year, single "
            "day, rolling 12 months, financial year, other period, includes care leavers",
        ),
        (
            "s99",
            "England",
            "'s99' cites a section the FOIA codes do not hold (s12, s14, s21, s40)",
        ),
        (
            "s38",
            "Wales",
            "(that is a section of the Scottish Act; an authority outside "
            "Scotland answers under the Freedom of Information Act 2000: s40 for personal data)",
        ),
        (
            "FOISA s40",
            "Scotland",
            "do not hold (s12, s17, s25, s38) (a Scottish authority cites s38 for personal data)",
        ),
        (
            "FOISA s38",
            "England",
            "'FOISA s38' names the FOISA, but authorities outside Scotland answer under the FOIA",
        ),
        ("<=10", None, "'<=10' withholds a count up to 10; N in <=N must be 1 to 9"),
        ("12\u00a0", None, "'12\u00a0' contains U+00A0 (NO-BREAK SPACE)"),
        ("39 (single day)\u00a0", None, "contains U+00A0"),
        ("\ue000", None, "U+E000 (unnamed character)"),
        ("12\x7f", None, "contains U+007F (unnamed character)"),
        ("12\x80", None, "contains U+0080"),
        (-3.0, None, "'-3.0' is negative"),
        ("100,001", None, "'100,001' is more than 100,000"),
        ("s38", "England", "a section of the Scottish Act"),
        ("FOIA s40", "Scotland", "Scottish authorities answer under the FOISA"),
        ("FOISA s38", "Wales", "authorities outside Scotland answer under the FOIA"),
        ("s99", "England", "cites a section the FOIA codes do not hold"),
        ("<=0", None, "N in <=N must be 1 to 9"),
        ("Section 12 exemption", None, "type s12"),
        ("personal data", None, "type s40"),
        ("none", None, "type 0"),
        ("Not a children's services authority", None, "type redirected"),
        ("overdue", None, "type no response"),
    ],
)
def test_each_refusal_says_why_and_what_to_type(raw, nation, message):
    with pytest.raises(CellError) as refused:
        parse_cell(raw, nation)
    assert message in str(refused.value)


def test_a_section_neither_act_holds_gets_no_hint():
    with pytest.raises(CellError) as refused:
        parse_cell("s99", "England")
    assert str(refused.value).endswith(
        "cites a section the FOIA codes do not hold (s12, s14, s21, s40)"
    )


def test_the_edges_of_what_is_accepted():
    assert parse_cell(100_000).count == 100_000 and parse_cell("100000").count == 100_000
    assert parse_cell("<=1").limit == 2 and parse_cell("<=9").limit == 10
    assert parse_cell("FOIA s40", "England").detail == "FOIA s40"
    with pytest.raises(CellError) as refused:
        parse_cell("FOISA s99", "Scotland")
    assert "s38 for personal data" not in str(refused.value)
    bracketed = parse_cell("<5 (rolling 12 months)")
    assert (bracketed.limit, bracketed.low, bracketed.detail) == (5, 1, "<5")
    assert parse_cell("5 or less (part year)").low == 0
    assert parse_cell("s38 (part year)", "Scotland").detail == "FOISA s38"


@pytest.mark.parametrize(
    "answer, printed",
    [
        ("count", "number"),
        ("suppressed", "[c]"),
        ("suppressed: range not given", "[c]"),
        ("suppressed: <5", "[c] <5"),
        ("suppressed: 0 to 5", "[c] 0–5"),
        ("not_recorded", "[x]"),
        ("refused", "refused"),
        ("refused: FOISA s38", "refused s38"),
        ("refused: s40", "refused s40"),  # a section without its Act
        ("redirected", "redirected"),
        ("other_basis: financial year", "other basis (financial year)"),
        ("other_basis: year to: 31 March", "other basis (year to: 31 March)"),  # a colon inside
        ("no_response", "no answer"),
    ],
)
def test_each_answer_is_printed_in_the_one_vocabulary_and_read_back(answer, printed):
    from harmreport.intake.cell_codes import category_of, published_answer

    assert published_answer(answer) == printed
    assert category_of(printed) == category_of(answer) == answer.split(":")[0]


def test_no_mark_is_a_letter_a_reader_could_take_for_another_kind():
    from harmreport.intake.cell_codes import ANSWER_MARKS, CATEGORY_LABELS, category_of

    assert set(ANSWER_MARKS) == set(CATEGORY_LABELS)
    marks = list(ANSWER_MARKS.values())
    assert len(set(marks)) == len(marks)
    # A mark is a GSS symbol in brackets or a whole word: never a bare letter or abbreviation.
    words = re.compile(r"[a-z]{2,}( [a-z]{4,})?")
    assert all(re.fullmatch(r"\[[a-z]\]", m) or words.fullmatch(m) and len(m) > 5 for m in marks)
    with pytest.raises(ValueError, match="not an answer answers.csv records: 'R'"):
        category_of("R")
