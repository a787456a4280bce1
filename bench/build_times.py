"""Print how long builds take and how much memory they use, from whole-process timings.

Run: make bench   (or: python bench/build_times.py --repeats 1 for a quick look)

Measures, asserts nothing. Each figure is the median of --repeats runs, the kinds of run
alternating so that a slow minute of the machine falls on all of them alike:

- cold: `run_report.py --year Y` into an empty folder;
- floor: one Python process importing pandas, matplotlib and WeasyPrint and printing the
  same edition's HTML to PDF (what no build of the edition can go below);
- no change: the same build again into the folder it has just published;
- four editions: every edition in one call into an empty folder;
- --help;
- peak memory: the most the four-edition build's processes held at once (their resident
  memory summed, sampled every 50 ms) and its largest single process;
- CPU: the seconds of CPU (user and system, the processes and all they started) of a cold
  build, of the floor, and of the four editions; the four cannot take less than their CPU
  over the cores;
- CPU by process: the four editions' CPU split among the build's processes, the notebooks'
  kernels, the notebooks' pages and the check's pdftotext, as last seen in the samples (a
  process's last 50 ms before it ends, and processes shorter than that, are left unsplit);
- per stage: the build's own timings of its stages in the cold builds.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BESIDE = {"notebooks"}  # stages that overlap others, left out of the sum
STAGE = re.compile(r"^\[\d{4}\] (\S+)\s+([\d.]+) s ")
PAGE, TICK = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")  # /proc's units


def timed(command: list[str], sample_memory: bool = False) -> tuple[float, str, dict]:
    """Seconds, stderr, and memory and CPU of one whole process (and its children)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        used, seen = {"together": 0}, {}
        while True:  # wait4 (not Popen.wait) gives the processes' peak memory
            pid, status, usage = os.wait4(process.pid, os.WNOHANG if sample_memory else 0)
            if pid:
                break
            used["together"] = max(used["together"], tree_sample(process.pid, seen))
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        err.seek(0)
        stderr = err.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(command)} failed:\n{stderr}")
    used["largest"] = usage.ru_maxrss * 1024
    used["cpu"] = usage.ru_utime + usage.ru_stime
    used["by process"] = defaultdict(float)
    for role, cpu in seen.values():
        used["by process"][role] += cpu
    return seconds, stderr, used


# What each process of a build is, by its command line: (text in it, name in the report).
ROLES = (
    ("ipykernel", "notebooks' kernels"),
    ("harmreport.notebooks.pages", "notebooks' pages"),
    ("pdftotext", "check's pdftotext"),
    ("harmreport.pipeline.worker", "build processes"),
    ("run_report.py", "build processes"),
)


def tree_sample(pid: int, seen: dict) -> int:
    """Resident bytes of a process and all its descendants now; `seen` keeps each one's role
    and CPU seconds so far."""
    children = defaultdict(list)
    stats = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        children[int(fields[1])].append(child)
        stats[child] = fields
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            fields = stats[current]
            total += int(fields[21]) * PAGE
            # read each time (a process caught between fork and exec has its parent's command)
            # but kept once it ends (an ended process has none)
            role = role_of(current) or seen.get(current, ("other",))[0]
            seen[current] = (role, (int(fields[11]) + int(fields[12])) / TICK)
        todo += children.get(current, [])
    return total


def role_of(pid: int) -> str | None:
    """What the process is, by its command line; None once it has ended (it has none)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, UnicodeDecodeError):
        return None
    if not command:
        return None
    return next((name for text, name in ROLES if text in command), "other")


def build(years: list[int], out: Path, *extra: str) -> list[str]:
    command = [PYTHON, "run_report.py", "--out", str(out), *extra]
    for year in years:
        command += ["--year", str(year)]
    return command


FLOOR = """
import sys, pandas, matplotlib
from weasyprint import HTML
HTML(filename=sys.argv[1], base_url=sys.argv[2]).write_pdf(
    sys.argv[3], pdf_tags=True, pdf_variant="pdf/ua-1")
"""

# The HTML the build prints, its figure links (fetched by the build as they are drawn)
# replaced by the figures themselves, so that the floor prints a whole report on its own.
PRINTED = """
import json, re, sys
from pathlib import Path
from harmreport.outputs import pdf, render
from harmreport.project import editions
folder = Path(sys.argv[1])
stats = json.loads((folder / "stats.json").read_text())
html = render.render_html(stats, editions.edition(int(sys.argv[2])), folder, for_print=True)
html = re.sub(re.escape(pdf.FIGURE_LINK) + r"(\\w+)",
              lambda m: render.svg_data_uri(folder / "figures" / f"{m[1]}.svg"), html)
assert pdf.FIGURE_LINK not in html
Path(sys.argv[3]).write_text(html, encoding="utf-8")
"""


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--year", type=int, default=2015)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from harmreport.project import editions

    every = editions.all_editions()
    runs = defaultdict(list)
    stages = defaultdict(list)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        kept = scratch / "kept"
        subprocess.run(build([args.year], kept), cwd=ROOT, check=True, capture_output=True)
        printed = scratch / "printed.html"
        edition = kept / str(args.year)
        subprocess.run(
            [PYTHON, "-c", PRINTED, str(edition), str(args.year), str(printed)],
            cwd=ROOT,
            check=True,
        )
        for n in range(args.repeats):
            seconds, stderr, used = timed(build([args.year], scratch / f"cold{n}"))
            runs["cold"].append(seconds)
            runs["cpu cold"].append(used["cpu"])
            for line in stderr.splitlines():
                if match := STAGE.match(line):
                    stages[match[1]].append(float(match[2]))
            floor = [PYTHON, "-c", FLOOR, str(printed), str(edition), str(scratch / "f.pdf")]
            seconds, _, used = timed(floor)
            runs["floor"].append(seconds)
            runs["cpu floor"].append(used["cpu"])
            runs["no change"].append(timed(build([args.year], kept))[0])
            runs["--help"].append(timed([PYTHON, "run_report.py", "--help"])[0])
            seconds, _, used = timed(build(every, scratch / f"all{n}"), sample_memory=True)
            runs["four editions"].append(seconds)
            runs["cpu four"].append(used["cpu"])
            runs["memory together"].append(used["together"] / 2**20)
            runs["memory largest"].append(used["largest"] / 2**20)
            for role, cpu in used["by process"].items():
                runs[f"cpu four: {role}"].append(cpu)
            runs["cpu four: unsplit"].append(used["cpu"] - sum(used["by process"].values()))
    report(args, runs, stages, every)


def report(args, runs, stages, every) -> None:
    cold, floor = median(runs["cold"]), median(runs["floor"])
    four = median(runs["four editions"])
    print(f"{args.year} edition, median of {args.repeats}, {os.cpu_count()} cores")
    print("| what | measured |")
    print("| --- | --- |")
    print(f"| cold build | {cold:.1f} s |")
    print(f"| floor (import + print the same HTML to PDF) | {floor:.1f} s |")
    print(f"| cold ÷ floor | {cold / floor:.2f}× |")
    print(f"| rebuild with nothing changed | {median(runs['no change']):.2f} s |")
    print(f"| {len(every)} editions in one call | {four:.1f} s, {four / cold:.2f}× one |")
    print(f"| `run_report.py --help` | {median(runs['--help']):.2f} s |")
    print(
        f"| peak memory, {len(every)} editions | {median(runs['memory together']):.0f} MiB "
        f"at once, largest process {median(runs['memory largest']):.0f} MiB |"
    )
    cpu_four = median(runs["cpu four"])
    print(
        f"| CPU | cold build {median(runs['cpu cold']):.1f} s (floor "
        f"{median(runs['cpu floor']):.1f} s); {len(every)} editions {cpu_four:.1f} s, at least "
        f"{cpu_four / os.cpu_count():.1f} s on {os.cpu_count()} cores |"
    )
    print(f"\nCPU by process, {len(every)} editions (median):")
    for key in sorted(k for k in runs if k.startswith("cpu four: ")):
        if median(runs[key]) >= 0.05:
            print(f"  {key.removeprefix('cpu four: '):<20} {median(runs[key]):5.1f} s")
    print("\nper stage of the cold build (the build's own timings, median):")
    for name, seconds in stages.items():
        beside = "  (in a process of its own, beside PDF and HTML)" if name in BESIDE else ""
        print(f"  {name:<12} {median(seconds):5.1f} s{beside}")
    in_line = sum(median(s) for name, s in stages.items() if name not in BESIDE)
    print(f"  {'(in line)':<12} {in_line:5.1f} s")


if __name__ == "__main__":
    main()
