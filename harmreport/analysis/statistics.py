"""The building blocks of the headline statistics, exactly as docs/returns-contract.md defines
them. The statistics notebook composes them, one visible cell per published figure."""

import pandas as pd

from harmreport.analysis.disclosure import (
    AREA,
    AUTHORITY,
    NATIONALITY,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    THRESHOLD,
    UK,
    Change,
    Count,
    NamedAuthorities,
    Ratio,
    nodes,
)
from harmreport.analysis.inference import Order
from harmreport.intake.cell_codes import CATEGORIES, COUNT, REPORTED, SUPPRESSED, published_answer
from harmreport.intake.returns import COUNT_COLUMNS, GROUPS, Returns
from harmreport.project import editions, formatting


def authorities_reporting(returns: Returns, column: str) -> int:
    """Authorities whose cell is a count or a suppressed (withheld small) number."""
    return int(returns.categories[column].isin(REPORTED).sum())


def reporting_rate(returns: Returns, column: str) -> float:
    return authorities_reporting(returns, column) / returns.contacted


def total(returns: Returns, column: str, rows=None, level: str = UK) -> Count:
    """Sum of the counts (in `rows`, a boolean Series, if given); suppressed cells are left
    out (and counted separately). Where no authority gave a count, the total is not known
    (None), never 0. The figure keeps its non-zero cells for disclosure control, and the
    authorities it rests on."""
    values = returns.counts[column]
    if rows is not None:
        values = values[rows.fillna(False).astype(bool)]
    given = values.dropna()
    value = int(given.sum()) if len(given) else None
    cells = _nonzero_cells(returns.year, column, given)
    return Count(value, cells, level, base=frozenset(given.index))


def cell_values(returns: Returns) -> dict[tuple, int]:
    """Every non-zero authority cell (counts and nationality counts), for disclosure control."""
    found = {
        (returns.year, code, column): int(value)
        for column in COUNT_COLUMNS
        for code, value in returns.counts[column].items()
        if not pd.isna(value) and value > 0
    }
    for record in _nationality_records(returns):
        found[_nationality_cell(returns.year, record)] = int(record.went_missing)
    return found


WENT_MISSING = tuple(f"{g}_went_missing" for g in GROUPS)
# (smaller, larger columns): a group's went_missing is at most its in_care and its episodes;
# still_missing and missing_over_week at most both groups' went_missing.
ROW_RULES = [
    (f"{g}_went_missing", (f"{g}_{q}",)) for g in GROUPS for q in ("in_care", "missing_episodes")
]
ROW_RULES += [(name, WENT_MISSING) for name in ("still_missing", "missing_over_week")]


def row_rules(returns: Returns) -> list[Order]:
    """The contract's row rules, which every reader knows, over each authority's non-zero
    cells (docs/returns-contract.md; returns_checks.cross_check enforces them): ROW_RULES,
    and children counted by nationality at most the group's who went missing. A rule applies
    only where every cell in it is a count."""
    counted = (returns.categories == COUNT).to_dict("index")
    values = returns.counts.fillna(0).to_dict("index")
    nationalities: dict[tuple, set] = {}
    for record in _nationality_records(returns):
        cell = _nationality_cell(returns.year, record)
        nationalities.setdefault((record.authority_code, record.group), set()).add(cell)
    found = []
    for code, row in sorted(values.items()):
        for smaller, larger in ROW_RULES:
            if all(counted[code][c] for c in (smaller, *larger)):
                cells = (_nonzero(returns.year, code, row, c) for c in ([smaller], larger))
                found.append(Order(*cells))
        for group in GROUPS:
            cells = nationalities.get((code, group))
            went = f"{group}_went_missing"
            if cells and counted[code][went]:
                found.append(Order(frozenset(cells), _nonzero(returns.year, code, row, [went])))
    return [o for o in found if o.smaller]


def _nonzero(year: int, code: str, row: dict, columns) -> frozenset:
    return frozenset((year, code, c) for c in columns if row[c] > 0)


def _nationality_records(returns: Returns):
    """The nationalities table's rows with a count above zero."""
    table = returns.nationalities
    if table is not None:
        yield from (
            r for r in table.dropna(subset=["went_missing"]).itertuples() if r.went_missing > 0
        )


def _nationality_cell(year: int, record) -> tuple:
    return (year, record.authority_code, f"nationality:{record.group}:{record.nationality}")


def suppressed_authorities(returns: Returns, column: str) -> int:
    return int((returns.categories[column] == SUPPRESSED).sum())


def authorities_above_zero(returns: Returns, column: str) -> int:
    """A count of authorities, not of children (disclosure rule 5)."""
    return int((returns.counts[column] > 0).sum())


def largest(returns: Returns, column: str) -> Count | None:
    """The highest count at one authority (not known when no authority gave a count). The
    reader is assumed to know which authority it is."""
    values = returns.counts[column].dropna()
    if values.empty:
        return Count(None, level=AUTHORITY)
    code = values.sort_index().idxmax()
    value = int(values[code])
    cells = frozenset([(returns.year, code, column)]) if value else frozenset()
    others = _nonzero_cells(returns.year, column, values.drop(code))
    return Count(value, cells, AUTHORITY, caps=others)


def _nonzero_cells(year: int, column: str, values: pd.Series) -> frozenset:
    """The cells (year, authority, column) of the non-zero counts in `values`."""
    return frozenset((year, code, column) for code in values[values > 0].index)


def ratio_over_complete(returns: Returns, numerators, denominators, where=None) -> Ratio:
    """Σ numerators ÷ Σ denominators over the authorities that gave a count in every one of
    the columns (and meet `where`, a boolean Series, if given)."""
    numerators, denominators = list(numerators), list(denominators)
    complete = returns.counts[numerators + denominators].notna().all(axis=1)
    if where is not None:
        complete &= where.fillna(False).astype(bool)
    top = _sum_of(total(returns, c, complete) for c in numerators)
    bottom = _sum_of(total(returns, c, complete) for c in denominators)
    return Ratio(top, bottom, int(complete.sum()))


def _sum_of(counts) -> Count:
    return sum(counts, Count(None))


def combined_ratio(ratios) -> Ratio:
    """Two groups' ratios taken together: numerators and denominators added."""
    ratios = list(ratios)
    return Ratio(
        _sum_of(r.numerator for r in ratios), _sum_of(r.denominator for r in ratios), None
    )


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


def top_authorities(returns: Returns, column: str, n: int) -> NamedAuthorities:
    """The n authorities with the highest counts, naming none with fewer than THRESHOLD
    (disclosure rule 1); ties broken by name, for stable output. What the list tells a reader
    of the authorities it leaves out goes with it: at most the last one named, or at most 4
    when it names fewer than n."""
    table = returns.authorities[["name"]].assign(value=returns.counts[column])
    table = table[table["value"] >= THRESHOLD]
    table = table.sort_values(["value", "name"], ascending=[False, True]).head(n)
    unnamed = _nonzero_cells(returns.year, column, returns.counts[column].drop(table.index))
    cells = [frozenset([(returns.year, code, column)]) for code in table.index]
    rows = [
        {
            "name": name,
            "code": code,
            # A ranking: each named count is at least every count after it.
            "value": Count(int(value), cells[i], AUTHORITY, caps=unnamed.union(*cells[i + 1 :])),
        }
        for i, (code, name, value) in enumerate(table[["name", "value"]].itertuples())
    ]
    return NamedAuthorities(rows, at_most_four=unnamed if len(rows) < n else frozenset())


def area_of(returns: Returns) -> pd.Series:
    """Each authority's English region, or its nation outside England."""
    authorities = returns.authorities
    return authorities["region"].where(authorities["nation"] == "England", authorities["nation"])


def totals_by_area(returns: Returns, columns) -> list[dict]:
    """Counts summed by English region, or by nation outside England, one row an area."""
    area = area_of(returns)
    return [
        {"area": name, **{c: total(returns, c, area == name, AREA) for c in columns}}
        for name in sorted(area.unique())
    ]


def share_in_areas(rows: list[dict], column: str, areas, everywhere: Count) -> Ratio:
    """The share of `everywhere` found in `areas` (rows from totals_by_area)."""
    inside = _sum_of(row[column] for row in rows if row["area"] in areas)
    inside = Count(inside.value, inside.cells, AREA, base=inside.base)
    return Ratio(inside, everywhere, None)


def nationality_ranking(returns: Returns, group: str) -> list[dict]:
    """Children who went missing, by nationality, summed across the authorities that could
    say; most first, ties by name (disclosure control may later hide small ones)."""
    table = returns.nationalities
    if table is None:
        return []
    table = table[(table["group"] == group)].dropna(subset=["went_missing"])
    rows = []
    for nationality, found in table.groupby("nationality"):
        cells = frozenset(
            _nationality_cell(returns.year, r) for r in found.itertuples() if r.went_missing
        )
        count = Count(int(found["went_missing"].sum()), cells, NATIONALITY)
        rows.append({"nationality": nationality, "went_missing": count})
    return sorted(rows, key=lambda r: (-r["went_missing"].value, r["nationality"]))


def ranked(rows: list[dict], column: str) -> list[dict]:
    """A published ranking: published numbers first, most first; hidden ([c]) rows after,
    by name, so that their order says nothing about their size."""
    shown = [r for r in rows if not isinstance(r[column], str)]
    hidden = [r for r in rows if isinstance(r[column], str)]
    first = sorted(shown, key=lambda r: (-r[column], r["nationality"]))
    return first + sorted(hidden, key=lambda r: r["nationality"])


def nationality_authorities(returns: Returns, group: str) -> int:
    """Authorities that gave at least one nationality for the group."""
    table = returns.nationalities
    if table is None:
        return 0
    return int(table.loc[table["group"] == group, "authority_code"].nunique())


def relative_change(now: Ratio, before: Ratio) -> Change:
    return Change(now, before)


def answers_table(returns: Returns) -> pd.DataFrame:
    """Each authority contacted with how it answered each question: the answer's category,
    with the exemption, range or period it gave ("refused: FOIA s12"), never its number.
    Names come from the reference list, never as typed. A withheld number is published with
    the council's range only where that says no more than "fewer than five" ("<3" would
    narrow a small count: it reads "<5")."""
    given = returns.categories if returns.answers is None else returns.answers.copy()
    narrow = (returns.categories == SUPPRESSED) & (returns.limits < THRESHOLD).fillna(False)
    given = given.mask(narrow, f"{SUPPRESSED}: <{THRESHOLD}")
    table = returns.authorities[["name", "nation", "region"]].join(given.map(published_answer))
    table = table.rename_axis("code").reset_index()
    return table.sort_values(["nation", "name", "code"], kind="stable").reset_index(drop=True)


def headline_figures(returns: Returns) -> dict:
    """The figures followed across editions: children in care, the share who went missing and
    the reporting rate, for each group, computed exactly as in the edition's own statistics."""
    # Whether these returns are the illustrative ones: a real edition is never compared
    # with invented returns as if they were what an edition found.
    found = {"illustrative": editions.is_illustrative(returns.source)}
    for group in ("trafficked", "unaccompanied"):
        found[f"{group}_in_care"] = total(returns, f"{group}_in_care")
        found[f"{group}_share_went_missing"] = share_went_missing(returns, group)
        found[f"{group}_reporting_rate"] = reporting_rate(returns, f"{group}_in_care")
    return found


def low_reliability(
    stats: dict, published: dict, floor_percent: int, areas: pd.Series
) -> dict[str, str]:
    """The published figures resting on fewer authorities than the floor (a whole percent of
    the authorities contacted), each with the share of them it rests on: marked [u] in tables
    and never written as a finding for the UK. An area's totals are held to the area's own
    authorities (`areas`: how many were asked in each). Said as a percentage, never as a
    count beside an area's name."""
    contacted = stats["authorities"]["contacted"]
    found = {}
    for key, count in _counts(stats):
        asked = int(areas[key.split(".")[2]]) if key.startswith("regions.") else contacted
        n = len(count.base)
        if _below(n, asked, floor_percent) and _get(published, key) != NOT_AVAILABLE:
            found[key] = f"{formatting.percent(n / asked)} of the authorities asked"
    for key, value in _ratios(published):  # hidden ones too: a [c] is no finding either
        n = value["authorities"]
        if n is not None and _below(n, contacted, floor_percent):
            found[key] = f"{formatting.percent(n / contacted)} of the authorities asked"
    return dict(sorted(found.items()))


def _counts(stats: dict):
    """(published key, Count) for every count of children above authority level."""
    for where, node in nodes(stats):
        if isinstance(node, Count) and node.level in (UK, AREA):
            yield where, node


def _below(n: int, asked: int, floor_percent: int) -> bool:
    return n * 100 < floor_percent * asked


def _get(stats: dict, key: str):
    node = stats
    for part in key.split("."):
        if isinstance(node, list):
            node = next(row for row in node if part in (row.get("area"), row.get("code")))
        else:
            node = node[part]
    return node


def _ratios(stats: dict):
    """(key, its _base) for every published share or average with a figure to mark."""
    tables = {group: stats.get(group, {}) for group in ("trafficked", "unaccompanied", "combined")}
    tables |= {f"trend.{year}": figures for year, figures in stats.get("trend", {}).items()}
    for where, table in tables.items():
        for key, value in table.items():
            share = key.removesuffix("_base")
            if key.endswith("_base") and table.get(share) not in (NOT_AVAILABLE, NOT_APPLICABLE):
                yield f"{where}.{share}", value
