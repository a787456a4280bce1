"""Print how much the machine's cores slow each other: the same CPU-bound loop alone, then one
copy on each core at once.

Run: python bench/cores.py   (part of make bench)

Measures, asserts nothing. On virtual machines whose cores share a physical core, each copy
takes more CPU seconds when all run at once than alone: the CPU of `make test` on all cores
(pytest-xdist, a worker more than the cores) is then more than the same tests take one after
another, and its wall time falls by less than the number of cores.
"""

import os
import statistics
import subprocess
import sys
import time

LOOP = "import time\nt = time.process_time()\nx = 0\nfor i in range(8_000_000):\n    x += i * i\n"
LOOP += "print(time.process_time() - t)"


def cpu_seconds(copies: int) -> list[float]:
    """The CPU seconds each of `copies` loops took, started together."""
    runs = [
        subprocess.Popen([sys.executable, "-c", LOOP], stdout=subprocess.PIPE, text=True)
        for _ in range(copies)
    ]
    return [float(run.communicate()[0]) for run in runs]


def main() -> None:
    cores = len(os.sched_getaffinity(0))
    alone = statistics.median(cpu_seconds(1)[0] for _ in range(3))
    started = time.perf_counter()
    together = statistics.median(cpu_seconds(cores))
    wall = time.perf_counter() - started
    print(f"cores: {cores}")
    print(f"one loop alone:            {alone:.2f} s of CPU")
    print(f"one on each core at once:  {together:.2f} s of CPU each ({wall:.2f} s wall)")
    print(f"CPU per loop, together / alone: {together / alone:.2f}x")
    print(f"work done at once, against one core: {cores * alone / wall:.2f}x")


if __name__ == "__main__":
    main()
