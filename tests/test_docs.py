"""What README.md and docs/ tell people to run or open exists: every project file or folder
they name, every `make` target, every `python -m` module, and every `run_report.py` command
line parses with the program's own parser (a misspelt option fails here, not for the team)."""

import re
import shlex
from pathlib import Path

import pytest

from harmreport import cli
from harmreport.foi import new_edition
from harmreport.pipeline import rerun
from harmreport.project import paths

DOCS = [paths.ROOT / "README.md", *sorted((paths.ROOT / "docs").glob("*.md"))]
# Folders of the project whose files the guides name (report/ and build/ are made by builds).
PROJECT = ("harmreport", "tests", "scripts", "templates", "data", "docs", "notebooks", "bench")
MADE = {  # named as what a command makes, not as a file of the project
    "data/tables.xlsx": "in each edition's folder",
    "templates/editions/2025.html.j2": "what `new 2025` writes",
}
PLACEHOLDER = re.compile(r"[<*…{]|\bNAME\b|\bYEAR\b|\bDATE\b|\bFILE\b|\bDIR\b")


def spans(path: Path) -> list[str]:
    """Inline code and the lines of code blocks, in order."""
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    inline = re.findall(r"(?<!`)`([^`\n]+)`(?!`)", re.sub(r"```.*?```", "", text, flags=re.S))
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [s for s in inline + lines if s]


def named_paths(text: str) -> list[str]:
    return [
        word.rstrip(".,;:)")
        for word in re.split(r"[\s=(]+", text)
        if word.split("/")[0] in PROJECT and "/" in word and not PLACEHOLDER.search(word)
    ]


def commands(text: str, program: str) -> list[list[str]]:
    found = []
    for match in re.finditer(rf"{re.escape(program)}\s+([^`|]*)", text):
        words = shlex.split(match.group(1).split(" #")[0])
        if not any(PLACEHOLDER.search(word) for word in words):
            found.append(words)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_file_a_guide_names_exists(doc):
    named = {name for span in spans(doc) for name in named_paths(span)}
    missing = sorted(n for n in named - set(MADE) if not (paths.ROOT / n).exists())
    assert missing == [], f"{doc.name} names files that are not in the project"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_make_target_a_guide_names_exists(doc):
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.M))
    named = {t for span in spans(doc) for t in re.findall(r"\bmake ([a-z][a-z-]*)", span)}
    assert named - targets == set()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_module_a_guide_runs_exists(doc):
    import importlib.util

    named = {m for span in spans(doc) for m in re.findall(r"python -m ([\w.]+)", span)}
    assert {m for m in named if importlib.util.find_spec(m) is None} == set()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_line_a_guide_gives_parses(doc, capsys):
    lines = [words for span in spans(doc) for words in commands(span, "run_report.py")]
    for words in lines:
        try:
            if words[:1] in (["new"], ["status"]):
                new_edition.parse(words)
            elif words[:1] == ["rerun"]:
                rerun.parse(words[1:])
            else:
                cli.parse_args(words)
        except SystemExit:
            pytest.fail(
                f"{doc.name}: run_report.py {shlex.join(words)}: {capsys.readouterr().err}"
            )


def test_the_guides_give_commands_to_check():
    """The checks above see what the guides say (they are not empty by accident)."""
    every = [span for doc in DOCS for span in spans(doc)]
    assert len([w for s in every for w in commands(s, "run_report.py")]) >= 10
    assert len({n for s in every for n in named_paths(s)}) >= 20
