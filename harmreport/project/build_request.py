"""What a build is asked to do, and the same resolved once, at the top, into the `Job` that
flows down: nothing below tells the edition, its returns or whether they are illustrative
from a path again. Light, so that the command line starts (and answers --help) without
importing pandas, papermill or WeasyPrint."""

from dataclasses import dataclass
from pathlib import Path

from harmreport.project import configuration, editions, paths
from harmreport.project.errors import InputError
from harmreport.project.inputs import ReturnsFile

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


@dataclass(frozen=True)
class Job:
    """One edition to build: the request, its edition, and the returns it is built from (the
    file given with --data, else the edition's own)."""

    request: BuildRequest
    edition: editions.DataYear
    returns: ReturnsFile


def resolve(request: BuildRequest) -> Job:
    """The request resolved; an unknown year, or a data/editions.toml that does not load, is
    refused here (exit 2) with the configuration check's file, line and key."""
    try:
        edition = editions.edition(request.year)
    except editions.UnknownYear as exc:
        raise InputError(str(exc)) from None
    except Exception as exc:  # a mistyped key or value: the check names where it is
        configuration.check_configuration()
        raise InputError(f"{paths.shown_path(paths.EDITIONS)} cannot be read: {exc}") from None
    return Job(request, edition, ReturnsFile.at(request.returns_path or edition.returns))
