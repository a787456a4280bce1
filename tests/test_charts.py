"""What the charts say beyond their numbers: one colour per meaning, time drawn to scale, and
which points of an illustrative trend were never published."""

from harmreport.intake.cell_codes import CATEGORIES
from harmreport.outputs import figures


def test_each_meaning_has_its_own_colour_in_every_chart():
    groups, answers = set(figures.GROUP_COLOURS.values()), set(figures.ANSWER_COLOURS.values())
    assert len(groups) == 2 and len(answers) == len(CATEGORIES) and not groups & answers


def test_the_trend_places_editions_by_the_middle_of_their_periods():
    from harmreport.project import editions

    middles = {
        year: figures._middle(
            editions.data_year(year).period_start, editions.data_year(year).period_end
        )
        for year in (2015, 2017, 2020, 2024)
    }
    assert round(middles[2017] - middles[2015], 1) == 2.3  # September to September, then 2017
    assert round(middles[2024] - middles[2020], 1) == 4.0
    assert figures._period_tick(editions.data_year(2015)) == "Sep 2014–\nAug 2015"
    assert figures._period_tick(editions.data_year(2020)) == "2020"


def test_an_illustrative_trend_marks_the_shares_no_edition_published():
    trend = {"illustrative": True, "trend": {"2017": {}, "2020": {}, "2024": {}}}
    assert figures.invented_points(trend) == {("2020", "unaccompanied")}
    assert figures.invented_points({**trend, "illustrative": False}) == set()
