"""Each executed notebook as a web page beside it (nbconvert), so that a reviewer can read how
every published figure was computed without Jupyter; the web page's section "For reviewers:
where each figure is computed" links each figure to its cell.

    python -m harmreport.notebooks.pages FOLDER

With a core to spare, the build runs this in a process of its own while WeasyPrint prints the
PDF; otherwise it calls write_pages itself (its second build finds nbconvert imported)."""

import sys
from functools import cache
from pathlib import Path

from harmreport.project import paths

TEMPLATE = "reviewer"  # templates/nbconvert/reviewer: JupyterLab's look, no external scripts


def write_pages(folder: Path) -> list[Path]:
    written = []
    for notebook in sorted((Path(folder) / "notebooks").glob("*.ipynb")):
        body, _ = _exporter().from_filename(str(notebook))
        page = notebook.with_suffix(".html")
        page.write_text(body, encoding="utf-8")
        written.append(page)
    return written


@cache
def _exporter():
    """One for the process: a process building again finds its templates loaded."""
    from nbconvert import HTMLExporter  # imported here: only this process needs it

    return HTMLExporter(
        template_name=TEMPLATE, extra_template_basedirs=[str(paths.TEMPLATES / "nbconvert")]
    )


CANNOT_WRITE = 4  # exit code: a full or read-only disk, the machine's problem, not a bug

if __name__ == "__main__":
    try:
        write_pages(Path(sys.argv[1]))
    except OSError as exc:
        print(exc.strerror or exc, file=sys.stderr)
        sys.exit(CANNOT_WRITE)
