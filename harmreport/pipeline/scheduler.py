"""Editions built in parallel: shared round robin among at most --jobs worker processes
(harmreport.pipeline.worker), each building its share in turn; with --jobs 1, one process an
edition, the least memory. The index of editions is written once, when all have finished."""

import os
import signal
import subprocess

from harmreport.pipeline import console, worker
from harmreport.pipeline.interrupts import Terminated
from harmreport.pipeline.session import EXIT_INTERRUPTED, index_status
from harmreport.project.build_request import BuildRequest
from harmreport.project.errors import EnvironmentProblem


def build_in_parallel(requests: list[BuildRequest], jobs: int, force: bool) -> list[int]:
    waiting = shares(requests, jobs)
    at_once = max(1, min(jobs, len(waiting)))
    running: dict[subprocess.Popen, list[BuildRequest]] = {}
    statuses = []
    try:
        while waiting or running:
            while waiting and len(running) < at_once:
                share = waiting.pop(0)
                running[subprocess.Popen(worker.command(share, force))] = share
            finished = _wait_any(running)
            statuses.append(_status_of(finished, running.pop(finished)))
    except (KeyboardInterrupt, Terminated) as stop:
        for process in running:
            if isinstance(stop, Terminated):  # Ctrl-C reached every build; SIGTERM only us
                process.terminate()  # each cleans up as after its own Ctrl-C
        for process in running:
            process.wait()
        return [EXIT_INTERRUPTED]
    return [*statuses, index_status(requests[0].out_root)]


def shares(requests: list[BuildRequest], jobs: int) -> list[list[BuildRequest]]:
    """Round robin among the processes; with one job, one process an edition."""
    if jobs <= 1:
        return [[request] for request in requests]
    workers = min(jobs, len(requests))
    return [requests[worker::workers] for worker in range(workers)]


def _status_of(process: subprocess.Popen, share: list[BuildRequest]) -> int:
    """A process killed by a signal (out of memory, say) cannot say which of its editions it
    left unbuilt: this one names them all."""
    if process.returncode >= 0:
        return process.returncode
    years = " ".join(str(request.year) for request in share)
    number = -process.returncode
    return console.report(
        EnvironmentProblem(
            f"the process building {years} was killed (signal {number}: "
            f"{signal.strsignal(number)}); of these editions, any not reported published "
            "above is as it was"
        )
    )


def _wait_any(running) -> subprocess.Popen:
    pid, status = os.wait()  # any child: the first edition to finish frees a place
    for process in running:
        if process.pid == pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process
    return _wait_any(running)
