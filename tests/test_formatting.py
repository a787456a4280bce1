import pytest

from harmreport.project import formatting
from harmreport.project.formatting import decimal, number, one_in, percent


@pytest.mark.parametrize(
    "share, text",
    [
        (593 / 4744, "13%"),
        (0.125, "13%"),
        (0.135, "14%"),
        (0.145, "15%"),
        (0.285, "29%"),
        (167 / 590, "28%"),
        (0.0, "0%"),
        (1.0, "100%"),
        (0.3199, "32%"),
        (0.315, "32%"),
        (0.0049, "fewer than 1%"),  # above 0: never "0%"
        (0.005, "1%"),
    ],
)
def test_percent_rounds_half_up(share, text):
    assert percent(share) == text


def test_decimal_half_up():
    assert decimal(2.45) == "2.5"
    assert decimal(8.0) == "8.0"
    assert decimal(401 / 167) == "2.4"


def test_number_has_thousands_separators():
    assert number(4744) == "4,744"
    assert number(12530) == "12,530"
    assert number(590) == "590"


@pytest.mark.parametrize(
    "share, text",
    [
        (378 / 1231, "nearly one in three"),
        (986 / 5873, "over one in six"),
        (0.1, "one in ten"),
        (0.5, "one in two"),
        (0.25, "one in four"),
        (0.2505, "over one in four"),
    ],
)
def test_one_in(share, text):
    assert one_in(share) == text


def test_one_comparison_judges_shares_as_printed():
    from harmreport.project.formatting import direction, relative_size

    assert direction(0.3694, 0.3700) == "same"  # both print 37%: never "fallen to 37%"
    assert direction(0.365, 0.364) == "up" and direction(0.27, 0.31) == "down"
    assert relative_size(0.0027) == "less than 1%" and relative_size(-0.249) == "25%"


def test_the_report_words_a_change_with_that_comparison():
    from harmreport.project import paths

    template = (paths.TEMPLATES / "report.html.j2").read_text()
    sentence = next(line for line in template.splitlines() if "has since" in line)
    assert "direction(t.share_went_missing, before.trafficked_share_went_missing)" in sentence
    assert "trafficked_share_change > 0" not in sentence


def test_a_heading_keeps_its_last_two_words_together_and_councils_their_common_name():
    assert formatting.no_widow("Do not record it") == "Do not record\u00a0it"
    assert formatting.no_widow("Refused") == "Refused"
    assert formatting.common_name("Bristol, City of") == "Bristol"
    assert formatting.common_name("Herefordshire, County of") == "Herefordshire"
    assert formatting.common_name("City of London") == "City of London"
