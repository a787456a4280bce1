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


def output_folder(year: int, output_dir: str = "") -> Path:
    """A notebook's output folder: the build passes one; "" means build/<year>."""
    folder = Path(output_dir) if output_dir else scratch_dir(year)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def project_path(path: str) -> Path:
    """Paths in notebook parameters may be relative to the project, so that executed
    notebooks name no folder of the machine that built them."""
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


def shown_path(path: Path) -> str:
    """A path as a parameter: relative to the project when inside it."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
