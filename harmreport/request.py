"""What a build is asked to do. Kept apart from build.py so that the command line starts (and
answers --help) without importing pandas, papermill or WeasyPrint."""

from dataclasses import dataclass
from pathlib import Path

from . import paths

FORMATS = ("html", "pdf")
DEFAULT_CELL_TIMEOUT = 600  # seconds; a hung kernel fails the build instead of hanging it


@dataclass
class BuildRequest:
    year: int
    returns_path: Path | None = None
    out_root: Path = paths.REPORT
    formats: tuple[str, ...] = FORMATS
    cell_timeout: int = DEFAULT_CELL_TIMEOUT
    # The PDF begun while the figures are drawn uses a core the build would leave idle; when
    # other builds take every core (--year/--all in parallel), it is printed after them.
    print_beside_figures: bool = True
