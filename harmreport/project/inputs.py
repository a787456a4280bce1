"""What an edition is built from: its returns (and their nationalities table), the earlier
editions' returns it reads, the data, notebooks, templates and the package's own code; each
named and hashed as its manifest records it."""

import hashlib
from pathlib import Path

from harmreport.project import editions, paths


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _with_nationalities(returns_file: Path) -> list[Path]:
    beside = editions.nationalities_file(returns_file)
    return [returns_file, beside] if beside.is_file() else [returns_file]


def input_files(returns_file: Path, edition: editions.DataYear) -> list[Path]:
    files = _with_nationalities(returns_file)
    if edition.comparison_year:
        files.append(editions.data_year(edition.comparison_year).returns)
    for year in editions.all_editions():  # the change across editions reads their returns
        if year < edition.year:  # and, to keep hidden what they hid, their comparison year's
            earlier = editions.data_year(year)
            files += _with_nationalities(earlier.returns)
            if earlier.comparison_year:
                files.append(editions.data_year(earlier.comparison_year).returns)
    files += [paths.AUTHORITIES, paths.HEXMAP, paths.SOURCES, paths.FACTS]
    files += [paths.DATA / "colophon.toml", *sorted((paths.DATA / "vocabularies").glob("*"))]
    files += sorted(paths.NOTEBOOKS.glob("*.ipynb")) + sorted(paths.TEMPLATES.glob("*.*"))
    files += sorted(paths.TEMPLATES.glob("nbconvert/*/*"))
    files.append(paths.TEMPLATES / "editions" / f"{edition.year}.html.j2")
    files += sorted((paths.ROOT / "harmreport").rglob("*.py"))
    return [f for f in files if f.is_file()]


def input_hashes(returns_file: Path, edition: editions.DataYear) -> dict[str, str]:
    """sha256 of every input by the name the manifest gives it: a returns file given with
    --data (and its nationalities table) by its file name alone, wherever it is snapshot."""
    given = not editions.is_illustrative(returns_file)
    found = {
        (f.name if given and f.parent == returns_file.parent else paths.shown_path(f)): sha256(f)
        for f in input_files(returns_file, edition)
    }
    read = editions.entry_digests(editions.years_read(edition))  # by the entries it reads
    found |= {editions.entry_key(year): digest for year, digest in read.items()}
    return dict(sorted(found.items()))
