"""`python run_report.py`: build editions of the report. Errors are for people; the full log
of a failed run is kept with its notebooks outside the published tree."""

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from . import config, editions, interrupts, paths
from .errors import BuildError, EnvironmentProblem, InputError, InternalError
from .interrupts import Terminated
from .problems import printable
from .request import FORMATS, BuildRequest

EXIT_INTERRUPTED = 130


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
        nargs="+",
        help="data year of an edition; several build in parallel (default: the latest)",
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
    parser.add_argument("--no-index", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cores-taken", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--in-turn", action="store_true", help=argparse.SUPPRESS)
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
    years = [year for group in args.years or [] for year in group]
    if args.all:
        years += editions.all_editions()
    years = list(dict.fromkeys(years)) or [editions.latest_edition()]
    if args.data and len(years) > 1:
        raise InputError("--data replaces the returns of one edition; give one --year with it")
    formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    return [
        BuildRequest(year, args.data, args.out, formats, args.cell_timeout, not args.cores_taken)
        for year in years
    ]


# On a signal nbclient shuts its kernel down while the build does too; asyncio's note about
# the loser belongs in the run's log, never on the console as a traceback.
logging.getLogger("asyncio").addHandler(logging.NullHandler())


def main(argv=None) -> int:
    with interrupts.handled():
        try:
            return _main(argv)
        except (KeyboardInterrupt, Terminated):  # between builds: each reports its own
            _progress("interrupted: any edition not reported published above is unchanged")
            return EXIT_INTERRUPTED


def _main(argv) -> int:
    args = parse_args(argv)
    try:
        if not args.years:  # editions.toml decides the default year and what --all means
            config.check_configuration()
        requests = requests_from(args)
    except BuildError as exc:
        return _report(exc)
    if args.verify:
        statuses = [_verify_one(request) for request in requests]  # a failure stops no other
    elif len(requests) == 1:
        statuses = [_build_one(requests[0], args.force, index=not args.no_index)]
    elif args.in_turn:
        statuses = _build_in_turn(requests, args)
    else:
        statuses = _build_in_parallel(requests, args)
    return next((status for status in statuses if status), 0)


def _build_one(request: BuildRequest, force: bool, index: bool = True) -> int:
    from .incremental import plan  # hashes only: an edition up to date imports nothing heavy

    decision = plan(request, force)
    if decision.up_to_date:
        _progress(f"[{request.year}] {decision.summary()}")
        from .site import index_is_current

        if index and not index_is_current(request.out_root):
            return _index_status(request.out_root)
        return 0
    from .build import build_edition  # imported here: --help and argument errors stay quick

    try:
        target = build_edition(request, write=_progress, plan=decision)
        if index:
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


def _build_in_turn(requests: list[BuildRequest], args) -> list[int]:
    """Editions one after another in this process, each with its own staging folder and log:
    the next finds pandas, WeasyPrint and nbconvert imported and the last one's kernel
    running. A failed build goes on to the next; an interrupted one stops the rest."""
    from . import notebooks

    statuses = []
    for request in requests:
        if statuses:
            _give_back_memory()  # not after the last: the process then ends
        notebooks.keep_for_next_build = request is not requests[-1]
        statuses.append(_build_one(request, args.force, index=False))
        if statuses[-1] == EXIT_INTERRUPTED:
            return [EXIT_INTERRUPTED]
    return statuses if args.no_index else [*statuses, _index_status(requests[0].out_root)]


def _give_back_memory() -> None:
    """What the last build's PDF thread held, back to the system: without it the process
    grew by some 30 MiB an edition. (Its collection takes a quarter of a second.)"""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(AttributeError, OSError):  # glibc's; elsewhere, nothing to do
        ctypes.CDLL(None).malloc_trim(0)


def _build_in_parallel(requests: list[BuildRequest], args) -> list[int]:
    """The editions shared among processes, at most --jobs at once, each building its share
    in turn; with --jobs 1, one process an edition, the least memory. The index of editions
    is written once, when all have finished."""
    waiting = _shares(requests, args.jobs)
    at_once = max(1, min(args.jobs, len(waiting)))
    running: dict[subprocess.Popen, list[BuildRequest]] = {}
    statuses = []
    try:
        while waiting or running:
            while waiting and len(running) < at_once:
                share = waiting.pop(0)
                running[subprocess.Popen(_worker_command(share, args, at_once))] = share
            finished = _wait_any(running)
            statuses.append(_status_of(finished, running.pop(finished)))
    except (KeyboardInterrupt, Terminated) as stop:
        for process in running:
            if isinstance(stop, Terminated):  # Ctrl-C reached every build; SIGTERM only us
                process.terminate()  # each cleans up as after its own Ctrl-C
        for process in running:
            process.wait()
        return [EXIT_INTERRUPTED]
    return [*statuses, _index_status(requests[0].out_root)]


def _status_of(process: subprocess.Popen, share: list[BuildRequest]) -> int:
    """A process killed by a signal (out of memory, say) cannot say which of its editions it
    left unbuilt: this one names them all."""
    if process.returncode >= 0:
        return process.returncode
    years = " ".join(str(request.year) for request in share)
    number = -process.returncode
    return _report(
        EnvironmentProblem(
            f"the process building {years} was killed (signal {number}: "
            f"{signal.strsignal(number)}); of these editions, any not reported published "
            "above is as it was"
        )
    )


def _shares(requests: list[BuildRequest], jobs: int) -> list[list[BuildRequest]]:
    """Round robin among the processes; a process builds its second edition with pandas,
    WeasyPrint and nbconvert already imported (but holds its first one's memory)."""
    if jobs <= 1:
        return [[request] for request in requests]
    workers = min(jobs, len(requests))
    return [requests[worker::workers] for worker in range(workers)]


def _worker_command(share: list[BuildRequest], args, at_once: int) -> list[str]:
    first = share[0]
    command = [sys.executable, str(paths.ROOT / "run_report.py"), "--in-turn", "--no-index"]
    command += ["--year", *(str(request.year) for request in share)]
    command += ["--out", str(first.out_root), "--format", ",".join(first.formats)]
    command += ["--cell-timeout", str(first.cell_timeout)]
    if at_once >= (os.cpu_count() or 1):  # no core to spare for the PDF
        command.append("--cores-taken")
    return command + (["--force"] if args.force else [])


def _wait_any(running) -> subprocess.Popen:
    pid, status = os.wait()  # any child: the first edition to finish frees a place
    for process in running:
        if process.pid == pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process
    return _wait_any(running)


def _index_status(out_root) -> int:
    try:
        _update_index(out_root)
    except BuildError as exc:
        return _report(exc)
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
    from .publish import NotOurs

    try:
        update_index(out_root)
    except NotOurs as exc:
        raise EnvironmentProblem(f"the index of editions was not written: {exc}") from None
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
