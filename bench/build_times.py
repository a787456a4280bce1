"""Print how long each edition takes to build and the peak memory of the build process.

Run: make bench   (measures; asserts nothing)
"""

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harmreport import editions  # noqa: E402
from harmreport.build import BuildRequest, build_edition  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        for year in editions.all_editions():
            started = time.perf_counter()
            build_edition(BuildRequest(year, out_root=Path(out)), write=lambda line: None)
            print(f"{year}: {time.perf_counter() - started:5.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kernels = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: build {peak:.0f} MiB, largest kernel {kernels:.0f} MiB")


if __name__ == "__main__":
    main()
