"""The notebooks and their parameters: what papermill may set in each, checked before any
kernel starts."""

import ast
import json
from pathlib import Path

from . import paths
from .errors import InputError

NOTEBOOKS = {
    "validate": "01_validate_returns",
    "statistics": "02_headline_statistics",
    "figures": "03_figures",
}


def check_parameters(parameters: dict) -> None:
    """papermill only warns about a parameter the notebook does not declare; here it is an
    error, raised before any kernel starts."""
    for name in NOTEBOOKS.values():
        declared = declared_parameters(paths.NOTEBOOKS / f"{name}.ipynb")
        unknown = sorted(set(parameters) - set(declared))
        if unknown:
            raise InputError(
                f"notebook {name}.ipynb has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(declared)}"
            )


def declared_parameters(notebook: Path) -> list[str]:
    """The names assigned in the notebook's cell tagged "parameters": what papermill sets."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            names = []
            for node in ast.parse("".join(cell["source"])).body:
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [getattr(node, "target", None)]
                )
                names += [target.id for target in targets if isinstance(target, ast.Name)]
            return names
    return []
