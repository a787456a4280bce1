"""Build the report: python run_report.py [--year YEAR ...] [--data FILE] [--out DIR]
[--format html,pdf]. See README.md."""

import sys

from harmreport.cli import main

if __name__ == "__main__":
    sys.exit(main())
