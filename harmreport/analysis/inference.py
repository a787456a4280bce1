"""What a reader can work out by reasoning, not only by adding and subtracting.

The unknowns are authority cells: whole numbers, each at least 1 (a reader is assumed to know
which cells are zero) and at most its cap, if the report gives one ("the largest at one
authority", "named if five or more"). Everything published is a constraint on sums of them:
a published figure fixes its sum, a figure said to be fewer than five holds its sum between 1
and 4. A target (a hidden figure, an authority's count from 1 to 4) is disclosed when every
whole-number solution gives it the same value: its feasible range has collapsed to one value.

The contract's row rules are known too (an authority's children who went missing are no more
than its children in care, no fewer than its missing episodes' children, and so on): each is
an `Order`, the sum of some cells at most the sum of others.

A range of two or more values ("3 or 4") is not counted as disclosure: the report itself says
"fewer than five" of every hidden small count, a range of four values, and what the policy
protects against is an exact count of children at a named authority.

Deciding it: most targets are cleared at once by a swap (one more child at the target, one
fewer at a cell that every constraint treats alike); the rest by an exact integer programme
(HiGHS) over the cells linked to the target, asking for a solution with the target one lower,
then one higher, than its true value.
"""

from dataclasses import dataclass, field

import numpy as np

INFINITY = float("inf")


@dataclass(frozen=True)
class Sum:
    """A constraint: the cells' sum lies between low and high (equal for a published figure)."""

    cells: frozenset
    low: float
    high: float


@dataclass(frozen=True)
class Order:
    """A row rule of the contract: the sum of `smaller` is at most the sum of `larger`."""

    smaller: frozenset
    larger: frozenset

    @property
    def cells(self) -> frozenset:
        return self.smaller | self.larger

    def holds(self, values: dict, moved: dict) -> bool:
        """Does the rule hold once the cells in `moved` have changed by their steps?"""

        def total(cells):
            return sum(values[c] + moved.get(c, 0) for c in cells)

        return total(self.smaller) <= total(self.larger)


@dataclass
class Knowledge:
    """Everything a reader knows: the cells' caps and the constraints on their sums."""

    values: dict  # the true value of every unknown cell (for the swap and the question asked)
    sums: list[Sum] = field(default_factory=list)
    caps: dict = field(default_factory=dict)  # cell -> the most it can be
    orders: list[Order] = field(default_factory=list)  # the row rules over these cells
    _signatures: dict | None = field(default=None, repr=False)
    _groups: dict | None = field(default=None, repr=False)
    _by_cell: dict | None = field(default=None, repr=False)

    def cap(self, cells, limit) -> None:
        for cell in cells:
            if cell in self.values:
                self.caps[cell] = min(self.caps.get(cell, INFINITY), limit)

    def disclosed(self, target: frozenset) -> bool:
        """True when the target's sum can take only its true value."""
        target = frozenset(c for c in target if c in self.values)
        if not target:
            return False
        if self._swap_exists(target):
            return False
        cells, linked = self._component(target, self.sums + self.orders)
        value = sum(self.values[c] for c in target)
        return not any(
            _feasible(cells, self.caps, linked, Sum(target, low, high))
            for low, high in ((-INFINITY, value - 1), (value + 1, INFINITY))
        )

    def _swap_exists(self, target: frozenset) -> bool:
        """One child moved between a target cell and an outside cell that every other
        constraint treats alike changes only the target: is any such move allowed? Where a
        row rule is tight (as many went missing as were in care), the child moves with the
        cells of its row the rule ties to it, and the same cells of the other authority."""
        sums = self.sums
        own = {i for i, s in enumerate(sums) if s.cells == target}
        value = sum(self.values[c] for c in target)
        for step in (1, -1):
            if not all(sums[i].low <= value + step <= sums[i].high for i in own):
                continue
            for cell in target:
                moved = self._row_move(cell, step, target)
                if moved is None:
                    continue
                alike = self._alike().get(self._signature()[cell] - own, ())
                if any(self._swap(moved, d, step, target) for d in alike):
                    return True
        return False

    def _row_move(self, cell, step: int, target: frozenset) -> dict | None:
        """`cell` changed by `step`, with the fewest cells of its row changed alike for the
        row rules to hold; None if they cannot (a cell at its bound, or in the target)."""
        moved = {cell: step}
        for _ in range(len(self._orders_of(cell)) + 1):
            broken = [o for o in self._orders_of(*moved) if not o.holds(self.values, moved)]
            if not broken:
                return moved if all(self._can_move(c, s) for c, s in moved.items()) else None
            side = broken[0].larger if step > 0 else broken[0].smaller
            free = [c for c in sorted(side) if c not in moved and c not in target]
            if not free:
                return None
            moved[free[0]] = step
        return None

    def _swap(self, moved: dict, other, step: int, target: frozenset) -> bool:
        """May the cells `moved` change by `step` and the same cells of `other`'s authority
        by -step (each treated alike by every constraint), every row rule still holding?"""
        cell = next(iter(moved))
        partners = {other: -step}
        for c in list(moved)[1:]:
            partner = (c[0], other[1], *c[2:])
            if partner not in self.values or self._signature()[partner] != self._signature()[c]:
                return False
            partners[partner] = -step
        if any(c in target for c in partners) or not all(
            self._can_move(c, s) for c, s in partners.items()
        ):
            return False
        both = moved | partners
        if len(both) != len(moved) + len(partners) or cell in partners:
            return False
        return all(o.holds(self.values, both) for o in self._orders_of(*both))

    def _orders_of(self, *cells) -> list[Order]:
        if self._by_cell is None:
            self._by_cell = {}
            for order in self.orders:
                for cell in order.cells:
                    self._by_cell.setdefault(cell, []).append(order)
        return list({id(o): o for c in cells for o in self._by_cell.get(c, ())}.values())

    def _signature(self) -> dict:
        """Each cell's constraints (their places in `sums`), worked out once."""
        if self._signatures is None:
            found = {cell: set() for cell in self.values}
            for i, s in enumerate(self.sums):
                for cell in s.cells:
                    found[cell].add(i)
            self._signatures = {cell: frozenset(places) for cell, places in found.items()}
        return self._signatures

    def _alike(self) -> dict:
        """The cells of each signature."""
        if self._groups is None:
            self._groups = {}
            for cell, places in sorted(self._signature().items()):
                self._groups.setdefault(places, []).append(cell)
        return self._groups

    def _can_move(self, cell, step: int) -> bool:
        moved = self.values[cell] + step
        return 1 <= moved <= self.caps.get(cell, INFINITY)

    def distances(self, target: frozenset) -> dict:
        """How far each linked cell is from the target: crossing a constraint of n cells costs
        n - 1, so the other authority of a region of two is near and every authority of a UK
        total is far (Dijkstra's shortest paths)."""
        import heapq

        constraints = self.sums + self.orders
        touching: dict = {}
        for i, s in enumerate(constraints):
            for cell in s.cells:
                touching.setdefault(cell, []).append(i)
        found = {c: 0 for c in target if c in self.values}
        queue = [(0, c) for c in sorted(found)]
        crossed = set()
        while queue:
            far, cell = heapq.heappop(queue)
            if far > found[cell]:
                continue
            for i in touching.get(cell, ()):
                if i in crossed:
                    continue  # first reached at its nearest: no later cell gets closer
                crossed.add(i)
                step = far + len(constraints[i].cells) - 1
                for other in sorted(constraints[i].cells):
                    if step < found.get(other, INFINITY):
                        found[other] = step
                        heapq.heappush(queue, (step, other))
        return found

    def _component(self, target: frozenset, sums: list):
        """The cells linked to the target through constraints, and those constraints."""
        cells, linked, frontier = set(target), [], set(target)
        remaining = list(sums)
        while frontier:
            touching = [s for s in remaining if s.cells & frontier]
            remaining = [s for s in remaining if not s.cells & frontier]
            linked += touching
            frontier = {c for s in touching for c in s.cells} - cells
            cells |= frontier
        return sorted(cells), linked


def _feasible(cells: list, caps: dict, sums: list, extra: Sum) -> bool:
    """Is there a whole-number solution (each cell from 1 to its cap) meeting every sum and
    every row rule?"""
    import highspy  # imported here: most builds clear every target without it

    index = {c: i for i, c in enumerate(cells)}
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    upper = np.array([caps.get(c, highs.inf) for c in cells], dtype=float)
    upper[np.isinf(upper)] = highs.inf
    n = len(cells)
    highs.addVars(n, np.ones(n), upper)
    highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.ones(n, dtype=np.uint8))
    lows, highs_, starts, columns, weights = [], [], [], [], []
    for s in [*sums, extra]:
        starts.append(len(columns))
        if isinstance(s, Order):  # smaller - larger <= 0
            row = [(index[c], 1.0) for c in sorted(s.smaller)]
            row += [(index[c], -1.0) for c in sorted(s.larger)]
            low, high = -INFINITY, 0
        else:
            row = [(index[c], 1.0) for c in sorted(s.cells)]
            low, high = s.low, s.high
        columns += [i for i, _ in row]
        weights += [w for _, w in row]
        lows.append(-highs.inf if low == -INFINITY else low)
        highs_.append(highs.inf if high == INFINITY else high)
    highs.addRows(
        len(lows),
        np.array(lows, dtype=float),
        np.array(highs_, dtype=float),
        len(columns),
        np.array(starts, dtype=np.int32),
        np.array(columns, dtype=np.int32),
        np.array(weights, dtype=float),
    )
    highs.run()
    return highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
