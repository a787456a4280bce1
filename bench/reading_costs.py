"""Print the time and peak memory of reading a returns file: the shipped 2024 returns (CSV,
and the same as a workbook) and the workbooks a stray cell used to run away with (a value in
K1048576, one in XFD300). Each read runs in a process of its own; the figures are its wall
time and its peak resident memory (ru_maxrss), the median of --repeats runs. Measures,
asserts nothing.

Run: make bench   (or: python bench/reading_costs.py --repeats 3)
"""

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "returns" / "returns_2024.csv"
READ = """
import resource, sys
from harmreport.intake import reading
from harmreport.intake.problems import ReturnsError
try:
    reading.read_table(sys.argv[1])
    said = "read"
except ReturnsError as refused:
    said = str(refused.problems[0])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, said)
"""


def workbook(folder: Path, stray: str | None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "returns"
    with open(SHIPPED, encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append([int(v) if v.isdigit() else v for v in row])
    if stray:
        sheet[stray] = "x"
    path = folder / f"returns_{stray or 'clean'}.xlsx"
    book.save(path)
    return path


def measure(path: Path) -> tuple[float, float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", READ, str(path)], cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    seconds = time.perf_counter() - started
    peak_kib, said = done.stdout.strip().split(" ", 1)
    return seconds, int(peak_kib) / 1024, said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        files = {
            "shipped 2024 returns (CSV)": SHIPPED,
            "the same as a workbook": workbook(folder, None),
            "workbook, stray 'x' in K1048576": workbook(folder, "K1048576"),
            "workbook, stray 'x' in XFD300": workbook(folder, "XFD300"),
        }
        print(f"reading a returns file (median of {args.repeats}; a process each):")
        for label, path in files.items():
            runs = [measure(path) for _ in range(args.repeats)]
            seconds = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[1] for r in runs)
            said = runs[0][2]
            print(f"  {label:34} {seconds:5.2f} s  {peak:6.0f} MB peak  {said[:90]}")


if __name__ == "__main__":
    main()
