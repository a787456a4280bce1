"""The reasoning test on hand-made knowledge: when a target's range collapses, and when the
quick swap must not claim a move that a range forbids."""

from harmreport.analysis.inference import INFINITY, Knowledge, Sum

A, B, C, D = "a", "b", "c", "d"


def knowledge(values, sums, caps=None):
    return Knowledge(dict(values), [Sum(frozenset(c), lo, hi) for c, lo, hi in sums], caps or {})


def test_a_hidden_small_figure_pinned_by_its_own_range_and_a_cap():
    """S = a + b is said fewer than five; a + b + c = 6 is published; c is at most 2. Then
    S = 6 − c is at least 4: S is 4. Moving a child from c to a would break S's own range."""
    sums = [({A, B}, 1, 4), ({A, B, C}, 6, 6)]
    assert knowledge({A: 2, B: 2, C: 2}, sums, {C: 2}).disclosed(frozenset({A, B}))
    assert knowledge({A: 2, B: 2, C: 2}, sums, {C: 2}).disclosed(frozenset({C}))
    assert not knowledge({A: 2, B: 2, C: 2}, sums, {C: 3}).disclosed(frozenset({A, B}))


def test_a_swap_between_cells_alike_clears_a_target_and_one_alike_only_in_name_does_not():
    known = knowledge({A: 2, B: 3, C: 7}, [({A, B, C}, 12, 12)])
    assert not known.disclosed(frozenset({A}))  # one child from b (or c) to a keeps 12
    pinned = knowledge({A: 2, B: 3}, [({A, B}, 5, 5), ({B}, 3, 3)])
    assert pinned.disclosed(frozenset({A}))  # b is published: a = 5 − 3


def test_every_cell_is_at_least_one_and_at_most_its_cap():
    assert knowledge({A: 1, B: 1}, [({A, B}, 2, 2)]).disclosed(frozenset({A}))
    assert knowledge({A: 4, B: 4}, [({A, B}, 8, 8)], {A: 4, B: 4}).disclosed(frozenset({B}))
    assert not knowledge({A: 4, B: 4}, [({A, B}, 8, 8)], {A: 5}).disclosed(frozenset({B}))
    assert not knowledge({A: 1, D: 3}, [({A, D}, 4, INFINITY)]).disclosed(frozenset({A}))


def test_a_range_of_two_values_is_not_a_disclosure():
    """a + b = 4 with b at most 2: a is 2 or 3. The policy counts one value only. (a is also
    in a sum of its own, so no cell is alike it: the integer programme decides.)"""
    sums = [({A, B}, 4, 4), ({A, C}, 3, INFINITY)]
    values = {A: 3, B: 1, C: 5}
    assert not knowledge(values, sums, {B: 2}).disclosed(frozenset({A}))  # 3, or one less
    lower = {A: 2, B: 2, C: 5}
    assert not knowledge(lower, sums, {B: 2}).disclosed(frozenset({A}))  # 2, or one more
    assert knowledge(values, sums, {B: 1}).disclosed(frozenset({A}))


def test_a_cell_keeps_the_lowest_of_its_caps():
    known = knowledge({A: 3, B: 5}, [])
    known.cap({A, C}, 4)  # c is not an unknown here: no cap for it
    known.cap({A}, 10)
    assert known.caps == {A: 4}


def test_a_row_rule_holds_at_equality_and_breaks_one_past_it():
    from harmreport.analysis.inference import Order

    values = {"a": 1, "b": 1, "c": 2}
    rule = Order(frozenset("ab"), frozenset("c"))  # a + b <= c
    assert rule.holds(values, {})  # 2 <= 2
    assert not rule.holds(values, {"a": 1})
    assert not rule.holds(values, {"c": -1})
    assert rule.holds(values, {"a": 1, "c": 1})
    assert rule.cells == frozenset("abc")


def test_distances_cost_a_constraint_its_other_cells():
    from harmreport.analysis.inference import Knowledge, Order, Sum

    values = {c: 5 for c in ["t", "x", "z", *[f"y{i}" for i in range(9)]]}
    sums = [
        Sum(frozenset(["t", "x"]), 10, 10),  # a region of two: x is near
        Sum(frozenset(["t", *[f"y{i}" for i in range(9)]]), 50, 50),  # a UK total: far
    ]
    known = Knowledge(values, sums=sums, orders=[Order(frozenset(["x"]), frozenset(["z"]))])
    found = known.distances(frozenset(["t"]))
    assert found == {"t": 0, "x": 1, "z": 2} | {f"y{i}": 9 for i in range(9)}
    # Reached sooner through a shorter way: y0 also one step from z.
    known = Knowledge(
        values, sums=[*sums, Sum(frozenset(["z", "y0"]), 10, 10)], orders=known.orders
    )
    assert known.distances(frozenset(["t"]))["y0"] == 3


def test_a_tight_row_rule_moves_the_child_with_its_row():
    """Kent: 3 went missing of 3 in care; Surrey the same. One more child missing at Kent
    needs one more in care there, and Surrey gives both back: no single cell pins them."""
    from harmreport.analysis.inference import Knowledge, Order, Sum

    cell = {(2024, a, q): 3 for a in ("K", "S") for q in ("in_care", "went")}
    sums = [
        Sum(frozenset([(2024, "K", "went"), (2024, "S", "went")]), 6, 6),
        Sum(frozenset([(2024, "K", "in_care"), (2024, "S", "in_care")]), 6, 6),
    ]
    orders = [
        Order(frozenset([(2024, a, "went")]), frozenset([(2024, a, "in_care")])) for a in "KS"
    ]
    known = Knowledge(cell, sums=sums, orders=orders)
    assert known._row_move((2024, "K", "went"), 1, frozenset([(2024, "K", "went")])) == {
        (2024, "K", "went"): 1,
        (2024, "K", "in_care"): 1,
    }
    assert known._swap_exists(frozenset([(2024, "K", "went")]))
    assert not known.disclosed(frozenset([(2024, "K", "went")]))
    # Without Surrey's in care in a shared total, Kent's in care is pinned and so is went.
    pinned = Knowledge(
        cell, sums=[*sums, Sum(frozenset([(2024, "K", "in_care")]), 3, 3)], orders=orders
    )
    assert not pinned._swap_exists(frozenset([(2024, "K", "went")]))


def test_no_swap_when_the_partner_authoritys_row_rules_would_break():
    """Kent and Surrey as above, but Surrey's 3 still missing are known: Surrey cannot give a
    child back (still <= went) nor take one more in care than it has, so no swap is allowed."""
    from harmreport.analysis.inference import Knowledge, Order, Sum

    def c(a, q):
        return (2024, a, q)

    values = {c(a, q): 3 for a in "KS" for q in ("in_care", "went")} | {c("S", "still"): 3}
    sums = [
        Sum(frozenset([c("K", "went"), c("S", "went")]), 6, 6),
        Sum(frozenset([c("K", "in_care"), c("S", "in_care")]), 6, 6),
        Sum(frozenset([c("S", "still")]), 3, 3),
    ]
    orders = [Order(frozenset([c(a, "went")]), frozenset([c(a, "in_care")])) for a in "KS"]
    orders.append(Order(frozenset([c("S", "still")]), frozenset([c("S", "went")])))
    known = Knowledge(values, sums=sums, orders=orders)
    assert not known._swap_exists(frozenset([c("K", "went")]))
    assert not known.disclosed(frozenset([c("K", "went")]))  # the integer programme: 2 fits


def test_the_partner_authority_gives_back_the_same_cells_the_other_way():
    """Kent's tight row moves up together (went and in care); Surrey must give both back,
    but its in care cannot go down (3 others counted within it): no swap."""
    from harmreport.analysis.inference import Knowledge, Order, Sum

    def c(a, q):
        return (2024, a, q)

    values = {c(a, q): 3 for a in "KS" for q in ("in_care", "went")} | {c("S", "x"): 3}
    sums = [
        Sum(frozenset([c("K", "went"), c("S", "went")]), 6, 6),
        Sum(frozenset([c("K", "in_care"), c("S", "in_care")]), 6, 6),
        Sum(frozenset([c("S", "x")]), 3, 3),
    ]
    orders = [Order(frozenset([c(a, "went")]), frozenset([c(a, "in_care")])) for a in "KS"]
    orders.append(Order(frozenset([c("S", "x")]), frozenset([c("S", "in_care")])))
    known = Knowledge(values, sums=sums, orders=orders)
    assert not known._swap_exists(frozenset([c("K", "went")]))
