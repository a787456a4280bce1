"""The provenance manifest of an edition: parameters, sha256 of every input and output, and
the versions of the packages that made it."""

import platform
import subprocess
from importlib import metadata
from pathlib import Path

from harmreport.outputs.fonts import font_files
from harmreport.project import paths
from harmreport.project.inputs import ReturnsFile, input_hashes, sha256
from harmreport.project.jsonfiles import write_json

PACKAGES = (
    "papermill",
    "weasyprint",
    "pandas",
    "matplotlib",
    "jinja2",
    "openpyxl",
    "nbclient",
    "nbconvert",
)


def font_hashes() -> dict[str, str]:
    """A font updated by the system changes the printed pages and the charts."""
    return {name: sha256(path) for name, path in font_files().items()}


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "packages": {p: metadata.version(p) for p in PACKAGES},
        "fonts": font_hashes(),
    }


def environment_differences(recorded: dict) -> list[tuple[str, str, object, object]]:
    """(kind, name, at the build, here) for Python, each package and each font file that is
    not what a manifest's `environment` recorded; None where one side has none."""
    now = environment()
    found = []
    if recorded.get("python") != now["python"]:
        found.append(("python", "Python", recorded.get("python"), now["python"]))
    for kind, key in (("package", "packages"), ("font", "fonts")):
        was, here = recorded.get(key, {}), now[key]
        for name in sorted(set(was) | set(here)):
            if was.get(name) != here.get(name):
                found.append((kind, name, was.get(name), here.get(name)))
    return found


def output_differences(recorded: dict, folder: Path) -> list[tuple[str, str]]:
    """(name, "missing" | "changed" | "extra") for each file of an edition folder that is not
    as a manifest's `outputs` recorded it."""
    found = []
    for name, digest in recorded.items():
        path = folder / name
        if not path.is_file():
            found.append((name, "missing"))
        elif sha256(path) != digest:
            found.append((name, "changed"))
    listed = set(recorded) | {"manifest.json"}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder)
        if name.parts[0] == "previous":  # the versions a republication replaced, kept as they were
            continue
        if str(name) not in listed:
            found.append((str(path.relative_to(folder)), "extra"))
    return found


def source_state() -> dict:
    """The project's git commit and whether its tracked files were as committed."""

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(paths.ROOT), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {
            "commit": git("rev-parse", "HEAD"),
            "clean": not git("status", "--porcelain", "--untracked-files=no"),
        }
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "clean": None}  # not a git checkout


def write_manifest(staging: Path, parameters: dict, edition, returns: ReturnsFile) -> None:
    outputs = sorted(p for p in staging.rglob("*") if p.is_file())
    manifest = {
        "edition": edition.year,
        "title": edition.title,
        "subtitle": edition.subtitle,
        "period": edition.period_label,
        "published": edition.published,
        "illustrative": returns.illustrative,
        "parameters": parameters,
        "inputs": input_hashes(returns, edition),
        "outputs": {str(p.relative_to(staging)): sha256(p) for p in outputs},
        "source": source_state(),
        "environment": environment(),
    }
    write_json(staging / "manifest.json", manifest)
