"""The committed-file guard (pre-commit and `make test` alike) judges a file by what it holds:
returns and their nationalities table wherever the header sits and however it is written,
renamed and compressed copies, binary files, notebooks with outputs."""

import gzip
import json
import shutil
import subprocess
import sys
import zipfile

import pytest
from openpyxl import Workbook

from harmreport.intake.committed_files import refusal
from harmreport.project import paths

RETURNS = paths.RETURNS / "returns_2015.csv"
NATIONALITIES = paths.RETURNS / "returns_2015_nationalities.csv"


def copy(tmp_path, source, name):
    return shutil.copy(source, tmp_path / name)


@pytest.mark.parametrize("name", ["returns_2025.csv", "returns.bak", "answers.dat", "x"])
def test_returns_under_any_name_are_refused(tmp_path, name):
    assert "looks like FOI returns" in refusal(copy(tmp_path, RETURNS, name))


def test_the_nationalities_table_is_refused(tmp_path):
    assert "looks like FOI returns" in refusal(copy(tmp_path, NATIONALITIES, "nat.csv"))


def test_a_header_below_a_title_or_written_otherwise_is_found(tmp_path):
    lines = RETURNS.read_text(encoding="utf-8").splitlines()
    titled = tmp_path / "titled.csv"
    titled.write_text("FOI returns 2025,,\n,,\n" + "\n".join(lines), encoding="utf-8")
    assert "looks like FOI returns" in refusal(titled)
    labels = tmp_path / "labels.csv"
    labels.write_text("Authority code;Trafficked children in care;Children still missing\n"
                      "E10000016;40;3\n", encoding="utf-8")  # fmt: skip
    assert "looks like FOI returns" in refusal(labels)
    book = Workbook()
    book.active.append(["Returns received"])
    book.active.append([])
    book.active.append(["AUTHORITY CODE", "Trafficked-In-Care", "still missing"])
    book.save(tmp_path / "typed.xlsx")
    assert "looks like FOI returns" in refusal(tmp_path / "typed.xlsx")


def test_archives_and_binary_files_are_refused(tmp_path):
    (tmp_path / "r.csv.gz").write_bytes(gzip.compress(RETURNS.read_bytes()))
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as archive:
        archive.write(RETURNS, "returns.csv")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "big.txt").write_text("x" * 1_000_001)
    assert "a gzip archive" in refusal(tmp_path / "r.csv.gz")
    assert "a zip archive" in refusal(tmp_path / "r.zip")
    assert "a binary file this check cannot inspect" in refusal(tmp_path / "blob.bin")
    assert "over 1,000,000 bytes" in refusal(tmp_path / "big.txt")


def test_a_notebook_with_outputs_is_refused_wherever_it_is(tmp_path):
    book = json.loads((paths.NOTEBOOKS / "01_validate_returns.ipynb").read_text())
    assert refusal(paths.NOTEBOOKS / "01_validate_returns.ipynb") is None  # committed clean
    book["cells"][3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "4"}]
    (tmp_path / "scratch.ipynb").write_text(json.dumps(book))
    assert "a notebook with outputs" in refusal(tmp_path / "scratch.ipynb")


def test_what_is_not_returns_is_let_through(tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("authority_code,comment\nE1,called\n")
    assert refusal(notes) is None
    assert refusal(RETURNS) is None and refusal(NATIONALITIES) is None  # the illustrative files


def test_the_script_checks_every_tracked_file_and_names_each_refused(tmp_path):
    check = [sys.executable, str(paths.ROOT / "scripts" / "check_committed_files.py")]
    bad = copy(tmp_path, RETURNS, "returns.bak")
    done = subprocess.run([*check, bad, RETURNS], capture_output=True, text=True)
    assert done.returncode == 1 and done.stderr.startswith(f"{bad}: looks like FOI returns")
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=paths.ROOT)
    files = [str(paths.ROOT / name) for name in tracked.stdout.split()]
    assert subprocess.run([*check, *files]).returncode == 0


def test_the_edges_of_what_is_refused(tmp_path):
    counts = tmp_path / "counts.csv"
    counts.write_text("name,trafficked_in_care,still_missing\nKent,40,3\n")  # no code column
    assert "looks like FOI returns" in refusal(counts)
    at_limit = tmp_path / "at_limit.txt"
    at_limit.write_text("x" * 1_000_000)
    assert refusal(at_limit) is None
    cut = tmp_path / "cut.txt"  # a two-byte character across the end of the sample read
    cut.write_bytes(b"a" * 8191 + "é".encode() + b" and more text\n")
    assert refusal(cut) is None
    latin = tmp_path / "latin.csv"
    latin.write_bytes("authority,caf\xe9\n".encode("latin-1"))
    assert "a binary file" in refusal(latin)


def test_a_notebook_is_known_by_what_it_holds(tmp_path):
    import tarfile

    book = json.loads((paths.NOTEBOOKS / "03_figures.ipynb").read_text())
    book["cells"][2]["execution_count"] = 4  # run, its outputs cleared by hand
    (tmp_path / "saved.txt").write_text(json.dumps(book, indent=1))
    assert "a notebook with outputs" in refusal(tmp_path / "saved.txt")
    (tmp_path / "odd.ipynb").write_text(json.dumps({"nbformat": 4, "cells": "none"}))
    assert "a notebook this check cannot read" in refusal(tmp_path / "odd.ipynb")
    with tarfile.open(tmp_path / "r.tar", "w") as archive:
        archive.add(RETURNS, "returns.csv")
    assert "a tar archive" in refusal(tmp_path / "r.tar")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    assert "a zip archive" in refusal(tmp_path / "broken.xlsx")


def test_what_looks_like_a_notebook_or_a_table_but_is_not_is_let_through(tmp_path):
    assert refusal(paths.ROOT / "package.json") is None  # JSON, not a notebook
    assert refusal(paths.DATA / "vocabularies" / "nationalities.csv") is None  # no code column
    (tmp_path / "list.json").write_text('["nbformat", "cells"]')
    assert refusal(tmp_path / "list.json") is None
    late = tmp_path / "late.txt"  # a byte that is not UTF-8 past the sample read as binary
    late.write_bytes(b"notes\n" * 2000 + b"\xff\n")
    assert refusal(late) is None


def test_a_notebook_saved_with_a_leading_line_is_still_a_notebook(tmp_path):
    book = json.loads((paths.NOTEBOOKS / "03_figures.ipynb").read_text())
    book["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "4"}]
    (tmp_path / "n.json").write_text("\n  " + json.dumps(book))
    assert refusal(tmp_path / "n.json") == (
        f"{tmp_path / 'n.json'}: a notebook with outputs; commit notebooks without them "
        "(nbstripout)"
    )
    assert refusal(copy(tmp_path, RETURNS, "r.csv")) == (
        f"{tmp_path / 'r.csv'}: looks like FOI returns; real returns stay in the private "
        "folder (docs/next-edition.md), never in git"
    )
