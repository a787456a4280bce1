"""Print what numpy's BLAS threads cost the statistics notebook, alone and side by side.

Run: python bench/blas_threads.py [--repeats 3]

Measures, asserts nothing. The statistics notebook's code cells (the disclosure check's matrix
decompositions among them) run in a process of their own for one edition's illustrative
returns, as the build's kernel runs them: alone, two side by side (a build of several editions)
and four (more than the cores, as while the tests run); and the sparse returns of
bench/sparse_statistics.py (real councils' answers) beside three editions. OpenBLAS is given
one thread (what harmreport sets) or one a core (its own default). Each figure is the median
of --repeats runs; wall is the slowest process's, CPU the processes' sum.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOTEBOOKS = ["01_validate_returns", "02_headline_statistics"]
# One process: the two notebooks' code cells in turn, their parameters in place of the
# papermill cell (the first code cell after the parameters cell).
RUN = """
import json, sys
import IPython.display
IPython.display.display = lambda *a, **k: None
year, returns, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
for name in {notebooks!r}:
    cells = [c for c in json.load(open(f"notebooks/{{name}}.ipynb"))["cells"]
             if c["cell_type"] == "code"]
    space = {{"__name__": "__main__"}}
    for i, cell in enumerate(cells):
        if i == 1:
            exec(f"year = {{year}}; returns_path = {{returns!r}}; output_dir = {{out!r}}", space)
        exec("".join(cell["source"]), space)
"""


def side_by_side(jobs: list[tuple[int, str]], threads: int) -> tuple[float, float]:
    """Wall (the slowest process) and CPU (all of them) of one process per (year, returns
    file; "" for the shipped one) at once."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    code = RUN.format(notebooks=NOTEBOOKS)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(year), returns, f"{folder}/{number}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            for number, (year, returns) in enumerate(jobs)
        ]
        if any(process.wait() for process in processes):
            sys.exit("bench: a statistics run failed")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from tests.test_real_answers import _corpus_returns

    cores = len(os.sched_getaffinity(0))
    shipped = [(year, "") for year in (2015, 2017, 2020, 2024)]
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        sparse = (2024, str(_corpus_returns(Path(folder))))
        runs = {
            "alone (2024)": shipped[3:],
            "two side by side (2015, 2024)": shipped[::3],
            "four side by side (every edition)": shipped,
            "sparse 2024 beside three editions": [sparse, *shipped[:3]],
        }
        for _ in range(args.repeats):  # the kinds alternate: a slow minute falls on all alike
            for name, jobs in runs.items():
                for threads in (1, cores):
                    results.setdefault((name, threads), []).append(side_by_side(jobs, threads))
    print(f"statistics notebook, BLAS threads: 1 or {cores} (the cores), medians of "
          f"{args.repeats}")  # fmt: skip
    for (name, threads), values in results.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"  {name:34} {threads} thread(s): {wall:5.2f} s wall, {cpu:5.2f} s CPU")


if __name__ == "__main__":
    main()
