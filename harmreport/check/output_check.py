"""The independent check: before anything is published, re-derive from the returns every
figure that could disclose a child, and look for it in every file about to be published.

It shares nothing with the disclosure ledger but the policy's threshold, so a bug in one is
caught by the other. It looks for:
- in stats.json, by structure: each figure the policy hides (a small cell, a count or share
  from one authority, a named authority's small count), a region table or "total minus the
  largest" or "total minus the named authorities" that gives one back by subtraction;
- in every file's text (HTML, embedded and separate SVG, PDF via pdftotext, JSON, CSV,
  notebook outputs), an authority, area or nationality named on the same row as its small
  count, or beside it in a sentence about children.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from harmreport.analysis.disclosure import MARK, THRESHOLD
from harmreport.check.file_text import file_lines, pdf_text_of, start_pdf_text

GROUPS = ("trafficked", "unaccompanied")
COLUMNS = tuple(
    f"{g}_{q}" for g in GROUPS for q in ("in_care", "went_missing", "missing_episodes")
) + ("missing_over_week", "still_missing")
# stats.json key of each column's UK total (docs/returns-contract.md).
UK_KEYS = {
    **{f"{g}_{q}": f"{g}.{q}" for g in GROUPS for q in ("in_care", "went_missing")},
    **{f"{g}_missing_episodes": f"{g}.missing_episodes" for g in GROUPS},
    "missing_over_week": "combined.missing_over_week",
    "still_missing": "combined.still_missing",
}
# stats.json key -> (numerator columns, denominator columns), over the authorities that
# answered all of them. (Episodes per child count only authorities with a child missing; the
# others add nothing to either side, so they change no "from one authority" test.)
SHARES = {
    **{f"{g}.share_went_missing": ([f"{g}_went_missing"], [f"{g}_in_care"]) for g in GROUPS},
    **{
        f"{g}.episodes_per_missing_child": ([f"{g}_missing_episodes"], [f"{g}_went_missing"])
        for g in GROUPS
    },
    "combined.missing_over_week_share": (
        ["missing_over_week"],
        ["trafficked_went_missing", "unaccompanied_went_missing"],
    ),
}
CHILD_WORDS = r"(?:trafficked|unaccompanied|children|child|went|were|was|still|missing)"


@dataclass(frozen=True)
class Leak:
    file: str
    figure: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}: {self.figure} ({self.rule})"


@dataclass(frozen=True)
class Secret:
    """A value that must not be published next to any of its labels."""

    labels: tuple[str, ...]
    value: int
    figure: str
    rule: str


def small(value) -> bool:
    return value is not None and not pd.isna(value) and 0 < int(value) < THRESHOLD


# ---- re-deriving from the returns -------------------------------------------------------


def secrets(returns, names: dict[str, tuple[str, ...]]) -> list[Secret]:
    """Every authority's, area's and nationality's count from 1 to 4, with the words that
    would name it. `names` gives each authority code its names as published or typed."""
    found = []
    counts = returns.counts
    for column in COLUMNS:
        for code, value in counts[column].items():
            if small(value):
                found.append(
                    Secret(
                        (code, *names.get(code, ())),
                        int(value),
                        f"{column} at {code}",
                        "rule 1: an authority's count from 1 to 4",
                    )
                )
    areas = _areas(returns)
    for column in COLUMNS:
        for area, value in counts[column].groupby(areas).sum().items():
            if small(value):
                found.append(
                    Secret((area,), int(value), f"{column} in {area}", "rule 2: a small cell")
                )
    table = returns.nationalities
    if table is not None:
        sums = table.dropna(subset=["went_missing"]).groupby(["group", "nationality"])
        for (group, nationality), value in sums["went_missing"].sum().items():
            if small(value):
                found.append(
                    Secret(
                        (nationality,),
                        int(value),
                        f"{group} children of {nationality} nationality",
                        "rule 2: a small cell",
                    )
                )
    return found


def _areas(returns) -> pd.Series:
    a = returns.authorities
    return a["region"].where(a["nation"] == "England", a["nation"])


def _one_authority(values: pd.Series) -> bool:
    return int((values.fillna(0) > 0).sum()) == 1


def structural_leaks(returns, stats: dict) -> list[Leak]:
    """Figures in stats.json that the policy hides, recomputed from the returns."""
    leaks = []

    def leak(key, rule):
        leaks.append(Leak("stats.json", key, rule))

    counts = returns.counts
    for column, key in UK_KEYS.items():
        values = counts[column]
        if small(values.sum()) and _one_authority(values) and _get(stats, key) != MARK:
            leak(key, "rule 3: a count from 1 to 4 from a single authority")
    for key, (tops, bottoms) in SHARES.items():
        complete = counts[tops + bottoms].notna().all(axis=1)
        parts = [counts.loc[complete, tops].sum(axis=1), counts.loc[complete, bottoms].sum(axis=1)]
        if any(_one_authority(p) for p in parts) and _get(stats, key) not in (MARK, None):
            leak(key, "rule 3: a share from a single authority")
    leaks += _region_leaks(returns, stats)
    leaks += _largest_and_named_leaks(returns, stats)
    leaks += _nationality_leaks(returns, stats)
    leaks += _authority_rows(stats)
    return leaks


def _region_leaks(returns, stats) -> list[Leak]:
    leaks = []
    rows = {row["area"]: row for row in (_get(stats, "regions.table") or [])}
    areas = _areas(returns)
    for column in ("trafficked_in_care", "unaccompanied_in_care"):
        sums = returns.counts[column].groupby(areas).sum()
        shown = {area: row.get(column) for area, row in rows.items()}
        for area, value in sums.items():
            if small(value) and shown.get(area, MARK) != MARK:
                leaks.append(Leak("stats.json", f"regions.table.{area}.{column}", "rule 2"))
        hidden = [a for a, v in shown.items() if v == MARK]
        total = _get(stats, UK_KEYS[column])
        if len(hidden) == 1 and total != MARK and len(shown) == len(sums):
            leaks.append(
                Leak(
                    "stats.json",
                    f"regions.table.{hidden[0]}.{column}",
                    "rule 4: the UK total minus the other areas gives it",
                )
            )
    return leaks


def _largest_and_named_leaks(returns, stats) -> list[Leak]:
    leaks = []
    for group in GROUPS:
        values = returns.counts[f"{group}_went_missing"].dropna()
        values = values[values > 0].sort_values(ascending=False)
        largest = _get(stats, f"{group}.largest_went_missing_at_one_authority")
        total = _get(stats, f"{group}.went_missing")
        if isinstance(largest, int) and small(largest):
            leaks.append(Leak("stats.json", f"{group}.largest", "rule 1"))
        if (
            isinstance(largest, int)
            and total != MARK
            and len(values) == 2
            and small(values.iloc[1])
        ):
            leaks.append(
                Leak("stats.json", f"{group}.went_missing", "rule 4: total minus the largest")
            )
    named = _get(stats, "combined.most_still_missing") or []
    still = returns.counts["still_missing"].dropna()
    rest = still[(still > 0) & ~still.index.isin([row["code"] for row in named])]
    total = _get(stats, "combined.still_missing")
    all_shown = all(row["value"] != MARK for row in named)
    if named and all_shown and total != MARK and len(rest) == 1 and small(rest.iloc[0]):
        leaks.append(
            Leak(
                "stats.json",
                "combined.still_missing",
                "rule 4: the total minus the named authorities",
            )
        )
    return leaks


def _nationality_leaks(returns, stats) -> list[Leak]:
    leaks = []
    table = returns.nationalities
    if table is None:
        return leaks
    for group in GROUPS:
        found = table[table["group"] == group].dropna(subset=["went_missing"])
        sums = found.groupby("nationality")["went_missing"].sum()
        for row in _get(stats, f"nationalities.{group}.ranking") or []:
            if small(sums.get(row["nationality"])) and row["went_missing"] != MARK:
                leaks.append(
                    Leak("stats.json", f"nationalities.{group}.{row['nationality']}", "rule 2")
                )
    return leaks


def _authority_rows(stats) -> list[Leak]:
    """Anything carrying an authority code is an authority's own figure."""
    leaks = []

    def walk(node, where):
        if isinstance(node, dict):
            if "code" in node:
                leaks.extend(
                    Leak("stats.json", f"{where} {node['code']} {key}", "rule 1")
                    for key, value in node.items()
                    if isinstance(value, int) and small(value)
                )
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk(stats, "stats")
    return leaks


def _get(stats, key):
    node = stats
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# ---- matching ----------------------------------------------------------------------------

# A number standing alone: not part of a word, a hash, a decimal or a percentage.
_TOKEN = r"(?<![\w.,])(?:{})(?![\w%]|[.,]\d)"


def _row_like(line: str, label: str) -> bool:
    """A table row: cells split by '|', or the label then only numbers (a PDF table line,
    its cells however close a narrow table sets them)."""
    if "|" in line:
        return True
    rest = re.sub(rf"^\s*{re.escape(label)}", "", line, count=1)
    return rest != line and re.fullmatch(r"(\s+(?:[\d,]+|\[c\]))+\s*", rest) is not None


# The policy's own words ("rule 2", "from 1 to 4") are not figures.
POLICY_WORDS = re.compile(r"(?i)\brule \d+|\b(?:from )?1 to 4\b")


# A stats.json key for a count of authorities (rule 5: published, not a count of children),
# as JSON lines and the notebooks' tables of published figures show it.
AUTHORITY_COUNT_WORDS = re.compile(
    r"^(?:authorities\w*|by_nation|contacted|data_quality|reporting_zero\w*|unable\w*)$"
)


def _counts_authorities(line: str) -> bool:
    key = line.split("|")[0].strip().strip(".")
    if "." not in key or " " in key.split(".")[0]:
        return False  # not a dotted key
    return any(AUTHORITY_COUNT_WORDS.match(part) for part in key.split("."))


def leaks_in_line(line: str, secret: Secret) -> bool:
    if _counts_authorities(line):
        return False
    line = POLICY_WORDS.sub(" ", line)
    for label in secret.labels:
        if not label or not re.search(rf"(?<!\w){re.escape(label)}(?!\w)", line):
            continue
        value = re.escape(str(secret.value))
        if _row_like(line, label) and re.search(_TOKEN.format(value), line):
            return True
        if re.search(_TOKEN.format(value) + rf"\s+(?:\w+\s+){{0,2}}{CHILD_WORDS}", line):
            return True
    return False


def check_files(files: list[Path], root: Path, found: list[Secret]) -> list[Leak]:
    # Labels are matched with their case: published names are capitalised, while keys such
    # as "london.unable_trafficked" (a count of authorities) are not names.
    by_label: dict[str, list[Secret]] = {}
    for secret in found:
        for label in filter(None, secret.labels):
            by_label.setdefault(label, []).append(secret)
    if not by_label:
        return []
    labels = sorted(by_label, key=len, reverse=True)
    named = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, labels)) + r")(?!\w)")
    leaks = []
    # Each PDF's text is extracted in a process of its own, started first and read last.
    extracting = {path: start_pdf_text(path) for path in files if path.suffix.lower() == ".pdf"}
    for path in sorted(files, key=lambda path: path in extracting):
        seen = set()
        lines = pdf_text_of(extracting[path]) if path in extracting else file_lines(path)
        for line in lines:
            for label in set(named.findall(line)):
                for secret in by_label[label]:
                    if secret not in seen and leaks_in_line(line, secret):
                        seen.add(secret)
                        leaks.append(Leak(str(path.relative_to(root)), secret.figure, secret.rule))
    return leaks


# ---- reasoning with ranges, from stats.json alone ----------------------------------------

# Each column whose UK total stats.json publishes, with "the largest at one authority" and
# the list "named if five or more" where it publishes them.
LARGEST = {f"{g}_went_missing": f"{g}.largest_went_missing_at_one_authority" for g in GROUPS}
NAMED = {"still_missing": "combined.most_still_missing"}


def reasoning_leaks(returns, stats: dict, named_at_most: int | None) -> list[Leak]:
    """What a reader pins down, column by column, from a column's published total, its
    largest and its named authorities, and what the report says of them: every count at
    least 1, a [c] said to be fewer than five from 1 to 4, no authority above the largest, one
    left out of a list not full at most 4 (a full one: at most the last named), a named one at
    least 5. A small count, or a hidden total, with one possible value is a leak."""
    small_said = set(_get(stats, "disclosure.fewer_than_five") or [])
    leaks = []
    for column, key in UK_KEYS.items():
        values = returns.counts[column].dropna()
        values = {(column, code): int(v) for code, v in values.items() if v > 0}
        if not values:
            continue
        rows, lower, upper = [], dict.fromkeys(values, 1), {}
        total = _get(stats, key)
        if isinstance(total, int):
            rows.append((set(values), total, total))
        elif total == MARK and key in small_said:
            rows.append((set(values), 1, THRESHOLD - 1))
        largest = _get(stats, LARGEST.get(column, "-"))
        if isinstance(largest, int) or (largest == MARK and LARGEST[column] in small_said):
            limit = largest if isinstance(largest, int) else THRESHOLD - 1
            upper = dict.fromkeys(values, limit)
        if column in NAMED:
            named = _get(stats, NAMED[column]) or []
            _named_bounds(column, named, named_at_most, values, lower, upper, rows)
        targets = [({cell}, v, "rule 1") for cell, v in values.items() if small(v)]
        if total == MARK:
            targets.append((set(values), sum(values.values()), "rule 4: the hidden total"))
        cells = sorted(values)
        fixed = {next(iter(m)) for m, low, high in rows if len(m) == 1 and low == high}
        for members, true, rule in targets:
            if len(members) == 1 and _swap(next(iter(members)), values, lower, upper, fixed):
                continue  # one child moved to or from another authority: the total holds
            if not any(
                _possible(cells, lower, upper, rows, (members, low, high))
                for low, high in ((-float("inf"), true - 1), (true + 1, float("inf")))
            ):
                where = next(iter(members))[1] if len(members) == 1 else "the UK"
                leaks.append(Leak("stats.json", f"{column} at {where}", f"{rule}, by reasoning"))
    return leaks


def _swap(cell, values, lower, upper, fixed) -> bool:
    """Can one child move between `cell` and another cell of the column, within both cells'
    bounds? (Every sum here is over the whole column, so the move keeps it.)"""
    if cell in fixed:
        return False
    inf = float("inf")
    for step in (1, -1):
        if not lower[cell] <= values[cell] + step <= upper.get(cell, inf):
            continue
        for other, value in values.items():
            movable = other != cell and other not in fixed
            if movable and lower[other] <= value - step <= upper.get(other, inf):
                return True
    return False


def _named_bounds(column, named, at_most, values, lower, upper, rows) -> None:
    codes = [row["code"] for row in named]
    for row in named:
        cell = (column, row["code"])
        if cell in values:
            lower[cell] = THRESHOLD
            if isinstance(row["value"], int):
                rows.append(({cell}, row["value"], row["value"]))
    if not at_most:  # no list published: it says nothing of an authority it does not name
        return
    full = len(named) >= at_most
    last = named[-1]["value"] if named and full else THRESHOLD - 1
    if isinstance(last, int):
        for cell in values:
            if cell[1] not in codes:
                upper[cell] = min(upper.get(cell, last), last)


def _possible(cells, lower, upper, rows, extra) -> bool:
    """Is there a whole-number solution (HiGHS) meeting every bound and sum, and `extra`?"""
    import highspy
    import numpy as np

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    index = {c: i for i, c in enumerate(cells)}
    n = len(cells)
    top = np.array([upper.get(c, highs.inf) for c in cells], dtype=float)
    highs.addVars(n, np.array([lower[c] for c in cells], dtype=float), top)
    highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.ones(n, dtype=np.uint8))
    for members, low, high in [*rows, extra]:
        columns = np.array(sorted(index[c] for c in members), dtype=np.int32)
        low = -highs.inf if low == -float("inf") else low
        high = highs.inf if high == float("inf") else high
        highs.addRow(low, high, len(columns), columns, np.ones(len(columns)))
    highs.run()
    return highs.getModelStatus() == highspy.HighsModelStatus.kOptimal


# ---- every edition in the output folder, together -----------------------------------------


def edition_leaks(stats: dict, out_root: Path) -> list[Leak]:
    """Figures this edition prints for another edition's year that that edition, published in
    `out_root`, hid; and figures a later edition there prints for this year that this one now
    hides. Keys: another edition's "trafficked.in_care" is "trend.<year>.trafficked_in_care"
    here (and "comparison.trafficked_in_care" for the comparison year)."""
    leaks = []
    year = stats["year"]
    for folder in sorted(Path(out_root).glob("[0-9][0-9][0-9][0-9]")):
        other_file = folder / "stats.json"
        if folder.name == str(year) or not other_file.is_file():
            continue
        other = json.loads(other_file.read_text(encoding="utf-8"))
        earlier, later = (other, stats) if other["year"] < year else (stats, other)
        for key in (earlier.get("disclosure") or {}).get("suppressed", {}):
            for shown_key in _printed_again(key, earlier["year"], later):
                if _get(later, shown_key) not in (MARK, None):
                    where = "stats.json" if later is stats else f"../{folder.name}/stats.json"
                    leaks.append(
                        Leak(where, shown_key, f"rule 4: the {earlier['year']} edition hid it")
                    )
    return leaks


def _printed_again(key: str, year: int, later: dict) -> list[str]:
    group, _, rest = key.partition(".")
    flat = f"{group}_{rest}"
    found = [f"trend.{year}.{flat}"]
    if (_get(later, "comparison.year")) == year:
        found.append(f"comparison.{flat}")
    return found


def check_edition(
    folder: Path, returns_list, names, out_root: Path | None = None, named_at_most=None
) -> list[Leak]:
    """Every leak in the edition about to be published in `folder` (read with the editions
    already published in `out_root`, if given)."""
    stats = json.loads((folder / "stats.json").read_text(encoding="utf-8"))
    leaks = structural_leaks(returns_list[0], stats)
    leaks += reasoning_leaks(returns_list[0], stats, named_at_most)
    if out_root is not None and Path(out_root).is_dir():
        leaks += edition_leaks(stats, out_root)
    found = [s for returns in returns_list for s in secrets(returns, names)]
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return leaks + check_files(files, folder, found)
