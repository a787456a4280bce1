"""Refuse to commit what must never enter git (harmreport/intake/committed_files.py says what):
run by pre-commit on the staged files, and by `make test` on every tracked file, so CI
refuses it too.

    python scripts/check_committed_files.py FILE...   (exit 1 naming each file refused)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harmreport.intake.committed_files import refusal  # noqa: E402


def main(names: list[str]) -> int:
    problems = [problem for name in names if (problem := refusal(Path(name)))]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
