"""What a build is asked to do. Kept apart from build.py so that the command line starts (and
answers --help) without importing pandas, papermill or WeasyPrint."""

from dataclasses import dataclass
from pathlib import Path

from harmreport.project import paths

FORMATS = ("html", "pdf")
DEFAULT_CELL_TIMEOUT = 600  # seconds; a hung kernel fails the build instead of hanging it


@dataclass
class BuildRequest:
    year: int
    returns_path: Path | None = None
    out_root: Path = paths.REPORT
    formats: tuple[str, ...] = FORMATS
    cell_timeout: int = DEFAULT_CELL_TIMEOUT
    # Where the output root will be published ("https://…/", ending in "/"): the CMS fragment
    # and the sharing preview need absolute links, so without it neither is made.
    base_url: str = ""
    base_url_given: bool = False  # named with --base-url (not taken from data/colophon.toml)
