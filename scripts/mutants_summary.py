"""Print mutation testing's results by module: killed, survived, and not covered by the quick
tests `make mutants` runs (those are exercised only by builds, whose kernel imports the
unmutated package). Run after `mutmut run` (make mutants does)."""

import collections
import subprocess
import sys

found = subprocess.run(
    [sys.executable, "-m", "mutmut", "results", "--all", "true"],
    capture_output=True,
    text=True,
    check=True,
).stdout
by_module: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
for line in found.splitlines():
    name, _, status = line.strip().rpartition(": ")
    if name:
        by_module[name.rsplit(".", 1)[0]][status] += 1  # the module, without the function
MAIN = ("killed", "survived", "no tests", "not checked")
print("| module | mutants | killed | survived | no quick test | not run | other |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for module, counts in sorted(by_module.items()):
    other = sum(counts.values()) - sum(counts[k] for k in MAIN)
    shown = " | ".join(str(counts[k]) for k in MAIN)
    print(f"| {module} | {sum(counts.values())} | {shown} | {other} |")
print("\nsurvivors: .venv/bin/mutmut results; one of them: .venv/bin/mutmut show NAME")
