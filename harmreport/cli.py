"""`python run_report.py`: build editions of the report. Errors are for people; the full log
of a failed run is kept with its notebooks outside the published tree."""

import argparse
import signal
import sys
from pathlib import Path

from . import config, editions, paths
from .errors import BuildError, InputError, InternalError
from .problems import printable
from .request import FORMATS, BuildRequest

EXIT_INTERRUPTED = 130


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C so the build cleans up the same way."""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="run_report.py",
        description="Build the report on trafficked and unaccompanied children missing from "
        "care, for one or more editions.",
        epilog="Exit codes: 0 built; 2 bad input or parameters; 3 publishing blocked by "
        "disclosure control; 4 environment or file-system problem; 5 a notebook failed; "
        "6 --verify found a difference.",
    )
    parser.add_argument(
        "--year",
        type=int,
        action="append",
        dest="years",
        metavar="YEAR",
        help="data year of an edition (repeatable; default: the latest edition)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="RETURNS_FILE",
        help="a returns file (.csv or .xlsx) to use instead of the shipped one",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=paths.REPORT,
        metavar="DIR",
        help="output root; the edition lands in DIR/<year>/ (default: report/)",
    )
    parser.add_argument(
        "--format",
        default=",".join(FORMATS),
        metavar="html,pdf",
        help="what to publish besides stats, figures and notebooks",
    )
    parser.add_argument(
        "--cell-timeout",
        type=int,
        default=600,
        metavar="SECONDS",
        help="fail a notebook cell that runs longer than this",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="publish nothing: rebuild the edition in a temporary folder and compare every "
        "file, input and package version with its manifest (exit 6 on any difference)",
    )
    return parser.parse_args(argv)


def requests_from(args) -> list[BuildRequest]:
    years = args.years or [editions.latest_edition()]
    if args.data and len(years) > 1:
        raise InputError("--data replaces the returns of one edition; give one --year with it")
    formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    return [BuildRequest(year, args.data, args.out, formats, args.cell_timeout) for year in years]


def main(argv=None) -> int:
    signal.signal(signal.SIGTERM, _raise_terminated)
    args = parse_args(argv)
    try:
        config.check_configuration()  # editions.toml decides the default year
        requests = requests_from(args)
    except BuildError as exc:
        return _report(exc)
    one = _verify_one if args.verify else _build_one
    statuses = [one(request) for request in requests]  # a failure stops no other
    return next((status for status in statuses if status), 0)


def _build_one(request: BuildRequest) -> int:
    from .build import build_edition  # imported here: --help and argument errors stay quick

    try:
        target = build_edition(request, write=_progress)
        _update_index(request.out_root)
    except BuildError as exc:
        return _report(exc, request.year)
    except (KeyboardInterrupt, Terminated):
        _progress(
            f"[{request.year}] interrupted: nothing was published; the previous edition "
            "is unchanged"
        )
        return EXIT_INTERRUPTED
    _progress(f"[{request.year}] published {target}")
    return 0


def _verify_one(request: BuildRequest) -> int:
    from .verify import verify_edition

    try:
        checked = verify_edition(request, write=_progress)
    except BuildError as exc:
        return _report(exc, request.year)
    _progress(
        f"[{request.year}] verified: the inputs, the packages, the {checked} published files "
        "and a rebuild all match the manifest"
    )
    return 0


def _update_index(out_root) -> None:
    from .build import update_index

    try:
        update_index(out_root)
    except Exception as exc:  # the edition is published; say so, in one line
        raise InternalError(
            f"the edition was published, but the index of editions could not be written: "
            f"{type(exc).__name__}: {exc}"
        ) from None


def _report(exc: BuildError, year: int | None = None) -> int:
    prefix = f"[{year}] " if year else ""
    _progress(f"{prefix}error: {exc}")
    for line in exc.details:
        _progress(f"  {line}")
    return exc.exit_code


def _progress(line: str) -> None:
    print(printable(line), file=sys.stderr, flush=True)


def _raise_terminated(signum, frame):
    raise Terminated()
