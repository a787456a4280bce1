"""Every path the project uses, anchored at this file, never at the working directory."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # harmreport/project/paths.py
DATA = ROOT / "data"
RETURNS = DATA / "returns"
ILLUSTRATIVE = RETURNS / "ILLUSTRATIVE.toml"  # the illustrative dataset declares its files
LOCAL_SETTINGS = ROOT / "local.toml"  # git-ignored: where this machine keeps real returns
REFERENCE = DATA / "reference"
AUTHORITIES = REFERENCE / "authorities.csv"
HEXMAP = REFERENCE / "hexmap.hexjson"  # scripts/derive_hexmap.py
EDITIONS = DATA / "editions.toml"
SOURCES = DATA / "sources.toml"
FACTS = DATA / "facts.toml"
COLOPHON = DATA / "colophon.toml"
NOTEBOOKS = ROOT / "notebooks"
TEMPLATES = ROOT / "templates"
REPORT = ROOT / "report"
# Where notebooks write when a reviewer runs them by hand with their defaults (HBH_SCRATCH
# moves it: the tests run the notebooks as a reviewer does, writing only to a temporary folder).
SCRATCH = ROOT / "build"


def scratch_dir(year: int) -> Path:
    return Path(os.environ.get("HBH_SCRATCH") or SCRATCH) / str(year)


def decisions_dir() -> Path:
    """Where earlier editions' disclosure decisions are kept between builds
    (harmreport.analysis.earlier_decisions): names of figures and rules, never a value."""
    return Path(os.environ.get("HBH_SCRATCH") or SCRATCH) / "decisions"


def published_root() -> Path:
    """The output folder whose editions readers already hold
    (harmreport.analysis.republication): in a build, the one it publishes into (its kernel
    runs in <out>.work/staging/<run>/edition); a notebook rerun by hand, report/ in the
    project, or the folder HBH_PUBLISHED names (`run_report.py rerun` names the folder the
    edition is published in)."""
    if os.environ.get("HBH_PUBLISHED"):
        return Path(os.environ["HBH_PUBLISHED"])
    if os.environ.get("HBH_IN_BUILD"):
        work = Path.cwd().resolve().parents[2]
        if work.name.endswith(".work"):
            return work.with_name(work.name.removesuffix(".work"))
    return REPORT


def output_folder(year: int, output_dir: str = "") -> Path:
    """A notebook's output folder: the one named; "" means the build's staging folder inside a
    build (its kernel runs there, with HBH_IN_BUILD set), else build/<year> in the project
    (HBH_SCRATCH moves it), said on the notebook's output, so that a notebook rerun by hand,
    a published one included, writes only there."""
    if output_dir:
        folder = Path(output_dir)
    elif os.environ.get("HBH_IN_BUILD"):
        folder = Path(".")  # relative: what the notebook shows names no folder of this machine
    else:
        folder = scratch_dir(year)
        print(f"writing to {folder}")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def project_path(path: str) -> Path:
    """A path from a notebook parameter: relative to the working folder if it is there (the
    build's snapshot of a returns file), else to the project, so that executed notebooks
    name no folder of the machine that built them."""
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    return ROOT / path


def shown_path(path: Path) -> str:
    """A path as outputs may show it: relative to the project when inside it, else only its
    name (a folder of this machine, a user or case name, never reaches a published file)."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
