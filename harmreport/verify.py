"""`run_report.py --year Y --verify`: is the published edition what the current inputs make?

Compares, and names every difference with its likely reason: the inputs the manifest recorded
against the files now (an input changed), the package versions against those installed (the
environment differs), the published files against the manifest (an output was changed after
publishing), and a rebuild in a temporary folder against the manifest (the build no longer
gives the same bytes). Exit 0 only when everything matches."""

import tempfile
from pathlib import Path

from . import editions, paths, site
from .errors import BuildError, InputError
from .manifest import environment_differences, output_differences, sha256
from .outputs import read_json
from .request import BuildRequest


class VerificationFailed(BuildError):
    exit_code = 6


def verify_edition(request: BuildRequest, session, write=print) -> int:
    """Check a published edition against its manifest; its rebuild runs on `session`'s kernel."""
    folder = Path(request.out_root) / str(request.year)
    if not (folder / "manifest.json").is_file():
        raise InputError(f"{folder} holds no edition to verify (no manifest.json)")
    manifest = read_json(folder / "manifest.json")
    differences = (
        changed_inputs(manifest, request.returns_path, request.year)
        + changed_environment(manifest)
        + changed_outputs(manifest, folder, "published")
        + site.index_differences(request.out_root)
        + rebuilt_differences(manifest, request, write, session)
    )
    if differences:
        raise VerificationFailed(
            f"{len(differences)} difference{'s' * (len(differences) > 1)} from the manifest",
            differences,
        )
    return len(manifest["outputs"])


def changed_inputs(manifest: dict, given: Path | None, year: int | None = None) -> list[str]:
    """Inputs against the files now; real returns (given with --data, or in the private
    folder) are named in the manifest by their file name only, and read from where they are
    now."""
    found = []
    real = Path(given) if given else editions.edition(year).returns if year else None
    beside = {p.name: p for p in (real, real and editions.nationalities_file(real)) if p}
    for name, digest in manifest["inputs"].items():
        path = beside.get(name) or paths.project_path(name)
        if not path.is_file():
            found.append(f"input missing: {name} (it was read by the build)")
        elif sha256(path) != digest:
            found.append(f"input changed since the build: {name}")
    return found


def changed_environment(manifest: dict) -> list[str]:
    found = []
    for kind, name, was, here in environment_differences(manifest["environment"]):
        if kind == "font":
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


def rebuilt_differences(manifest: dict, request: BuildRequest, write, session) -> list[str]:
    """Build the edition again, from the current inputs, in a temporary folder."""
    from .build import build_edition  # imported here: the checks above need none of it

    recorded = manifest["parameters"]
    returns = request.returns_path
    shipped = paths.shown_path(editions.edition(request.year).returns)
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
        )
        write(f"[{request.year}] verify: rebuilding in a temporary folder")
        build_edition(rebuild, session, write=lambda line: None)
        return changed_outputs(manifest, rebuild.out_root / str(request.year), "rebuilt")
