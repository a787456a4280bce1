"""Build the report: python run_report.py [--year YEAR ...] [--data FILE] [--out DIR]
[--format html,pdf]. See README.md."""

import gc
import sys

from harmreport.cli import main

if __name__ == "__main__":
    status = main()
    # Every file is written and closed: what is left in memory is the process's to drop.
    # Frozen, it is not garbage-collected object by object at exit, which took 0.4 s.
    gc.freeze()
    sys.exit(status)
