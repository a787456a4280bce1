"""The provenance manifest of an edition: parameters, sha256 of every input and output, and
the versions of the packages that made it."""

import hashlib
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from . import editions, paths
from .outputs import write_json

PACKAGES = (
    "papermill",
    "weasyprint",
    "pandas",
    "matplotlib",
    "jinja2",
    "openpyxl",
    "nbclient",
    "nbconvert",
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


FONT_FOLDERS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path(sys.prefix) / "fonts",
)
# The faces the CSS and the charts use: Lato and Inter, regular and bold, roman and italic.
FONT_FILES = tuple(
    f"{family}-{face}.{kind}"
    for family, kind in (("Lato", "ttf"), ("Inter", "otf"))
    for face in ("Regular", "Bold", "Italic", "BoldItalic")
)


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
    files += sorted((paths.ROOT / "harmreport").glob("*.py"))
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


def font_files() -> dict[str, Path]:
    """The font files the PDF and the charts use, by name (the first found of each)."""
    found = {}
    for folder in FONT_FOLDERS:
        for where, _, names in sorted(os.walk(folder)):
            for name in sorted(set(names) & set(FONT_FILES) - set(found)):
                found[name] = Path(where) / name
    return dict(sorted(found.items()))


def font_hashes() -> dict[str, str]:
    """A font updated by the system changes the printed pages and the charts."""
    return {name: sha256(path) for name, path in font_files().items()}


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "packages": {p: metadata.version(p) for p in PACKAGES},
        "fonts": font_hashes(),
    }


def environment_differences(recorded: dict) -> list[tuple[str, str, object, object]]:
    """(kind, name, at the build, here) for Python, each package and each font file that is
    not what a manifest's `environment` recorded; None where one side has none."""
    now = environment()
    found = []
    if recorded.get("python") != now["python"]:
        found.append(("python", "Python", recorded.get("python"), now["python"]))
    for kind, key in (("package", "packages"), ("font", "fonts")):
        was, here = recorded.get(key, {}), now[key]
        for name in sorted(set(was) | set(here)):
            if was.get(name) != here.get(name):
                found.append((kind, name, was.get(name), here.get(name)))
    return found


def output_differences(recorded: dict, folder: Path) -> list[tuple[str, str]]:
    """(name, "missing" | "changed" | "extra") for each file of an edition folder that is not
    as a manifest's `outputs` recorded it."""
    found = []
    for name, digest in recorded.items():
        path = folder / name
        if not path.is_file():
            found.append((name, "missing"))
        elif sha256(path) != digest:
            found.append((name, "changed"))
    listed = set(recorded) | {"manifest.json"}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder)
        if name.parts[0] == "previous":  # the versions a republication replaced, kept as they were
            continue
        if str(name) not in listed:
            found.append((str(path.relative_to(folder)), "extra"))
    return found


def source_state() -> dict:
    """The project's git commit and whether its tracked files were as committed."""

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(paths.ROOT), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {
            "commit": git("rev-parse", "HEAD"),
            "clean": not git("status", "--porcelain", "--untracked-files=no"),
        }
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "clean": None}  # not a git checkout


def write_manifest(staging: Path, parameters: dict, edition, returns_file: Path) -> None:
    outputs = sorted(p for p in staging.rglob("*") if p.is_file())
    manifest = {
        "edition": edition.year,
        "title": edition.title,
        "subtitle": edition.subtitle,
        "period": edition.period_label,
        "published": edition.published,
        "illustrative": editions.is_illustrative(returns_file),
        "parameters": parameters,
        "inputs": input_hashes(returns_file, edition),
        "outputs": {str(p.relative_to(staging)): sha256(p) for p in outputs},
        "source": source_state(),
        "environment": environment(),
    }
    write_json(staging / "manifest.json", manifest)
