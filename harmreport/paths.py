"""Every path the project uses, anchored at this file, never at the working directory."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RETURNS = DATA / "returns"
REFERENCE = DATA / "reference"
AUTHORITIES = REFERENCE / "authorities.csv"
EDITIONS = DATA / "editions.toml"
SOURCES = DATA / "sources.toml"
FACTS = DATA / "facts.toml"
NOTEBOOKS = ROOT / "notebooks"
TEMPLATES = ROOT / "templates"
REPORT = ROOT / "report"
# Where notebooks write when a reviewer runs them by hand with their defaults.
SCRATCH = ROOT / "build"


def scratch_dir(year: int) -> Path:
    return SCRATCH / str(year)
