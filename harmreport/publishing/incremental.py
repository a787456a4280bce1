"""What of a published edition a build can reuse, decided from hashes alone (before pandas,
matplotlib or WeasyPrint is imported or a kernel started).

A build has two stages. The analysis (the three notebooks: stats.json, figures, the executed
notebooks and the CSV files) depends on the returns, the reference data, the notebooks, the
package's code and the environment. The rendering (HTML, fragment and PDF) depends on those
and on the templates, the styles, the sources, the facts and the colophon. An edition whose
manifest matches every input is reused whole; one where only rendering inputs changed has
its analysis copied and is rendered again."""

from dataclasses import dataclass, field
from pathlib import Path

from harmreport.project import inputs
from harmreport.project.build_request import Job
from harmreport.project.jsonfiles import read_json
from harmreport.publishing import manifest
from harmreport.publishing.edition_folders import NotOurs, check_ownership

ANALYSIS, RENDERING = "analysis", "rendering"
NOTHING_PUBLISHED = "no published edition to reuse"
RENDERING_INPUTS = {
    "data/sources.toml",
    "data/facts.toml",
    "data/colophon.toml",
    "harmreport/notebooks/pages.py",
    "harmreport/outputs/pdf.py",
    "harmreport/outputs/pdf_printer.py",
    "harmreport/outputs/render.py",
    "harmreport/outputs/tables.py",
    "harmreport/outputs/cms_fragment.py",
    "harmreport/project/template_rules.py",
}


@dataclass
class Plan:
    """Which stages must run, and why (a list of reasons for each)."""

    reasons: dict = field(default_factory=lambda: {ANALYSIS: [], RENDERING: []})

    @classmethod
    def everything(cls, why: str) -> "Plan":
        found = cls()
        found.reasons[ANALYSIS].append(why)
        return found

    @property
    def up_to_date(self) -> bool:
        return not any(self.reasons.values())

    @property
    def reuse_analysis(self) -> bool:
        return not self.reasons[ANALYSIS]

    def summary(self, limit: int = 3) -> str:
        """One line: what is rebuilt or reused, and the first reasons."""
        if self.up_to_date:
            return (
                "up to date: every input, package, font and published file matches the "
                "manifest; nothing rebuilt (--force rebuilds)"
            )
        if self.reuse_analysis:
            what = "reusing the statistics, figures and notebooks; rendering again"
            why = self.reasons[RENDERING]
        else:
            what, why = "rebuilding everything", self.reasons[ANALYSIS]
        more = f" and {len(why) - limit} more" if len(why) > limit else ""
        return f"{what}: {'; '.join(why[:limit])}{more}"


def stage_of_input(name: str) -> str:
    if name.startswith("templates/") or name in RENDERING_INPUTS:
        return RENDERING
    return ANALYSIS


def stage_of_output(name: str) -> str:
    """The web pages (the notebooks' too), the PDF and the manifest are made by rendering."""
    return RENDERING if name.endswith((".html", ".pdf")) or name == "manifest.json" else ANALYSIS


def plan(job: Job, force: bool = False) -> Plan:
    request = job.request
    folder = Path(request.out_root) / str(request.year)
    if force:
        return Plan.everything("--force")
    try:
        check_ownership(request.out_root, request.year)  # a link is refused, by the build
        recorded = read_json(folder / "manifest.json")
    except (NotOurs, OSError, ValueError, LookupError, TypeError):  # the build says what
        return Plan.everything(NOTHING_PUBLISHED)
    found = Plan()
    _compare_inputs(found, recorded, inputs.input_hashes(job.returns, job.edition))
    _compare_environment(found, recorded.get("environment", {}))
    _compare_parameters(found, recorded.get("parameters", {}), job)
    _compare_outputs(found, recorded.get("outputs", {}), folder)
    return found


def _compare_inputs(found: Plan, recorded: dict, now: dict) -> None:
    for name in sorted(set(recorded.get("inputs", {})) | set(now)):
        was, is_now = recorded.get("inputs", {}).get(name), now.get(name)
        if was is None:
            found.reasons[stage_of_input(name)].append(f"{name} is now read")
        elif is_now is None:
            found.reasons[stage_of_input(name)].append(f"{name} is no longer read")
        elif was != is_now:
            found.reasons[stage_of_input(name)].append(f"{name} changed")


def _compare_environment(found: Plan, recorded: dict) -> None:
    fonts = False
    for kind, name, was, here in manifest.environment_differences(recorded):
        if kind == "font":
            fonts = True
        else:
            found.reasons[ANALYSIS].append(f"{name} {was} → {here}")
    if fonts:
        found.reasons[ANALYSIS].append("the fonts changed")  # the charts use them too


def _compare_parameters(found: Plan, recorded: dict, job: Job):
    request = job.request
    if recorded.get("returns") != job.returns.shown:
        found.reasons[ANALYSIS].append(f"the returns are now {job.returns.shown}")
    if recorded.get("base_url", "") != request.base_url:
        now = request.base_url or "none"
        found.reasons[RENDERING].append(f"the address to publish at is now {now}")
    if recorded.get("formats") != list(request.formats):
        found.reasons[RENDERING].append(f"the formats are now {','.join(request.formats)}")


def _compare_outputs(found: Plan, recorded: dict, folder: Path) -> None:
    for name, change in manifest.output_differences(recorded, folder):
        if change == "extra":
            found.reasons[ANALYSIS].append(f"published folder has an extra file {Path(name).name}")
        else:
            found.reasons[stage_of_output(name)].append(f"published {name} was changed or removed")
