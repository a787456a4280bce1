"""The independent check's own parts, quick and one at a time (what mutation testing runs):
reading stats.json's structure for figures the policy hides, telling a leak in a line of
text from a number that only looks like one, and finding it in every kind of published file."""

import pytest

from harmreport.analysis.disclosure import MARK
from harmreport.check import output_check
from harmreport.check.output_check import Secret, leaks_in_line
from harmreport.intake.returns import load_returns
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


def test_a_key_is_read_as_a_count_of_authorities_only_when_it_is_a_dotted_key():
    counts = output_check._counts_authorities
    assert counts("authorities.by nation | 3")  # a key, though a part holds a space
    assert not counts("authorities | 3")  # no dot: words, not a key
    assert not counts("the x.authorities | 3")  # a sentence ending in a key-like word
    assert counts("trafficked.authorities_reporting | 161")


def test_the_longest_name_is_matched_first(tmp_path):
    """Kent and "Kent County" are both names: a row of the longer is read as its own."""
    (tmp_path / "rows.csv").write_text("name,value\nKent County,2\nKent County,2\n")
    kent = Secret(("Kent",), 3, "kent", "rule 1")
    county = Secret(("Kent County",), 2, "county", "rule 1")
    leaks = output_check.check_files([tmp_path / "rows.csv"], tmp_path, [kent, county])
    assert [leak.figure for leak in leaks] == ["county"]  # and once, though it is there twice


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
    assert all(leak.file == "stats.json" for leak in leaks)
    return {(leak.figure, leak.rule) for leak in leaks}


def test_one_authority_means_one_with_a_count_above_zero(tmp_path):
    import pandas as pd

    one = output_check._one_authority
    assert one(pd.Series([1, 0, pd.NA], dtype="Int64"))
    assert not one(pd.Series([1, 1], dtype="Int64"))
    assert not one(pd.Series([pd.NA, pd.NA], dtype="Int64"))


def test_every_structural_rule_is_applied_to_stats_json(tmp_path):
    lines = f"{KENT},trafficked,Vietnamese,1\n"
    returns = returns_of(
        tmp_path, (3, 2, 2, 40, 10, 20, 0, 2), (10, 10, 20, 300, 30, 40, 0, 6), lines
    )
    stats = {
        "trafficked": {
            "in_care": 13,
            "went_missing": 12,
            "largest_went_missing_at_one_authority": 10,
        },
        "regions": {"table": [{"area": "South East", "trafficked_in_care": 3}]},
        "nationalities": {
            "trafficked": {"ranking": [{"nationality": "Vietnamese", "went_missing": 1}]}
        },
        "rows": [{"code": KENT, "value": 2}],
    }
    assert {figure for figure, _ in found(output_check.structural_leaks(returns, stats))} >= {
        "regions.table.South East.trafficked_in_care",
        "trafficked.went_missing",
        "nationalities.trafficked.Vietnamese",
        f"stats.rows {KENT} value",
    }


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


@pytest.mark.parametrize("kent_missing", [1, 2])
def test_the_largest_and_the_named_authorities_are_not_subtracted_to_a_small_count(
    tmp_path, kent_missing
):
    kent = (30, kent_missing, 2, 40, 10, 20, 0, kent_missing)
    returns = returns_of(tmp_path, kent, (40, 10, 20, 300, 30, 40, 0, 6))
    stats = {
        "trafficked": {
            "went_missing": 10 + kent_missing,
            "largest_went_missing_at_one_authority": 10,
        },
        "combined": {
            "still_missing": 6 + kent_missing,
            "most_still_missing": [{"code": CROYDON, "name": "Croydon", "value": 6}],
        },
    }
    assert found(output_check._largest_and_named_leaks(returns, stats)) == {
        ("trafficked.went_missing", "rule 4: total minus the largest"),
        ("combined.still_missing", "rule 4: the total minus the named authorities"),
    }
    stats["trafficked"]["went_missing"] = MARK
    stats["combined"]["still_missing"] = MARK  # the named one shown, the total hidden
    assert output_check._largest_and_named_leaks(returns, stats) == []
    stats["combined"]["still_missing"] = 6 + kent_missing
    stats["combined"]["most_still_missing"][0]["value"] = MARK
    assert output_check._largest_and_named_leaks(returns, stats) == []
    stats["trafficked"]["largest_went_missing_at_one_authority"] = 4
    assert found(output_check._largest_and_named_leaks(returns, stats)) == {
        ("trafficked.largest", "rule 1")
    }


def test_authorities_with_none_are_not_among_those_left_after_the_largest(tmp_path):
    path = write_returns(
        tmp_path,
        [
            row(KENT, **full(30, 2, 2, 40, 10, 20, 0, 2)),
            row(CROYDON, **full(40, 10, 20, 300, 30, 40, 0, 6)),
            row("E09000017", **full(40, 0, 0, 300, 30, 40, 0, 0)),  # Hillingdon: none missing
        ],
    )
    stats = {
        "trafficked": {"went_missing": 12, "largest_went_missing_at_one_authority": 10},
        "combined": {"still_missing": 8, "most_still_missing": [{"code": CROYDON, "value": 6}]},
    }
    assert len(output_check._largest_and_named_leaks(load_returns(path, 2024), stats)) == 2


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
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Kent", 3])
    book.save(tmp_path / "tables.xlsx")
    paths = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    leaks = output_check.check_files(paths, tmp_path, [SMALL])
    assert sorted(leak.file for leak in leaks) == [
        "answers.csv", "index.html", "report.pdf", "stats.json", "tables.xlsx"
    ]  # fmt: skip
    assert {(leak.figure, leak.rule) for leak in leaks} == {(SMALL.figure, SMALL.rule)}
    assert output_check.check_files(paths, tmp_path, []) == []


# ---- reasoning with ranges: the boundaries of each bound the reader knows ---------------------

SAID_SMALL = "disclosure"


def went_missing(tmp_path, counts, total, largest=None, small=()):
    """Trafficked children who went missing at each of a few authorities, and stats.json's
    total and largest (MARK said fewer than five when named in `small`)."""
    from tests.test_disclosure import CODES, ranged_returns

    returns = ranged_returns(tmp_path, dict(zip(CODES, counts, strict=False)))
    key = "trafficked.largest_went_missing_at_one_authority"
    stats = {
        "year": 2024,
        "trafficked": {"went_missing": total, key.split(".")[1]: largest},
        "disclosure": {"fewer_than_five": [k for k in small]},
    }
    return output_check.reasoning_leaks(returns, stats, None), CODES


def test_counts_of_one_and_two_under_a_published_total_are_not_pinned(tmp_path):
    """1 + 2 = 3: either could be the 2 (every count is at least 1, no more is known)."""
    leaks, _ = went_missing(tmp_path, [1, 2], total=3)
    assert leaks == []


def test_a_hidden_total_said_small_pins_four_ones_and_itself(tmp_path):
    leaks, codes = went_missing(
        tmp_path, [1, 1, 1, 1], total=MARK, small=["trafficked.went_missing"]
    )
    assert {(leak.figure, leak.rule) for leak in leaks} == {
        *((f"trafficked_went_missing at {c}", "rule 1, by reasoning") for c in codes[:4]),
        ("trafficked_went_missing at the UK", "rule 4: the hidden total, by reasoning"),
    }
    for counts in ([1, 2], [1, 1, 1], [1, 1, 2]):  # each total one more or one less: not pinned
        leaks, _ = went_missing(tmp_path, counts, total=MARK, small=["trafficked.went_missing"])
        assert leaks == [], counts


def test_a_largest_said_small_allows_up_to_four(tmp_path):
    largest = ["trafficked.largest_went_missing_at_one_authority"]
    leaks, _ = went_missing(tmp_path, [4, 3], total=7, largest=MARK, small=largest)
    assert leaks == []  # 4 + 3 or 3 + 4


def named_list(tmp_path, unnamed, at_most, named=(10, 9, 8)):
    from tests.test_disclosure import CODES, ranged_returns

    still = dict(zip(CODES, [*named, *unnamed], strict=False))
    returns = ranged_returns(tmp_path, dict.fromkeys(CODES[:5], 12), still)
    rows = [{"code": code, "value": value} for code, value in zip(CODES, named, strict=False)]
    stats = {
        "year": 2024,
        "combined": {"still_missing": sum(still.values()), "most_still_missing": rows},
    }
    return output_check.reasoning_leaks(returns, stats, at_most), CODES


def test_a_full_named_list_bounds_the_others_by_its_last_value(tmp_path):
    leaks, codes = named_list(tmp_path, (8, 8), at_most=3)  # a full list: the others at most 8
    assert {leak.figure for leak in leaks} == set()  # 8s are not small, and not pinned either way
    leaks, codes = named_list(tmp_path, (4, 3), at_most=5)  # not full: the others at most 4
    assert leaks == []  # 4 + 3 or 3 + 4


def test_a_list_the_edition_does_not_publish_says_nothing_of_anyone(tmp_path):
    """No `top_still_missing`: an empty list is "not published", never "nobody had five or
    more" (one had 22; the total 22 + 1 would otherwise pin the other to 1)."""
    for at_most in (0, None):
        leaks, _ = named_list(tmp_path, (22, 1), at_most=at_most, named=())
        assert leaks == [], at_most


def test_editions_in_the_output_folder_are_read_only_when_they_are_other_editions(tmp_path):
    from harmreport.project.jsonfiles import write_json

    out = tmp_path / "site"
    (out / "2019").mkdir(parents=True)  # a folder with no stats.json is not an edition
    (out / "2024").mkdir()
    hid = {"trafficked.in_care": "rule 4: …"}
    earlier = {"year": 2024, "trend": {"2024": {"trafficked_in_care": 120}}, "disclosure": {}}
    write_json(out / "2024" / "stats.json", earlier)  # the build this one replaces
    rebuilt = {"year": 2024, "disclosure": {"suppressed": hid}}
    assert output_check.edition_leaks(rebuilt, out) == []
    (out / "2020").mkdir()
    write_json(out / "2020" / "stats.json", {"year": 2020, "disclosure": {"suppressed": hid}})
    later = {"year": 2024, "trend": {"2020": {"trafficked_in_care": 120}}, "disclosure": {}}
    (leak,) = output_check.edition_leaks(later, out)
    assert leak.file == "stats.json"
    write_json(out / "2020" / "stats.json", {"year": 2020, "disclosure": {}})
    assert output_check.edition_leaks(later, out) == []  # nothing hidden there: nothing to find


def test_a_named_authority_hidden_is_still_known_to_have_five_or_more(tmp_path):
    """Named, its number hidden: at least 5. With a total of 6, the one other has exactly 1."""
    from tests.test_disclosure import CODES, ranged_returns

    returns = ranged_returns(tmp_path, dict.fromkeys(CODES[:2], 12), {CODES[0]: 5, CODES[1]: 1})
    named = [{"code": CODES[0], "value": MARK}]
    stats = {"year": 2024, "combined": {"still_missing": 6, "most_still_missing": named}}
    leaks = output_check.reasoning_leaks(returns, stats, 5)
    assert [leak.figure for leak in leaks] == [f"still_missing at {CODES[1]}"]
