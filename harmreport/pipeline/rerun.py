"""`run_report.py rerun FOLDER`: a reviewer's rerun of a published edition's executed
notebooks, with the parameters its build gave them, and the stats.json they make compared
byte for byte with the published one (docs/reviewing.md).

The notebooks run with papermill on a kernel of their own, write only to build/<year>/ (as a
notebook run by hand does), and read what is already published from FOLDER's parent, as the
build did. A parameter given with -p must be one the notebook declares: papermill itself only
warns about a misspelt name and runs the notebook's defaults."""

import argparse
import os
from pathlib import Path

from harmreport.notebooks.parameters import NOTEBOOKS, check_parameters
from harmreport.project import editions, paths
from harmreport.project.errors import BuildError, InputError, NotebookFailed
from harmreport.project.inputs import sha256
from harmreport.project.jsonfiles import read_json


class Different(BuildError):
    exit_code = 6


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="run_report.py rerun", description=__doc__.splitlines()[0].split(": ", 1)[1]
    )
    parser.add_argument("folder", type=Path, help="a published edition, such as report/2024")
    parser.add_argument(
        "-p",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a notebook parameter (year, returns_path, output_dir) instead of the build's",
    )
    parser.add_argument(
        "--data", type=Path, metavar="RETURNS_FILE", help="the returns the edition was built from"
    )
    return parser.parse_args(argv)


def main(argv: list[str], write) -> int:
    args = parse(argv)
    folder = args.folder
    if not (folder / "manifest.json").is_file():
        raise InputError(f"{folder} holds no published edition (no manifest.json)")
    manifest = read_json(folder / "manifest.json")
    parameters = build_parameters(manifest, args.data)
    given = {name: _value(value) for name, value in args.p}
    check_parameters(given)
    parameters.update(given)
    year = int(parameters["year"])
    shown = " ".join(f"-p {name} {value}" for name, value in parameters.items())
    write(f"[{year}] rerunning {folder}/notebooks with {shown}")
    from harmreport.pipeline.verify import recorded_project

    with recorded_project(manifest, year, write, doing="rerun") as project:
        made = run_all(folder, parameters, folder.resolve().parent, project)
    return compare(made, folder, write, year)


def _value(text: str):
    return int(text) if text.lstrip("-").isdigit() else text


def build_parameters(manifest: dict, data: Path | None) -> dict:
    """The parameters the edition's build gave its notebooks, with its returns where they are
    on this machine: the shipped file, or the private folder, or --data; refused unless they
    are the bytes the manifest recorded."""
    year = int(manifest["edition"])
    recorded = manifest["parameters"]["returns"]
    shipped = editions.is_illustrative(paths.project_path(recorded))
    if data:
        returns = Path(data).absolute()
    elif shipped:
        returns = Path(recorded)
    else:  # real returns are never in the published folder: the private folder's, if there
        returns = editions.private_returns(year)
    name = recorded if shipped else Path(recorded).name
    found = paths.project_path(str(returns))
    if not found.is_file() or sha256(found) != manifest["inputs"].get(name):
        raise InputError(
            f"the {year} edition was built from {name}; {returns} is "
            + ("not there" if not found.is_file() else "another file")
            + ": name the private folder with HBH_RETURNS, or give the file with --data "
            "(see docs/next-edition.md)"
        )
    return {"year": year, "returns_path": str(returns), "output_dir": ""}


def run_all(folder: Path, parameters: dict, published: Path, project: Path) -> Path:
    """The edition's three executed notebooks, in order, with the package and data of
    `project` (the commit the edition was built from); the folder they wrote to."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from harmreport.notebooks.runner import _kernel_stderr_to

    year = int(parameters["year"])
    out = Path(parameters["output_dir"]) if parameters["output_dir"] else paths.scratch_dir(year)
    (out / "rerun").mkdir(parents=True, exist_ok=True)
    # The kernel inherits these: the code of the edition's commit, the scratch folder of this
    # project, and what is already published beside the edition.
    os.environ["PYTHONPATH"] = str(project)
    os.environ["HBH_SCRATCH"] = str(paths.scratch_dir(year).parent.absolute())
    os.environ["HBH_PUBLISHED"] = str(published)
    for name in NOTEBOOKS.values():
        try:
            with _kernel_stderr_to(out / "rerun" / "kernel.log"):
                papermill.execute_notebook(
                    str(folder / "notebooks" / f"{name}.ipynb"),
                    str(out / "rerun" / f"{name}.ipynb"),
                    parameters=parameters,
                    kernel_name="python3",
                    progress_bar=False,
                    cwd=str(project),
                )
        except PapermillExecutionError as exc:
            raise NotebookFailed(
                f"notebook {name}.ipynb failed at cell In [{exc.exec_count}]: {exc.ename}: "
                f"{str(exc.evalue).strip().splitlines()[0] if exc.evalue else ''}"
            ) from None
    return out


def compare(out: Path, folder: Path, write, year: int) -> int:
    made, published = out / "stats.json", folder / "stats.json"
    if made.read_bytes() != published.read_bytes():
        now, then = read_json(made), read_json(published)
        differ = sorted(k for k in set(now) | set(then) if now.get(k) != then.get(k))
        raise Different(
            f"the rerun's {made} is not the published {published}",
            [f"differs: {key}" for key in differ],
        )
    write(f"[{year}] {made}: the same bytes as {published}")
    return 0
