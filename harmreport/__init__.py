"""Shared mechanics of the 'Heading Back to Harm' report build, in rooms that follow the data
(README.md, "The package, room by room"): project, intake, analysis, notebooks, outputs, check,
publishing, pipeline and foi, with the command line in cli.py. The notebooks narrate the
analysis and import from intake, analysis, outputs and project.
"""

import os

# numpy's BLAS on one thread, in the build's processes and (inherited) in its kernels: set
# before numpy is first imported, and only where nobody has chosen a number. The disclosure
# check's matrices are small, so a second thread gains nothing; but while the cores are busy
# (editions built side by side, the tests), OpenBLAS's threads spin waiting for each other: a
# test's statistics notebook took 12.8 s beside a four-edition build, 1.7 s on one thread
# (bench/blas_threads.py measures it).
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")  # OpenBLAS (pip's numpy), MKL
for _variable in BLAS_THREADS:
    os.environ.setdefault(_variable, "1")
