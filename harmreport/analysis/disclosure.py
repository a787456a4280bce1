"""Disclosure control: the policy of docs/disclosure-policy.md, decided in one place.

Every figure headed for a published file is registered in a ledger with the authority cells
it adds up (its contributors). A reader who adds and subtracts published figures can learn any
linear combination of them; so, besides the rules on single figures (small cells, one
contributor), a figure is hidden when the published ones would let a reader work out a hidden
figure or an authority's count from 1 to 4 (secondary suppression), until nothing can be.

The attacker is assumed to know more than the report says: which authorities gave a count
(the appendix), which of those counts are zero, and which authority holds "the largest at one
authority". Zero cells are therefore known constants, not unknowns.

Adding and subtracting is not all a reader can do: they also reason with ranges (a hidden
small count is from 1 to 4, every count behind a figure is at least 1, no authority has more
than "the largest at one authority", an authority left out of a list "named if five or more"
has at most 4). After the sums and differences, the ledger asks `inference` whether such
reasoning pins down a hidden figure or a small count exactly, and hides more until it cannot.
"""

from dataclasses import dataclass, field

import numpy as np

from harmreport.analysis.inference import INFINITY, Knowledge, Sum
from harmreport.project.formatting import MARK, NOT_APPLICABLE, NOT_AVAILABLE  # noqa: F401 (theirs)
from harmreport.project.jsonfiles import row_label

THRESHOLD = 5  # counts from 1 to THRESHOLD - 1 of children are never published below UK level
UK, AREA, AUTHORITY, NATIONALITY = "UK", "area", "authority", "nationality"

RULES = {
    1: "rule 1: an authority's count from 1 to 4",
    2: "rule 2: a figure below UK level from 1 to 4",
    3: "rule 3: from a single authority",
    4: "rule 4: would let a reader work out a hidden figure",
}


@dataclass(frozen=True)
class Count:
    """A count of children: its value and the non-zero authority cells it adds up. A cell is
    (year, authority code, item), item being a returns column or 'nationality:group:name'.
    `base` holds the authorities whose count it adds up, zeros included; a figure that no
    authority gave a count for is not known (value None), never 0."""

    value: int | None
    cells: frozenset = frozenset()
    level: str = UK
    caps: frozenset = frozenset()  # cells the reader knows to be at most this figure
    base: frozenset = frozenset()

    @property
    def contributors(self) -> set[str]:
        return {cell[1] for cell in self.cells}

    @property
    def known(self) -> bool:
        return self.value is not None

    def __add__(self, other: "Count") -> "Count":
        """Two figures added: what is known of either (not known only if neither is)."""
        values = [c.value for c in (self, other) if c.known]
        value = sum(values) if values else None
        return Count(value, self.cells | other.cells, self.level, base=self.base | other.base)


@dataclass(frozen=True)
class Ratio:
    """A share or an average: Σ numerator ÷ Σ denominator over `authorities` authorities."""

    numerator: Count
    denominator: Count
    authorities: int

    @property
    def value(self) -> float | None:
        d = self.denominator.value
        return self.numerator.value / d if d else None

    @property
    def missing(self) -> str:
        """The symbol for a share that has no value: of no children, or of none known."""
        return NOT_APPLICABLE if self.denominator.value == 0 else NOT_AVAILABLE


@dataclass(frozen=True)
class Change:
    """Relative change between two ratios: now ÷ before − 1."""

    now: Ratio
    before: Ratio

    @property
    def value(self) -> float | None:
        if self.now.value is None or not self.before.value:
            return None
        return self.now.value / self.before.value - 1


def primary_rule(figure: Count) -> int | None:
    """The rule that hides a count on its own, if any."""
    small = figure.known and 0 < figure.value < THRESHOLD
    if small and figure.level == AUTHORITY:
        return 1
    if small and figure.level != UK:
        return 2
    if small and len(figure.contributors) == 1:
        return 3
    if small and figure.value == len(figure.cells):
        return 4  # every cell behind it must be exactly one (not said to be fewer than five)
    return None


def from_one_authority(ratio: Ratio) -> bool:
    """A share whose numerator or base comes from one authority is that authority's ratio
    (rule 3)."""
    return any(len(p.contributors) == 1 for p in (ratio.numerator, ratio.denominator))


@dataclass
class Decision:
    """Which figures are published as [c], and why."""

    hidden: dict[str, str] = field(default_factory=dict)  # key -> its rule's text, no more
    small: set[str] = field(default_factory=set)  # hidden counts known to be from 1 to 4
    unprotected: list[frozenset] = field(default_factory=list)  # targets nothing could protect
    # Why each was hidden, for the team and the tests, never published: the published label
    # is the rule alone, the same however the figure came to be hidden (a figure whose cells
    # are all 1 and one hidden to protect another read alike).
    reasons: dict[str, str] = field(default_factory=dict)
    earlier: dict[str, str] = field(default_factory=dict)  # key -> the edition that hid it

    def hide(self, key: str, rule: int, why: str = "", small: bool = False) -> bool:
        if key in self.hidden:
            return False
        self.hidden[key] = RULES[rule]
        self.reasons[key] = why
        if small:
            self.small.add(key)
        return True

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for text in self.hidden.values():
            rule = text.split(":")[0]
            counts[rule] = counts.get(rule, 0) + 1
        return dict(sorted(counts.items()))


class Ledger:
    """Every figure of one edition, keyed by where it is published in stats.json."""

    def __init__(self, cell_values: dict[tuple, int], orders=(), fixed=()):
        self.cell_values = cell_values  # every non-zero authority cell behind any figure
        self.orders = list(orders)  # the contract's row rules (inference.Order)
        # Sums a reader already holds and no decision here can take back: figures of the
        # editions as published (republication.as_published), each an inference.Sum.
        self.fixed = [s for s in fixed if s.cells]
        self._published_space = self._published_knowledge = None
        self.counts: dict[str, Count] = {}
        self.ratios: dict[str, Ratio] = {}
        self.changes: dict[str, Change] = {}
        self.at_most_four: list[frozenset] = []  # cells a list "named if five or more" leaves out
        self.named: set = set()  # the cells such a list names

    def register(self, key: str, figure) -> None:
        if isinstance(figure, Count):
            self.counts[key] = figure
        elif isinstance(figure, Ratio):
            self.ratios[key] = figure
            self.counts[f"{key}_base.numerator"] = figure.numerator
            self.counts[f"{key}_base.denominator"] = figure.denominator
        elif isinstance(figure, Change):
            self.changes[key] = figure

    def decide(self, earlier: dict[str, tuple] | None = None) -> Decision:
        """`earlier`: figures an earlier edition hid, where this one prints them again
        ({key: (why, said to be fewer than five)}); they stay hidden here."""
        decision = Decision()
        for key, (why, small) in sorted((earlier or {}).items()):
            if key in self.counts or key in self.ratios:
                decision.hide(key, 4, why, small=small)
                decision.earlier[key] = why
        for key, count in self.counts.items():
            rule = primary_rule(count)
            if rule:
                # Rules 1 to 3 say "from 1 to 4"; a reader who knew that of a figure whose
                # cells are all at least 1 and as many as its value would know each is 1.
                decision.hide(key, rule, small=rule != 4)
        for key, ratio in self.ratios.items():
            if from_one_authority(ratio):
                self._hide_ratio(decision, key, 3)
        while True:  # one more figure hidden at a time, until nothing can be worked out
            self._propagate(decision)
            if not (self._secondary(decision) or self._reasoned(decision)):
                return decision

    def _hide_ratio(self, decision: Decision, key: str, rule: int, why: str = "") -> None:
        decision.hide(key, rule, why)
        for part in ("numerator", "denominator"):
            decision.hide(f"{key}_base.{part}", rule, why or f"the parts of {key}")

    def _propagate(self, decision: Decision) -> None:
        """A ratio is hidden with either of its parts (one part and the ratio give the other);
        a change with either of its ratios. (A ratio hidden by rule 3 hides both its parts.)"""
        for key in self.ratios:
            parts = [f"{key}_base.{p}" for p in ("numerator", "denominator")]
            if key not in decision.hidden and any(p in decision.hidden for p in parts):
                # The share and one part give the other; the other part alone gives nothing.
                decision.hide(key, 4, "a part of it is hidden")
        for key, change in self.changes.items():
            ratios = [k for k, r in self.ratios.items() if r in (change.now, change.before)]
            if key not in decision.hidden and any(k in decision.hidden for k in ratios):
                decision.hide(key, 4, "a share it compares is hidden")

    def _secondary(self, decision: Decision) -> bool:
        """Hide one more figure if the published counts reveal a target; True if one was."""
        published = {k: c for k, c in self.counts.items() if k not in decision.hidden and c.cells}
        fixed = [s.cells for s in self.fixed]
        space = _RowSpace([c.cells for c in published.values()] + fixed)
        for label, cells in self._targets(decision):
            if not space.contains(cells):
                continue
            key = self._breaker(published, fixed, cells)
            if key is None:  # what is already published gives it away: nothing here can help
                self._unprotected(decision, cells)
                continue
            decision.hide(key, 4, f"with the other published figures it would reveal {label}")
            return True
        return False

    @staticmethod
    def _unprotected(decision: Decision, cells: frozenset) -> None:
        if cells not in decision.unprotected:
            decision.unprotected.append(cells)

    def knowledge(self, decision: Decision, also_hidden: str = "") -> Knowledge:
        """What a reader knows of the cells from what is published (and said of what is not)."""
        known = Knowledge(dict(self.cell_values), orders=self.orders)
        sums = set(self.fixed)
        for key, count in self.counts.items():
            published = key not in decision.hidden and key != also_hidden
            said_small = key in decision.small
            if count.cells and (published or said_small):
                low, high = (count.value,) * 2 if published else (1, THRESHOLD - 1)
                sums.add(Sum(count.cells, low, high))
            if count.caps and (published or said_small):
                known.cap(count.caps, count.value if published else THRESHOLD - 1)
        for cells in self.at_most_four:
            known.cap(cells, THRESHOLD - 1)
        for cell in self.named:  # a named authority has at least 5, shown or not
            sums.add(Sum(frozenset([cell]), THRESHOLD, INFINITY))
        known.sums = sorted(sums, key=lambda s: (len(s.cells), sorted(s.cells), s.low))
        return known

    def _reasoned(self, decision: Decision) -> bool:
        """Hide one more figure if reasoning with ranges pins down a target; True if one was."""
        known = self.knowledge(decision)
        for label, cells in self._targets(decision):
            if not known.disclosed(cells):
                continue
            key = self._reasoned_breaker(decision, cells, known)
            if key is None:
                self._unprotected(decision, cells)
                continue
            decision.hide(key, 4, f"a reader reasoning with ranges could work out {label}")
            return True
        return False

    def _reasoned_breaker(
        self, decision: Decision, target: frozenset, known: Knowledge
    ) -> str | None:
        """Of the published figures linked to the target, the first (nearest the target, then
        smallest below UK level, then UK) whose hiding stops the reasoning; else the first.
        Nearest: a figure of the target's own row or column before one linked to it only
        through a national total (Knowledge.distances)."""
        distance = known.distances(target)
        candidates = [
            key
            for key, count in self.counts.items()
            if key not in decision.hidden and not count.cells.isdisjoint(distance)
        ]

        def nearest_then_smallest(key):
            count = self.counts[key]
            near = min(distance[c] for c in count.cells if c in distance)
            return near, count.level == UK, count.value, key

        candidates.sort(key=nearest_then_smallest)
        for key in candidates:
            if not self.knowledge(decision, also_hidden=key).disclosed(target):
                return key
        return candidates[0] if candidates else None

    def _already_published(self, cells: frozenset) -> bool:
        """Does what is already published (`fixed`) give this sum, hidden here or not? Its
        value is then no secret this edition can keep (a figure a republication hides, that
        the first version printed)."""
        if not self.fixed:
            return False
        if self._published_space is None:
            self._published_space = _RowSpace([s.cells for s in self.fixed])
            self._published_knowledge = Knowledge(
                dict(self.cell_values), sums=list(self.fixed), orders=self.orders
            )
        return self._published_space.contains(cells) or self._published_knowledge.disclosed(cells)

    def _targets(self, decision: Decision):
        """What a reader must not work out: each hidden count, each authority's count from 1
        to 4, and an authority's trafficked plus unaccompanied count from 1 to 4."""
        for key in sorted(decision.hidden):
            cells = self.counts[key].cells if key in self.counts else frozenset()
            if cells and not self._already_published(cells):
                yield f"the hidden figure {key}", cells
        by_item: dict[tuple, int] = {}
        for cell, value in sorted(self.cell_values.items()):
            if 0 < value < THRESHOLD:
                yield "a count from 1 to 4 at one authority", frozenset([cell])
            item = cell[2]
            for group in ("trafficked_", "unaccompanied_"):
                if item.startswith(group):
                    pair = (cell[0], cell[1], item.removeprefix(group))
                    by_item.setdefault(pair, []).append(cell)
        for _, cells in sorted(by_item.items()):
            if len(cells) == 2 and 0 < sum(self.cell_values[c] for c in cells) < THRESHOLD:
                yield "a count from 1 to 4 at one authority", frozenset(cells)

    def _breaker(self, published: dict[str, Count], fixed: list, target: frozenset) -> str | None:
        """The figure to hide: of those the revealing sum or difference uses (its row or
        column), the smallest below UK level, else the smallest UK one; preferring one whose
        hiding alone protects the target. None when it uses only what is already published
        (`fixed`)."""
        keys = list(published)
        space = _RowSpace([published[k].cells for k in keys] + fixed)
        used = space.combination(target)[: len(keys)]
        related = [k for k, weight in zip(keys, used, strict=True) if abs(weight) > 1e-9]
        related.sort(key=lambda k: (published[k].level == UK, published[k].value, k))
        for key in related:
            rest = [c.cells for k, c in published.items() if k != key] + fixed
            if not _RowSpace(rest).contains(target):
                return key
        return related[0] if related else None


class _RowSpace:
    """The linear combinations of published counts: a target is revealed when its vector of
    cells lies in their span."""

    def __init__(self, rows: list[frozenset]):
        self.index = {cell: i for i, cell in enumerate(sorted({c for r in rows for c in r}))}
        if not rows:
            self.basis = np.zeros((0, 0))
            return
        matrix = np.zeros((len(rows), len(self.index)))
        for i, row in enumerate(rows):
            matrix[i, [self.index[c] for c in row]] = 1.0
        self.matrix = matrix
        _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
        rank = int((singular > 1e-9 * max(singular.max(), 1.0)).sum())
        self.basis = vt[:rank]

    def _vector(self, cells: frozenset) -> np.ndarray:
        vector = np.zeros(len(self.index))
        vector[[self.index[c] for c in cells]] = 1.0
        return vector

    def contains(self, cells: frozenset) -> bool:
        if not cells or any(c not in self.index for c in cells):
            return False  # a cell that no published figure touches cannot be worked out
        vector = self._vector(cells)
        residual = vector - (self.basis @ vector) @ self.basis
        return bool(np.linalg.norm(residual) < 1e-6)

    def combination(self, cells: frozenset) -> np.ndarray:
        """Weights on the rows that add up to the target (the smallest such weights)."""
        weights, *_ = np.linalg.lstsq(self.matrix.T, self._vector(cells), rcond=None)
        return weights


class NamedAuthorities(list):
    """A published list of authorities with their counts, most first, naming only those with
    5 or more. When it names fewer than it may, a reader knows every authority left out has
    at most 4: `at_most_four` holds those authorities' cells (empty when the list is full;
    each named count caps those after it through its Count's caps)."""

    def __init__(self, rows, at_most_four: frozenset = frozenset()):
        super().__init__(rows)
        self.at_most_four = at_most_four


def publish(stats: dict, decision: Decision) -> dict:
    """stats with every figure replaced by its published form: a number, [c] (hidden), or
    [x] (not known: no authority gave a count behind it) or [z] (a share of no children)."""

    def shown(key, value, missing=NOT_AVAILABLE):
        if key in decision.hidden:
            return MARK
        return missing if value is None else value

    def walk(node, where):
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                path = f"{where}.{key}" if where else str(key)
                if isinstance(value, Ratio):
                    out[key] = shown(path, value.value, value.missing)
                    out[f"{key}_base"] = {
                        "numerator": shown(f"{path}_base.numerator", value.numerator.value),
                        "denominator": shown(f"{path}_base.denominator", value.denominator.value),
                        "authorities": value.authorities,
                    }
                else:
                    out[key] = walk(value, path)
            return out
        if isinstance(node, list):
            return [walk(item, f"{where}.{row_label(item, i)}") for i, item in enumerate(node)]
        if isinstance(node, Count | Change):
            return shown(where, node.value)
        return node

    return walk(stats, "")


def nodes(stats, where: str = ""):
    """(published key, node) for every node of stats, containers included, in order."""
    yield where, stats
    if isinstance(stats, dict):
        for key, value in stats.items():
            yield from nodes(value, f"{where}.{key}" if where else str(key))
    elif isinstance(stats, list):
        for i, item in enumerate(stats):
            yield from nodes(item, f"{where}.{row_label(item, i)}")


def based_on(stats: dict) -> dict[str, int]:
    """For every UK total, how many authorities gave a count behind it (zeros included): what
    "from 41 of 212 authorities" says. Counts of authorities, which the appendix shows one by
    one (disclosure rule 5); not given by area, where a count of authorities beside the
    area's name would read, to the independent check, as a count of children."""
    found = {
        where: len(node.base)
        for where, node in nodes(stats)
        if isinstance(node, Count) and node.level == UK
    }
    return dict(sorted(found.items()))


def register_all(stats: dict, ledger: Ledger) -> Ledger:
    """Register every figure found in stats under its published key."""
    for where, node in nodes(stats):
        if isinstance(node, NamedAuthorities):
            ledger.at_most_four += [node.at_most_four] if node.at_most_four else []
            ledger.named |= {cell for row in node for cell in row["value"].cells}
        if isinstance(node, Count | Ratio | Change):
            ledger.register(where, node)
    return ledger


def control(
    stats: dict,
    cell_values: dict[tuple, int],
    earlier: dict[str, tuple] | None = None,
    orders=(),
    fixed=(),
) -> tuple[dict, Decision]:
    """Decide suppression for every figure in stats (keeping hidden what earlier editions hid,
    `earlier`, as history.printed_again gives it), knowing the contract's row rules (`orders`,
    statistics.row_rules) and what is already published (`fixed`, republication.as_published);
    return the published stats and the decision. The published stats name each hidden
    figure and its rule, never its value."""
    ledger = register_all(stats, Ledger(cell_values, orders, fixed))
    decision = ledger.decide(earlier)
    published = publish(stats, decision)
    published["based_on"] = based_on(stats)
    published["disclosure"] = {
        "mark": MARK,
        "threshold": THRESHOLD,
        "suppressed": dict(sorted(decision.hidden.items())),
        "suppressed_by_rule": decision.by_rule(),
        # Saying "fewer than five" of these adds nothing to what their rules already say.
        "fewer_than_five": sorted(decision.small),
        # Figures an earlier edition hid, hidden again where this one prints them.
        "hidden_in_earlier_editions": dict(sorted(decision.earlier.items())),
        # What no suppression could protect: the build refuses to publish (exit 3).
        "unprotected": len(decision.unprotected),
    }
    if decision.unprotected:  # the build refuses (exit 3) and names them to the team, only
        published["disclosure"]["unprotected_cells"] = sorted(
            sorted(list(cell) for cell in cells) for cells in decision.unprotected
        )
    return published, decision
