"""A worker of a parallel build: builds its share of editions in turn, in one session, so
that its second edition finds pandas, WeasyPrint and nbconvert imported and the first one's
kernel running. Started by the scheduler, not by people:

    python -m harmreport.pipeline.worker '{"years": [2015, 2020], "out": "/abs/report", ...}'

Its exit status is the first failure's (a failed edition goes on to the next; an interrupted
one stops the rest). The scheduler writes the index of editions once all have finished."""

import gc
import json
import sys
from pathlib import Path

from harmreport.pipeline import interrupts
from harmreport.pipeline.interrupts import Terminated
from harmreport.pipeline.session import EXIT_INTERRUPTED, BuildSession
from harmreport.project.build_request import BuildRequest


def command(requests: list[BuildRequest], force: bool) -> list[str]:
    first = requests[0]
    share = {
        "years": [request.year for request in requests],
        "out": str(Path(first.out_root).resolve()),
        "formats": list(first.formats),
        "cell_timeout": first.cell_timeout,
        "base_url": first.base_url,
        "force": force,
    }
    return [sys.executable, "-m", "harmreport.pipeline.worker", json.dumps(share)]


def build_share(share: dict) -> int:
    requests = [
        BuildRequest(
            year,
            None,
            Path(share["out"]),
            tuple(share["formats"]),
            share["cell_timeout"],
            share["base_url"],
        )
        for year in share["years"]
    ]
    statuses = []
    with BuildSession(builds=len(requests)) as session:
        for request in requests:
            statuses.append(session.build(request, share["force"], index=False))
            if statuses[-1] == EXIT_INTERRUPTED:
                return EXIT_INTERRUPTED
    return next((status for status in statuses if status), 0)


def main(argv: list[str]) -> int:
    with interrupts.handled():
        try:
            return build_share(json.loads(argv[0]))
        except (KeyboardInterrupt, Terminated):
            return EXIT_INTERRUPTED


if __name__ == "__main__":
    status = main(sys.argv[1:])
    gc.freeze()  # as run_report.py: what is left is the process's to drop, not to collect
    sys.exit(status)
