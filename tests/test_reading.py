"""Every bad returns file of test_bad_inputs, read in this process as notebook 1 reads it:
the same problems, named by file, row and column, without a build (quick, and what mutation
testing of the reading and validation code runs)."""

import pytest

from harmreport.intake.problems import ReturnsError
from harmreport.intake.returns import load_returns
from tests.test_bad_inputs import CASES

# What the command line adds to the problems (their count, the cut at 50), tested there.
CONSOLE_ONLY = ("the returns have ", "... and ")


@pytest.mark.parametrize("case", list(CASES))
def test_bad_returns_are_refused_when_read(case, tmp_path):
    make, expected = CASES[case]
    with pytest.raises(ReturnsError) as refused:
        load_returns(make(tmp_path), 2024)
    text = "\n".join(refused.value.lines(limit=None))
    for line in expected:
        if not line.startswith(CONSOLE_ONLY):
            assert line in text


NATIONALITY_PROBLEMS = {
    "unknown authority": (
        "W06000099,trafficked,Afghan,1",
        "returns_nationalities.csv, row 2, column authority_code: 'W06000099' is not an "
        "authority in the returns table",
    ),
    "empty nationality": (
        "E10000016,trafficked, ,1",
        "returns_nationalities.csv, row 2 (E10000016), column nationality: the nationality "
        "is empty",
    ),
    "unknown nationality": (
        "E10000016,trafficked,Martian,1",
        "returns_nationalities.csv, row 2 (E10000016), column nationality: 'Martian' is not a "
        "nationality in nationalities.csv",
    ),
    "twice": (
        "E10000016,trafficked,Afghan,1\nE10000016,trafficked,afghan ,1",
        "returns_nationalities.csv, row 3 (E10000016), column nationality: 'afghan' is Afghan "
        "(trafficked), which appears twice for this authority (also row 2)",
    ),
    "unknown group": (
        "E10000016,Smuggled,Afghan,1",
        "returns_nationalities.csv, row 2 (E10000016), column group: 'Smuggled' is not a group",
    ),
}


@pytest.mark.parametrize("case", list(NATIONALITY_PROBLEMS))
def test_each_nationality_problem_names_its_row_authority_and_column(case, tmp_path):
    from tests.test_bad_inputs import nationalities

    lines, says = NATIONALITY_PROBLEMS[case]
    with pytest.raises(ReturnsError) as refused:
        load_returns(nationalities(tmp_path, lines.split("\n")), 2024)
    assert len(refused.value.problems) == 1
    assert says in str(refused.value.problems[0])


def shipped_lines() -> list[str]:
    from harmreport.project import editions

    return editions.edition(2024).returns.read_text(encoding="utf-8").splitlines(keepends=True)


def read_problems(tmp_path, lines) -> list[str]:
    path = tmp_path / "returns.csv"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ReturnsError) as refused:
        load_returns(path, 2024)
    return [str(p) for p in refused.value.problems]


@pytest.mark.parametrize("closed", [False, True])
def test_a_stray_quote_names_where_the_cell_opens_and_ends(tmp_path, closed):
    lines = shipped_lines()
    # After the last quoted name, so that nothing else closes the quote.
    at = max(i for i, line in enumerate(lines) if '"' in line) + 2
    lines[at] = lines[at].replace(",", ',"', 1)  # a quote opens column 2
    if closed:
        lines[at + 5] = lines[at + 5].replace(",", '",', 1)  # five lines on, one closes it
    ends = f"line {at + 6}" if closed else "the end of the file"
    assert read_problems(tmp_path, lines) == [  # and no other: its cell count means nothing
        f'returns.csv, row {at + 1}: a quote (") opens a cell in column 2 (authority_name) on '
        f"line {at + 1} of "
        f"the file and the cell runs on to {ends}, so every row between was read into this "
        "one cell; remove the stray quote (a cell cannot hold a line break)"
    ]


def test_a_stray_quote_in_the_header_or_a_lone_carriage_return_is_named_as_such(tmp_path):
    lines = shipped_lines()
    lines[0] = lines[0].replace(",", ',"', 1)
    assert read_problems(tmp_path, lines)[0].startswith(
        'returns.csv, row 1: a quote (") opens a cell in column 2 on line 1 of the file'
    )
    lines = shipped_lines()
    name = lines[3].split(",")[1]
    lines[3] = lines[3].replace(name, f'"{name}\rx"', 1)  # an old Mac line end, quoted
    assert read_problems(tmp_path, lines)[0].startswith(
        'returns.csv, row 4: a quote (") opens a cell in column 2 (authority_name) on line 4 '
        "of the file"
    )


def test_a_control_character_or_a_huge_cell_names_its_row_and_column(tmp_path):
    lines = shipped_lines()
    lines[3] = lines[3].replace(",", ",\x07", 1)  # row 4, column 2: a bell
    lines[5] = lines[5].replace(",", "," + "x" * 2000, 1)  # row 6, column 2: too long
    found = read_problems(tmp_path, lines)
    assert any(
        p.startswith(
            "returns.csv, row 4: the cell in column 2 (authority_name) holds the control "
            "character U+0007"
        )
        for p in found
    ), found
    assert any(
        p.startswith("returns.csv, row 6: the cell in column 2 (authority_name) holds 2,0")
        for p in found
    ), found


def test_a_tab_and_a_cell_at_the_limit_are_read_and_delete_is_refused(tmp_path):
    from harmreport.intake.reading import MAX_CELL_CHARACTERS

    lines = shipped_lines()
    name = lines[3].split(",")[1]
    lines[3] = lines[3].replace(name, name + "\tx", 1)  # a tab typed into a name: fine
    other = lines[5].split(",")[1]
    lines[5] = lines[5].replace(other, "y" * MAX_CELL_CHARACTERS, 1)  # a name at the limit
    lines[7] = lines[7].replace(",", ",\x7f", 1)  # row 8: a delete character
    assert read_problems(tmp_path, lines) == [
        "returns.csv, row 8: the cell in column 2 (authority_name) holds the control character "
        "U+007F, which "
        "a returns table never needs; retype it"
    ]
