"""The provenance manifest of an edition: parameters, sha256 of every input and output, and
the versions of the packages that made it."""

import hashlib
import platform
from importlib import metadata
from pathlib import Path

from . import editions, paths
from .outputs import write_json

PACKAGES = ("papermill", "weasyprint", "pandas", "matplotlib", "jinja2", "openpyxl", "nbclient")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_files(returns_file: Path, edition: editions.DataYear) -> list[Path]:
    files = [returns_file, *returns_file.parent.glob(f"{returns_file.stem}_nationalities.csv")]
    if edition.comparison_year:
        files.append(editions.data_year(edition.comparison_year).returns)
    files += [paths.AUTHORITIES, paths.EDITIONS, paths.SOURCES, paths.FACTS]
    files += sorted(paths.NOTEBOOKS.glob("*.ipynb")) + sorted(paths.TEMPLATES.rglob("*.*"))
    files += sorted((paths.ROOT / "harmreport").glob("*.py"))
    return [f for f in files if f.is_file()]


def write_manifest(staging: Path, parameters: dict, edition, returns_file: Path) -> None:
    outputs = sorted(p for p in staging.rglob("*") if p.is_file())
    manifest = {
        "edition": edition.year,
        "title": edition.title,
        "period": edition.period_label,
        "illustrative": editions.is_illustrative(returns_file),
        "parameters": parameters,
        "inputs": {paths.shown_path(f): sha256(f) for f in input_files(returns_file, edition)},
        "outputs": {str(p.relative_to(staging)): sha256(p) for p in outputs},
        "environment": {
            "python": platform.python_version(),
            "packages": {p: metadata.version(p) for p in PACKAGES},
        },
    }
    write_json(staging / "manifest.json", manifest)
