"""`python run_report.py`: build editions of the report. Errors are for people; the full log
of a failed run is kept with its notebooks outside the published tree."""

import argparse
import os
import sys
from contextlib import nullcontext
from pathlib import Path

from harmreport.pipeline import console, interrupts
from harmreport.pipeline.interrupts import Terminated
from harmreport.pipeline.session import EXIT_INTERRUPTED, BuildSession
from harmreport.project import configuration, editions, paths
from harmreport.project.build_request import FORMATS, BuildRequest
from harmreport.project.errors import BuildError, InputError


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="run_report.py",
        description="Build the report on trafficked and unaccompanied children missing from "
        "care, for one or more editions. To start an edition: run_report.py new YEAR "
        "--period-start DATE --period-end DATE; its FOI round: run_report.py status YEAR; a "
        "reviewer's rerun of a published edition's notebooks: run_report.py rerun FOLDER.",
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
        nargs="+",
        help="data year of an edition; several build in parallel (default: the latest edition "
        "whose returns are here)",
    )
    parser.add_argument("--all", action="store_true", help="build every edition")
    parser.add_argument(
        "--force",
        action="store_true",
        help="rebuild even what the published edition's manifest shows is up to date",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="editions built at once (default: the number of cores; 1 takes the least memory)",
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
        "--base-url",
        default=None,
        metavar="URL",
        help="where the output root will be published (https://…/): links in the CMS fragment "
        "and the sharing preview point there (default: [web] base_url in data/colophon.toml; "
        "without one, no fragment is made)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="publish nothing: rebuild the edition in a temporary folder and compare every "
        "file, input and package version with its manifest (exit 6 on any difference)",
    )
    return parser.parse_args(argv)


def requests_from(args) -> list[BuildRequest]:
    years = [year for group in args.years or [] for year in group]
    if args.all:
        years += editions.all_editions()
    years = list(dict.fromkeys(years))
    if not years:
        year, why = editions.default_edition()
        if why:
            console.progress(f"[{year}] {why}")
        years = [year]
    if args.data and len(years) > 1:
        raise InputError("--data replaces the returns of one edition; give one --year with it")
    formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    base_url = checked_base_url(args.base_url if args.base_url is not None else configured())
    given = args.base_url is not None  # --verify compares a given address with the build's
    return [
        # The output root absolute: the kernel runs in a staging folder, not here.
        BuildRequest(
            year,
            args.data,
            args.out.absolute(),
            formats,
            args.cell_timeout,
            base_url,
            base_url_given=given,
        )  # fmt: skip
        for year in years
    ]


def configured() -> str:
    import tomllib

    with open(paths.COLOPHON, "rb") as f:
        return tomllib.load(f).get("web", {}).get("base_url", "")


def checked_base_url(url: str) -> str:
    """An address web staff can publish at, as every link of the fragment will carry it:
    https, no user name or password, ending in "/"; an international domain name written as
    punycode and any other character of the path percent-encoded (an IRI becomes a URL).
    Or none."""
    if not url:
        return ""
    from urllib.parse import quote, urlsplit

    parts = urlsplit(url.strip())
    problem = ""
    if parts.scheme != "https":
        problem = "it must start https:// (a page served over http is refused by browsers)"
    elif "@" in parts.netloc:
        problem = "it holds a user name or password, which would be written into every link"
    elif not parts.hostname or parts.query or parts.fragment or not parts.path.endswith("/"):
        problem = "give the full address of the folder, ending in '/'"
    if not problem:
        try:
            host = parts.hostname.encode("idna").decode("ascii")
        except UnicodeError:
            problem = f"'{parts.hostname}' is not a domain name"
    if problem:
        raise InputError(
            f"'{url}' is not an address to publish at: {problem} "
            "(e.g. https://www.example.org/heading-back-to-harm/)"
        )
    port = f":{parts.port}" if parts.port else ""
    return f"https://{host}{port}{quote(parts.path, safe='/%-._~')}"


def main(argv=None, session: BuildSession | None = None) -> int:
    """Run the command line. `session`: builds made here reuse its kernel (the tests' in-process
    builds share one); by default a single build is a session of its own."""
    with interrupts.handled():
        try:
            return _main(argv, session)
        except (KeyboardInterrupt, Terminated):  # between builds: each reports its own
            console.progress("interrupted: any edition not reported published above is unchanged")
            return EXIT_INTERRUPTED


def _main(argv, session: BuildSession | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "rerun":  # a reviewer's rerun of an edition's notebooks
        from harmreport.pipeline.rerun import main as rerun_main

        try:
            return rerun_main(argv[1:], console.progress)
        except BuildError as exc:
            return console.report(exc)
    if argv and argv[0] in ("new", "status"):  # the FOI round's commands
        from harmreport.foi.new_edition import main as round_main

        try:
            return round_main(argv, console.progress)
        except BuildError as exc:
            return console.report(exc)
    args = parse_args(argv)
    try:
        if not args.years:  # editions.toml decides the default year and what --all means
            configuration.check_configuration()
        requests = requests_from(args)
    except BuildError as exc:
        return console.report(exc)
    if args.verify or len(requests) == 1:
        with nullcontext(session) if session else BuildSession(len(requests)) as here:
            if args.verify:  # a failure stops no other
                statuses = [here.verify(request) for request in requests]
            else:
                statuses = [here.build(requests[0], args.force)]
    else:
        from harmreport.pipeline.scheduler import build_in_parallel

        statuses = build_in_parallel(requests, args.jobs, args.force)
    return next((status for status in statuses if status), 0)
