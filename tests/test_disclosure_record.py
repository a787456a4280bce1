"""Disclosure control's record and its small parts, pinned exactly: what stats.json says of
each hidden figure, which cells are targets, and the row space that finds sums and
differences. (Mutation testing found these details untested by the rule tests.)"""

from harmreport.analysis import disclosure as dc
from harmreport.analysis.disclosure import AREA, AUTHORITY, MARK, UK, Count, Ratio
from harmreport.analysis.inference import Sum


def cell(code, column="still_missing"):
    return (2024, code, column)


def count(level=UK, **values):
    return Count(sum(values.values()), frozenset(cell(c) for c, v in values.items() if v), level)


def test_the_published_record_names_each_hidden_figure_its_rule_and_why():
    stats = {"wales": count(AREA, A=1, B=2), "england": count(AREA, C=40)}
    stats["uk"] = count(A=1, B=2, C=40)
    values = {cell("A"): 1, cell("B"): 2, cell("C"): 40}
    published, decision = dc.control(stats, values)
    assert published["disclosure"] == {
        "mark": MARK,
        "threshold": 5,
        "suppressed": {
            "england": dc.RULES[4],  # the rule alone: how it came to be hidden is not said
            "wales": dc.RULES[2],
        },
        "suppressed_by_rule": {"rule 2": 1, "rule 4": 1},
        "fewer_than_five": ["wales"],
        "hidden_in_earlier_editions": {},
        "unprotected": 0,
    }
    assert decision.reasons["england"] == (
        "with the other published figures it would reveal the hidden figure wales"
    )
    assert list(published["disclosure"]["suppressed"]) == ["england", "wales"]
    assert decision.by_rule() == {"rule 2": 1, "rule 4": 1}


def test_a_figure_is_hidden_once_with_its_first_reason():
    decision = dc.Decision()
    assert decision.hide("x", 2, small=True) is True
    assert decision.hide("x", 4, "again") is False
    assert decision.hidden == {"x": dc.RULES[2]} and decision.small == {"x"}
    assert decision.hide("y", 4, "why") is True and decision.hidden["y"] == dc.RULES[4]
    assert decision.reasons == {"x": "", "y": "why"}
    assert "y" not in decision.small
    assert dc.Decision(
        hidden={"a": "rule 4: x", "b": "rule 4: y", "c": "rule 1: z"}
    ).by_rule() == {
        "rule 1": 1,
        "rule 4": 2,
    }


def test_a_share_from_one_authority_hides_its_parts_saying_whose_parts():
    share = Ratio(count(A=20), count(A=60), 1)
    _, decision = dc.control({"share": share}, {cell("A"): 60})
    assert decision.hidden["share"] == dc.RULES[3]
    for part in ("numerator", "denominator"):
        assert decision.hidden[f"share_base.{part}"] == dc.RULES[3]
        assert decision.reasons[f"share_base.{part}"] == "the parts of share"
    assert decision.small == set()  # a rule-3 share is not a count said to be fewer than five


def test_an_earlier_editions_reason_and_range_are_kept():
    stats = {"uk": count(A=30, B=40), "other": count(A=30)}
    earlier = {"uk": ("hidden in the 2020 edition", False), "absent": ("x", False)}
    published, decision = dc.control(stats, {cell("A"): 30, cell("B"): 40}, earlier)
    assert decision.hidden["uk"] == dc.RULES[4]
    assert decision.reasons["uk"] == "hidden in the 2020 edition"
    assert published["disclosure"]["hidden_in_earlier_editions"] == {
        "uk": "hidden in the 2020 edition"
    }
    assert "uk" not in decision.small and "absent" not in decision.hidden
    assert published["other"] == 30


def test_a_change_hidden_with_its_share_says_so():
    now = Ratio(count(A=10, B=10), count(A=50, B=50), 2)
    before = Ratio(count(C=3), count(C=40), 1)
    stats = {"now": now, "before": before, "change": dc.Change(now, before)}
    _, decision = dc.control(stats, {cell("C"): 40, cell("A"): 10, cell("B"): 10})
    assert decision.hidden["change"] == dc.RULES[4]
    assert decision.reasons["change"] == "a share it compares is hidden"


def test_targets_are_small_non_zero_cells_and_small_pairs_at_one_authority():
    values = {
        (2024, "A", "trafficked_went_missing"): 1,
        (2024, "A", "unaccompanied_went_missing"): 2,
        (2024, "B", "trafficked_went_missing"): 0,
        (2024, "B", "unaccompanied_went_missing"): 5,
        (2024, "C", "trafficked_went_missing"): 3,
        (2024, "D", "unaccompanied_went_missing"): 2,
        (2024, "E", "trafficked_went_missing"): 2,
        (2024, "E", "unaccompanied_went_missing"): 3,
    }
    ledger = dc.Ledger(values)
    targets = list(ledger._targets(dc.Decision()))
    label = "a count from 1 to 4 at one authority"
    assert {lab for lab, _ in targets} == {label}
    singles = {next(iter(c)) for _, c in targets if len(c) == 1}
    assert singles == {k for k, v in values.items() if 0 < v < 5}
    pairs = [c for _, c in targets if len(c) == 2]
    # A's 1 + 2 is a small pair; B's 0 + 5, E's 2 + 3 and C and D (one group each) are not.
    assert pairs == [frozenset(k for k in values if k[1] == "A")]


def test_a_pair_is_the_same_authority_and_year():
    values = {
        (2024, "A", "trafficked_went_missing"): 1,
        (2024, "B", "unaccompanied_went_missing"): 1,
        (2023, "A", "unaccompanied_went_missing"): 1,
    }
    pairs = [c for _, c in dc.Ledger(values)._targets(dc.Decision()) if len(c) == 2]
    assert pairs == []


def test_hidden_targets_come_first_and_name_the_figure():
    stats = {"wales": count(AREA, A=1, B=2)}
    ledger = dc.register_all(stats, dc.Ledger({cell("A"): 1, cell("B"): 2}))
    decision = dc.Decision(hidden={"wales": dc.RULES[2], "nothing": dc.RULES[4]})
    first = next(ledger._targets(decision))
    assert first == ("the hidden figure wales", frozenset([cell("A"), cell("B")]))


def test_the_row_space_finds_sums_and_differences_only():
    a, b, c = cell("A"), cell("B"), cell("C")
    space = dc._RowSpace([frozenset([a, b]), frozenset([a, b, c])])
    assert space.contains(frozenset([c]))  # the difference of the two rows
    assert space.contains(frozenset([a, b, c]))
    assert not space.contains(frozenset([a]))
    assert not space.contains(frozenset())
    assert not space.contains(frozenset([cell("D")]))
    assert list(space.combination(frozenset([c])).round(6)) == [-1.0, 1.0]
    assert not dc._RowSpace([]).contains(frozenset([a]))
    # Two rows over three cells: rank 2; a third row dependent on them adds nothing.
    dependent = dc._RowSpace([frozenset([a]), frozenset([b]), frozenset([a, b])])
    assert dependent.basis.shape == (2, 2)
    assert not dependent.contains(frozenset([a, b, c]))


def test_the_breaker_prefers_the_smallest_figure_below_uk_whose_hiding_protects():
    values = {cell("A"): 2, cell("B"): 30, cell("C"): 40, cell("D"): 9}
    published = {
        "uk": count(A=2, B=30, C=40, D=9),
        "london": count(AREA, B=30),
        "kent": count(AREA, C=40),
        "scotland": count(AREA, D=9),
    }
    ledger = dc.Ledger(values)
    assert ledger._breaker(published, [], frozenset([cell("A")])) == "scotland"
    # Without a smaller one the UK figure is the last choice.
    only = {"uk": count(A=2, B=30), "london": count(AREA, B=30)}
    assert ledger._breaker(only, [], frozenset([cell("A")])) == "london"


def test_named_lists_add_up_what_they_say():
    first = dc.NamedAuthorities(
        [{"code": "A", "value": count(AUTHORITY, A=9)}], frozenset([cell("B")])
    )
    second = dc.NamedAuthorities(
        [{"code": "C", "value": count(AUTHORITY, C=7)}], frozenset([cell("D")])
    )
    full = dc.NamedAuthorities([{"code": "E", "value": count(AUTHORITY, E=6)}])
    ledger = dc.register_all({"x": first, "y": second, "z": full}, dc.Ledger({}))
    assert ledger.at_most_four == [frozenset([cell("B")]), frozenset([cell("D")])]
    assert ledger.named == {cell("A"), cell("C"), cell("E")}
    assert set(ledger.counts) == {"x.A.value", "y.C.value", "z.E.value"}


def test_a_sum_of_counts_keeps_the_first_counts_level():
    total = count(AREA, A=3) + count(AREA, B=4)
    assert total == Count(7, frozenset([cell("A"), cell("B")]), AREA)


def test_the_reader_knows_a_small_hidden_figure_is_one_to_four_and_caps_by_the_largest():
    values = {cell("A"): 4, cell("B"): 4}
    largest = Count(4, frozenset([cell("A")]), AUTHORITY, caps=frozenset(values))
    ledger = dc.register_all({"largest": largest, "uk": count(A=4, B=4)}, dc.Ledger(values))
    decision = dc.Decision(hidden={"largest": dc.RULES[1]}, small={"largest"})
    known = ledger.knowledge(decision)
    assert dc.Sum(frozenset([cell("A")]), 1, 4) in known.sums
    assert dc.Sum(frozenset(values), 8, 8) in known.sums
    assert known.disclosed(frozenset([cell("A")]))  # 8 = 4 + 4 with each at most 4
    unsaid = dc.Decision(hidden={"largest": dc.RULES[1]})
    assert not ledger.knowledge(unsaid).disclosed(frozenset([cell("A")]))
    assert not ledger.knowledge(decision, also_hidden="uk").disclosed(frozenset([cell("A")]))


def test_a_list_of_bare_figures_is_keyed_by_position():
    stats = {"xs": [count(AREA, A=30), count(AREA, B=2)]}
    published, decision = dc.control(stats, {cell("A"): 30, cell("B"): 2})
    assert published["xs"] == [30, MARK] and "xs.1" in decision.hidden


def test_the_breaker_hides_the_one_figure_every_route_to_the_target_needs():
    """A is uk − south and uk − london − kent: only hiding uk stops both."""
    values = {cell("A"): 2, cell("B"): 30, cell("C"): 40}
    published = {
        "uk": count(A=2, B=30, C=40),
        "london": count(AREA, B=30),
        "kent": count(AREA, C=40),
        "south": count(AREA, B=30, C=40),
    }
    assert dc.Ledger(values)._breaker(published, [], frozenset([cell("A")])) == "uk"


def test_the_breaker_falls_back_to_the_smallest_when_no_one_figure_protects():
    """A is x − y and z − w: no single figure's hiding stops both; the smallest goes first."""
    values = {cell("A"): 2, cell("B"): 30, cell("C"): 40}
    published = {
        "x": count(AREA, A=2, B=30),
        "y": count(AREA, B=30),
        "z": count(AREA, A=2, C=40),
        "w": count(AREA, C=40),
    }
    assert dc.Ledger(values)._breaker(published, [], frozenset([cell("A")])) == "y"


def two_tables(extra=None):
    """Two region tables, each with a small area its UK total gives back."""
    values = {cell(c): v for c, v in dict(A=2, B=30, C=40, D=3, E=50, F=60).items()}
    stats = {
        "one": [
            {"area": "Wales", "n": count(AREA, A=2)},
            {"area": "London", "n": count(AREA, B=30)},
            {"area": "Kent", "n": count(AREA, C=40)},
        ],
        "one_uk": count(A=2, B=30, C=40),
        "two": [
            {"area": "Wales", "n": count(AREA, D=3)},
            {"area": "London", "n": count(AREA, E=50)},
            {"area": "Kent", "n": count(AREA, F=60)},
        ],
        "two_uk": count(D=3, E=50, F=60),
    }
    return stats | (extra or {}), values


def test_each_table_gets_its_sums_and_differences_suppression():
    stats, values = two_tables({"a_lone": count(AREA, G=3)})
    _, decision = dc.control(stats, values | {cell("G"): 3})
    reveal = "with the other published figures it would reveal the hidden figure "
    assert decision.reasons["one.London.n"] == reveal + "one.Wales.n"
    assert decision.reasons["two.London.n"] == reveal + "two.Wales.n"
    assert decision.hidden["one.London.n"] == decision.hidden["two.London.n"] == dc.RULES[4]


def test_a_target_nothing_protects_is_counted_and_blocks(monkeypatch):
    monkeypatch.setattr(dc.Ledger, "_reasoned_breaker", lambda *args: None)
    values = {cell("A"): 4, cell("B"): 4}
    largest = Count(4, frozenset([cell("A")]), AUTHORITY, caps=frozenset(values))
    published, decision = dc.control({"largest": largest, "uk": count(A=4, B=4)}, values)
    assert published["disclosure"]["unprotected"] == len(decision.unprotected) > 0
    assert len(set(decision.unprotected)) == len(decision.unprotected)
    named = published["disclosure"]["unprotected_cells"]  # for the refusal's message only
    assert [2024, "B", "still_missing"] in [c for target in named for c in target]


def test_what_is_already_published_alone_leaves_nothing_to_protect_by_hiding():
    """A figure the first version printed (fixed) and the same figure now: the region that
    first version gives is no secret this edition can keep, and a count the two give by
    difference, that no figure here can hide, blocks."""
    values = {cell("A"): 30, cell("B"): 3}
    first = Sum(frozenset([cell("A")]), 30, 30)
    now = {"uk": count(A=30, B=3)}
    published, decision = dc.control(now, values, fixed=[first])
    assert published["uk"] == MARK and decision.unprotected == []
    blocked, decision = dc.control(
        {"other": count(A=30, C=9)},
        values | {cell("C"): 9},
        fixed=[first, Sum(frozenset([cell("A"), cell("B")]), 33, 33)],
    )
    assert [sorted(c) for c in decision.unprotected] == [[cell("B")]]
    # The UK total an earlier edition hid, hidden here again, is the first version's 70: a
    # value no longer secret, so no target, and nothing blocks.
    earlier = {"uk": ("hidden in the 2020 edition", False)}
    stats = {"uk": count(A=30, B=40), "england": count(AREA, A=30)}
    values = {cell("A"): 30, cell("B"): 40}
    again, decision = dc.control(stats, values, earlier, fixed=[Sum(frozenset(values), 70, 70)])
    assert again["uk"] == MARK and again["england"] == 30 and decision.unprotected == []


def reasoning_case():
    """A and B have 4 each (their region says 8, the largest is said to be under five); D's
    area of 6 is linked through the UK total but hiding it stops nothing."""
    values = {cell("A"): 4, cell("B"): 4, cell("C"): 30, cell("D"): 6}
    caps = frozenset([cell("A"), cell("B")])
    largest = Count(4, frozenset([cell("A")]), AUTHORITY, caps=caps)
    stats = {
        "largest": largest,
        "r1": count(AREA, A=4, B=4),
        "r3": count(AREA, D=6),
        "uk": count(A=4, B=4, C=30, D=6),
    }
    return stats, values


def test_reasoning_hides_the_smallest_figure_below_uk_that_stops_it():
    stats, values = reasoning_case()
    published, decision = dc.control(stats, values)
    assert published["r1"] == MARK and published["r3"] == 6 and published["uk"] == 44
    assert decision.hidden["r1"] == dc.RULES[4]
    assert decision.reasons["r1"].startswith("a reader reasoning with ranges")


def test_reasoning_prefers_a_figure_below_uk_to_the_uk_one():
    stats, values = reasoning_case()
    del stats["r3"]
    stats["uk"] = count(A=4, B=4)  # hiding uk alone would leave r1 = 8: r1 must go
    stats["r1"] = count(AREA, A=4, B=4)
    published, _ = dc.control(stats, values)
    assert published["r1"] == MARK


def test_what_is_said_to_be_under_five_is_recorded_as_such():
    values = {cell("A"): 1, cell("B"): 1, cell("C"): 30, cell("D"): 40}
    stats = {"ones": count(A=1, B=1), "big": count(C=30, D=40)}
    earlier = {"big": ("hidden in the 2020 edition", True)}
    _, decision = dc.control(stats, values, earlier)
    assert decision.hidden["ones"].startswith("rule 4") and "ones" not in decision.small
    assert "big" in decision.small


def test_the_reader_caps_cells_by_what_is_published_or_said():
    values = {cell("A"): 20, cell("B"): 3, cell("C"): 2, cell("D"): 7}
    largest = Count(20, frozenset([cell("A")]), AUTHORITY, caps=frozenset([cell("A"), cell("B")]))
    small = Count(3, frozenset([cell("B")]), AUTHORITY, caps=frozenset([cell("C")]))
    ledger = dc.register_all({"largest": largest, "small": small}, dc.Ledger(values))
    ledger.at_most_four.append(frozenset([cell("D")]))
    decision = dc.Decision(hidden={"small": dc.RULES[1]}, small={"small"})
    caps = ledger.knowledge(decision).caps
    assert caps == {cell("A"): 20, cell("B"): 20, cell("C"): 4, cell("D"): 4}


def test_a_figure_of_ones_and_a_secondary_hide_publish_the_same_words():
    """Every authority behind the UK figure had exactly one child (hidden by rule 4 on its
    own), and a region hidden to protect another (rule 4, secondary): the published record
    words them alike, and says neither is fewer than five."""
    ones, _ = dc.control({"uk": count(A=1, B=1, C=1)}, {cell(c): 1 for c in "ABC"})
    stats = {"wales": count(AREA, A=2), "england": count(AREA, B=40), "uk": count(A=2, B=40)}
    secondary, _ = dc.control(stats, {cell("A"): 2, cell("B"): 40})
    said = ones["disclosure"]["suppressed"]["uk"]
    assert said == secondary["disclosure"]["suppressed"]["england"] == dc.RULES[4]
    assert ones["disclosure"]["fewer_than_five"] == []
    assert "england" not in secondary["disclosure"]["fewer_than_five"]
