"""Make the ILLUSTRATIVE returns in data/returns/ (seeded, so every run writes the same files).

The real returns are confidential. These invented returns are built so that the statistics
defined in the FOI returns contract reproduce every published ("must match") figure of each
edition, while each authority's row stays plausible (nobody has more children missing than in
care, episodes are at least the children who went missing, ...). Which figures are published
and which are invented is listed in data/README.md.

Run: python scripts/make_illustrative_returns.py   (then commit the changed files)
     python scripts/make_illustrative_returns.py --out FOLDER   (write elsewhere: the tests
     regenerate the returns into a temporary folder and compare the bytes)
"""

import argparse
import csv
import hashlib
import math
import sys
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harmreport.analysis import statistics  # noqa: E402
from harmreport.intake import reference  # noqa: E402
from harmreport.intake.returns import COUNT_COLUMNS, load_returns  # noqa: E402
from harmreport.project import editions  # noqa: E402

FOCUS = ("London", "South East", "East of England", "East Midlands", "West Midlands")
UNREPORTED = [
    "not recorded",
    "Not held",
    "unknown",
    "refused",
    "s12",
    "",
    "No response",
    "exempt",
    "not recorded",
    "",
]
SUPPRESSED_SPELLINGS = ["<5", "fewer than 5", "< 5", "<3", "<10"]
# Where unaccompanied children arrive and are looked after: port and airport authorities.
HOTSPOTS = {
    "Kent": 12,
    "Croydon": 10,
    "Hillingdon": 8,
    "Thurrock": 5,
    "Surrey": 5,
    "Portsmouth": 3,
    "Dover": 3,
    "Manchester": 3,
    "Birmingham": 3,
    "Glasgow City": 2,
    "Northamptonshire": 2,
    "Rochdale": 2,
    "Central Bedfordshire": 2,
    "Slough": 2,
}

# One entry per data year. Figures the published editions give (data/published_figures.toml)
# are marked "published"; everything else is an invented, plausible value.
SPECS = {
    2015: {
        "contact": "2015",  # children's services bodies, but NI's 11 district councils
        "trafficked": dict(
            reporting=174,
            suppressed=6,
            in_care_only=(0, 0),
            zeros=62,
            in_care=590,
            missing_authorities=39,
            went_missing=167,
            episodes=401,
            focus_share=0.75,
        ),  # published: 174, 590, 39, 167, 2.4, 75%
        "unaccompanied": dict(
            reporting=193,
            suppressed=5,
            in_care_only=(0, 0),
            zeros=24,
            in_care=4744,
            missing_authorities=74,
            went_missing=593,
            episodes=1230,
            focus_share=0.90,
        ),  # published: 193 .. 90%
        "still_missing": dict(reporting=45, suppressed=4, total=207),  # published
        "over_week": dict(reporting=52, share=0.32),  # published: 32%
        "london": dict(zero_trafficked=10, unable_trafficked=4),  # published
        "pins": {  # the five with most children unaccounted for, in the published order
            "Thurrock": dict(ut=(150, 48, 110), tt=(20, 9, 20), still_missing=31),
            "Hillingdon": dict(ut=(420, 44, 95), tt=(24, 8, 17), still_missing=27),
            "Croydon": dict(ut=(460, 30, 66), tt=(60, 22, 55), still_missing=24),
            "Kent": dict(ut=(900, 52, 120), tt=(40, 10, 24), still_missing=21),
            "Surrey": dict(ut=(160, 38, 90), tt=(18, 6, 14), still_missing=18),
        },
        "caps": dict(trafficked_went_missing=15, unaccompanied_went_missing=25, still_missing=15),
        "nationalities": {
            "trafficked": dict(
                authorities=10,
                ranking=[
                    ("Vietnamese", 21),
                    ("British", 14),
                    ("Albanian", 10),
                    ("Nigerian", 4),
                    ("Eritrean", 3),
                    ("Romanian", 2),
                ],
            ),
            "unaccompanied": dict(
                authorities=30,
                ranking=[
                    ("Albanian", 61),
                    ("Afghan", 52),
                    ("Vietnamese", 40),
                    ("Eritrean", 33),
                    ("Iraqi", 15),
                    ("Sudanese", 11),
                    ("Iranian", 8),
                    ("Syrian", 6),
                    ("Ethiopian", 4),
                ],
            ),
        },
    },
    2017: {
        "contact": "current",
        "trafficked": dict(
            reporting=181,
            suppressed=5,
            in_care_only=(0, 0),
            zeros=48,
            in_care=910,
            missing_authorities=52,
            went_missing=244,
            episodes=1757,
        ),  # published: 910, 244, 7.2
        "unaccompanied": dict(
            reporting=196,
            suppressed=4,
            in_care_only=(0, 0),
            zeros=16,
            in_care=4963,
            missing_authorities=88,
            went_missing=742,
            episodes=1780,
        ),  # published: 4,963, 742
        "still_missing": dict(reporting=58, suppressed=6, total=169),  # published: 169
        "over_week": dict(reporting=60, share=0.35),
        "pins": {  # published: most children still missing
            "Kent": dict(ut=(1150, 70, 160), tt=(70, 14, 110), still_missing=23),
            "Rochdale": dict(ut=(60, 18, 50), tt=(30, 12, 90), still_missing=17),
            "Central Bedfordshire": dict(ut=(55, 16, 40), tt=(16, 8, 60), still_missing=14),
        },
        "caps": dict(still_missing=12),
    },
    2018: {
        "contact": "current",
        "trafficked": dict(
            reporting=184,
            suppressed=5,
            in_care_only=(0, 0),
            zeros=44,
            in_care=960,
            missing_authorities=58,
            went_missing=236,
            episodes=1650,
        ),  # published (2020 edition): 960, ~236
        "unaccompanied": dict(
            reporting=192,
            suppressed=4,
            in_care_only=(0, 0),
            zeros=15,
            in_care=5070,
            missing_authorities=84,
            went_missing=690,
            episodes=1700,
        ),
        "still_missing": dict(reporting=55, suppressed=5, total=150),
        "over_week": dict(reporting=55, share=0.33),
        "pins": {},
        "caps": dict(trafficked_went_missing=40, unaccompanied_went_missing=90, still_missing=14),
    },
    2020: {
        "contact": "current",
        "trafficked": dict(
            reporting=178,
            suppressed=6,
            in_care_only=(0, 0),
            zeros=38,
            in_care=1231,
            missing_authorities=70,
            went_missing=378,
            episodes=3024,
        ),  # published: 1,231, 378, 8.0
        "unaccompanied": dict(
            reporting=188,
            suppressed=5,
            in_care_only=(0, 0),
            zeros=17,
            in_care=5210,
            missing_authorities=86,
            went_missing=721,
            episodes=1880,
        ),
        "still_missing": dict(reporting=52, suppressed=6, total=131),
        "over_week": dict(reporting=58, share=0.36),
        "pins": {},
        "caps": dict(trafficked_went_missing=40, unaccompanied_went_missing=90, still_missing=14),
    },
    2024: {
        "contact": "current",
        # published: 2,638 in care (2,335 of it at the 135 that answered both), 864 missing
        "trafficked": dict(
            reporting=161,
            suppressed=8,
            in_care_only=(18, 303),
            zeros=12,
            in_care=2335,
            missing_authorities=104,
            went_missing=864,
            episodes=6480,
        ),
        # published: 12,530 in care (11,999 at the 141 that answered both), 1,501 missing
        "unaccompanied": dict(
            reporting=162,
            suppressed=5,
            in_care_only=(16, 531),
            zeros=9,
            in_care=11999,
            missing_authorities=112,
            went_missing=1501,
            episodes=4100,
        ),
        "still_missing": dict(reporting=60, suppressed=7, total=214),
        "over_week": dict(reporting=70, share=0.38),
        "pins": {},
        "caps": dict(trafficked_went_missing=40, unaccompanied_went_missing=90, still_missing=14),
    },
}


def apportion(total, weights, minimum, caps):
    """Split `total` roughly in proportion to `weights`, within [minimum, caps] per share."""
    weights = np.asarray(weights, dtype=float)
    alloc = np.array(minimum, dtype=int)
    caps = np.array(caps, dtype=int)
    if not alloc.sum() <= total <= caps.sum():
        raise ValueError(f"cannot split {total} within {alloc.sum()}..{caps.sum()}")
    remaining = total - alloc.sum()
    while remaining > 0:
        room = alloc < caps
        share = np.where(room, weights, 0) / np.where(room, weights, 0).sum() * remaining
        add = np.minimum(np.floor(share).astype(int), caps - alloc)
        if add.sum() == 0:
            # Largest remainders: one unit each to the biggest fractional parts with room.
            order = np.argsort(-(share - np.floor(share) + 1e-9 * weights), kind="stable")
            winners = [i for i in order if room[i]][:remaining]
            add[winners] = 1
        alloc += add
        remaining -= int(add.sum())
    return alloc


class Builder:
    def __init__(self, year, spec):
        self.year, self.spec = year, spec
        self.rng = np.random.default_rng(year)
        self.people = contact_list(year, spec["contact"])
        self.n = len(self.people)
        self.names = list(self.people["short_name"])
        self.cells = {c: [None] * self.n for c in COUNT_COLUMNS}
        size = self.rng.lognormal(0, 0.6, self.n)
        focus = self.people["region"].isin(FOCUS).to_numpy()
        self.weight = {
            "trafficked": size * np.where(focus, 3.0, 1.0),
            "unaccompanied": size
            * np.where(focus, 4.0, 0.6)
            * np.array([HOTSPOTS.get(n, 1) for n in self.names]),
        }
        self.focus = focus
        self.london = (self.people["region"] == "London").to_numpy()
        self.pins = {self.names.index(k): v for k, v in spec["pins"].items()}

    def pick(self, candidates, k, weights=None):
        candidates = np.asarray(candidates)
        if k > len(candidates):
            raise ValueError(f"need {k} of {len(candidates)}")
        p = None if weights is None else weights[candidates] / weights[candidates].sum()
        return list(self.rng.choice(candidates, size=k, replace=False, p=p))

    def unreported(self):
        return UNREPORTED[int(self.rng.integers(len(UNREPORTED)))]

    def group(self, group):
        g = self.spec[group]
        key = group[0] + "t"  # pins: "tt" / "ut" = (in care, went missing, episodes)
        pinned = [i for i, p in self.pins.items() if key in p]
        others = [i for i in range(self.n) if i not in pinned]
        only_n, only_total = g["in_care_only"]
        both = g["reporting"] - g["suppressed"] - only_n
        reporters = self.choose_reporters(group, others, g["reporting"] - len(pinned))
        for i in set(range(self.n)) - set(reporters) - set(pinned):
            code = self.unreported()
            for q in ("in_care", "went_missing", "missing_episodes"):
                self.cells[f"{group}_{q}"][i] = code
        rest = [i for i in reporters]
        suppressed = self.pick([i for i in rest if not self.london[i]], g["suppressed"])
        for i in suppressed:
            self.cells[f"{group}_in_care"][i] = self.suppressed_text()
            self.cells[f"{group}_went_missing"][i] = self.unreported() or "<5"
            self.cells[f"{group}_missing_episodes"][i] = "not recorded"
        rest = [i for i in rest if i not in suppressed]
        only = self.pick(rest, only_n, self.weight[group])
        rest = [i for i in rest if i not in only]
        zeros = self.choose_zeros(group, rest, g["zeros"])
        for i in zeros:
            for q in ("in_care", "went_missing", "missing_episodes"):
                self.cells[f"{group}_{q}"][i] = 0
        positive = [i for i in rest if i not in zeros]
        assert len(positive) + len(pinned) + len(zeros) == both, (group, len(positive))
        self.fill_counts(group, g, positive, pinned, only, only_total)

    def choose_reporters(self, group, others, k):
        london_spec = self.spec.get("london") if group == "trafficked" else None
        if not london_spec:
            return self.pick(others, k, self.weight[group] + 0.5)
        london = [i for i in others if self.london[i]]
        rest = [i for i in others if not self.london[i]]
        unable = self.pick(london, london_spec["unable_trafficked"])
        chosen = [i for i in london if i not in unable]
        return chosen + self.pick(rest, k - len(chosen), self.weight[group] + 0.5)

    def choose_zeros(self, group, rest, k):
        london_spec = self.spec.get("london") if group == "trafficked" else None
        small = 1 / (self.weight[group] + 0.05)
        if not london_spec:
            return self.pick(rest, k, small)
        in_london = self.pick([i for i in rest if self.london[i]], london_spec["zero_trafficked"])
        return in_london + self.pick(
            [i for i in rest if not self.london[i]], k - len(in_london), small
        )

    def fill_counts(self, group, g, positive, pinned, only, only_total):
        col = {q: f"{group}_{q}" for q in ("in_care", "went_missing", "missing_episodes")}
        key = group[0] + "t"
        pin = {i: self.pins[i][key] for i in pinned}
        in_care_left = g["in_care"] - sum(p[0] for p in pin.values())
        in_care = self.split_in_care(group, g, positive, in_care_left)
        for i, value in [
            *zip(positive, in_care, strict=True),
            *((i, p[0]) for i, p in pin.items()),
        ]:
            self.cells[col["in_care"]][i] = int(value)
        missing_from = self.pick(
            positive, g["missing_authorities"] - len(pinned), np.maximum(self.weight[group], 0.01)
        )
        cap = self.spec["caps"].get(col["went_missing"], 10**6)
        care = {i: self.cells[col["in_care"]][i] for i in missing_from}
        went = apportion(
            g["went_missing"] - sum(p[1] for p in pin.values()),
            [care[i] for i in missing_from],
            [1] * len(missing_from),
            [min(care[i], cap) for i in missing_from],
        )
        episodes = apportion(
            g["episodes"] - sum(p[2] for p in pin.values()),
            went * self.rng.uniform(0.5, 1.5, len(went)),
            went,
            went * 12,
        )
        for i in positive:
            self.cells[col["went_missing"]][i] = 0
            self.cells[col["missing_episodes"]][i] = 0
        for i, w, e in zip(missing_from, went, episodes, strict=True):
            self.cells[col["went_missing"]][i] = int(w)
            self.cells[col["missing_episodes"]][i] = int(e)
        for i, p in pin.items():
            self.cells[col["went_missing"]][i], self.cells[col["missing_episodes"]][i] = p[1:]
        if only:
            values = apportion(
                only_total, self.weight[group][only], [1] * len(only), [only_total] * len(only)
            )
            for i, value in zip(only, values, strict=True):
                self.cells[col["in_care"]][i] = int(value)
                self.cells[col["went_missing"]][i] = "not recorded"
                self.cells[col["missing_episodes"]][i] = "not recorded"

    def split_in_care(self, group, g, positive, total):
        w = self.weight[group][positive]
        if "focus_share" not in g:
            return apportion(total, w, [1] * len(positive), [total] * len(positive))
        # Split the focus regions' share first so the regional concentration is exact.
        pinned_focus = sum(p[group[0] + "t"][0] for i, p in self.pins.items() if self.focus[i])
        focus_total = round(g["focus_share"] * g["in_care"]) - pinned_focus
        result = np.zeros(len(positive), dtype=int)
        for mask, part in (
            (self.focus[positive], focus_total),
            (~self.focus[positive], total - focus_total),
        ):
            result[mask] = apportion(part, w[mask], [1] * mask.sum(), [part] * mask.sum())
        return result

    def suppressed_text(self):
        return SUPPRESSED_SPELLINGS[int(self.rng.integers(len(SUPPRESSED_SPELLINGS)))]

    def combined(self):
        went = np.array(
            [
                (self.count("trafficked_went_missing", i) or 0)
                + (self.count("unaccompanied_went_missing", i) or 0)
                for i in range(self.n)
            ]
        )
        known = np.array(
            [
                self.count("trafficked_went_missing", i) is not None
                and self.count("unaccompanied_went_missing", i) is not None
                for i in range(self.n)
            ],
            dtype=bool,
        )
        self.still_missing(went, known)
        self.over_week(went, known)

    def count(self, column, i):
        value = self.cells[column][i]
        return value if isinstance(value, int) else None

    def still_missing(self, went, known):
        s = self.spec["still_missing"]
        pinned = list(self.pins)
        cap = self.spec["caps"].get("still_missing", 10**6)
        candidates = [i for i in range(self.n) if known[i] and went[i] > 0 and i not in pinned]
        chosen = self.pick(candidates, s["reporting"] - len(pinned), went.astype(float) + 1)
        suppressed = chosen[: s["suppressed"]]
        counted = chosen[s["suppressed"] :]
        total = s["total"] - sum(p["still_missing"] for p in self.pins.values())
        # Square roots flatten the spread, so few authorities sit at the cap.
        weights = np.sqrt(went[counted]) * self.rng.uniform(0.5, 1.5, len(counted))
        values = apportion(
            total, weights, [0] * len(counted), [min(went[i], cap) for i in counted]
        )
        for i in range(self.n):
            self.cells["still_missing"][i] = "not recorded" if known[i] else "no response"
        for i, value in zip(counted, values, strict=True):
            self.cells["still_missing"][i] = int(value)
        for i in suppressed:
            self.cells["still_missing"][i] = "<5"
        for i, p in self.pins.items():
            self.cells["still_missing"][i] = p["still_missing"]

    def over_week(self, went, known):
        o = self.spec["over_week"]
        candidates = [i for i in range(self.n) if known[i] and went[i] > 0]
        chosen = self.pick(candidates, o["reporting"], went.astype(float) + 1)
        base = int(went[chosen].sum())
        values = apportion(
            math.floor(o["share"] * base + 0.5),
            went[chosen] + 0.5,
            [0] * len(chosen),
            went[chosen],
        )
        for i in range(self.n):
            self.cells["missing_over_week"][i] = "not recorded" if known[i] else ""
            if known[i] and went[i] == 0:
                self.cells["missing_over_week"][i] = 0
        for i, value in zip(chosen, values, strict=True):
            self.cells["missing_over_week"][i] = int(value)

    def rows(self):
        for i, row in enumerate(self.people.itertuples()):
            name = row.short_name if i % 7 else row.name  # typed either way in practice
            values = {c: self.cells[c][i] for c in COUNT_COLUMNS}
            yield {
                "authority_code": row.gss_code or row.authority_id,
                "authority_name": name,
                **{c: spell(v, i) for c, v in values.items()},
            }

    def nationality_rows(self):
        rows = []
        for group, spec in self.spec.get("nationalities", {}).items():
            column = f"{group}_went_missing"
            able = [i for i in range(self.n) if (self.count(column, i) or 0) > 0]
            chosen = sorted(
                self.pick(
                    able,
                    spec["authorities"],
                    np.array([float(self.count(column, i) or 0) for i in range(self.n)]) + 0.1,
                )
            )
            room = {i: self.cells[column][i] for i in chosen}
            children = [n for n, k in spec["ranking"] for _ in range(k)]
            if len(children) > sum(room.values()):
                raise ValueError(f"{group}: more nationalities than children missing")
            tally = {}
            for child in children:
                open_ = [i for i in chosen if room[i] > 0]
                i = open_[int(self.rng.integers(len(open_)))]
                room[i] -= 1
                tally[(i, child)] = tally.get((i, child), 0) + 1
            for (i, nationality), k in sorted(tally.items()):
                row = self.people.iloc[i]
                rows.append(
                    {
                        "authority_code": row["gss_code"] or row["authority_id"],
                        "group": group,
                        "nationality": nationality,
                        "went_missing": k,
                    }
                )
        return rows


def spell(value, i):
    if isinstance(value, int) and value >= 1000 and i % 2:
        return f"{value:,}"
    return value


def contact_list(year, rule):
    period = editions.data_year(year)
    table = reference.load_authorities()
    live = table[
        table.apply(reference.in_operation, axis=1, args=(period.period_end, period.period_end))
    ]
    if rule == "2015":  # the 2015 edition wrote to NI's district councils, not the trusts
        live = live[(live["children_services"] == "yes") != (live["nation"] == "Northern Ireland")]
    else:
        live = live[live["children_services"] == "yes"]
    return live.sort_values(["nation", "region", "name"]).reset_index(drop=True)


def write_csv(path, rows, columns):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def build(year, folder):
    builder = Builder(year, SPECS[year])
    builder.group("trafficked")
    builder.group("unaccompanied")
    builder.combined()
    out = folder / f"returns_{year}.csv"
    write_csv(out, list(builder.rows()), ["authority_code", "authority_name", *COUNT_COLUMNS])
    nationalities = builder.nationality_rows()
    if nationalities:
        write_csv(
            out.with_name(f"returns_{year}_nationalities.csv"),
            nationalities,
            ["authority_code", "group", "nationality", "went_missing"],
        )
    returns = load_returns(out, year)
    check(year, returns)
    check_published(year, returns)
    print(f"wrote {out} ({builder.n} authorities)")


def check(year, returns):
    """The generator's own promise: the contract's statistics give the spec's totals."""
    spec = SPECS[year]
    for group in ("trafficked", "unaccompanied"):
        g = spec[group]
        share = statistics.share_went_missing(returns, group)
        assert statistics.authorities_reporting(returns, f"{group}_in_care") == g["reporting"]
        assert share.denominator.value == g["in_care"]
        assert share.numerator.value == g["went_missing"]
        in_care = statistics.total(returns, f"{group}_in_care").value
        assert in_care == g["in_care"] + g["in_care_only"][1]
        assert (
            statistics.authorities_above_zero(returns, f"{group}_went_missing")
            == g["missing_authorities"]
        )
        assert statistics.total(returns, f"{group}_missing_episodes").value == g["episodes"]
    assert statistics.total(returns, "still_missing").value == spec["still_missing"]["total"]


# The published counts the returns alone give, by their name in data/published_figures.toml.
COUNTS = {
    "authorities.contacted": lambda r: r.contacted,
    "combined.still_missing": lambda r: statistics.total(r, "still_missing").value,
    **{
        f"{group}.{name}": function
        for group in ("trafficked", "unaccompanied")
        for name, function in {
            "authorities_reporting": lambda r, g=group: statistics.authorities_reporting(
                r, f"{g}_in_care"
            ),
            "in_care": lambda r, g=group: statistics.total(r, f"{g}_in_care").value,
            "went_missing": lambda r, g=group: statistics.total(r, f"{g}_went_missing").value,
        }.items()
    },
}


def check_published(year, returns):
    """The generator's promise to the ground truth: every published count it can compute
    from the returns alone is the published one (the backtests check all of them)."""
    with open(ROOT / "data" / "published_figures.toml", "rb") as f:
        figures = tomllib.load(f)["figure"]
    for figure in figures:
        if figure["edition"] == year and figure["key"] in COUNTS:
            made = COUNTS[figure["key"]](returns)
            assert made == figure["value"], (year, figure["key"], made, figure["value"])


def data_years():
    """Every data year of data/editions.toml with illustrative returns (a `returns` key), each
    of which needs a spec here; a real edition's returns are private and made by no script."""
    with open(ROOT / "data" / "editions.toml", "rb") as f:
        entries = tomllib.load(f)["years"]
    years = sorted(int(year) for year, entry in entries.items() if "returns" in entry)
    missing = sorted(set(years) - set(SPECS))
    if missing:
        sys.exit(f"no spec for data year {', '.join(map(str, missing))} in {Path(__file__).name}")
    return years


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "returns")
    folder = parser.parse_args(argv).out
    folder.mkdir(parents=True, exist_ok=True)
    for year in data_years():
        build(year, folder)
    declare(folder)


def declare(folder):
    """The dataset's own declaration that it is illustrative: each file with its sha256
    (harmreport.project.editions.is_illustrative reads it)."""
    lines = [
        "# The illustrative dataset: every file listed here was invented by",
        "# scripts/make_illustrative_returns.py, which writes this list. A returns file is",
        "# labelled illustrative only when it is listed here, sits in this folder and has",
        "# these bytes; any other file, wherever it is, is read as real returns.",
        "",
        "[files]",
    ]
    for path in sorted(folder.glob("*.csv")):
        lines.append(f'"{path.name}" = "{hashlib.sha256(path.read_bytes()).hexdigest()}"')
    (folder / "ILLUSTRATIVE.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
