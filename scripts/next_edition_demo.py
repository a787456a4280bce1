"""The research team's whole year, end to end, in a temporary copy of the project: start the
2025 edition, fill in its returns workbook in a private folder outside the project (here with
the 2024 illustrative figures, standing in for real answers), open and re-save it in
LibreOffice, write the STUB chapters, run make quick's tests, build, and verify; then build
and verify every edition with the 2025 edition added. Prints each command and what it said.

    .venv/bin/python scripts/next_edition_demo.py            (about two minutes)
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "report", "build", "mutants", "node_modules", ".git", "report.work"}


def run(project: Path, env: dict, *args: str, expect: int = 0) -> str:
    print(f"\n$ python run_report.py {' '.join(args)}", flush=True)
    done = subprocess.run(
        [sys.executable, "run_report.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    print(done.stderr.rstrip())
    if done.returncode != expect:
        sys.exit(f"exit {done.returncode}, expected {expect}")
    return done.stderr


def resave_in_libreoffice(workbook: Path) -> None:
    out = workbook.parent / "resaved"
    subprocess.run(
        ["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out),
         str(workbook)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    shutil.move(out / workbook.name, workbook)
    print(f"\nre-saved {workbook.name} in LibreOffice")


def write_chapters(project: Path, year: int) -> None:
    template = project / "templates" / "editions" / f"{year}.html.j2"
    text = template.read_text(encoding="utf-8")
    text = text.replace(
        "<p>STUB: why this edition, and what has changed since the last one.</p>",
        "<p>Trafficked and unaccompanied children still go missing from care.</p>",
    ).replace(
        "<p>STUB: this edition's recommendations.</p>",
        "<p>Every child should have a guardian.</p>",
    )
    template.write_text(text, encoding="utf-8")
    toml = project / "data" / "editions.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        .replace('published = "STUB: the month and year of publication"', 'published = "May 2026"')
        .replace('title = "STUB: the edition\'s title"', 'title = "Harm Goes On"'),
        encoding="utf-8",
    )
    print(f"\nwrote the STUB chapters of {template.name} and the publication date")


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hbh-year-") as temporary:
        project, private = Path(temporary) / "project", Path(temporary) / "private"
        shutil.copytree(ROOT, project, ignore=lambda folder, names: SKIP & set(names))
        git(project, "init", "-q")
        git(project, "add", "-A")
        git(project, "-c", "user.name=team", "-c", "user.email=team@example.org",
            "commit", "-qm", "the project as last year left it")  # fmt: skip
        env = {**os.environ, "HBH_RETURNS": str(private), "PYTHONPATH": str(project)}
        env["HBH_SCRATCH"] = str(Path(temporary) / "scratch")
        out = Path(temporary) / "site"
        run(project, env, "--all", "--out", str(out))  # last year's editions, published
        run(project, env, "new", "2025", "--period-start", "2025-01-01",
            "--period-end", "2025-12-31")  # fmt: skip
        print(f"\nprivate folder: {sorted(p.name for p in private.iterdir())}")
        run(project, env, "--year", "2025", "--out", str(out), expect=2)  # the STUB chapters
        answers = project / "data" / "returns" / "returns_2024.csv"
        subprocess.run(
            [sys.executable, "-c", "import sys; from harmreport import foi_round; "
             "foi_round.fill_from_csv(*sys.argv[1:])", private / "returns_2025.xlsx", answers],
            cwd=project, env=env, check=True,
        )  # fmt: skip
        print("\ntyped the answers into returns_2025.xlsx")
        resave_in_libreoffice(private / "returns_2025.xlsx")
        run(project, env, "status", "2025", "--today", "2026-02-01")
        write_chapters(project, 2025)
        git(project, "add", "-A")
        git(project, "-c", "user.name=team", "-c", "user.email=team@example.org",
            "commit", "-qm", "The 2025 edition")  # fmt: skip
        print("\ncommitted the 2025 entry and chapters (the returns stay in the private folder)")
        print("\n$ python -m pytest -m 'not slow' -q   (make quick's tests, with 2025 added)")
        quick = subprocess.run(
            [sys.executable, "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        print(quick.stdout.strip().splitlines()[-1])
        if quick.returncode:
            sys.exit(quick.stdout[-3000:])
        run(project, env, "--year", "2025", "--out", str(out))
        run(project, env, "--all", "--out", str(out), "--verify")
        print("\nthe 2025 edition was made from a private folder outside the project, and every")
        print("edition verifies: last year's from the commit they were built from")


if __name__ == "__main__":
    main()
