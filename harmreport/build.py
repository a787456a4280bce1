"""Build one edition: validate the returns, run the notebooks with papermill, render HTML and
PDF, check disclosure control, write the manifest and publish. Each failure is raised as a
BuildError whose exit code and message the CLI shows to people."""

import hashlib
import json
import logging
import os
import platform
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import papermill
from papermill.exceptions import PapermillExecutionError

from . import editions, paths, render
from .outputs import read_json, write_json
from .problems import ReturnsError
from .publish import BuildLocked, Publication, write_atomically
from .returns import load_returns

log = logging.getLogger("harmreport")

NOTEBOOKS = {
    "validate": "01_validate_returns",
    "statistics": "02_headline_statistics",
    "figures": "03_figures",
}
FORMATS = ("html", "pdf")
PACKAGES = ("papermill", "weasyprint", "pandas", "matplotlib", "jinja2", "openpyxl", "nbclient")
DEFAULT_CELL_TIMEOUT = 600  # seconds; a hung kernel fails the build instead of hanging it


class BuildError(Exception):
    exit_code = 1

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []


class InputError(BuildError):
    exit_code = 2


class DisclosureError(BuildError):
    exit_code = 3


class EnvironmentProblem(BuildError):
    exit_code = 4


class NotebookFailed(BuildError):
    exit_code = 5


class InternalError(BuildError):
    """A bug, not the user's input: one line on the console, the traceback in the log."""

    exit_code = 1


@dataclass
class BuildRequest:
    year: int
    returns_path: Path | None = None
    out_root: Path = paths.REPORT
    formats: tuple[str, ...] = FORMATS
    cell_timeout: int = DEFAULT_CELL_TIMEOUT


@dataclass
class Progress:
    """One line on stderr per stage, with its time, so a long build never looks hung."""

    year: int
    write: callable = print
    started: float = field(default_factory=time.perf_counter)

    def stage(self, name: str, detail: str, since: float) -> None:
        self.write(f"[{self.year}] {name:<10} {time.perf_counter() - since:6.1f} s  {detail}")


def check_request(request: BuildRequest) -> editions.DataYear:
    """Everything that can be checked before a folder is made or a kernel started."""
    try:
        edition = editions.edition(request.year)
    except editions.UnknownYear as exc:
        raise InputError(str(exc)) from None
    if request.returns_path is not None and not Path(request.returns_path).is_file():
        raise InputError(f"the returns file {request.returns_path} does not exist")
    unknown = set(request.formats) - set(FORMATS)
    if unknown:
        raise InputError(f"unknown format {', '.join(sorted(unknown))}; use html, pdf or both")
    check_parameters(notebook_parameters(request, request.returns_path or edition.returns))
    return edition


def notebook_parameters(request: BuildRequest, returns_file: Path) -> dict:
    # Relative paths and output_dir "." (the kernel runs in the staging folder) keep the
    # executed notebooks free of this machine's folders.
    return {
        "year": request.year,
        "returns_path": paths.shown_path(returns_file),
        "output_dir": ".",
    }


def check_parameters(parameters: dict) -> None:
    """papermill only warns about a parameter the notebook does not declare; here it is an
    error, raised before any kernel starts."""
    for name in NOTEBOOKS.values():
        declared = papermill.inspect_notebook(str(paths.NOTEBOOKS / f"{name}.ipynb"))
        unknown = sorted(set(parameters) - set(declared))
        if unknown:
            raise InputError(
                f"notebook {name}.ipynb has no parameter {', '.join(unknown)}; "
                f"its parameters: {', '.join(declared)}"
            )


def build_edition(request: BuildRequest, write=print) -> Path:
    edition = check_request(request)
    progress = Progress(request.year, write)
    returns_file = request.returns_path or edition.returns
    try:
        with Publication(request.out_root, request.year) as publication:
            handler = _log_to(publication.staging / "build.log")
            try:
                _build_in(publication, request, edition, Path(returns_file), progress)
                return publication.publish()
            except Exception as exc:
                raise _explained(exc, publication) from None
            except BaseException:
                log.exception("build interrupted")
                raise
            finally:
                logging.getLogger().removeHandler(handler)
                handler.close()
    except BuildLocked as exc:
        raise EnvironmentProblem(str(exc)) from None
    except OSError as exc:
        raise _file_system_error(exc, request.out_root) from None


def _explained(exc: Exception, publication: Publication) -> BuildError:
    """Any failure as a BuildError for people, its traceback kept in the run's log."""
    log_path = publication.failed / "build.log"
    if isinstance(exc, BuildError):
        log.error("%s\n%s", exc, "\n".join(exc.details))
        error = exc
    else:
        log.exception("build failed")
        error = (
            _file_system_error(exc, publication.out_root)
            if isinstance(exc, OSError)
            else InternalError(f"unexpected error: {type(exc).__name__}: {exc}")
        )
    error.details.append(f"full log: {log_path} (with this run's notebooks)")
    return error


def _file_system_error(exc: OSError, where: Path) -> EnvironmentProblem:
    return EnvironmentProblem(f"cannot write to {exc.filename or where}: {exc.strerror or exc}")


def _log_to(path: Path) -> logging.Handler:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    return handler


def _build_in(publication, request, edition, returns_file, progress):
    staging = publication.staging
    since = time.perf_counter()
    returns = validate(returns_file, edition)
    run_notebook("validate", staging, request, returns_file)
    progress.stage(
        "validate", f"{returns.contacted} authorities, {len(returns.warnings)} warnings", since
    )
    for warning in returns.warnings:
        progress.write(f"[{request.year}] warning: {warning}")
    since = time.perf_counter()
    run_notebook("statistics", staging, request, returns_file)
    stats = read_json(staging / "stats.json")
    check_disclosure(stats)
    progress.stage("statistics", "stats.json", since)
    since = time.perf_counter()
    run_notebook("figures", staging, request, returns_file)
    progress.stage("figures", f"{len(list((staging / 'figures').glob('*.svg')))} SVG", since)
    render_outputs(staging, stats, edition, returns, request.formats, progress)
    write_manifest(staging, request, edition, returns_file)


def validate(returns_file: Path, edition: editions.DataYear):
    try:
        returns = load_returns(returns_file, edition.year)
        if edition.comparison_year:
            load_returns(None, edition.comparison_year)
    except ReturnsError as exc:
        count = len(exc.problems)
        raise InputError(
            f"the returns have {count} problem{'s' * (count > 1)}; nothing was published",
            exc.lines(),
        ) from None
    return returns


def run_notebook(stage: str, staging: Path, request: BuildRequest, returns_file: Path) -> Path:
    name = NOTEBOOKS[stage]
    target = staging / "notebooks" / f"{name}.ipynb"
    target.parent.mkdir(exist_ok=True)
    parameters = {
        "year": request.year,
        "returns_path": paths.shown_path(returns_file),
        "output_dir": ".",
    }
    try:
        with _kernel_stderr_to(staging / "build.log"):
            papermill.execute_notebook(
                str(paths.NOTEBOOKS / f"{name}.ipynb"),
                str(target),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(staging),
                progress_bar=False,
                log_output=False,
                execution_timeout=request.cell_timeout,
            )
    except PapermillExecutionError as exc:
        raise NotebookFailed(
            f"notebook {name}.ipynb failed at cell In [{exc.exec_count}]: {exc.ename}: "
            f"{_first_line(exc.evalue)}"
        ) from None
    except OSError as exc:
        if exc.errno is not None:  # the disk, not the notebook (nbclient's timeouts have none)
            raise
        raise NotebookFailed(
            f"notebook {name}.ipynb did not finish: {type(exc).__name__}: {_first_line(str(exc))}"
        ) from None
    except Exception as exc:  # a dead kernel and the like: nbclient raises many types
        raise NotebookFailed(
            f"notebook {name}.ipynb did not finish: {type(exc).__name__}: {_first_line(str(exc))}"
        ) from None
    normalise_notebook(target, name)
    return target


@contextmanager
def _kernel_stderr_to(path: Path):
    """The kernel writes its own chatter to the stderr it inherits; send it to the run's log
    so the console shows only the build's progress and errors."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "a", encoding="utf-8") as log_file:
        os.dup2(log_file.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def normalise_notebook(path: Path, name: str) -> None:
    """Drop what changes from run to run (timings, the staging folder's name), so the same
    inputs give the same bytes."""
    book = json.loads(path.read_text(encoding="utf-8"))
    meta = book["metadata"].get("papermill", {})
    for key in ("start_time", "end_time", "duration"):
        meta.pop(key, None)
    meta["input_path"] = meta["output_path"] = f"notebooks/{name}.ipynb"
    for cell in book["cells"]:
        if "injected-parameters" in cell["metadata"].get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        cell["metadata"].pop("execution", None)
        if "outputs" in cell:
            cell["outputs"] = _merged_streams(cell["outputs"])
        for key in ("start_time", "end_time", "duration"):
            cell["metadata"].get("papermill", {}).pop(key, None)
    path.write_text(
        json.dumps(book, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )


def _merged_streams(outputs: list[dict]) -> list[dict]:
    """The kernel flushes print() output in chunks that depend on timing; one output per
    stream, as a reader sees it, makes the bytes repeatable."""
    merged: list[dict] = []
    for output in outputs:
        if output.get("output_type") == "stream":
            text = "".join(output["text"]) if isinstance(output["text"], list) else output["text"]
            previous = merged[-1] if merged else {}
            if previous.get("output_type") == "stream" and previous["name"] == output["name"]:
                previous["text"] += text
                continue
            output = {**output, "text": text}
        merged.append(output)
    return merged


def check_disclosure(stats: dict) -> None:
    """Refuse to publish any authority-level count from 1 to 4 (anything carrying a `code`)."""
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            if "code" in node:
                found.extend(
                    f"{where}: {node['code']} {key}={value}"
                    for key, value in node.items()
                    if isinstance(value, int) and 0 < value < 5
                )
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk(stats, "stats")
    if found:
        raise DisclosureError(
            "publishing blocked: authority-level counts from 1 to 4 would be published", found
        )


def render_outputs(staging, stats, edition, returns, formats, progress):
    since = time.perf_counter()
    html = render.render_html(stats, edition, staging)
    if "html" in formats:
        (staging / "index.html").write_text(html, encoding="utf-8")
        progress.stage("HTML", "index.html", since)
    if "pdf" in formats:
        since = time.perf_counter()
        render.render_pdf(html, staging, staging / "report.pdf")
        progress.stage("PDF", "report.pdf", since)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_files(returns_file: Path, edition: editions.DataYear) -> list[Path]:
    files = [returns_file, *returns_file.parent.glob(f"{returns_file.stem}_nationalities.csv")]
    if edition.comparison_year:
        files.append(editions.data_year(edition.comparison_year).returns)
    files += [paths.AUTHORITIES, paths.EDITIONS, paths.SOURCES, paths.FACTS]
    files += sorted(paths.NOTEBOOKS.glob("*.ipynb")) + sorted(paths.TEMPLATES.rglob("*.*"))
    files += sorted((paths.ROOT / "harmreport").glob("*.py"))
    return [f for f in files if f.is_file()]


def write_manifest(staging: Path, request: BuildRequest, edition, returns_file: Path) -> None:
    outputs = sorted(p for p in staging.rglob("*") if p.is_file() and p.name != "build.log")
    manifest = {
        "edition": edition.year,
        "title": edition.title,
        "period": edition.period_label,
        "illustrative": editions.is_illustrative(returns_file),
        "parameters": {
            "year": request.year,
            "returns": paths.shown_path(returns_file),
            "formats": list(request.formats),
        },
        "inputs": {paths.shown_path(f): sha256(f) for f in input_files(returns_file, edition)},
        "outputs": {str(p.relative_to(staging)): sha256(p) for p in outputs},
        "environment": {
            "python": platform.python_version(),
            "packages": {p: metadata.version(p) for p in PACKAGES},
        },
    }
    write_json(staging / "manifest.json", manifest)
    (staging / "build.log").unlink(missing_ok=True)


def update_index(out_root: Path) -> Path:
    """The index of editions in OUT/, for the web staff."""
    built = []
    for manifest in sorted(Path(out_root).glob("[0-9]*/manifest.json"), reverse=True):
        info = read_json(manifest)
        folder = manifest.parent
        built.append(
            {
                **info,
                "folder": folder.name,
                "has_html": (folder / "index.html").exists(),
                "has_pdf": (folder / "report.pdf").exists(),
            }
        )
    index = Path(out_root) / "index.html"
    write_atomically(index, render.render_index(built))
    return index
