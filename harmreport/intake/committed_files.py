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

from harmreport.intake import cell_codes
from harmreport.project import editions

MAX_BYTES = 1_000_000
HEADER_ROWS = 20  # a title, notes or blank rows may sit above a header
COUNTS = cell_codes.COUNT_COLUMNS
LABELS = tuple(label.casefold() for label in cell_codes.COLUMN_LABELS)  # as the report words them
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
    return re.sub(r"[\s\-]+", "_", str(cell).strip().casefold())


def looks_like_returns(header) -> bool:
    """Two of the contract's count columns (by name or as the report words them), or a
    nationality column beside an authority's code."""
    names = {_name(cell) for cell in header if cell is not None}
    counts = names & set(COUNTS) | {n for n in names if n.replace("_", " ") in LABELS}
    return len(counts) >= 2 or ("nationality" in names and bool(names & CODES))


def _text_rows(text: str) -> list[list[str]]:
    """The rows of `text` (at most 64 KB: within the csv module's cell limit) split by each
    delimiter a table may use."""
    rows = []
    for delimiter in (",", ";", "\t", "|"):
        rows += csv.reader(io.StringIO(text), delimiter=delimiter)
    return rows


def _sheet_rows(data: bytes):
    from openpyxl import load_workbook

    # Read only, and only the first rows and columns: a stray far cell costs nothing here.
    book = load_workbook(io.BytesIO(data), read_only=True)
    for sheet in book.worksheets:
        yield from sheet.iter_rows(max_row=HEADER_ROWS, max_col=40, values_only=True)


def _binary(data: bytes) -> bool:
    """NUL bytes, or bytes that are not UTF-8 (a character cut at the sample's end is)."""
    import codecs

    start = data[:8192]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start)  # not final: a cut is fine
    except UnicodeDecodeError:
        return True
    return b"\x00" in start


class Unreadable(ValueError):
    """A notebook whose cells cannot be looked at."""


def _notebook(data: bytes) -> dict | None:
    """The notebook `data` holds, whatever the file's name, or None if it is no notebook."""
    if not data.lstrip().startswith(b"{"):
        return None
    try:
        found = json.loads(data)
    except ValueError:
        return None
    return found if isinstance(found, dict) and "nbformat" in found else None


def _has_outputs(notebook: dict) -> bool:
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise Unreadable
    return any(cell.get("outputs") or cell.get("execution_count") for cell in cells)


def refusal(path: Path) -> str | None:
    """Why `path` may not be committed, or None."""
    path = Path(path)
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_BYTES:
        return f"{path}: over {MAX_BYTES:,} bytes; large files stay out of git"
    data = path.read_bytes()
    notebook = _notebook(data)
    if notebook is not None:
        try:
            outputs = _has_outputs(notebook)
        except Unreadable:
            return f"{path}: a notebook this check cannot read; it stays out of git"
        if outputs:
            return f"{path}: a notebook with outputs; commit notebooks without them (nbstripout)"
        return None
    kind = next((name for magic, name in ARCHIVES.items() if data.startswith(magic)), None)
    if data[257:262] == b"ustar":
        kind = "tar"
    workbook = data.startswith(b"PK\x03\x04")
    if workbook:
        try:
            workbook = "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            workbook = False
        kind = kind or (None if workbook else "zip")
    if kind:
        return f"{path}: a {kind} archive; what it holds cannot be checked, so it stays out of git"
    if workbook:
        try:
            rows = list(_sheet_rows(data))
        except Exception:  # noqa: BLE001 - a workbook openpyxl cannot open cannot be checked
            return f"{path}: a workbook this check cannot open; it stays out of git"
    elif _binary(data):
        return f"{path}: a binary file this check cannot inspect; it stays out of git"
    else:
        text = data[:65536].decode("utf-8-sig", "replace")
        rows = _text_rows("\n".join(text.splitlines()[:HEADER_ROWS]))
    if any(looks_like_returns(row) for row in rows) and not editions.is_illustrative(path):
        return (
            f"{path}: looks like FOI returns; real returns stay in the private folder "
            "(docs/next-edition.md), never in git"
        )
    return None
