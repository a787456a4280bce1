"""Refuse to commit what must never enter git (run by pre-commit on the staged files, and by
`make test` on every tracked file, so CI refuses it too):

- a table that looks like FOI returns (a header naming authority_code and some of the
  contract's count columns), anywhere but the illustrative dataset's own declared files;
- a file over 1 MB (real data, a built report, a stray archive).

    python scripts/check_committed_files.py FILE...   (exit 1 naming each file refused)
"""

import csv
import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harmreport import editions  # noqa: E402
from harmreport.returns import COUNT_COLUMNS  # noqa: E402

MAX_BYTES = 1_000_000
TABLES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".ods")


def looks_like_returns(path: Path) -> bool:
    for header in _headers(path):
        names = {str(cell or "").strip().lower() for cell in header}
        if "authority_code" in names and len(names & set(COUNT_COLUMNS)) >= 2:
            return True
    return False


def _headers(path: Path):
    """The first row of a text table, or of each sheet of a workbook."""
    data = path.read_bytes()
    if path.suffix.lower() in (".xlsx", ".xlsm", ".ods") or data.startswith(b"PK"):
        yield from _workbook_headers(data)
        return
    text = data[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")
    for delimiter in ",;\t|":
        yield next(csv.reader(io.StringIO(text), delimiter=delimiter), [])


def _workbook_headers(data: bytes):
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        yield ["authority_code", *COUNT_COLUMNS]  # unreadable: refused, to be safe
        return
    for sheet in book.worksheets:
        yield next(sheet.iter_rows(max_row=1, values_only=True), ())


def refused(path: Path) -> str | None:
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_BYTES:
        return f"{path}: over {MAX_BYTES:,} bytes; large files stay out of git"
    table = path.suffix.lower() in TABLES and not editions.is_illustrative(path)
    if table and looks_like_returns(path):
        return (
            f"{path}: looks like FOI returns; real returns stay in the private folder "
            "(docs/next-edition.md), never in git"
        )
    return None


def main(names: list[str]) -> int:
    problems = [problem for name in names if (problem := refused(Path(name)))]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
