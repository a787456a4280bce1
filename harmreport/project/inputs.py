"""What an edition is built from: its returns (and their nationalities table), the earlier
editions' returns it reads, the data, notebooks, templates and the package's own code; each
named and hashed as its manifest records it."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from harmreport.project import editions, paths


@dataclass(frozen=True)
class ReturnsFile:
    """The returns an edition is built from, told once from their path: the file, the
    nationalities table beside it, whether it is the illustrative dataset's own (by its
    declared place and bytes) and the name the build gives it (`shown`: relative to the
    project, or to the staging folder for a copy made there)."""

    path: Path
    nationalities: Path
    illustrative: bool
    shown: str

    @classmethod
    def at(cls, path: Path) -> "ReturnsFile":
        path = Path(path)
        return cls(
            path,
            editions.nationalities_file(path),
            editions.is_illustrative(path),
            paths.shown_path(path),
        )


def _with_nationalities(returns: Path, nationalities: Path) -> list[Path]:
    return [returns, nationalities] if nationalities.is_file() else [returns]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_files(returns: ReturnsFile, edition: editions.DataYear) -> list[Path]:
    files = _with_nationalities(returns.path, returns.nationalities)
    if edition.comparison_year:
        files.append(editions.data_year(edition.comparison_year).returns)
    for year in editions.all_editions():  # the change across editions reads their returns
        if year < edition.year:  # and, to keep hidden what they hid, their comparison year's
            earlier = editions.data_year(year)
            # where the table is, not a ReturnsFile: telling illustrative from real would hash it
            beside = editions.nationalities_file(earlier.returns)
            files += _with_nationalities(earlier.returns, beside)
            if earlier.comparison_year:
                files.append(editions.data_year(earlier.comparison_year).returns)
    files += [paths.AUTHORITIES, paths.HEXMAP, paths.SOURCES, paths.FACTS]
    files += [paths.DATA / "colophon.toml", *sorted((paths.DATA / "vocabularies").glob("*"))]
    files += sorted(paths.NOTEBOOKS.glob("*.ipynb")) + sorted(paths.TEMPLATES.glob("*.*"))
    files += sorted(paths.TEMPLATES.glob("nbconvert/*/*"))
    files.append(paths.TEMPLATES / "editions" / f"{edition.year}.html.j2")
    files += sorted((paths.ROOT / "harmreport").rglob("*.py"))
    return [f for f in files if f.is_file()]


def input_hashes(returns: ReturnsFile, edition: editions.DataYear) -> dict[str, str]:
    """sha256 of every input by the name the manifest gives it: a returns file given with
    --data (and its nationalities table) by its file name alone, wherever it is snapshot."""
    given = {returns.path, returns.nationalities} if not returns.illustrative else set()
    found = {
        (f.name if f in given else paths.shown_path(f)): sha256(f)
        for f in input_files(returns, edition)
    }
    read = editions.entry_digests(editions.years_read(edition))  # by the entries it reads
    found |= {editions.entry_key(year): digest for year, digest in read.items()}
    return dict(sorted(found.items()))
