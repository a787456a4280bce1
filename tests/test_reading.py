"""Every bad returns file of test_bad_inputs, read in this process as notebook 1 reads it:
the same problems, named by file, row and column, without a build (quick, and what mutation
testing of the reading and validation code runs)."""

import pytest

from harmreport.problems import ReturnsError
from harmreport.returns import load_returns
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
