"""What readers already hold: every edition in the output folder as it was published.

A reader who kept an edition can set its figures beside a new one: rebuilding an edition after
a late answer (a UK total from 2,607 to 2,610 when one authority went from no answer to 3),
or a later edition re-deriving an earlier year in its trend, gives that authority's count by
difference. So a build controls its figures together with what is already published: each
edition in the output folder (its stats.json and answers.csv, as published, and each earlier
version kept under `previous/`) is a set of fixed sums, figures no decision of this build can
take back (disclosure.Ledger's `fixed`).

An edition's published figure is a sum over the cells of the authorities that gave a count
then (its answers.csv says which). Which cells: the statistics notebook's code run again on
today's returns with every answer not a count then masked as it was then. When the sum of
today's values over those cells is the published figure, the reader's knowledge is exactly
that sum; when it is not, a count given then has since been corrected (a revision), and the
figure is listed for the team (`unexplained`) to record in the revision log.
"""

import contextlib
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pandas as pd

from harmreport.analysis.inference import Sum
from harmreport.intake.cell_codes import NO_RESPONSE, category_of
from harmreport.project import configuration, paths
from harmreport.project.jsonfiles import flatten, read_json

PREVIOUS = "previous"  # OUT/<year>/previous/<n>/: the versions a republication replaced
KEPT = ("stats.json", "answers.csv")  # what a version keeps: its figures and its answers


@dataclass
class Version:
    """One edition as published: its figures by key and each authority's answers."""

    year: int
    where: str  # for messages: "2020" or "2020 (version 1)"
    figures: dict
    answers: dict  # code -> {column: category}


@dataclass
class AsPublished:
    """The fixed sums every edition as published gives a reader, with today's values of the
    cells in them, and the figures whose published value today's returns do not give back."""

    sums: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    unexplained: list = field(default_factory=list)


def versions(root: Path) -> list[Version]:
    """Every edition in `root` as published, and every earlier version it keeps."""
    found = []
    for folder in sorted(p for p in Path(root).glob("[0-9]" * 4) if p.is_dir()):
        year = int(folder.name)
        kept = sorted((folder / PREVIOUS).glob("*"), key=lambda p: p.name)
        for place, where in [(folder, str(year))] + [
            (p, f"{year} (version {p.name})") for p in kept
        ]:
            version = _read(place, year, where)
            if version:
                found.append(version)
    return found


def _read(folder: Path, year: int, where: str) -> Version | None:
    try:
        figures = dict(flatten(read_json(folder / "stats.json")))
        table = pd.read_csv(folder / "answers.csv", dtype=str, keep_default_na=False)
    except (OSError, ValueError):
        return None  # not an edition this tool wrote, or one from before answers.csv
    answers = table.drop(columns=["name", "nation", "region"], errors="ignore")
    return Version(year, where, figures, answers.set_index("code").to_dict("index"))


def as_published(year: int, returns_path: str = "", root: Path | None = None) -> AsPublished:
    """The fixed sums of every edition in `root` (default: paths.published_root()), for the
    build of `year` from `returns_path` (its notebooks' parameter: other years' returns are
    found as the notebooks find them)."""
    found = AsPublished()
    all_versions = versions(root or paths.published_root())
    answers = {v.year: v.answers for v in all_versions if v.where == str(v.year)}
    for version in all_versions:
        own = returns_path if version.year == year else ""
        ledger = _ledger_as_published(version, answers, own)
        for key, count in sorted(ledger.counts.items()):
            shown = version.figures.get(key)
            if type(shown) is not int or not count.cells:
                continue  # [c], [x], a share: only published counts are sums of cells
            if count.value == shown:
                found.sums.append(Sum(count.cells, shown, shown))
            else:
                found.unexplained.append(
                    f"{key} in the {version.where} edition: published {shown}, the same "
                    f"authorities' answers give {count.value} now"
                )
        found.values |= ledger.cell_values
    return found


def _ledger_as_published(version: Version, answers: dict, returns_path: str):
    """The ledger of `version`'s figures over today's returns, masked as it answered then."""
    from harmreport.analysis import disclosure, earlier_decisions, statistics
    from harmreport.intake import returns

    loaded = {}

    def masked(path, year):
        if year not in loaded:
            # each year's returns read once a process
            today = earlier_decisions._load_once(path, year)
            loaded[year] = mask(
                today, version.answers if year == version.year else answers.get(year)
            )
        return loaded[year]

    with (
        tempfile.TemporaryDirectory(prefix="hbh-published-") as folder,
        mock.patch.object(returns, "read_validated", lambda out, path, year: masked(path, year)),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        namespace = {"year": version.year, "returns_path": returns_path, "output_dir": folder}
        for source in earlier_decisions._code_cells("02_headline_statistics"):
            if "disclosure.control(" in source:
                break
            exec(compile(source, "02_headline_statistics.ipynb", "exec"), namespace)
            if "load_returns" in namespace:  # the other years' returns, masked as then
                namespace["load_returns"] = masked
    cells = {}
    for year_returns in loaded.values():
        cells |= statistics.cell_values(year_returns)
    return disclosure.register_all(namespace["stats"], disclosure.Ledger(cells))


def mask(today, answered: dict | None):
    """Today's returns with each count that was not a count then made what it was then."""
    if not answered:
        return today
    counts, categories = today.counts.copy(), today.categories.copy()
    for code in counts.index:
        then = answered.get(code, {})  # an authority not asked then gave nothing then
        for column in counts.columns:
            was = category_of(then.get(column, NO_RESPONSE))
            if was != "count" and categories.at[code, column] == "count":
                counts.at[code, column] = pd.NA
                categories.at[code, column] = was
    return type(today)(**{**today.__dict__, "counts": counts, "categories": categories})


def revisions_problems(edition, root: Path, new_stats: dict) -> tuple[list[str], list[str]]:
    """The figures of `edition` that differ from the edition as published in `root` (for the
    team to record: `[[years.N.revisions]]`), and each entry of its revision log naming a
    `figure` whose `old` is no version as published or whose `new` is not what this build
    publishes (an error: the log must say what readers see)."""
    new = dict(flatten(new_stats))
    published = [v for v in versions(root) if v.year == edition.year]
    changed = []
    if published:
        now = published[0].figures
        changed = [
            f"{key}: published {now[key]}, now {new.get(key)}"
            for key in sorted(now)
            if _is_figure(now[key])
            and now[key] != new.get(key)
            and not key.startswith(NOT_FIGURES)
        ]
    wrong = []
    lines = configuration.revision_lines(paths.EDITIONS.read_text(encoding="utf-8"), edition.year)
    last = {entry.get("figure"): i for i, entry in enumerate(edition.revisions)}
    before = {}  # figure -> the entry that revised it last, so far
    for i, entry in enumerate(edition.revisions):
        key = entry.get("figure")
        if key is None:
            continue
        where = f"data/editions.toml, line {lines[i] if i < len(lines) else '?'}, "
        where += f"[[years.{edition.year}.revisions]] number {i + 1}: '{key}'"
        previous, before[key] = before.get(key), entry
        if key not in new:
            wrong.append(f"{where} is no figure in stats.json")
        elif "new" in entry and last[key] == i and entry["new"] != new[key]:
            wrong.append(f"{where} new = {entry['new']!r}, but the build publishes {new[key]!r}")
        elif "old" in entry and previous and entry["old"] != previous.get("new"):
            wrong.append(
                f"{where} old = {entry['old']!r}, but the revision before it made it "
                f"{previous.get('new')!r}"
            )
        elif (
            "old" in entry
            and not previous
            and published
            and all(entry["old"] != v.figures.get(key) for v in published)
        ):
            shown = sorted({str(v.figures.get(key)) for v in published})
            wrong.append(
                f"{where} old = {entry['old']!r}, but the edition was published with "
                f"{' or '.join(shown)}"
            )
    return changed, wrong


NOT_FIGURES = ("disclosure.", "based_on.", "low_reliability.")  # the record, not the figures


def _is_figure(value) -> bool:
    return type(value) in (int, float) or value in ("[c]", "[x]", "[z]")
