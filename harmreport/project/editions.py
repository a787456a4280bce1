"""The editions and data years the project knows, from data/editions.toml."""

import datetime as dt
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from harmreport.project import paths

# The kinds of value data/editions.toml holds.
TEXT, DATE, NUMBER, TEXTS = str, dt.date, int, "a list of texts"


def toml_key(kind, always: bool = False, edition: bool = False) -> dict:
    """A DataYear field's key in data/editions.toml: its kind, and whether every data year
    (always) or every edition must give it."""
    return {"kind": kind, "always": always, "edition": edition or always}


@dataclass(frozen=True)
class DataYear:
    """A data year of data/editions.toml: its keys, their kinds, and which are required for
    every data year or only for an edition, written once here (the configuration check
    reads them: config.EDITION_KEYS)."""

    year: int
    period_start: dt.date = field(metadata=toml_key(DATE, always=True))
    period_end: dt.date = field(metadata=toml_key(DATE, always=True))
    period_label: str = field(metadata=toml_key(TEXT, always=True))
    # Illustrative data only: real returns stay private.
    returns: Path = field(metadata=toml_key(TEXT))
    # Only editions (years with a published report) have these.
    title: str = field(default="", metadata=toml_key(TEXT, edition=True))
    subtitle: str = field(default="", metadata=toml_key(TEXT, edition=True))
    published: str = field(default="", metadata=toml_key(TEXT, edition=True))
    publishers: tuple[str, ...] = field(default=(), metadata=toml_key(TEXTS, edition=True))
    comparison_year: int = field(default=0, metadata=toml_key(NUMBER))
    focus_regions: tuple[str, ...] = field(default=(), metadata=toml_key(TEXTS))
    top_still_missing: int = field(default=0, metadata=toml_key(NUMBER))
    # group -> how many to name
    top_nationalities: dict = field(default_factory=dict, metadata=toml_key(dict))
    notes: dict = field(default_factory=dict, metadata=toml_key(dict))
    # When the next edition is expected, as the report says it.
    next_edition: str = field(default="", metadata=toml_key(TEXT))
    isbn: str = field(default="", metadata=toml_key(TEXT))
    # Where the publishers published the edition's report, if known.
    report_url: str = field(default="", metadata=toml_key(TEXT))
    # [[years.N.revisions]]: each republication's date, what, and a figure's old and new.
    revisions: tuple[dict, ...] = field(default=(), metadata=toml_key(list))
    # A figure resting on fewer than this percentage of the authorities contacted is marked
    # low reliability ([u]) and never written as a finding for the UK (docs/returns-contract.md).
    low_response_floor: int = field(default=15, metadata=toml_key(NUMBER))

    def named_nationalities(self, group: str) -> int:
        """How many of the most common nationalities the edition names (default three)."""
        return self.top_nationalities.get(group, 3)

    @property
    def is_edition(self) -> bool:
        return bool(self.title)


class UnknownYear(LookupError):
    pass


def _load() -> dict[int, DataYear]:
    with open(paths.EDITIONS, "rb") as f:
        raw = tomllib.load(f)
    years = {}
    for key, entry in raw["years"].items():
        entry = dict(entry)
        given = entry.get("returns")
        entry["returns"] = paths.DATA / given if given else private_returns(int(key))
        for name in ("publishers", "focus_regions", "revisions"):
            entry[name] = tuple(entry.get(name, ()))
        years[int(key)] = DataYear(year=int(key), **entry)
    return years


def data_year(year: int) -> DataYear:
    years = _load()
    if year not in years:
        known = ", ".join(str(y) for y in sorted(years))
        raise UnknownYear(
            f"there is no data for {year}; data years in data/editions.toml: {known}. To start "
            f"the {year} edition: python run_report.py new {year} --period-start YYYY-MM-DD "
            "--period-end YYYY-MM-DD (see docs/next-edition.md)"
        )
    return years[year]


def edition(year: int) -> DataYear:
    found = data_year(year)
    if not found.is_edition:
        editions = ", ".join(str(y) for y in all_editions())
        raise UnknownYear(
            f"{year} is a data year used for comparison, not an edition; editions: {editions}"
        )
    return found


def all_data_years() -> list[DataYear]:
    return [entry for _, entry in sorted(_load().items())]


def all_editions() -> list[int]:
    return sorted(y for y, d in _load().items() if d.is_edition)


def latest_edition() -> int:
    return all_editions()[-1]


def default_edition() -> tuple[int, str]:
    """The edition built when none is named: the latest whose returns are here (a colleague
    without the private folder builds the latest shipped one), and why, for saying so."""
    known = _load()
    years = sorted(y for y, entry in known.items() if entry.is_edition)
    present = [year for year in years if known[year].returns.is_file()]
    if not present:
        return years[-1], ""  # its build says where the returns were looked for
    year = present[-1]
    later = [str(y) for y in years if y > year]
    if not later:
        return year, f"no --year: building {year}, the latest edition"
    return year, (
        f"no --year: building {year}, the latest edition whose returns are here "
        f"({', '.join(later)} {'has' if len(later) == 1 else 'have'} no returns here: "
        "see HBH_RETURNS in docs/next-edition.md)"
    )


def years_read(edition: DataYear) -> list[int]:
    """The data years whose entries in data/editions.toml an edition's build reads: its own,
    its comparison year, and every earlier edition with its comparison year (the change
    across editions). A later year, or a comment, changes nothing of it."""
    found = {edition.year, edition.comparison_year}
    for year, entry in _load().items():
        if entry.is_edition and year < edition.year:
            found |= {year, entry.comparison_year}
    return sorted(found - {0})


def entry_key(year: int) -> str:
    """How a manifest names one year's entry of data/editions.toml, as an input."""
    return f"data/editions.toml [years.{year}]"


def entry_digests(years, editions_file: Path | None = None) -> dict[int, str | None]:
    """sha256 of each year's entry as TOML reads it (its values, not its layout or comments),
    the file read once; None for a year the file does not have."""
    with open(editions_file or paths.EDITIONS, "rb") as f:
        entries = tomllib.load(f).get("years", {})
    return {year: _digest(entries.get(str(year))) for year in years}


def _digest(entry) -> str | None:
    if entry is None:
        return None
    canonical = json.dumps(entry, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def entry_digest(year: int, editions_file: Path | None = None) -> str | None:
    return entry_digests([year], editions_file)[year]


def returns_file(year: int, returns_path: str = "") -> Path:
    """The returns file for `year`: the one given, else the shipped (illustrative) one."""
    return paths.project_path(returns_path) if returns_path else data_year(year).returns


def nationalities_file(returns_file: Path) -> Path:
    """A CSV returns file's nationalities table: a file of its own beside it (a workbook holds
    it as a sheet)."""
    return returns_file.with_name(f"{returns_file.stem}_nationalities.csv")


def private_folder() -> Path | None:
    """The folder, outside git, where the team keeps real returns: $HBH_RETURNS, else
    `returns_folder` in the project's local.toml (git-ignored; see docs/next-edition.md)."""
    named = os.environ.get("HBH_RETURNS")
    if not named and paths.LOCAL_SETTINGS.is_file():
        with open(paths.LOCAL_SETTINGS, "rb") as f:
            named = tomllib.load(f).get("returns_folder")
    return Path(named).expanduser() if named else None


def private_folder_problem(folder: Path | None) -> str:
    """Why `folder` cannot hold real returns ("" if it can): inside the project, a file in it
    is one `git add` away from git."""
    if folder and Path(folder).resolve().is_relative_to(paths.ROOT):
        return (
            f"the private returns folder {folder} is inside the project ({paths.ROOT}), where "
            "real returns are one `git add` from git; name a folder outside it with "
            "HBH_RETURNS or returns_folder in local.toml (see docs/next-edition.md)"
        )
    return ""


def private_returns(year: int) -> Path:
    """A real edition's returns: returns_<year>.xlsx (or .csv) in the private folder."""
    folder = private_folder() or paths.ROOT / "(no private returns folder)"
    candidates = [folder / f"returns_{year}{suffix}" for suffix in (".xlsx", ".csv")]
    return next((path for path in candidates if path.is_file()), candidates[0])


def illustrative_files() -> dict[str, str]:
    """The illustrative dataset's own declaration: each file it holds, with its sha256."""
    with open(paths.ILLUSTRATIVE, "rb") as f:
        return tomllib.load(f)["files"]


def is_illustrative(path: Path) -> bool:
    """True only for a file the illustrative dataset declares, where it declares it, with the
    bytes it declares: a real file anywhere (a copy of an illustrative one included) builds a
    real edition."""
    path = Path(path).resolve()
    if path.parent != paths.RETURNS.resolve() or not path.is_file():
        return False
    declared = illustrative_files().get(path.name)
    return declared == hashlib.sha256(path.read_bytes()).hexdigest()


def published_figure_keys() -> set[tuple[str, str]]:
    """(edition year, stats.json key) of every figure a published edition gave
    (data/published_figures.toml): what an illustrative edition reproduces, not invents."""
    with open(paths.DATA / "published_figures.toml", "rb") as f:
        return {(str(e["edition"]), e["key"]) for e in tomllib.load(f)["figure"]}
