"""What a reader can work out by reasoning, not only by adding and subtracting.

The unknowns are authority cells: whole numbers, each at least 1 (a reader is assumed to know
which cells are zero) and at most its cap, if the report gives one ("the largest at one
authority", "named if five or more"). Everything published is a constraint on sums of them:
a published figure fixes its sum, a figure said to be fewer than five holds its sum between 1
and 4. A target (a hidden figure, an authority's count from 1 to 4) is disclosed when every
whole-number solution gives it the same value: its feasible range has collapsed to one value.

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


@dataclass
class Knowledge:
    """Everything a reader knows: the cells' caps and the constraints on their sums."""

    values: dict  # the true value of every unknown cell (for the swap and the question asked)
    sums: list[Sum] = field(default_factory=list)
    caps: dict = field(default_factory=dict)  # cell -> the most it can be
    _signatures: dict | None = field(default=None, repr=False)
    _groups: dict | None = field(default=None, repr=False)

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
        cells, linked = self._component(target, self.sums)
        value = sum(self.values[c] for c in target)
        return not any(
            _feasible(cells, self.caps, linked, Sum(target, low, high))
            for low, high in ((-INFINITY, value - 1), (value + 1, INFINITY))
        )

    def _swap_exists(self, target: frozenset) -> bool:
        """One child moved between a target cell and an outside cell that every other
        constraint treats alike changes only the target: is any such move allowed?"""
        sums = self.sums
        own = {i for i, s in enumerate(sums) if s.cells == target}
        value = sum(self.values[c] for c in target)
        for step in (1, -1):
            if not all(sums[i].low <= value + step <= sums[i].high for i in own):
                continue
            for cell in target:
                if not self._can_move(cell, step):
                    continue
                alike = self._alike().get(self._signature()[cell] - own, ())
                if any(d not in target and self._can_move(d, -step) for d in alike):
                    return True
        return False

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

    def linked_cells(self, target: frozenset) -> list:
        return self._component(frozenset(c for c in target if c in self.values), self.sums)[0]

    def _component(self, target: frozenset, sums: list[Sum]):
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


def _feasible(cells: list, caps: dict, sums: list[Sum], extra: Sum) -> bool:
    """Is there a whole-number solution (each cell from 1 to its cap) meeting every sum?"""
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
    for s in [*sums, extra]:
        columns = np.array(sorted(index[c] for c in s.cells), dtype=np.int32)
        low = -highs.inf if s.low == -INFINITY else s.low
        high = highs.inf if s.high == INFINITY else s.high
        highs.addRow(low, high, len(columns), columns, np.ones(len(columns)))
    highs.run()
    return highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
