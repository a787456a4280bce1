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
