"""Disclosure control: no authority-level count from 1 to 4 is ever published.

Small numbers of identifiable, vulnerable children at one authority could point to a child.
Zero is safe to publish (it identifies nobody); so are national and regional totals.
"""

import pandas as pd

SMALLEST_PUBLISHED = 5
SUPPRESSED_MARK = "[c]"


def is_disclosive(value) -> bool:
    return not pd.isna(value) and 0 < int(value) < SMALLEST_PUBLISHED


def suppress_small_counts(values: pd.Series) -> pd.Series:
    """Authority-level counts as published text: 1 to 4 become '[c]', missing stays empty."""

    def shown(value):
        if pd.isna(value):
            return ""
        return SUPPRESSED_MARK if is_disclosive(value) else f"{int(value):,}"

    return values.map(shown).astype(object)


def assert_publishable(rows: list[dict], count_key: str) -> list[dict]:
    """Guard for authority-level lists headed for a published file."""
    for row in rows:
        if is_disclosive(row[count_key]):
            raise ValueError(f"disclosive count {row[count_key]} for {row.get('name')}")
    return rows
