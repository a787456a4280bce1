"""Disclosure control: each rule on hand-made figures, and seeded random returns attacked by
a brute-force reader who adds and subtracts every published figure."""

import itertools
import random

import numpy as np
import pandas as pd
import pytest

from harmreport.analysis import disclosure as dc
from harmreport.analysis import statistics as st
from harmreport.analysis.disclosure import AREA, AUTHORITY, MARK, UK, Count, Ratio
from harmreport.intake.returns import GROUPS, load_returns
from tests.conftest import BUILT, EDITIONS, here_and_in_ci
from tests.helpers import HEADER, full, row, write_returns


def cell(code, column="still_missing"):
    return (2024, code, column)


def count(level=UK, **values):
    return Count(sum(values.values()), frozenset(cell(c) for c, v in values.items() if v), level)


def decide(stats, values):
    return dc.control(stats, values)


def test_rule_1_authority_count_from_one_to_four():
    stats = {"named": [{"code": "A", "value": count(AUTHORITY, A=3)}]}
    published, decision = decide(stats, {cell("A"): 3})
    assert published["named"][0]["value"] == MARK
    assert decision.hidden["named.A.value"].startswith("rule 1")


def test_rule_2_small_cell_below_uk_level_but_zero_is_published():
    stats = {"wales": count(AREA, A=1, B=2), "scotland": count(AREA), "uk": count(A=1, B=2)}
    published, decision = decide(stats, {cell("A"): 1, cell("B"): 2})
    assert published["wales"] == MARK and decision.hidden["wales"].startswith("rule 2")
    assert published["scotland"] == 0
    # The UK total of 3 from two authorities is publishable on its own (rule 2 is below UK
    # level), but with Wales hidden it is Wales: rule 4 hides it too.
    assert published["uk"] == MARK and decision.hidden["uk"].startswith("rule 4")


def test_rule_3_uk_total_from_a_single_authority():
    published, decision = decide({"uk": count(A=3, B=0)}, {cell("A"): 3})
    assert published["uk"] == MARK and decision.hidden["uk"].startswith("rule 3")
    published, _ = decide({"uk": count(A=7)}, {cell("A"): 7})
    assert published["uk"] == 7  # one authority's count of 5 or more may be published


def test_rule_3_share_from_a_single_authority_hides_share_and_parts():
    share = Ratio(count(A=2), count(A=60, B=0), 2)
    published, decision = decide({"share": share}, {cell("A"): 60})
    assert published["share"] == MARK
    assert published["share_base"] == {"numerator": MARK, "denominator": MARK, "authorities": 2}
    assert decision.hidden["share"].startswith("rule 3")


def test_every_contributor_at_one_is_disclosive():
    published, _ = decide({"uk": count(A=1, B=1)}, {cell("A"): 1, cell("B"): 1})
    assert published["uk"] == MARK


def test_rule_4_total_minus_the_largest():
    values = {cell("A"): 20, cell("B"): 3}
    stats = {"total": count(A=20, B=3), "largest": count(AUTHORITY, A=20)}
    published, decision = decide(stats, values)
    assert MARK in (published["total"], published["largest"])
    assert any(rule.startswith("rule 4") for rule in decision.hidden.values())


def test_rule_4_total_minus_the_named_authorities():
    values = {cell("A"): 9, cell("B"): 8, cell("C"): 2}
    stats = {
        "total": count(A=9, B=8, C=2),
        "named": [
            {"code": "A", "value": count(AUTHORITY, A=9)},
            {"code": "B", "value": count(AUTHORITY, B=8)},
        ],
    }
    published, _ = decide(stats, values)
    assert MARK in (published["total"], *[r["value"] for r in published["named"]])


def test_rule_4_region_table_hides_a_second_cell_not_the_uk_total():
    values = {cell("A"): 2, cell("B"): 30, cell("C"): 40, cell("D"): 9}
    stats = {
        "table": [
            {"area": "Wales", "n": count(AREA, A=2)},
            {"area": "London", "n": count(AREA, B=30)},
            {"area": "Kent", "n": count(AREA, C=40)},
            {"area": "Scotland", "n": count(AREA, D=9)},
        ],
        "uk": count(A=2, B=30, C=40, D=9),
    }
    published, decision = decide(stats, values)
    shown = {r["area"]: r["n"] for r in published["table"]}
    assert shown == {"Wales": MARK, "London": 30, "Kent": 40, "Scotland": MARK}
    assert published["uk"] == 81  # the next smallest cell, not the national figure
    assert decision.hidden["table.Scotland.n"].startswith("rule 4")


def test_a_change_is_hidden_with_a_share_it_compares():
    now = Ratio(count(A=10, B=10), count(A=50, B=50), 2)
    before = Ratio(count(C=3), count(C=40), 1)
    stats = {"now": now, "before": before, "change": dc.Change(now, before)}
    published, _ = decide(stats, {cell("C"): 40, cell("A"): 10, cell("B"): 10})
    assert published["before"] == MARK and published["change"] == MARK
    assert published["now"] == 0.2


# ---- seeded random returns against a brute-force attacker -----------------------------

LONDON = ["E09000001", "E09000002", "E09000003", "E09000005", "E09000006", "E09000007"]
WALES = ["W06000001", "W06000002", "W06000003", "W06000004", "W06000005", "W06000006"]
NI = ["NI-BHSCT", "NI-NHSCT", "NI-SEHSCT", "NI-SHSCT", "NI-WHSCT"]
OTHERS = ["E10000016", "E06000034", "S12000049", "E08000025"]


def random_returns(folder, seed):
    """Small counts scattered over London, Wales and Northern Ireland."""
    rng = random.Random(seed)
    rows = []
    for code in LONDON + WALES + NI + OTHERS:
        if rng.random() < 0.15:
            rows.append(row(code))  # not recorded
            continue
        values = {}
        for group in GROUPS:
            in_care = rng.choice([0, 0, 1, 2, 3, 4, 6, 12, 30])
            went = rng.randint(0, in_care) if rng.random() < 0.6 else 0
            values |= {
                f"{group}_in_care": in_care,
                f"{group}_went_missing": went,
                f"{group}_missing_episodes": went * rng.randint(1, 3),
            }
        went = values["trafficked_went_missing"] + values["unaccompanied_went_missing"]
        values["missing_over_week"] = rng.randint(0, went)
        values["still_missing"] = rng.randint(0, went)
        if rng.random() < 0.2:
            values[rng.choice(HEADER[2:])] = "not recorded"  # cross-checks then skip it
        rows.append(row(code, **values))
    return load_returns(write_returns(folder, rows, name=f"r{seed}.csv"), 2024)


def figures(returns):
    """The figures the statistics notebook publishes, built with the same building blocks."""
    stats = {}
    for group in GROUPS:
        stats[group] = {
            "in_care": st.total(returns, f"{group}_in_care"),
            "went_missing": st.total(returns, f"{group}_went_missing"),
            "largest": st.largest(returns, f"{group}_went_missing"),
            "share": st.share_went_missing(returns, group),
            "episodes": st.episodes_per_missing_child(returns, group),
        }
    stats["still"] = st.total(returns, "still_missing")
    stats["named"] = st.top_authorities(returns, "still_missing", 3)
    stats["table"] = st.totals_by_area(returns, ["trafficked_in_care", "unaccompanied_in_care"])
    return stats


def truth(returns):
    """The attacker's model, derived here without the ledger: each published key's cells."""
    counts = returns.counts
    area = st.area_of(returns)

    def cells(column, rows=None):
        values = counts[column] if rows is None else counts[column][rows]
        return {(column, code) for code, v in values.items() if pd.notna(v) and v > 0}

    model = {}
    for group in GROUPS:
        ic, wm = f"{group}_in_care", f"{group}_went_missing"
        model[f"{group}.in_care"] = cells(ic)
        model[f"{group}.went_missing"] = cells(wm)
        both = counts[[ic, wm]].notna().all(axis=1)
        model[f"{group}.share_base.numerator"] = cells(wm, both)
        model[f"{group}.share_base.denominator"] = cells(ic, both)
        ep = f"{group}_missing_episodes"
        with_missing = counts[[ep, wm]].notna().all(axis=1) & (counts[wm].fillna(0) > 0)
        model[f"{group}.episodes_base.numerator"] = cells(ep, with_missing)
        model[f"{group}.episodes_base.denominator"] = cells(wm, with_missing)
        values = counts[wm].dropna()
        if len(values):
            top = values.sort_index().idxmax()
            model[f"{group}.largest"] = {(wm, top)} if values[top] > 0 else set()
    model["still"] = cells("still_missing")
    for name in sorted(area.unique()):
        for column in ("trafficked_in_care", "unaccompanied_in_care"):
            model[f"table.{name}.{column}"] = cells(column, area == name)
    return model


def attack(published, returns):
    return attack_with(published, returns, attack_model(published, returns))


def attack_with(published, returns, model):
    """Every sum and difference of up to three published counts: what does it reveal?"""
    from harmreport.project.jsonfiles import flatten

    shown = dict(flatten(published))
    secret = {}
    for (column, code), _ in {c: 1 for cells in model.values() for c in cells}.items():
        value = returns.counts.at[code, column]
        if 0 < value < 5:
            secret[(column, code)] = int(value)
    keys = [k for k in model if isinstance(shown.get(k), int) and model[k]]
    hidden = [k for k in model if shown.get(k) == MARK and model[k]]
    cells = sorted({c for k in keys + hidden for c in model[k]})
    index = {c: i for i, c in enumerate(cells)}

    def vector(found):
        v = np.zeros(len(cells))
        v[[index[c] for c in found]] = 1
        return v

    matrix = np.array([vector(model[k]) for k in keys]) if keys else np.zeros((0, len(cells)))
    targets = {vector({c}).tobytes(): f"cell {c}" for c in secret}
    targets |= {vector(model[k]).tobytes(): f"hidden {k}" for k in hidden}
    revealed = []
    for combo, v in signed_sums(matrix, targets):
        for found in (v, -v):
            if found.tobytes() in targets:
                revealed.append((targets[found.tobytes()], [keys[i] for i in combo]))
    return revealed, len(keys)


def signed_sums(matrix, targets):
    """Every sum of one, two or three rows, the second and third added or taken away, that
    may equal a target or its negation: (rows, sum). Sums are filtered by an exact
    integer fingerprint, a block of them at once; the caller compares the rest whole."""
    n, width = matrix.shape
    weights = np.random.default_rng(0).integers(1, 2**31, size=width)
    wanted = {int(np.rint(np.frombuffer(t) @ weights)) for t in targets}
    wanted |= {-w for w in wanted}
    wanted = np.array(sorted(wanted))
    prints = np.rint(matrix @ weights).astype(np.int64)

    def hits(block):
        return np.flatnonzero(np.isin(block, wanted))

    for i in hits(prints):
        yield (i,), matrix[i]
    for i in range(n):
        for sign in (1, -1):
            for j in i + 1 + hits(prints[i] + sign * prints[i + 1 :]):
                yield (i, j), matrix[i] + sign * matrix[j]
            for j in range(i + 1, n):
                pair = prints[i] + sign * prints[j]
                for second in (1, -1):
                    for k in j + 1 + hits(pair + second * prints[j + 1 :]):
                        yield (i, j, k), matrix[i] + sign * matrix[j] + second * matrix[k]


@pytest.mark.parametrize("seed", range(12))
def test_brute_force_attacker_recovers_nothing(tmp_path, seed):
    returns = random_returns(tmp_path, seed)
    stats = figures(returns)
    published, decision = dc.control(stats, st.cell_values(returns))
    revealed, tried = attack(published, returns)
    assert tried > 5  # the attacker had figures to work with
    assert revealed == []


def test_the_attacker_finds_what_an_unprotected_edition_reveals(tmp_path):
    """Without the ledger (every figure published), the same attack does find children."""
    found = 0
    for seed in range(12):
        returns = random_returns(tmp_path, seed)
        stats = figures(returns)
        bare = dc.publish(stats, dc.Decision())
        found += len(attack(bare, returns)[0])
    assert found > 0


def real_truth(returns, stats):
    """The attacker's model of the real stats.json, derived without the ledger."""
    model = {}
    for key, cells in truth(returns).items():
        key = key.replace(".share_base.", ".share_went_missing_base.")
        key = key.replace(".episodes_base.", ".episodes_per_missing_child_base.")
        key = key.replace(".largest", ".largest_went_missing_at_one_authority")
        key = key.replace("still", "combined.still_missing")
        model[f"regions.{key}" if key.startswith("table.") else key] = cells
    for r in stats["combined"]["most_still_missing"]:
        model[f"combined.most_still_missing.{r['code']}.value"] = {("still_missing", r["code"])}
    return model


@pytest.mark.slow
@pytest.mark.parametrize("seed", here_and_in_ci([3, 7], [7]))
def test_attacker_recovers_nothing_from_a_real_build(tmp_path, seed):
    """The statistics notebooks' stats.json (what a build publishes them from), attacked."""
    from tests.helpers import analysed

    returns = random_returns(tmp_path, seed)
    stats = analysed(returns.source, tmp_path / "staging")
    assert not stats["disclosure"]["unprotected"]  # which a build would refuse to publish
    revealed, tried = attack_with(stats, returns, real_truth(returns, stats))
    assert tried > 10 and revealed == []


# ---- a reader who reasons with ranges ---------------------------------------------------

CODES = LONDON + WALES + OTHERS  # 16 authorities, all contacted


def ranged_returns(folder, went, still=None):
    """Trafficked children who went missing (`went`: code -> count), every other count large
    enough to publish: the patterns a reader who reasons with ranges can exploit."""
    rows = []
    for code in CODES:
        w = went.get(code, 0)
        rows.append(row(code, **full(40, w, w, 30, 10, 10, 0, (still or {}).get(code, 0))))
    return load_returns(write_returns(folder, rows, name="ranged.csv"), 2024)


def reasoned(returns):
    stats = figures(returns)
    stats["still"] = st.total(returns, "still_missing")
    stats["named"] = st.top_authorities(returns, "still_missing", 5)
    stats["with_missing"] = st.authorities_above_zero(returns, "trafficked_went_missing")
    return dc.control(stats, st.cell_values(returns))


def test_every_contributor_exactly_one_above_five_is_hidden(tmp_path):
    returns = ranged_returns(tmp_path, dict.fromkeys(CODES[:6], 1))
    published, decision = reasoned(returns)
    assert published["trafficked"]["went_missing"] == MARK  # 6 from 6 authorities
    assert any("reasoning" in why for why in decision.reasons.values())
    assert published["trafficked"]["largest"] == MARK  # rule 1
    assert decision.unprotected == []


def test_every_contributor_exactly_four_is_hidden(tmp_path):
    returns = ranged_returns(tmp_path, dict.fromkeys(CODES[:3], 4))
    published, decision = reasoned(returns)
    # 12 from 3 authorities, none above four ("the largest" is fewer than five): each is 4.
    assert published["trafficked"]["went_missing"] == MARK
    assert decision.unprotected == []


def test_a_short_named_list_does_not_give_away_the_unnamed(tmp_path):
    still = {CODES[0]: 10, CODES[1]: 8, CODES[2]: 4, CODES[3]: 4}
    went = dict.fromkeys(CODES[:4], 12)
    published, decision = reasoned(ranged_returns(tmp_path, went, still))
    # Unprotected, 26 − 10 − 8 = 8 over two unnamed authorities, each at most 4: each had 4.
    shown = [r["value"] for r in published["named"]]
    assert MARK in (published["still"], *shown) and decision.unprotected == []
    # What a reader can still work out, by trying every count each authority might have.
    possible = set()
    for a, b, c, d in itertools.product(range(5, 31), range(5, 31), range(1, 5), range(1, 5)):
        named = [a, b]
        if a < b or any(s not in (MARK, v) for s, v in zip(shown, named, strict=True)):
            continue
        if published["still"] in (MARK, a + b + c + d):
            possible.add((c, d))
    assert (4, 4) in possible and len({c for c, _ in possible}) > 1


def test_ranges_that_leave_room_are_published(tmp_path):
    """The same shapes with room to move: nothing more is hidden than the rules say."""
    returns = ranged_returns(tmp_path, {CODES[0]: 1, CODES[1]: 2, CODES[2]: 3, CODES[3]: 1})
    published, decision = reasoned(returns)
    assert published["trafficked"]["went_missing"] == 7
    still = {CODES[0]: 10, CODES[1]: 8, CODES[2]: 4, CODES[3]: 3}
    published, _ = reasoned(ranged_returns(tmp_path, dict.fromkeys(CODES[:4], 12), still))
    assert published["still"] == 25


# ---- one decision per year, whichever edition prints it -----------------------------------


def test_what_an_earlier_edition_hid_stays_hidden_where_a_later_one_prints_it():
    from harmreport.analysis import earlier_decisions

    row = {"trafficked_in_care": count(A=50, B=50), "unaccompanied_in_care": count(C=30, D=30)}
    stats = {
        "trend": {"2020": row},
        "comparison": {"year": 2020, "trafficked_in_care": count(A=50, B=50)},
    }
    values = {cell("A"): 50, cell("B"): 50, cell("C"): 30, cell("D"): 30}
    published, _ = dc.control(stats, values)
    assert published["trend"]["2020"]["trafficked_in_care"] == 100  # alone, publishable
    earlier = {2020: {"hidden": {"trafficked.in_care": "rule 4: …"}, "small": []}}
    published, decision = dc.control(stats, values, earlier_decisions.printed_again(earlier, 2020))
    assert published["trend"]["2020"]["trafficked_in_care"] == MARK
    assert published["comparison"]["trafficked_in_care"] == MARK
    assert "hidden in the 2020 edition" in decision.reasons["comparison.trafficked_in_care"]
    assert published["trend"]["2020"]["unaccompanied_in_care"] == 60  # not hidden there


@pytest.mark.slow
def test_earlier_editions_decisions_are_those_their_own_stats_publish(built):
    """Taken again by running their notebooks' code: the same as each edition's stats.json."""
    from harmreport.analysis import earlier_decisions
    from harmreport.project.jsonfiles import read_json

    earlier = earlier_decisions.hidden_by_earlier_editions(EDITIONS[-1])
    assert sorted(earlier) == list(EDITIONS[:-1])
    for year, decision in earlier.items():
        if year not in BUILT:
            continue  # CI builds, so compares, every edition
        own = read_json(built / str(year) / "stats.json")["disclosure"]
        assert decision == {"hidden": own["suppressed"], "small": own["fewer_than_five"]}
    assert any(d["hidden"] for d in earlier.values())  # the comparison is not trivial


# ---- an attacker who reasons with ranges, written apart from the ledger --------------------


def feasible(cells, lower, upper, rows, orders=()) -> bool:
    """A whole-number solution with lower <= cell <= upper, low <= sum(row) <= high and
    sum(smaller) <= sum(larger) for each row rule?"""
    import highspy

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    index = {c: i for i, c in enumerate(cells)}
    n = len(cells)
    highs.addVars(
        n,
        np.array([lower[c] for c in cells], float),
        np.array([min(upper.get(c, highs.inf), highs.inf) for c in cells], float),
    )
    highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.ones(n, dtype=np.uint8))
    for members, low, high in rows:
        columns = np.array([index[c] for c in members], dtype=np.int32)
        highs.addRow(low, high, len(columns), columns, np.ones(len(columns)))
    for smaller, larger in orders:
        columns = np.array([index[c] for c in smaller + larger], dtype=np.int32)
        weights = np.array([1.0] * len(smaller) + [-1.0] * len(larger))
        highs.addRow(-highs.inf, 0, len(columns), columns, weights)
    highs.run()
    return highs.getModelStatus() == highspy.HighsModelStatus.kOptimal


def reasoning_attack(published, returns, top=5, rules=False):
    """Every small cell and hidden figure a reader can pin to one value, reasoning with what
    is published: counts are at least 1; [c] said to be fewer than five is from 1 to 4; no
    authority above the largest; one left out of the named list at most 4 (list not full)
    or at most the last named; a named one at least 5; with `rules`, the contract's row
    rules too."""
    from harmreport.project.jsonfiles import flatten

    model = attack_model(published, returns)
    shown = dict(flatten(published))
    small = set(published.get("disclosure", {}).get("fewer_than_five", []))
    value = {c: int(returns.counts.at[c[1], c[0]]) for cells in model.values() for c in cells}
    lower, upper, rows = dict.fromkeys(value, 1), {}, []
    for key, cells in model.items():
        if isinstance(shown.get(key), int) and cells:
            rows.append((cells, shown[key], shown[key]))
        elif shown.get(key) == MARK and key in small:
            rows.append((cells, 1, 4))
    for group in GROUPS:
        column, largest = f"{group}_went_missing", shown.get(f"{group}.largest")
        limit = largest if isinstance(largest, int) else 4 if f"{group}.largest" in small else None
        for c in value:
            if c[0] == column and limit is not None:
                upper[c] = min(upper.get(c, limit), limit)
    named = [r for r in published["named"]]
    named_cells = {("still_missing", r["code"]) for r in named}
    for c in named_cells:
        lower[c] = 5
    last = named[-1]["value"] if len(named) == top else 4
    for c in value:
        if c[0] == "still_missing" and c not in named_cells and isinstance(last, int):
            upper[c] = min(upper.get(c, last), last)
    targets = [({c}, v) for c, v in value.items() if 0 < v < 5]
    targets += [
        (model[k], sum(value[c] for c in model[k]))
        for k in model
        if shown.get(k) == MARK and model[k]
    ]
    cells = sorted(value)
    orders = row_rules(returns, value) if rules else []
    return [
        (sorted(members), true)
        for members, true in targets
        if not any(
            feasible(cells, lower, upper, [*rows, (members, low, high)], orders)
            for low, high in ((-np.inf, true - 1), (true + 1, np.inf))
        )
    ]


def attack_model(published, returns):
    model = truth(returns)
    for r in published["named"]:
        model[f"named.{r['code']}.value"] = {("still_missing", r["code"])}
    return model


def named_figures(returns):
    stats = figures(returns)
    stats["named"] = st.top_authorities(returns, "still_missing", 5)
    return stats


@pytest.mark.parametrize("seed", range(12))
def test_a_reasoning_attacker_pins_down_nothing(tmp_path, seed):
    returns = random_returns(tmp_path, seed)
    published, _ = dc.control(named_figures(returns), st.cell_values(returns))
    assert reasoning_attack(published, returns) == []


@pytest.mark.parametrize(
    "went, still",
    [
        (dict.fromkeys(CODES[:6], 1), {}),
        (dict.fromkeys(CODES[:3], 4), {}),
        (dict.fromkeys(CODES[:4], 12), {CODES[0]: 10, CODES[1]: 8, CODES[2]: 4, CODES[3]: 4}),
    ],
)
def test_the_reasoning_attacker_beats_the_sums_alone_and_not_the_ledger(tmp_path, went, still):
    returns = ranged_returns(tmp_path, went, still)
    published, _ = dc.control(named_figures(returns), st.cell_values(returns))
    assert reasoning_attack(published, returns) == []
    ledger = dc.Ledger(st.cell_values(returns))
    dc.register_all(named_figures(returns), ledger)
    sums_only = dc.Decision()
    for key, count in ledger.counts.items():  # the primary rules and the sums, no reasoning
        rule = dc.primary_rule(count)
        if rule:
            sums_only.hide(key, rule, small=rule != 4)
    while True:
        ledger._propagate(sums_only)
        if not ledger._secondary(sums_only):
            break
    bare = dc.publish(named_figures(returns), sums_only)
    bare["disclosure"] = {"fewer_than_five": sorted(sums_only.small)}
    assert reasoning_attack(bare, returns) != []


# ---- the threshold, at its edge, at every level ---------------------------------------------

NATIONALITY = dc.NATIONALITY


@pytest.mark.parametrize("level", [AUTHORITY, AREA, NATIONALITY])
def test_four_is_hidden_and_five_is_published_below_uk_level(level):
    cases = (({"A": 4}, MARK), ({"A": 5}, 5), ({"A": 1}, MARK), ({"A": 1, "B": 3}, MARK))
    for split, shown in cases:
        values = {cell(code): v for code, v in split.items()}
        published, decision = decide({"figure": count(level, **split)}, values)
        assert published["figure"] == shown, (level, split)
    published, _ = decide({"figure": count(level, A=2, B=3)}, {cell("A"): 2, cell("B"): 3})
    assert published["figure"] == 5


def test_four_is_hidden_and_five_is_published_at_uk_level():
    one = {"A": 4, "B": 0}
    published, decision = decide({"uk": count(**one)}, {cell("A"): 4})
    assert published["uk"] == MARK and decision.hidden["uk"].startswith("rule 3")
    published, _ = decide({"uk": count(A=5, B=0)}, {cell("A"): 5})
    assert published["uk"] == 5
    published, decision = decide({"uk": count(A=1, B=0)}, {cell("A"): 1})
    assert published["uk"] == MARK and decision.hidden["uk"].startswith("rule 3")
    published, _ = decide({"uk": count(A=1, B=3)}, {cell("A"): 1, cell("B"): 3})
    assert published["uk"] == 4  # two authorities: a UK figure from 1 to 4 may be published
    published, _ = decide({"uk": count(A=2, B=3)}, {cell("A"): 2, cell("B"): 3})
    assert published["uk"] == 5


def test_the_independent_check_draws_the_line_where_the_ledger_does(tmp_path):
    from harmreport.check import output_check

    assert [output_check.small(v) for v in (0, 1, 4, 5, None)] == [False, True, True, False, False]
    rows = [row("E10000016", **full(4, 0, 0, 5, 0, 0, 0, 0))]
    returns = load_returns(write_returns(tmp_path, rows), 2024)
    found = {s.figure for s in output_check.secrets(returns, {})}
    assert "trafficked_in_care at E10000016" in found
    assert "unaccompanied_in_care at E10000016" not in found


# ---- the independent check reasons too, from stats.json alone ---------------------------------


def largest_said_small(went_missing) -> dict:
    """stats.json with a trafficked total and its largest hidden as fewer than five."""
    key = "trafficked.largest_went_missing_at_one_authority"
    return {
        "year": 2024,
        "trafficked": {"went_missing": went_missing, key.split(".")[1]: MARK},
        "disclosure": {"fewer_than_five": [key]},
    }


def test_the_independent_check_pins_down_what_a_reasoning_reader_would(tmp_path):
    from harmreport.check import output_check

    returns = ranged_returns(tmp_path, dict.fromkeys(CODES[:6], 1))
    stats = largest_said_small(went_missing=6)
    found = output_check.reasoning_leaks(returns, stats, None)
    assert {leak.figure for leak in found} >= {
        f"trafficked_went_missing at {c}" for c in CODES[:6]
    }
    stats["trafficked"]["went_missing"] = MARK  # as the ledger publishes it
    assert output_check.reasoning_leaks(returns, stats, None) == []


def test_the_independent_check_reasons_with_the_named_list(tmp_path):
    from harmreport.check import output_check

    still = {CODES[0]: 10, CODES[1]: 8, CODES[2]: 4, CODES[3]: 4}
    returns = ranged_returns(tmp_path, dict.fromkeys(CODES[:4], 12), still)
    named = [{"code": CODES[0], "value": 10}, {"code": CODES[1], "value": 8}]
    stats = {"year": 2024, "combined": {"still_missing": 26, "most_still_missing": named}}
    found = {leak.figure for leak in output_check.reasoning_leaks(returns, stats, 5)}
    assert found == {f"still_missing at {CODES[2]}", f"still_missing at {CODES[3]}"}
    assert output_check.reasoning_leaks(returns, stats, 2) == []  # a full list: at most 8 each


def test_the_independent_check_reads_every_edition_in_the_output_folder(tmp_path):
    from harmreport.check import output_check
    from harmreport.project.jsonfiles import write_json

    out = tmp_path / "site"
    (out / "2020").mkdir(parents=True)
    hid = {"trafficked.in_care": "rule 4: …"}
    write_json(out / "2020" / "stats.json", {"year": 2020, "disclosure": {"suppressed": hid}})
    later = {"year": 2024, "trend": {"2020": {"trafficked_in_care": 120}}, "disclosure": {}}
    found = output_check.edition_leaks(later, out)
    assert [(leak.figure, leak.rule) for leak in found] == [
        ("trend.2020.trafficked_in_care", "rule 4: the 2020 edition hid it")
    ]
    later["trend"]["2020"]["trafficked_in_care"] = MARK
    assert output_check.edition_leaks(later, out) == []
    later["comparison"] = {"year": 2020, "trafficked_in_care": 120}  # its comparison year
    assert [leak.figure for leak in output_check.edition_leaks(later, out)] == [
        "comparison.trafficked_in_care"
    ]
    del later["comparison"]
    # Rebuilding 2020 so that it hides what a published 2024 shows: named in 2024's file.
    write_json(out / "2020" / "stats.json", {"year": 2020, "disclosure": {}})
    (out / "2024").mkdir()
    later["trend"]["2020"]["trafficked_in_care"] = 120
    write_json(out / "2024" / "stats.json", later)
    rebuilt = {"year": 2020, "disclosure": {"suppressed": hid}}
    found = output_check.edition_leaks(rebuilt, out)
    assert [leak.file for leak in found] == ["../2024/stats.json"]


def test_the_independent_check_derives_every_kind_of_small_count(tmp_path):
    from harmreport.check import output_check
    from harmreport.check.output_check import Secret

    rows = [
        row("E10000016", **full(3, 1, 1, 40, 10, 10, 0, 0)),  # Kent
        row("W06000015", **full(40, 2, 2, 40, 10, 10, 0, 0)),  # Cardiff: all of Wales
        row("E09000008", **full(40, 10, 20, 300, 30, 40, 10, 6)),  # Croydon
    ]
    path = write_returns(tmp_path, rows)
    (tmp_path / "returns_nationalities.csv").write_text(
        "authority_code,group,nationality,went_missing\n"
        "E10000016,trafficked,Vietnamese,1\nE09000008,trafficked,Albanian,10\n"
    )
    found = output_check.secrets(load_returns(path, 2024), {"E10000016": ("Kent",)})
    rule_1 = "rule 1: an authority's count from 1 to 4"
    assert Secret(("E10000016", "Kent"), 3, "trafficked_in_care at E10000016", rule_1) in found
    assert Secret(("W06000015",), 2, "trafficked_went_missing at W06000015", rule_1) in found
    assert (
        Secret(("Wales",), 2, "trafficked_went_missing in Wales", "rule 2: a small cell") in found
    )
    assert (
        Secret(
            ("Vietnamese",),
            1,
            "trafficked children of Vietnamese nationality",
            "rule 2: a small cell",
        )
        in found
    )
    assert all(0 < s.value < 5 for s in found)
    assert not any("Albanian" in s.labels or "London" in s.labels for s in found)


def test_an_authoritys_trafficked_and_unaccompanied_together_are_protected():
    """A's 1 trafficked and 2 unaccompanied children are neither worked out alone, but the UK
    total less B's area gives their sum, 3: a count from 1 to 4 at one authority."""

    def at(code, group, value):
        return ((2024, code, f"{group}_went_missing"), value)

    values = dict([at("A", "trafficked", 1), at("A", "unaccompanied", 2)])
    values |= dict([at("B", "trafficked", 30), at("B", "unaccompanied", 40)])
    both = Count(73, frozenset(values))
    area = Count(70, frozenset(c for c in values if c[1] == "B"), AREA)
    published, _ = decide({"combined": both, "area": area}, values)
    assert MARK in (published["combined"], published["area"])


def test_a_share_is_hidden_with_a_part_and_a_change_only_with_a_share():
    def of(column, **by_code):
        cells = {(2024, code, column): v for code, v in by_code.items()}
        return Count(sum(by_code.values()), frozenset(cells)), cells

    (went_now, a), (care_now, b) = of("went", A=10, B=10), of("care", A=50, B=50)
    (went_then, c), (care_then, d) = of("went", C=12, D=10), of("care", C=40, D=40)
    now, before = Ratio(went_now, care_now, 2), Ratio(went_then, care_then, 2)
    stats = {"now": now, "before": before, "change": dc.Change(now, before)}
    values = a | b | c | d
    published, _ = decide(stats, values)
    assert published["change"] == pytest.approx(0.2 / 0.275 - 1)  # both shares shown
    earlier = {"before_base.numerator": ("hidden elsewhere", False)}
    published, decision = dc.control(stats, values, earlier)
    assert published["before"] == MARK and published["change"] == MARK
    assert decision.reasons["before"] == "a part of it is hidden"
    assert published["before_base"]["denominator"] == 80  # the other part alone tells nothing
    assert published["now"] == 0.2
    earlier = {"before_base.denominator": ("hidden elsewhere", False)}
    published, _ = dc.control(stats, values, earlier)
    assert published["before"] == MARK and published["change"] == MARK
    assert published["before_base"]["numerator"] == 22


def test_the_independent_check_uses_what_the_report_says_of_the_largest(tmp_path):
    """Three authorities with 4 each and a total of 12: pinned only because "the largest at
    one authority" is said to be fewer than five."""
    from harmreport.check import output_check

    returns = ranged_returns(tmp_path, dict.fromkeys(CODES[:3], 4))
    stats = largest_said_small(went_missing=12)
    found = output_check.reasoning_leaks(returns, stats, None)
    assert [(leak.file, leak.figure, leak.rule) for leak in found] == [
        ("stats.json", f"trafficked_went_missing at {code}", "rule 1, by reasoning")
        for code in CODES[:3]
    ]
    stats["disclosure"]["fewer_than_five"] = []  # hidden, but not said to be small
    assert output_check.reasoning_leaks(returns, stats, None) == []
    stats["trafficked"]["largest_went_missing_at_one_authority"] = 5  # at most 5 each
    assert output_check.reasoning_leaks(returns, stats, None) == []


# ---- a reader who knows the contract's row rules ----------------------------------------------


def row_rules(returns, value):
    """The contract's row rules, written apart from statistics.row_rules: (smaller, larger)
    lists of the attacker's cells, zeros left out, where every cell of the rule is a count."""
    counts = returns.counts
    rules = [
        (f"{g}_went_missing", [f"{g}_{q}"])
        for g in GROUPS
        for q in ("in_care", "missing_episodes")
    ]
    went = [f"{g}_went_missing" for g in GROUPS]
    rules += [("still_missing", went), ("missing_over_week", went)]
    found = []
    for code in counts.index:
        for small, large in rules:
            if counts.loc[code, [small, *large]].notna().all():
                smaller = [(small, code)] if (small, code) in value else []
                larger = [(c, code) for c in large if (c, code) in value]
                if smaller:
                    found.append((smaller, larger))
    return found


def region_of_two(folder):
    """Northern Ireland, where two trusts gave counts: Belfast's 61 trafficked children, all
    missing and still missing, and the Northern trust's one; counts elsewhere large."""
    rows = [row(c, **full(30, 10, 12, 40, 10, 10, 8, 9)) for c in LONDON + WALES]
    rows.append(row("NI-BHSCT", **full(61, 61, 61, 0, 0, 0, 0, 61)))
    rows.append(row("NI-NHSCT", **full(1, 0, 0, 0, 0, 0, 0, 0)))
    rows += [row(c) for c in NI[2:]]
    return load_returns(write_returns(folder, rows, name="two.csv"), 2024)


def test_row_rules_pin_the_other_authority_of_a_region_of_two(tmp_path):
    """Region 62, Belfast named with 61 still missing: still <= went missing <= in care gives
    Belfast at least 61 in care, so the Northern trust has exactly 1. Without the row rules
    the ledger sees no disclosure; with them it hides enough."""
    returns = region_of_two(tmp_path)
    cells = st.cell_values(returns)
    bare, _ = dc.control(named_figures(returns), cells)
    assert reasoning_attack(bare, returns, rules=True) != []  # the attack works on the old model
    published, decision = dc.control(named_figures(returns), cells, orders=st.row_rules(returns))
    assert reasoning_attack(published, returns, rules=True) == []
    assert decision.unprotected == []
    # The nearest figures first: the region of two and the table's next cell, not the far
    # authorities' named counts that happen to be smaller.
    assert sorted(decision.hidden) == [
        "table.London.trafficked_in_care",
        "table.Northern Ireland.trafficked_in_care",
    ]


# ---- a republication is a second publication ------------------------------------------------


def late_answer(folder, seed=3):
    """random_returns with one authority that did not record anything, then the same
    returns once it has answered: 3 trafficked children in care, none missing."""
    before = random_returns(folder, seed)
    late = next(
        c for c in LONDON + WALES + NI + OTHERS if before.categories.loc[c].ne("count").all()
    )
    text = before.source.read_text(encoding="utf-8").splitlines()
    row_of = next(i for i, line in enumerate(text) if line.startswith(late + ","))
    cells = full(3, 0, 0, 0, 0, 0, 0, 0)
    text[row_of] = ",".join([late, ""] + [str(cells[c]) for c in HEADER[2:]])
    after = before.source.with_name("after.csv")
    after.write_text("\n".join(text) + "\n", encoding="utf-8")
    return before.source, after, late


@pytest.mark.ci
@pytest.mark.slow
def test_a_late_answer_is_not_given_away_by_the_republished_edition(tmp_path):
    from harmreport.project.jsonfiles import flatten, read_json
    from tests.helpers import run_main

    before, after, late = late_answer(tmp_path)
    out = tmp_path / "site"
    for returns in (before, after):
        result = run_main("--year", 2024, "--data", returns, "--out", out, "--format", "html")
        assert result.returncode == 0, result.stderr
    old = dict(flatten(read_json(out / "2024" / "previous" / "1" / "stats.json")))
    new = dict(flatten(read_json(out / "2024" / "stats.json")))
    counts = [k for k in new if type(new[k]) is int and type(old.get(k)) is int]
    of_authorities = ("authorit", "data_quality", "based_on", "reporting", "low_reliability")
    children = [k for k in counts if not any(word in k for word in of_authorities)]
    changed = {k: new[k] - old[k] for k in children if new[k] != old[k]}
    assert changed == {} or all(d not in range(-4, 5) for d in changed.values()), changed
    assert any(v == MARK for k, v in new.items() if "in_care" in k)  # it did have to hide
