"""Print how long disclosure control takes: for each shipped edition, and for the worst
returns found (small counts everywhere, so that much must be hidden).

Run: python bench/disclosure_times.py   (make bench runs it after the build timings)

Times, in this process, `disclosure.control` on the figures the statistics notebook
registers: the whole decision, and the part of it spent reasoning with ranges (the
integer-programme step); and the earlier editions' decisions
(harmreport.analysis.earlier_decisions) taken afresh, as a build with an empty scratch folder
does. Asserts nothing.
"""

import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harmreport.analysis import disclosure, earlier_decisions, republication, statistics  # noqa: E402
from harmreport.intake import reference  # noqa: E402
from harmreport.intake.returns import COUNT_COLUMNS, GROUPS, load_returns  # noqa: E402
from harmreport.project import editions  # noqa: E402


def figures(returns, top=5) -> dict:
    """The figures of the statistics notebook that hold children (its counts and shares)."""
    stats = {}
    for group in GROUPS:
        stats[group] = {
            "in_care": statistics.total(returns, f"{group}_in_care"),
            "went_missing": statistics.total(returns, f"{group}_went_missing"),
            "missing_episodes": statistics.total(returns, f"{group}_missing_episodes"),
            "largest": statistics.largest(returns, f"{group}_went_missing"),
            "share": statistics.share_went_missing(returns, group),
            "episodes": statistics.episodes_per_missing_child(returns, group),
        }
    stats["combined"] = {
        "still_missing": statistics.total(returns, "still_missing"),
        "most_still_missing": statistics.top_authorities(returns, "still_missing", top),
        "missing_over_week": statistics.total(returns, "missing_over_week"),
    }
    columns = [f"{g}_{q}" for g in GROUPS for q in ("in_care", "went_missing")]
    stats["regions"] = statistics.totals_by_area(returns, columns)
    return stats


def timed_control(returns) -> tuple[float, float, int]:
    """Seconds for the whole decision, of which reasoning with ranges, and figures hidden."""
    ledger = disclosure.Ledger(statistics.cell_values(returns), statistics.row_rules(returns))
    ledger = disclosure.register_all(figures(returns), ledger)
    reasoned = ledger._reasoned
    spent = [0.0]

    def timed_reasoned(decision):
        started = time.perf_counter()
        try:
            return reasoned(decision)
        finally:
            spent[0] += time.perf_counter() - started

    ledger._reasoned = timed_reasoned
    started = time.perf_counter()
    decision = ledger.decide()
    return time.perf_counter() - started, spent[0], len(decision.hidden)


def small_everywhere(folder: Path, seed: int, authorities: int) -> Path:
    """Returns of `authorities` authorities in each region and nation, every count from 0 to
    4: area totals stay small and much must be hidden."""
    rng = random.Random(seed)
    table = reference.load_authorities()
    table = table[(table["children_services"] == "yes") & table["end_date"].isna()]
    table = table[table["gss_code"] != ""]
    area = table["region"].where(table["nation"] == "England", table["nation"])
    # A few authorities in every area: area totals stay small, so much is hidden.
    codes = [c for _, codes in table.groupby(area)["gss_code"] for c in list(codes)[:authorities]]
    lines = [",".join(["authority_code", "authority_name", *COUNT_COLUMNS])]
    for code in codes:
        row = {}
        for group in GROUPS:
            in_care = rng.randint(0, 4)
            went = rng.randint(0, in_care)
            row |= {
                f"{group}_in_care": in_care,
                f"{group}_went_missing": went,
                f"{group}_missing_episodes": went * rng.randint(1, 2),
            }
        went = row["trafficked_went_missing"] + row["unaccompanied_went_missing"]
        row["missing_over_week"] = rng.randint(0, went)
        row["still_missing"] = rng.randint(0, went)
        lines.append(",".join([code, ""] + [str(row[c]) for c in COUNT_COLUMNS]))
    path = folder / f"small-{seed}-{authorities}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ones_and_blanks(folder: Path, seed: int) -> Path:
    """The worst sparse returns found: every authority asked, most cells "not recorded", the
    rest counts of 1 or 2 with every row rule tight (as many went missing as were in care,
    all still missing), so that swaps fail and the integer programme decides."""
    rng = random.Random(seed)
    table = reference.load_authorities()
    table = table[(table["children_services"] == "yes") & table["end_date"].isna()]
    lines = [",".join(["authority_code", "authority_name", *COUNT_COLUMNS])]
    for code in table["gss_code"]:
        if not code:
            continue
        row = dict.fromkeys(COUNT_COLUMNS, "not recorded")
        if rng.random() < 0.3:
            n = rng.choice([1, 1, 2])
            row |= {f"trafficked_{q}": n for q in ("in_care", "went_missing", "missing_episodes")}
            row |= {"unaccompanied_in_care": 0, "unaccompanied_went_missing": 0}
            row |= {
                "unaccompanied_missing_episodes": 0,
                "still_missing": n,
                "missing_over_week": n,
            }
        lines.append(",".join([code, ""] + [str(row[c]) for c in COUNT_COLUMNS]))
    path = folder / f"ones-{seed}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    print("disclosure control (in one process; seconds)")
    print("| returns | decision | of which reasoning | figures hidden |")
    print("| --- | --- | --- | --- |")
    for year in editions.all_editions():
        returns = load_returns(editions.edition(year).returns, year)
        total, reasoning, hidden = timed_control(returns)
        print(f"| {year} (shipped) | {total:.3f} | {reasoning:.3f} | {hidden} |")
    with tempfile.TemporaryDirectory() as folder:
        for authorities in (1, 2, 4):
            for seed in (1, 2):
                path = small_everywhere(Path(folder), seed, authorities)
                returns = load_returns(path, 2024)
                total, reasoning, hidden = timed_control(returns)
                name = f"{authorities} a region or nation, every count 0 to 4 (seed {seed})"
                print(f"| {name} | {total:.2f} | {reasoning:.2f} | {hidden} |")
        for seed in (1, 2):
            path = ones_and_blanks(Path(folder), seed)
            returns = load_returns(path, 2024)
            total, reasoning, hidden = timed_control(returns)
            name = f"sparse: most not recorded, counts of 1 or 2, row rules tight (seed {seed})"
            print(f"| {name} | {total:.2f} | {reasoning:.2f} | {hidden} |")
    started = time.perf_counter()
    found = republication.as_published(2024, root=ROOT / "report")
    print(
        f"\nwhat is already published (report/, {len(found.sums)} fixed sums): "
        f"{time.perf_counter() - started:.2f} s"
    )
    started = time.perf_counter()
    earlier_decisions._decided.clear()
    for year in editions.all_editions():
        earlier_decisions._decision_of(year)
    print(
        f"\nearlier editions' decisions, all taken afresh: {time.perf_counter() - started:.2f} s"
    )


if __name__ == "__main__":
    main()
