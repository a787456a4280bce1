"""The building blocks of the headline statistics, exactly as foi-returns-contract.md defines
them. The statistics notebook composes them, one visible cell per published figure."""

from dataclasses import asdict, dataclass

import pandas as pd

from .codes import CATEGORIES, REPORTED, SUPPRESSED
from .disclosure import SMALLEST_PUBLISHED, assert_publishable, is_disclosive
from .returns import COUNT_COLUMNS, Returns


@dataclass(frozen=True)
class Ratio:
    """A share or rate with the sums and the authorities it was taken over."""

    value: float | None
    numerator: int
    denominator: int
    authorities: int

    def as_dict(self) -> dict:
        return asdict(self)


def authorities_reporting(returns: Returns, column: str) -> int:
    """Authorities whose cell is a count or a suppressed (withheld small) number."""
    return int(returns.categories[column].isin(REPORTED).sum())


def reporting_rate(returns: Returns, column: str) -> float:
    return authorities_reporting(returns, column) / returns.contacted


def total(returns: Returns, column: str) -> int:
    """Sum of the counts; suppressed cells are left out (and counted separately)."""
    return int(returns.counts[column].sum())


def suppressed_authorities(returns: Returns, column: str) -> int:
    return int((returns.categories[column] == SUPPRESSED).sum())


def authorities_above_zero(returns: Returns, column: str) -> int:
    return int((returns.counts[column] > 0).sum())


def largest(returns: Returns, column: str) -> int | None:
    """The highest count at one authority; None when it is too small to publish."""
    value = returns.counts[column].max()
    return None if pd.isna(value) or is_disclosive(value) else int(value)


def ratio_over_complete(returns: Returns, numerators, denominators, where=None) -> Ratio:
    """Σ numerators ÷ Σ denominators over the authorities that gave a count in every one of
    the columns (and meet `where`, a boolean Series, if given)."""
    numerators, denominators = list(numerators), list(denominators)
    counts = returns.counts[numerators + denominators]
    complete = counts.notna().all(axis=1)
    if where is not None:
        complete &= where.fillna(False).astype(bool)
    top = int(counts.loc[complete, numerators].sum().sum())
    bottom = int(counts.loc[complete, denominators].sum().sum())
    return Ratio(top / bottom if bottom else None, top, bottom, int(complete.sum()))


def share_went_missing(returns: Returns, group: str) -> Ratio:
    return ratio_over_complete(returns, [f"{group}_went_missing"], [f"{group}_in_care"])


def episodes_per_missing_child(returns: Returns, group: str) -> Ratio:
    went = returns.counts[f"{group}_went_missing"]
    return ratio_over_complete(
        returns, [f"{group}_missing_episodes"], [f"{group}_went_missing"], where=went > 0
    )


def response_categories(returns: Returns) -> dict[str, dict[str, int]]:
    """For every question, how many authorities answered in each way."""
    return {
        column: {c: int((returns.categories[column] == c).sum()) for c in CATEGORIES}
        for column in COUNT_COLUMNS
    }


def top_authorities(returns: Returns, column: str, n: int) -> list[dict]:
    """The n authorities with the highest counts, never naming one with fewer than
    SMALLEST_PUBLISHED (disclosure control); ties broken by name, for stable output."""
    table = returns.authorities[["name"]].assign(value=returns.counts[column])
    table = table[table["value"] >= SMALLEST_PUBLISHED]
    table = table.sort_values(["value", "name"], ascending=[False, True]).head(n)
    rows = [
        {"name": name, "code": code, "value": int(value)}
        for code, name, value in table[["name", "value"]].itertuples()
    ]
    return assert_publishable(rows, "value")


def totals_by_region(returns: Returns, columns) -> pd.DataFrame:
    """Counts summed by English region, or by nation outside England."""
    area = returns.authorities["region"].where(
        returns.authorities["nation"] == "England", returns.authorities["nation"]
    )
    return returns.counts[list(columns)].groupby(area).sum().astype(int).sort_index()


def share_in_areas(by_area: pd.DataFrame, column: str, areas) -> float:
    return float(by_area.loc[by_area.index.isin(areas), column].sum() / by_area[column].sum())


def nationality_ranking(returns: Returns, group: str) -> pd.DataFrame:
    """Children who went missing, by nationality, across the authorities that could say."""
    table = returns.nationalities
    if table is None:
        return pd.DataFrame(columns=["nationality", "went_missing"])
    table = table[table["group"] == group].copy()
    table["key"] = table["nationality"].str.casefold()
    spelt = table.groupby("key")["nationality"].first()
    ranked = table.groupby("key")["went_missing"].sum().astype(int).rename("went_missing")
    ranked = ranked.to_frame().join(spelt).reset_index(drop=True)
    return ranked.sort_values(
        ["went_missing", "nationality"], ascending=[False, True], ignore_index=True
    )[["nationality", "went_missing"]]


def nationality_authorities(returns: Returns, group: str) -> int:
    """Authorities that gave at least one nationality for the group."""
    table = returns.nationalities
    if table is None:
        return 0
    return int(table.loc[table["group"] == group, "authority_code"].nunique())


def relative_change(now: float, before: float) -> float:
    return now / before - 1
