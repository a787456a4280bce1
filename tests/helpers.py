"""Small hand-made returns for unit and notebook tests."""

import contextlib
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from harmreport.intake.returns import COUNT_COLUMNS
from harmreport.project import paths

HEADER = ["authority_code", "authority_name", *COUNT_COLUMNS]
# Real codes of authorities in operation in 2024 (the year the fixtures use).
AUTHORITIES = {
    "E10000016": "Kent",
    "E09000008": "Croydon",
    "E09000017": "Hillingdon",
    "E06000034": "Thurrock",
    "E10000030": "Surrey",
    "W06000015": "Cardiff",
    "S12000049": "Glasgow City",
    "NI-BHSCT": "Belfast HSC Trust",
}
EMPTY_ROW = dict.fromkeys(COUNT_COLUMNS, "not recorded")


def row(code, **cells):
    return {
        "authority_code": code,
        "authority_name": AUTHORITIES.get(code, ""),
        **EMPTY_ROW,
        **cells,
    }


def write_returns(folder: Path, rows, name="returns.csv", header=HEADER) -> Path:
    path = Path(folder) / name
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def full(tic, twm, tep, uic, uwm, uep, week, still):
    values = (tic, twm, tep, uic, uwm, uep, week, still)
    return dict(zip(COUNT_COLUMNS, values, strict=True))


def run_cli(*args, timeout=300, environment=None, **kwargs) -> subprocess.CompletedProcess:
    """run_report.py in a process of its own; `environment` adds or (None) removes variables."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    for name, value in (environment or {}).items():
        env.pop(name, None) if value is None else env.update({name: value})
    return subprocess.run(
        [sys.executable, str(paths.ROOT / "run_report.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=paths.ROOT,
        env=env,
        **kwargs,
    )


SESSION = None  # the tests' BuildSession, while they run (conftest.one_build_session)


def run_main(*args) -> subprocess.CompletedProcess:
    """What run_report.py runs, in this process: for the cases where starting Python again
    (and importing pandas and papermill again: most of a second) adds nothing to what is
    tested. What it prints to stderr is returned."""
    from harmreport import cli

    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        status = cli.main([str(arg) for arg in args], session=SESSION)
    return subprocess.CompletedProcess(["run_report.py", *args], status, "", said.getvalue())


def tree_hashes(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file()
    }


def analysed(returns: Path, folder: Path, year: int = 2024) -> dict:
    """stats.json as a build makes it, and nothing else: notebooks 1 and 2 run by papermill
    on the tests' session kernel, for tests that read only the statistics (a whole build
    adds the figures, pages and checks, three times the time)."""
    from harmreport.project.jsonfiles import read_json

    folder.mkdir(parents=True, exist_ok=True)
    parameters = {"year": year, "returns_path": str(Path(returns).resolve()), "output_dir": ""}
    on_session_kernel(("validate", "statistics"), folder, parameters, folder / "build.log")
    return read_json(folder / "stats.json")


def on_session_kernel(stages, folder: Path, parameters: dict, log: Path) -> None:
    """The notebooks of `stages` run by papermill in turn on the tests' session kernel, in
    `folder`, as a build runs them."""
    from harmreport.notebooks.runner import run_notebook
    from harmreport.project.build_request import DEFAULT_CELL_TIMEOUT

    with SESSION.kernel(folder, log) as kernel:
        for stage in stages:
            run_notebook(stage, folder, parameters, DEFAULT_CELL_TIMEOUT, log, kernel.fresh())
