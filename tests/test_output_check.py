"""The independent check's own parts, quick and one at a time (what mutation testing runs):
reading stats.json's structure for figures the policy hides, telling a leak in a line of
text from a number that only looks like one, and finding it in every kind of published file."""

import pytest

from harmreport import output_check
from harmreport.disclosure import MARK
from harmreport.output_check import Secret, leaks_in_line
from harmreport.returns import load_returns
from tests.helpers import full, row, write_returns

KENT, CROYDON = "E10000016", "E09000008"  # South East, London
SMALL = Secret((KENT, "Kent"), 3, "trafficked_in_care at E10000016", "rule 1")


@pytest.mark.parametrize(
    "line",
    [
        "Kent | 3 | 12",  # a table row, as tables are read
        "Kent   3   12",  # a PDF table line: the name, then only numbers
        "Kent   3   [c]",
        "Kent 3 12",  # a narrow table's cells, one space apart
        "Kent looked after 3 trafficked children",
        "In Kent, 3 children went missing",
        "E10000016 | 3",
    ],
)
def test_a_small_count_beside_its_authority_is_a_leak(line):
    assert leaks_in_line(line, SMALL)


@pytest.mark.parametrize(
    "line",
    [
        "Kent | 34",
        "Kent | 3.5",
        "Kent | 3%",
        "Kent | 1,3",
        "Kent is 3 miles from the coast",
        "Kent applies rule 3 children",  # the policy's own words
        "Kent: counts from 1 to 4 children are hidden",
        "Kent3 | x",
        "Croydon | 3",
        "kent | 3",  # names are matched with their case
    ],
)
def test_a_number_that_only_looks_like_the_count_is_not(line):
    assert not leaks_in_line(line, SMALL)


def test_a_count_of_authorities_is_not_a_count_of_children():
    wales = Secret(("Wales",), 3, "trafficked_in_care in Wales", "rule 2")
    assert not leaks_in_line("authorities.by_nation.Wales | 3", wales)
    assert not leaks_in_line("data_quality.Wales.refused | 3", wales)
    assert leaks_in_line("regions.Wales.trafficked_in_care | 3", wales)
    assert leaks_in_line("Wales 3 children", wales)
    assert not output_check._counts_authorities("the authorities in Wales | 3")


def returns_of(tmp_path, kent, croydon, nationalities=""):
    path = write_returns(tmp_path, [row(KENT, **full(*kent)), row(CROYDON, **full(*croydon))])
    if nationalities:
        (tmp_path / "returns_nationalities.csv").write_text(
            "authority_code,group,nationality,went_missing\n" + nationalities, encoding="utf-8"
        )
    return load_returns(path, 2024)


def found(leaks) -> set[tuple[str, str]]:
    return {(leak.figure, leak.rule) for leak in leaks}


def test_a_uk_figure_from_a_single_authority_is_found(tmp_path):
    returns = returns_of(tmp_path, (3, 0, 0, 40, 10, 20, 0, 0), (0, 0, 0, 300, 30, 40, 0, 0))
    stats = {"trafficked": {"in_care": 3, "share_went_missing": 0.0}}
    assert found(output_check.structural_leaks(returns, stats)) == {
        ("trafficked.in_care", "rule 3: a count from 1 to 4 from a single authority"),
        ("trafficked.share_went_missing", "rule 3: a share from a single authority"),
    }
    hidden = {"trafficked": {"in_care": MARK, "share_went_missing": MARK}}
    assert output_check.structural_leaks(returns, hidden) == []


def test_episodes_per_child_count_only_authorities_with_a_child_missing(tmp_path):
    returns = returns_of(tmp_path, (30, 6, 9, 40, 10, 20, 0, 0), (40, 0, 0, 300, 30, 40, 0, 0))
    stats = {"trafficked": {"in_care": 70, "went_missing": 6, "episodes_per_missing_child": 1.5}}
    assert (
        "trafficked.episodes_per_missing_child",
        "rule 3: a share from a single authority",
    ) in (found(output_check.structural_leaks(returns, stats)))
    stats["trafficked"]["episodes_per_missing_child"] = None  # not published at all
    assert not any(
        "episodes" in f for f, _ in found(output_check.structural_leaks(returns, stats))
    )


def regions(south_east, london):
    return {
        "trafficked": {"in_care": 3},
        "regions": {
            "table": [
                {"area": "South East", "trafficked_in_care": south_east},
                {"area": "London", "trafficked_in_care": london},
            ]
        },
    }


def test_a_small_area_or_one_the_total_gives_back_is_found(tmp_path):
    returns = returns_of(tmp_path, (3, 0, 0, 40, 10, 20, 0, 0), (10, 0, 0, 300, 30, 40, 0, 0))
    stats = regions(3, 10)
    stats["trafficked"]["in_care"] = 13
    assert found(output_check._region_leaks(returns, stats)) == {
        ("regions.table.South East.trafficked_in_care", "rule 2")
    }
    stats = regions(MARK, 10)
    stats["trafficked"]["in_care"] = 13
    assert found(output_check._region_leaks(returns, stats)) == {
        (
            "regions.table.South East.trafficked_in_care",
            "rule 4: the UK total minus the other areas gives it",
        )
    }
    stats["trafficked"]["in_care"] = MARK
    assert output_check._region_leaks(returns, stats) == []
    stats["regions"]["table"].pop()  # not every area shown: the subtraction cannot be done
    stats["trafficked"]["in_care"] = 13
    assert output_check._region_leaks(returns, stats) == []


def test_the_largest_and_the_named_authorities_are_not_subtracted_to_a_small_count(tmp_path):
    returns = returns_of(tmp_path, (30, 2, 2, 40, 10, 20, 0, 2), (40, 10, 20, 300, 30, 40, 0, 6))
    stats = {
        "trafficked": {"went_missing": 12, "largest_went_missing_at_one_authority": 10},
        "combined": {
            "still_missing": 8,
            "most_still_missing": [{"code": CROYDON, "name": "Croydon", "value": 6}],
        },
    }
    assert found(output_check._largest_and_named_leaks(returns, stats)) == {
        ("trafficked.went_missing", "rule 4: total minus the largest"),
        ("combined.still_missing", "rule 4: the total minus the named authorities"),
    }
    stats["trafficked"]["went_missing"] = MARK
    stats["combined"]["most_still_missing"][0]["value"] = MARK
    assert output_check._largest_and_named_leaks(returns, stats) == []
    stats["trafficked"]["largest_went_missing_at_one_authority"] = 4
    assert found(output_check._largest_and_named_leaks(returns, stats)) == {
        ("trafficked.largest", "rule 1")
    }


def test_a_small_nationality_and_an_authority_s_own_row_are_found(tmp_path):
    lines = f"{KENT},trafficked,Vietnamese,1\n{CROYDON},trafficked,Albanian,10\n"
    returns = returns_of(
        tmp_path, (30, 2, 2, 40, 10, 20, 0, 2), (40, 10, 20, 300, 30, 40, 0, 6), lines
    )
    ranking = [
        {"nationality": "Albanian", "went_missing": 10},
        {"nationality": "Vietnamese", "went_missing": 1},
    ]
    stats = {"nationalities": {"trafficked": {"ranking": ranking}}}
    assert found(output_check._nationality_leaks(returns, stats)) == {
        ("nationalities.trafficked.Vietnamese", "rule 2")
    }
    ranking[1]["went_missing"] = MARK
    assert output_check._nationality_leaks(returns, stats) == []
    rows = {"x": [{"code": KENT, "value": 4}, {"code": CROYDON, "value": 5, "other": 0}]}
    assert found(output_check._authority_rows(rows)) == {(f"stats.x {KENT} value", "rule 1")}


def test_every_kind_of_published_file_is_read_for_the_count(tmp_path):
    from weasyprint import HTML

    table = "<table><tr><th>Kent</th><td>3</td></tr></table>"  # narrow: "Kent 3" in the PDF
    files = {
        "index.html": f"<html><body>{table}</body></html>",
        "answers.csv": "name,value\nKent,3\n",
        "stats.json": '{"rows": [{"name": "Kent", "value": 3}]}',
        "figures/chart.svg": '<svg xmlns="http://www.w3.org/2000/svg"><text>Kent</text>'
        "<text>3 children</text></svg>",
        "clean.csv": "name,value\nKent,34\nCroydon,3\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    HTML(string=f"<p>{table}</p>").write_pdf(tmp_path / "report.pdf")
    paths = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    leaks = output_check.check_files(paths, tmp_path, [SMALL])
    assert sorted(leak.file for leak in leaks) == [
        "answers.csv", "index.html", "report.pdf", "stats.json"
    ]  # fmt: skip
    assert {(leak.figure, leak.rule) for leak in leaks} == {(SMALL.figure, SMALL.rule)}
    assert output_check.check_files(paths, tmp_path, []) == []
