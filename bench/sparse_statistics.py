"""Print the statistics step's time on sparse returns against dense ones.

Run: make bench   (or: python bench/sparse_statistics.py --repeats 3)

Dense: the shipped 2024 illustrative returns, where nearly every authority answers. Sparse:
the real councils' answers of tests/real_answers.toml, every other authority unanswered, so
that nearly every total is not known and most figures rest on few authorities. Each is built
with `--format html --force` into its own folder, alternating; the figure is the build's own
timing of its "statistics" stage, the median of --repeats runs. Measures, asserts nothing.
"""

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STAGE = re.compile(r"^\[2024\] statistics\s+([\d.]+) s ", re.M)


def statistics_seconds(returns: Path, out: Path) -> float:
    done = subprocess.run(
        [sys.executable, "run_report.py", "--year", "2024", "--data", str(returns), "--out",
         str(out), "--format", "html", "--force"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(STAGE.search(done.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    from tests.test_real_answers import _corpus_returns

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        inputs = {
            "dense (shipped 2024)": ROOT / "data" / "returns" / "returns_2024.csv",
            "sparse (real answers)": _corpus_returns(folder),
        }
        times = {name: [] for name in inputs}
        for _ in range(repeats):
            for name, returns in inputs.items():
                out = folder / name.split()[0]
                times[name].append(statistics_seconds(returns, out))
    print(f"statistics step, median of {repeats} (seconds, the build's own timing):")
    for name, found in times.items():
        middle = statistics.median(found)
        print(f"  {name:24} {middle:5.2f}  (min {min(found):.2f}, max {max(found):.2f})")
    dense, sparse = (statistics.median(found) for found in times.values())
    print(f"  sparse / dense           {sparse / dense:5.2f}")


if __name__ == "__main__":
    main()
