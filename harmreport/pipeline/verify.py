"""`run_report.py --year Y --verify`: is the published edition what the current inputs make?

Compares, and names every difference with its likely reason: the inputs the manifest recorded
against the files now (an input changed), the package versions against those installed (the
environment differs), the published files against the manifest (an output was changed after
publishing), and a rebuild in a temporary folder against the manifest (the build no longer
gives the same bytes). Exit 0 only when everything matches."""

import os
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from harmreport.project import editions, paths
from harmreport.project.build_request import BuildRequest, Job
from harmreport.project.errors import BuildError, InputError
from harmreport.project.inputs import ReturnsFile, sha256
from harmreport.project.jsonfiles import read_json
from harmreport.publishing import edition_index
from harmreport.publishing.manifest import (
    environment_differences,
    output_differences,
    source_state,
)


class VerificationFailed(BuildError):
    exit_code = 6


def verify_edition(job: Job, session, write=print) -> int:
    """Check a published edition against its manifest. The rebuild is made from the project
    as the edition recorded it: the working tree if it is still that commit, unchanged (on
    `session`'s kernel), else that commit, exported from git (the next edition's files added
    since change nothing of an earlier one)."""
    request = job.request
    folder = Path(request.out_root) / str(request.year)
    if not (folder / "manifest.json").is_file():
        raise InputError(f"{folder} holds no edition to verify (no manifest.json)")
    manifest = read_json(folder / "manifest.json")
    with recorded_project(manifest, request.year, write) as project:
        inputs = changed_inputs(manifest, job.returns, project)
        returns = Path(manifest["parameters"]["returns"]).name
        if any(line.endswith(f": {returns}") or f": {returns} " in line for line in inputs):
            raise VerificationFailed(  # said first: a rebuild from other returns tells nothing
                f"the returns are not those the {request.year} edition was built from",
                inputs + ["(not rebuilt: give the returns file the edition was built from)"],
            )
        recorded_url = manifest["parameters"].get("base_url", "")
        if request.base_url_given and request.base_url != recorded_url:
            inputs.append(
                f"the address to publish at differs: the edition was built for "
                f"{recorded_url or 'none'}, --base-url gives {request.base_url or 'none'} "
                "(build it again with the new address)"
            )
        differences = (
            inputs
            + changed_environment(manifest, write, request.year)
            + changed_outputs(manifest, folder, "published")
            + edition_index.index_differences(request.out_root)
            + (
                rebuilt_differences(manifest, job, write, session)
                if project == paths.ROOT
                else rebuilt_at(project, manifest, request, write)
            )
        )
    if differences:
        raise VerificationFailed(
            f"{len(differences)} difference{'s' * (len(differences) > 1)} from the manifest",
            differences,
        )
    return len(manifest["outputs"])


@contextmanager
def recorded_project(manifest: dict, year: int, write, doing: str = "verify"):
    """The project folder the edition was built from: this one, or its recorded commit
    exported into a temporary folder."""
    recorded, now = manifest.get("source", {}), source_state()
    commit = recorded.get("commit")
    if not recorded.get("clean") or (now["commit"], now["clean"]) == (commit, True):
        if not recorded.get("clean"):
            write(f"[{year}] {doing}: built from uncommitted changes; using this tree")
        yield paths.ROOT
        return
    with tempfile.TemporaryDirectory(prefix="verify-source-") as temporary:
        project = Path(temporary) / "project"
        if not _export(commit, project):
            write(f"[{year}] {doing}: commit {commit[:12]} is not here; using this tree")
            yield paths.ROOT
            return
        write(f"[{year}] {doing}: using commit {commit[:12]}, as the edition was built")
        yield project


def _export(commit: str, folder: Path) -> bool:
    """The commit's tracked files, written into `folder` (False if git does not have it)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(paths.ROOT), "archive", "--format=tar", commit],
        capture_output=True,
    )
    if archive.returncode != 0:
        return False
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return True


def rebuilt_at(project: Path, manifest: dict, request: BuildRequest, write) -> list[str]:
    """Build the edition with the exported project's own code, in a process of its own."""
    recorded = manifest["parameters"]
    with tempfile.TemporaryDirectory(prefix="verify-") as temporary:
        out = Path(temporary) / "report"
        command = [sys.executable, str(project / "run_report.py"), "--year", str(request.year)]
        command += ["--out", str(out), "--format", ",".join(recorded["formats"])]
        command += ["--base-url", recorded.get("base_url", "")]
        command += ["--data", str(request.returns_path)] if request.returns_path else []
        environment = {**os.environ, "PYTHONPATH": str(project)}
        environment["HBH_SCRATCH"] = str(Path(temporary) / "scratch")
        done = subprocess.run(command, capture_output=True, text=True, env=environment)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            return [
                f"the rebuild from the recorded commit failed (exit {done.returncode}): {last}"
            ]
        return changed_outputs(manifest, out / str(request.year), "rebuilt")


def changed_inputs(manifest: dict, returns: ReturnsFile, project: Path = paths.ROOT) -> list[str]:
    """Inputs against the files now; real returns (given with --data, or in the private
    folder) are named in the manifest by their file name only, and read from where they are
    now."""
    found = []
    beside = {p.name: p for p in (returns.path, returns.nationalities)}
    for name, digest in manifest["inputs"].items():
        entry = re.fullmatch(r"(.+) \[years\.(\d{4})\]", name)
        if entry:  # one year's entry of data/editions.toml
            now = editions.entry_digest(int(entry.group(2)), project / entry.group(1))
            if now != digest:
                found.append(f"input changed since the build: {name}")
            continue
        path = beside.get(name) or project / name
        if not path.is_file():
            found.append(f"input missing: {name} (it was read by the build)")
        elif sha256(path) != digest:
            found.append(f"input changed since the build: {name}")
    return found


def changed_environment(manifest: dict, write=print, year: int | None = None) -> list[str]:
    """Packages and fonts not those of the build (each a difference); another release of
    Python only a note: the same pins on a colleague's Debian (3.11.2) rebuild the same
    files, and the comparison of the files decides."""
    found = []
    for kind, name, was, here in environment_differences(manifest["environment"]):
        if kind == "python":
            write(
                f"[{year}] verify: note: the environment differs: Python {was} at the build, "
                f"{here} here; the published files are compared all the same"
            )
        elif kind == "font":
            found.append(f"environment differs: the font file {name} is not the one of the build")
        else:
            found.append(f"environment differs: {name} {was} at the build, {here} here")
    return found


def changed_outputs(manifest: dict, folder: Path, which: str) -> list[str]:
    found = []
    for name, change in output_differences(manifest["outputs"], folder):
        if change == "missing":
            found.append(f"{which} file missing: {name}")
        elif change == "changed":
            found.append(
                f"{which} file differs from the manifest: {name}"
                + (" (changed after the build)" if which == "published" else "")
            )
        else:
            found.append(f"{which} file not in the manifest: {name}")
    return found


def rebuilt_differences(manifest: dict, job: Job, write, session) -> list[str]:
    """Build the edition again, from the current inputs, in a temporary folder."""
    from harmreport.pipeline.build import build_edition  # the checks above need none of it

    request, recorded = job.request, manifest["parameters"]
    returns = request.returns_path
    shipped = paths.shown_path(job.edition.returns)
    if returns is None and recorded["returns"] != shipped:
        raise InputError(
            f"the edition was built from {recorded['returns']}; give that file with --data "
            "to verify it"
        )
    with tempfile.TemporaryDirectory(prefix="verify-") as temporary:
        rebuild = BuildRequest(
            request.year,
            returns,
            Path(temporary) / "report",
            tuple(recorded["formats"]),
            request.cell_timeout,
            recorded.get("base_url", ""),
        )
        write(f"[{request.year}] verify: rebuilding in a temporary folder")
        build_edition(replace(job, request=rebuild), session, write=lambda line: None)
        return changed_outputs(manifest, rebuild.out_root / str(request.year), "rebuilt")
