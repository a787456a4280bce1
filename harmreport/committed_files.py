"""What must never enter git, decided by what a file holds, not by its name (run by pre-commit
on the staged files and by `make test` on every tracked file: scripts/check_committed_files.py).

Refused:
- a table that looks like FOI returns or their nationalities table (a header naming the
  authority's code with count columns, or with nationalities), in any of its first rows,
  however the header is written ("Authority code", "AUTHORITY_CODE", the report's questions),
  in a text file of any name (.bak, .dat, .txt) or any sheet of a workbook, unless it is one
  of the illustrative dataset's own declared files;
- an archive (zip, gzip, bzip2, xz, 7z, rar, tar) or any other binary file: what it holds
  cannot be checked;
- a notebook holding outputs (they may print an authority's counts), wherever it is;
- a file over 1 MB (real data, a built report)."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

from . import editions

MAX_BYTES = 1_000_000
HEADER_ROWS = 20  # a title, notes or blank rows may sit above a header
COUNTS = (
    "trafficked_in_care",
    "trafficked_went_missing",
    "trafficked_missing_episodes",
    "unaccompanied_in_care",
    "unaccompanied_went_missing",
    "unaccompanied_missing_episodes",
    "missing_over_week",
    "still_missing",
)
# The count columns as the report's tables and the workbook's input messages word them.
LABELS = (
    "trafficked children in care",
    "trafficked children who went missing",
    "missing episodes of trafficked children",
    "unaccompanied children in care",
    "unaccompanied children who went missing",
    "missing episodes of unaccompanied children",
    "children missing for more than a week",
    "children still missing",
)
CODES = {"authority_code", "code", "la_code", "authority", "local_authority_code", "gss_code"}
ARCHIVES = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ": "xz",
    b"7z\xbc\xaf": "7z",
    b"Rar!": "rar",
}


def _name(cell) -> str:
    """A header cell as a name: "Authority code " -> "authority_code"."""
    return re.sub(r"[\s\-]+", "_", str(cell or "").strip().casefold()).strip("_")


def looks_like_returns(header) -> bool:
    names = {_name(cell) for cell in header}
    if not names & CODES:
        return False
    counts = names & set(COUNTS) | {n for n in names if n.replace("_", " ") in LABELS}
    return len(counts) >= 2 or "nationality" in names or "nationalities" in names


def _text_rows(text: str):
    for delimiter in ",;\t|":
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _sheet_rows(data: bytes):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    for sheet in book.worksheets:
        yield from sheet.iter_rows(max_row=HEADER_ROWS, max_col=40, values_only=True)


def _binary(data: bytes) -> bool:
    start = data[:8192]
    if b"\x00" in start:
        return True
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(start) - 4  # not a character cut at the end of the sample
    return False


def _notebook_outputs(data: bytes) -> bool:
    try:
        cells = json.loads(data).get("cells", [])
    except (ValueError, AttributeError):
        return False
    return any(cell.get("outputs") or cell.get("execution_count") for cell in cells)


def refusal(path: Path) -> str | None:
    """Why `path` may not be committed, or None."""
    path = Path(path)
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_BYTES:
        return f"{path}: over {MAX_BYTES:,} bytes; large files stay out of git"
    data = path.read_bytes()
    if path.suffix == ".ipynb" or data.lstrip().startswith(b'{"cells"'):
        if _notebook_outputs(data):
            return f"{path}: a notebook with outputs; commit notebooks without them (nbstripout)"
        return None
    kind = next((name for magic, name in ARCHIVES.items() if data.startswith(magic)), None)
    kind = kind or ("tar" if data[257:262] == b"ustar" else None)
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            names = []
        if "xl/workbook.xml" not in names:
            kind = "zip"
    if kind:
        return f"{path}: a {kind} archive; what it holds cannot be checked, so it stays out of git"
    if data.startswith(b"PK\x03\x04"):
        try:
            rows = list(_sheet_rows(data))
        except Exception:  # noqa: BLE001 - a workbook openpyxl cannot open cannot be checked
            return f"{path}: a workbook this check cannot open; it stays out of git"
    elif _binary(data):
        return f"{path}: a binary file this check cannot inspect; it stays out of git"
    else:
        text = data[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")
        rows = list(_rows_at_top(text))
    if any(looks_like_returns(row) for row in rows) and not editions.is_illustrative(path):
        return (
            f"{path}: looks like FOI returns; real returns stay in the private folder "
            "(docs/next-edition.md), never in git"
        )
    return None


def _rows_at_top(text: str):
    top = "\n".join(text.splitlines()[:HEADER_ROWS])
    return _text_rows(top)
