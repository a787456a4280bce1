import re

import pytest

from harmreport.codes import (
    COUNT,
    NO_RESPONSE,
    NOT_RECORDED,
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
        ("N/A", "not a count or a recognised"),
        ("n/a", "not a count"),
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
    assert "(a whole number, <N, not recorded, refused, no response)" in str(error.value)
