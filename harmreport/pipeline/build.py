"""Build one edition: validate the returns, run the notebooks with papermill, render HTML and
PDF, check disclosure control, write the manifest and publish. Each failure is raised as a
BuildError whose exit code and message the CLI shows to people."""

import errno
import logging
import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harmreport.intake.problems import ReturnsError
from harmreport.notebooks.pages import CANNOT_WRITE, write_pages
from harmreport.notebooks.runner import run_notebook
from harmreport.outputs import cms_fragment
from harmreport.outputs.pdf_printer import Printer
from harmreport.pipeline import console, interrupts
from harmreport.project import configuration, editions, formatting, paths, template_rules
from harmreport.project.build_request import FORMATS, BuildRequest, Job
from harmreport.project.errors import (
    BuildError,
    DisclosureError,
    EnvironmentProblem,
    InputError,
    InternalError,
)
from harmreport.project.inputs import ReturnsFile
from harmreport.project.jsonfiles import read_json
from harmreport.publishing import edition_index
from harmreport.publishing.edition_folders import (
    BuildLocked,
    NotOurs,
    Publication,
    check_ownership,
    work_folder,
)
from harmreport.publishing.incremental import ANALYSIS, NOTHING_PUBLISHED, Plan, stage_of_output
from harmreport.publishing.manifest import write_manifest

# pandas, WeasyPrint and papermill (through returns, render, output_check and run_notebook) are
# imported where first needed, once the notebooks' kernel is starting: its second or so of
# start-up is spent on those imports and on validating the returns.

log = logging.getLogger("harmreport")


@dataclass
class Progress:
    """One line on stderr per stage, with its time, so a long build never looks hung."""

    year: int
    write: callable = print

    def stage(self, name: str, detail: str, since: float) -> None:
        interrupts.check()  # a signal swallowed during the stage stops the build here
        self.write(f"[{self.year}] {name:<10} {time.perf_counter() - since:6.1f} s  {detail}")


def check_request(job: Job) -> None:
    """Everything that can be checked before a folder is made or a kernel started."""
    configuration.check_configuration()
    request, edition = job.request, job.edition
    if request.returns_path is not None:
        _check_returns_path(job.returns.path, Path(request.out_root))
        _check_not_another_years(job.returns.path, edition)
    elif edition.returns == editions.private_returns(edition.year) and (
        editions.private_folder_problem(editions.private_folder())
    ):
        raise InputError(editions.private_folder_problem(editions.private_folder()))
    elif not edition.returns.is_file():
        raise InputError(_no_returns(edition))
    from harmreport.foi.new_edition import stubs_left

    stubs = stubs_left(request.year)
    if stubs:
        raise InputError(
            f"the {request.year} edition still has {len(stubs)} STUB line(s) to write; "
            "nothing was published",
            stubs,
        )
    unknown = set(request.formats) - set(FORMATS)
    if unknown:
        raise InputError(f"unknown format {', '.join(sorted(unknown))}; use html, pdf or both")
    try:
        check_ownership(request.out_root, request.year)
        edition_index.check_index_ownership(request.out_root)
    except NotOurs as exc:
        raise EnvironmentProblem(str(exc)) from None


def _check_returns_path(path: Path, out_root: Path) -> None:
    if path.is_dir():
        raise InputError(f"the returns file {path} is a folder; give the .csv or .xlsx in it")
    if not path.is_file():
        raise InputError(f"the returns file {path} does not exist")
    for folder in (out_root, work_folder(out_root)):
        if path.resolve().is_relative_to(folder.resolve()):
            raise EnvironmentProblem(
                f"the returns file {path} is inside {folder}, which the build replaces or "
                "clears; move it out of the output folder first"
            )


def _no_returns(edition: editions.DataYear) -> str:
    folder = editions.private_folder()
    where = (
        f"there is no returns_{edition.year}.xlsx or .csv in the private returns folder {folder}"
        if folder
        else "no private returns folder is named (HBH_RETURNS, or returns_folder in local.toml)"
    )
    return (
        f"the {edition.year} edition's returns were not found: {where}; put the returns "
        "there or give the file with --data (see docs/next-edition.md)"
    )


def _check_not_another_years(path: Path, edition: editions.DataYear) -> None:
    """The returns given must not be another data year's: last year's workbook given for
    this year would build an edition of the wrong year without a word."""
    given = path.read_bytes()
    for other in editions.all_data_years():
        mine = other.year == edition.year or not other.returns.is_file()
        if not mine and other.returns.read_bytes() == given:
            raise InputError(
                f"the returns file {path} is the {other.year} returns "
                f"({paths.shown_path(other.returns)}), not {edition.year}'s"
            )


def notebook_parameters(year: int, returns: ReturnsFile) -> dict:
    # Relative paths and output_dir "" (in a build: the staging folder the kernel runs in;
    # rerun by hand: build/<year>) keep the executed notebooks free of this machine's folders
    # and safe to rerun anywhere.
    return {"year": year, "returns_path": returns.shown, "output_dir": ""}


def snapshot_returns(returns: ReturnsFile, publication: Publication) -> ReturnsFile:
    """Real returns (given with --data, or the private folder's), copied with their
    nationalities table beside the edition being built: the build reads a file that cannot
    change under it, and names it by a path relative to the staging folder, which holds no
    folder of this machine."""
    if returns.illustrative:
        return returns
    for source in (returns.path, returns.nationalities):
        if source.is_file():
            shutil.copyfile(source, publication.inputs / source.name)
    copy = publication.inputs / returns.path.name
    shown = os.path.relpath(copy, publication.staging)
    return ReturnsFile(copy, publication.inputs / returns.nationalities.name, False, shown)


def build_edition(job: Job, session, write=print, plan: Plan | None = None) -> Path:
    """Build (or, as the plan allows, partly reuse) one edition and publish it; its notebooks
    run on the kernel that `session` (the BuildSession making it) gives."""
    check_request(job)
    request = job.request
    progress = Progress(request.year, write)
    plan = plan or Plan.everything(NOTHING_PUBLISHED)
    try:
        with Publication(request.out_root, request.year) as publication:
            handler = _log_to(publication.log)
            try:
                build = EditionBuild(job, publication, progress)
                _build_in(build, plan, session)
                _say_if_the_pdf_goes(build)
                interrupts.check()
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


def _say_if_the_pdf_goes(build: "EditionBuild") -> None:
    """A build without the PDF replaces the whole edition: a PDF published before goes with
    it (it would no longer match the web page), said here and in the index."""
    if "pdf" not in build.request.formats and (build.publication.target / "report.pdf").is_file():
        build.say(
            "warning: the published report.pdf is removed with this build, which made none "
            "(--format html); build with the PDF to publish one again"
        )


def _explained(exc: Exception, publication: Publication) -> BuildError:
    """Any failure as a BuildError for people, its traceback kept in the run's log."""
    log_path = publication.failed / "build.log"
    if isinstance(exc, BuildError):
        log.error("%s\n%s", exc, "\n".join(exc.everything))
        error = exc
    elif isinstance(exc, NotOurs):  # the edition folder changed hands during the build
        log.error("%s", exc)
        error = EnvironmentProblem(str(exc))
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


class _RunLog(logging.FileHandler):
    """The run's log. A write that fails (a full disk) is said once on the console and the
    log stops there: never logging's traceback for every line after it."""

    failed = False

    def emit(self, record) -> None:
        if not self.failed:
            super().emit(record)

    def handleError(self, record) -> None:
        if not self.failed:
            self.failed = True
            error = sys.exc_info()[1]
            why = getattr(error, "strerror", None) or error
            console.progress(
                f"warning: the run's log {self.baseFilename} cannot be written ({why}); "
                "it stops here"
            )


def _log_to(path: Path) -> logging.Handler:
    handler = _RunLog(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    return handler


@dataclass
class EditionBuild:
    """One edition's build under way: the job (what was asked, the edition, its returns), the
    folders it is made in, its console lines and, for a PDF, the printer."""

    job: Job
    publication: Publication
    progress: Progress
    printer: Printer | None = None

    @property
    def request(self) -> BuildRequest:
        return self.job.request

    @property
    def edition(self) -> editions.DataYear:
        return self.job.edition

    @property
    def staging(self) -> Path:
        return self.publication.staging

    def say(self, line: str) -> None:
        self.progress.write(f"[{self.request.year}] {line}")


def _build_in(build: EditionBuild, plan: Plan, session) -> None:
    request, staging = build.request, build.staging
    read_from = snapshot_returns(build.job.returns, build.publication)
    parameters = notebook_parameters(request.year, read_from)
    since = time.perf_counter()
    build.printer = Printer(staging, build.edition) if "pdf" in request.formats else None
    try:
        if plan.reuse_analysis:
            returns, *earlier = validate(read_from.path, build.edition)
            build.say(plan.summary())
            reused = reuse_analysis(build.publication.target, staging)
            build.progress.stage("reused", f"{reused} files of the published analysis", since)
        else:
            if plan.reasons[ANALYSIS] != [NOTHING_PUBLISHED]:
                build.say(plan.summary())
            with session.kernel(staging, build.publication.log) as kernel:  # slowest to start
                returns, *earlier = validate(read_from.path, build.edition)
                if build.printer:
                    build.printer.load()
                analyse(build, parameters, returns, kernel, since)
        render_outputs(build, read_json(staging / "stats.json"), session)
    finally:
        if build.printer:
            build.printer.stop()  # a build that fails or is interrupted stops it, and waits
    run = {
        "year": request.year,
        "returns": build.job.returns.shown,
        "formats": list(request.formats),
        "base_url": request.base_url,
    }
    write_manifest(staging, run, build.edition, read_from)
    since = time.perf_counter()
    checked = check_outputs(staging, [returns, *earlier], request.out_root, build.edition)
    build.progress.stage("check", f"{checked} published files hold no disclosive figure", since)


def _cell_line(returns, cell) -> str:
    """An authority's cell as the team finds it in its returns: row, name, column."""
    year, code, column = cell
    where = f"{year} returns" if year != returns.year else "the returns"
    found = _authority_row(returns, code)
    if found:
        return f"{where}, row {found[0]} ({found[1]}, {code}), column {column}"
    return f"{where}, authority {code}, column {column}"


def _authority_row(returns, code) -> tuple | None:
    """(row in the returns file, name) of an authority the returns hold."""
    if code in returns.authorities.index:
        found = returns.authorities.loc[code]
        return found["row"], found["name"]
    return None


def refusal_choices(year: int) -> list[str]:
    """What the team can do when disclosure control refuses (docs/next-edition.md, exit 3)."""
    return [
        "what you can do:",
        "  - check the cells named above in the returns: a mistyped count gives itself away;",
        f"  - the list of authorities with the most children still missing: top_still_missing "
        f"= 0 under [years.{year}] in data/editions.toml publishes no list;",
        "  - an edition already published in the output folder (or a version under previous/) "
        "may give it away by difference: its figures cannot be taken back, so talk to whoever "
        "maintains the build before republishing;",
        "  - nothing was published: the edition already in the output folder is unchanged.",
    ]


def _check_revisions(build: EditionBuild, stats: dict) -> None:
    """A republication says what changed: figures that differ from the edition as published
    are listed for the revision log, and a log entry that does not match refuses the build."""
    from harmreport.analysis.republication import revisions_problems

    changed, wrong = revisions_problems(build.edition, build.request.out_root, stats)
    if wrong:
        raise InputError(
            f"data/editions.toml: the {build.request.year} revision log does not match the "
            "build; nothing was published",
            wrong,
        )
    if changed:
        build.say(
            f"warning: {len(changed)} figure(s) differ from the edition as published; record "
            f"the republication in data/editions.toml as [[years.{build.request.year}.revisions]] "
            "with date, what, and for a figure: figure, old, new"
        )
        for line in changed[:20]:
            build.say(f"  {line}")


def analyse(build: EditionBuild, parameters: dict, returns, kernel, since: float) -> None:
    """The three notebooks, in turn, on the edition's real kernel in the staging folder; the
    PDF's printing begins once the statistics exist."""
    staging, log_file, printer = build.staging, build.publication.log, build.printer

    def run(stage):
        fresh = kernel.fresh()
        timeout = build.request.cell_timeout
        run_notebook(stage, staging, parameters, timeout, log_file, kernel=fresh)

    run("validate")
    warnings = returns.warnings
    sheet = f" from sheet '{returns.sheet}'" if returns.sheet else ""
    build.progress.stage(
        "validate", f"{returns.contacted} authorities{sheet}, {len(warnings)} warnings", since
    )
    for warning in warnings:
        build.say(f"warning: {warning}")
    for source in configuration.uncited_sources():
        build.say(f"warning: data/sources.toml: '{source}' is cited by no template")
    for unused in template_rules.misnamed_edition_templates():
        build.say(f"warning: {unused}")
    since = time.perf_counter()
    run("statistics")
    stats = read_json(staging / "stats.json")
    unprotected = stats["disclosure"].get("unprotected")
    if unprotected:  # said so rather than published
        cells = stats["disclosure"].get("unprotected_cells", [])
        raise DisclosureError(
            f"publishing blocked: disclosure control found {unprotected} figure(s) a reader "
            "could work out that no suppression in this edition protects (rule 4); nothing "
            "was published",
            [_cell_line(returns, cell) for target in cells for cell in target[:3]]
            + refusal_choices(build.request.year),
        )
    _check_revisions(build, stats)
    by_rule = _rule_counts(stats["disclosure"]["suppressed_by_rule"])
    build.progress.stage("statistics", f"stats.json; [c]: {by_rule}", since)
    for key, why in stats["disclosure"].get("hidden_in_earlier_editions", {}).items():
        build.say(f"[c] {key}: {why}, so hidden here too")
    for key, answered in stats.get("low_reliability", {}).items():
        build.say(f"warning: [u] {key} rests on {answered}: marked low reliability, and not "
                  "written as a finding for the UK")  # fmt: skip
    if printer:
        printer.start(stats)
    since = time.perf_counter()
    run("figures")
    if printer:
        printer.figures_drawn()
    build.progress.stage("figures", f"{len(list((staging / 'figures').glob('*.svg')))} SVG", since)


def reuse_analysis(published: Path, staging: Path) -> int:
    """Copy the published edition's analysis (all but what rendering makes) into staging."""
    copied = 0
    for path in sorted(p for p in published.rglob("*") if p.is_file()):
        name = str(path.relative_to(published))
        if stage_of_output(name) == ANALYSIS:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, staging / name)
            copied += 1
    return copied


def _rule_counts(by_rule: dict) -> str:
    return ", ".join(f"{n} by {rule}" for rule, n in by_rule.items()) or "none"


def validate(returns_file: Path, edition: editions.DataYear) -> list:
    """The edition's returns, then its comparison year's if it has one."""
    from harmreport.intake.returns import load_returns

    try:
        found = [load_returns(returns_file, edition.year)]
        if edition.comparison_year:
            found.append(load_returns(None, edition.comparison_year))
    except ReturnsError as exc:
        count = len(exc.problems)
        raise InputError(
            f"the returns have {count} problem{'s' * (count > 1)}; nothing was published",
            exc.lines(),
            exc.lines(limit=None),
        ) from None
    return found


def _leak_line(leak, returns) -> str:
    """A leak with the authority's row in the returns, where its figure names one."""
    code = str(leak.figure).rsplit(" at ", 1)[-1] if " at " in str(leak.figure) else None
    found = _authority_row(returns, code)
    return f"{leak} (the returns, row {found[0]}, {found[1]})" if found else str(leak)


def check_outputs(staging: Path, returns_list: list, out_root: Path, edition) -> int:
    """The independent check of every file about to be published, with the editions already
    in the output folder; refuses with exit 3."""
    from harmreport.check import output_check

    names = {
        code: tuple(filter(None, (row["name"], row["typed_name"])))
        for returns in returns_list
        for code, row in returns.authorities.iterrows()
    }
    leaks = output_check.check_edition(
        staging, returns_list, names, out_root, edition.top_still_missing
    )
    if leaks:
        raise DisclosureError(
            "publishing blocked: the independent check found what the build's own disclosure "
            "control did not hide (a defect to report); nothing was published",
            [_leak_line(leak, returns_list[0]) for leak in leaks]
            + refusal_choices(returns_list[0].year),
        )
    return sum(1 for p in staging.rglob("*") if p.is_file())


def render_outputs(build: EditionBuild, stats: dict, session) -> None:
    """The PDF first (the web page gives its size), then the web page and its fragment for
    the content management system; the notebooks' pages meanwhile: in the session's pages
    process while the PDF prints, or here when there is no PDF."""
    since = time.perf_counter()
    if build.printer:  # a process of its own: 9% off a cold build against this one
        with _pages_in_a_process(build.staging, session):
            _render_report(build, stats)
        build.progress.stage("notebooks", "their web pages, made while the report rendered", since)
        return
    write_pages(build.staging)
    build.progress.stage("notebooks", "their web pages", since)
    _render_report(build, stats)


@contextmanager
def _pages_in_a_process(staging: Path, session):
    """The pages written by the session's pages process while the report renders."""
    pages = session.pages_process()
    pages.give(staging)
    try:
        yield
    finally:
        status, message = pages.outcome()
        if status or not session.more_to_come():
            session.drop_pages_process()
    if status == CANNOT_WRITE:  # reported as the build's own writes are (exit 4)
        raise OSError(errno.EIO, message)
    if status:
        raise InternalError(f"the notebooks' web pages could not be made: {message}")


def _render_report(build: EditionBuild, stats: dict) -> None:
    from harmreport.outputs import render

    staging, edition, printer = build.staging, build.edition, build.printer
    since = time.perf_counter()
    made = render.write_tables(stats, edition, staging)
    build.progress.stage("tables", f"{len(made)} files in {made[0].parent.name}/", since)
    pdf_size = ""
    if printer:
        warnings = printer.warnings(stats)
        beside = " (begun while the figures were drawn)" if printer.beside_figures else ""
        build.progress.stage("PDF", f"report.pdf{beside}", printer.figures_at)
        for warning in warnings:
            build.say(f"warning: PDF: {warning}")
        pdf_size = formatting.file_size(staging / "report.pdf")
    if "html" in build.request.formats:
        since = time.perf_counter()
        base_url = build.request.base_url
        html = render.render_html(stats, edition, staging, pdf_size, base_url)
        (staging / "index.html").write_text(html, encoding="utf-8")
        made = "index.html"
        if base_url:
            fragment = cms_fragment.fragment(html, render.web_css(), base_url, edition.year)
            (staging / "fragment.html").write_text(fragment, encoding="utf-8")
            made += ", fragment.html"
        build.progress.stage("HTML", made, since)
        if not base_url:
            build.say(
                "note: no fragment.html, and no sharing preview in the page, without the "
                "address the editions will be published at: give --base-url https://…/ or "
                "set [web] base_url in data/colophon.toml"
            )
