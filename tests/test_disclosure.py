import pandas as pd
import pytest

from harmreport.disclosure import assert_publishable, is_disclosive, suppress_small_counts


def test_counts_from_one_to_four_are_disclosive():
    assert [is_disclosive(v) for v in (0, 1, 4, 5, 120)] == [False, True, True, False, False]
    assert not is_disclosive(pd.NA)


def test_suppress_small_counts_marks_c_and_keeps_zero():
    values = pd.Series([0, 1, 4, 5, 1234, pd.NA], dtype="Int64")
    assert suppress_small_counts(values).tolist() == ["0", "[c]", "[c]", "5", "1,234", ""]


def test_assert_publishable_refuses_a_small_count():
    assert assert_publishable([{"name": "Kent", "value": 5}], "value")
    with pytest.raises(ValueError, match="disclosive count 3 for Kent"):
        assert_publishable([{"name": "Kent", "value": 3}], "value")
