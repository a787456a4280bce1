"""The notebooks and the parameters papermill may set in each: a name a notebook does not
declare is an error (papermill itself only warns, and runs the notebook's defaults)."""

from pathlib import Path

from harmreport.project import paths
from harmreport.project.errors import InputError

NOTEBOOKS = {
    "validate": "01_validate_returns",
    "statistics": "02_headline_statistics",
    "figures": "03_figures",
}


def check_parameters(parameters: dict, notebook: Path | None = None) -> None:
    """Refuse a parameter `notebook` (by default, each of the project's) does not declare."""
    for path in (
        [notebook] if notebook else [paths.NOTEBOOKS / f"{n}.ipynb" for n in NOTEBOOKS.values()]
    ):
        declared = declared_parameters(path)
        unknown = sorted(set(parameters) - set(declared))
        if unknown:
            raise InputError(
                f"notebook {path.name} has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(declared)}"
            )


def declared_parameters(notebook: Path) -> list[str]:
    """The names the notebook's "parameters" cell declares, as papermill inspects them."""
    import papermill

    return list(papermill.inspect_notebook(str(notebook)))
