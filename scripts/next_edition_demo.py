"""The research team's second year, end to end, in a temporary copy of the project, each step
timed and checked (it stops at the first check that fails, exit 1):

 1. last year's editions, published to a site;
 2. `new 2025`: the next edition started (its entry, template, workbook and request);
 3. `--verify --year 2024` of the site passes, and its index is unchanged byte for byte;
    a build of 2024 finds it up to date; a revision under a year that is no edition and a
    misspelt notebook parameter are refused, and no published file changes;
 4. the workbook filled in (with the 2024 illustrative figures standing in for real answers)
    in a private folder outside the project, re-saved in LibreOffice; `status 2025`, and a
    reminder dated before its request refused;
 5. the STUB title, date and chapters written and committed; make quick's tests;
 6. 2025 built into the site: the index lists 2024 and 2025;
 7. every edition on the site verified.

    .venv/bin/python scripts/next_edition_demo.py                (make cycle: minutes)
    .venv/bin/python scripts/next_edition_demo.py --quick        (2024 only, web page only)
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "report", "build", "mutants", "node_modules", ".git", "report.work", "local.toml"}
TITLE = 'title = "STUB: the edition\'s title"'
PUBLISHED = 'published = "STUB: the month and year of publication"'
BAD_REVISION = """
[[years.2023.revisions]]
date = 2026-03-01
what = "a revision put under a year that is no edition"
"""
REMINDER_BEFORE_REQUEST = """import sys, datetime as dt
from openpyxl import load_workbook
book = load_workbook(sys.argv[1]); sheet = book["returns"]
columns = {cell.value: cell.column for cell in sheet[1]}
sheet.cell(5, columns["request_sent"], dt.datetime(2026, 1, 5))
sheet.cell(5, columns["reminder_sent"], dt.datetime(2026, 1, 2))
book.save(sys.argv[1])
"""


class Cycle:
    def __init__(self, temporary: Path, formats: str):
        self.project, self.private = temporary / "project", temporary / "private"
        self.site, self.formats = temporary / "site", formats
        self.env = {
            **os.environ,
            "HBH_RETURNS": str(self.private),
            "PYTHONPATH": str(self.project),
        }
        self.env["HBH_SCRATCH"] = str(temporary / "scratch")
        self.step_started = time.perf_counter()

    def step(self, text: str) -> None:
        print(f"\n== {text}", flush=True)
        self.step_started = time.perf_counter()

    def took(self) -> None:
        print(f"   ({time.perf_counter() - self.step_started:.1f} s)", flush=True)

    def run(self, *args: str, expect: int = 0) -> str:
        print(f"$ python run_report.py {' '.join(args)}", flush=True)
        done = subprocess.run([sys.executable, "run_report.py", *args], cwd=self.project,
                              env=self.env, capture_output=True, text=True)  # fmt: skip
        print(done.stderr.rstrip())
        was = "" if done.returncode == expect else f" (it was {done.returncode})"
        check(done.returncode == expect, f"exit {expect}{was}")
        return done.stderr

    def git(self, *args: str) -> None:
        who = ["-c", "user.name=team", "-c", "user.email=team@example.org"]
        subprocess.run(["git", "-C", str(self.project), *who, *args], check=True,
                       capture_output=True)  # fmt: skip

    def index(self) -> bytes:
        return (self.site / "index.html").read_bytes()

    def files(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.site)): p.read_bytes() for p in
                sorted(self.site.rglob("*")) if p.is_file()}  # fmt: skip


def check(condition: bool, what: str) -> None:
    """Stop the cycle (exit 1) unless `what` holds; else say it was checked."""
    if not condition:
        sys.exit(f"CHECK FAILED: {what}")
    print(f"   checked: {what}")


def copy_project(cycle: Cycle) -> None:
    shutil.copytree(ROOT, cycle.project, ignore=lambda folder, names: SKIP & set(names))
    cycle.git("init", "-q")
    cycle.git("add", "-A")
    cycle.git("commit", "-qm", "the project as last year left it")


def resave_in_libreoffice(workbook: Path) -> None:
    out = workbook.parent / "resaved"
    subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir",
                    str(out), str(workbook)], check=True, capture_output=True)  # fmt: skip
    shutil.move(out / workbook.name, workbook)
    print(f"re-saved {workbook.name} in LibreOffice")


def write_stubs(project: Path, year: int) -> None:
    template = project / "templates" / "editions" / f"{year}.html.j2"
    text = template.read_text(encoding="utf-8")
    text = (
        text.replace(
            "<p>STUB: why this edition, and what has changed since the last one.</p>",
            "<p>Trafficked and unaccompanied children still go missing from care.</p>",
        )
        .replace(
            "<p>STUB: the comparison with all looked-after children (see the note above).</p>",
            '<p>{{ looked_after("lac_england_went_missing_2022") }}</p>',
        )
        .replace(
            "<p>STUB: this edition's recommendations, by who must act.</p>",
            "<p>Every child should have a guardian.</p>",
        )
    )
    template.write_text(text, encoding="utf-8")
    toml = project / "data" / "editions.toml"
    entry = toml.read_text(encoding="utf-8")
    entry = entry.replace(PUBLISHED, 'published = "May 2026"')
    toml.write_text(entry.replace(TITLE, 'title = "Harm Goes On"'), encoding="utf-8")
    print(f"wrote the STUB title, date and chapters of {year}")


def quick_tests(cycle: Cycle) -> None:
    print("$ python -m pytest -m 'not slow' -q   (make quick's tests, with 2025 added)")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider"],
        cwd=cycle.project, env=cycle.env, capture_output=True, text=True,
    )  # fmt: skip
    print(done.stdout.strip().splitlines()[-1])
    check(done.returncode == 0, "make quick's tests pass\n" + done.stdout[-3000:])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2024 only, the web page only")
    args = parser.parse_args(argv)
    formats = "html" if args.quick else "html,pdf"
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hbh-year-") as temporary:
        cycle = Cycle(Path(temporary), formats)
        cycle.step("1. last year's editions, published to a site")
        copy_project(cycle)
        last = ["--year", "2024"] if args.quick else ["--all"]
        cycle.run(*last, "--out", str(cycle.site), "--format", formats)
        index = cycle.index()
        cycle.took()

        cycle.step("2. the next edition started")
        cycle.run("new", "2025", "--period-start", "2025-01-01", "--period-end", "2025-12-31")
        print(f"private folder: {sorted(p.name for p in cycle.private.iterdir())}")
        cycle.took()

        cycle.step("3. the published site is undisturbed")
        cycle.run("--year", "2024", "--verify", "--out", str(cycle.site))
        check(cycle.index() == index, "the site's index is unchanged, byte for byte")
        said = cycle.run("--year", "2024", "--out", str(cycle.site), "--format", formats)
        check("up to date" in said, "2024 is up to date: nothing rebuilt")
        check(cycle.index() == index, "the site's index is unchanged, byte for byte")
        cycle.run("--year", "2025", "--out", str(cycle.site), expect=2)  # the STUBs
        cycle.took()

        cycle.step("3b. bad input is refused, and nothing published changes")
        published = cycle.files()
        toml = cycle.project / "data" / "editions.toml"
        before = toml.read_text(encoding="utf-8")
        toml.write_text(before + BAD_REVISION, encoding="utf-8")
        said = cycle.run("--year", "2024", "--out", str(cycle.site), "--force", expect=2)
        check("[[years.2023.revisions]]: there is no edition 2023" in said,
              "the error names the revision's line")  # fmt: skip
        toml.write_text(before, encoding="utf-8")
        said = cycle.run("rerun", str(cycle.site / "2024"), "-p", "yaer", "2015", expect=2)
        check("has no parameter yaer" in said, "a misspelt notebook parameter is an error")
        check(cycle.files() == published, "every published file is as it was")
        cycle.took()

        cycle.step("4. the answers typed in; the round's status")
        workbook = cycle.private / "returns_2025.xlsx"
        answers = cycle.project / "data" / "returns" / "returns_2024.csv"
        subprocess.run(
            [sys.executable, "-c", "import sys; from harmreport.foi import foi_round; "
             "foi_round.fill_from_csv(*sys.argv[1:])", workbook, answers],
            cwd=cycle.project, env=cycle.env, check=True,
        )  # fmt: skip
        if not args.quick:
            resave_in_libreoffice(workbook)
        cycle.run("status", "2025", "--today", "2026-02-01")
        early = cycle.private / "returns_early_reminder.xlsx"
        shutil.copy(workbook, early)
        subprocess.run(
            [sys.executable, "-c", REMINDER_BEFORE_REQUEST, early], cwd=cycle.project,
            env=cycle.env, check=True,
        )  # fmt: skip
        shutil.copy(workbook, cycle.private / "good.xlsx")
        shutil.copy(early, workbook)
        said = cycle.run("status", "2025", "--today", "2026-02-01", expect=2)
        check("column reminder_sent: 2026-01-02 is before the request" in said,
              "a reminder dated before its request is refused naming its cell")  # fmt: skip
        shutil.move(cycle.private / "good.xlsx", workbook)
        early.unlink()
        cycle.took()

        cycle.step("5. the edition written and committed")
        write_stubs(cycle.project, 2025)
        cycle.git("add", "-A")
        cycle.git("commit", "-qm", "The 2025 edition")
        if not args.quick:
            quick_tests(cycle)
        cycle.took()

        cycle.step("6. 2025 built into the site")
        cycle.run("--year", "2025", "--out", str(cycle.site), "--format", formats)
        listed = cycle.index().decode()
        check("<h3>Harm Goes On</h3>" in listed and "<h3>Until Harm Ends</h3>" in listed,
              "the index lists 2024 and 2025")  # fmt: skip
        check("STUB" not in listed, "the index shows no STUB")
        cycle.took()

        cycle.step("7. every edition on the site verified")
        years = ["--year", "2024", "2025"] if args.quick else ["--all"]
        cycle.run(*years, "--verify", "--out", str(cycle.site))
        cycle.took()
    print(f"\nthe second year, end to end: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
