"""Incremental builds: an edition whose manifest matches every input is reused whole, without
importing the heavy libraries; a change of template renders again from the reused analysis;
any other change, a tampered output or --force rebuilds everything."""

import json
import subprocess
import sys

import pytest

from harmreport.project.build_request import BuildRequest, resolve
from harmreport.publishing import incremental
from tests.conftest import copy_of
from tests.helpers import run_main, tree_hashes

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

YEAR = 2024


@pytest.fixture
def site(web_edition, tmp_path):
    return copy_of(web_edition, tmp_path / "site")


def build(out, *extra):
    return run_main("--year", YEAR, "--out", out, "--format", "html", *extra)


def record(out, change):
    """Edit the published manifest, as if the build had been made from other inputs."""
    path = out / str(YEAR) / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest, indent=2) + "\n")


def test_nothing_changed_reuses_the_edition_without_heavy_imports(site):
    before = tree_hashes(site / str(YEAR))
    result = build(site)
    assert result.returncode == 0, result.stderr
    assert f"[{YEAR}] up to date" in result.stderr
    assert "validate" not in result.stderr
    assert tree_hashes(site / str(YEAR)) == before
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(site)], capture_output=True, text=True, check=True
    )
    assert probe.stdout.split() == ["True", "[]"]


PROBE = f"""
import sys
from pathlib import Path
from harmreport.publishing import incremental
from harmreport.project.build_request import BuildRequest, resolve
request = BuildRequest({YEAR}, out_root=Path(sys.argv[1]), formats=("html",))
plan = incremental.plan(resolve(request))
heavy = [m for m in ("pandas", "matplotlib", "weasyprint", "papermill") if m in sys.modules]
print(plan.up_to_date, str(heavy).replace(" ", ""))
"""


def test_a_changed_template_renders_again_from_the_reused_analysis(site):
    stats_before = (site / str(YEAR) / "stats.json").read_bytes()
    record(site, lambda m: m["inputs"].update({"templates/report.css": "0" * 64}))
    plan = incremental.plan(resolve(BuildRequest(YEAR, out_root=site, formats=("html",))))
    assert plan.reuse_analysis and plan.reasons["rendering"] == ["templates/report.css changed"]
    result = build(site)
    assert result.returncode == 0, result.stderr
    assert (
        "reusing the statistics, figures and notebooks; rendering again: templates/report.css "
        "changed"
    ) in result.stderr
    assert f"[{YEAR}] statistics" not in result.stderr and f"[{YEAR}] HTML" in result.stderr
    assert (site / str(YEAR) / "stats.json").read_bytes() == stats_before
    assert incremental.plan(
        resolve(BuildRequest(YEAR, out_root=site, formats=("html",)))
    ).up_to_date


@pytest.mark.parametrize(
    "change, says",
    [
        (
            lambda m: m["inputs"].update({"data/returns/returns_2024.csv": "0" * 64}),
            "data/returns/returns_2024.csv changed",
        ),
        (
            lambda m: m["inputs"].update({"notebooks/02_headline_statistics.ipynb": "0" * 64}),
            "notebooks/02_headline_statistics.ipynb changed",
        ),
        (
            lambda m: m["environment"]["packages"].update({"pandas": "0.1"}),
            "pandas 0.1 →",
        ),
        (lambda m: m["environment"].update({"fonts": {}}), "the fonts changed"),
    ],
    ids=["returns", "notebook", "package", "fonts"],
)
def test_any_other_change_rebuilds_everything(site, change, says):
    """Decided from the manifest alone (the rebuild itself is the tampered-output test's)."""
    record(site, change)
    plan = incremental.plan(resolve(BuildRequest(YEAR, out_root=site, formats=("html",))))
    assert not plan.reuse_analysis
    assert plan.summary().startswith(f"rebuilding everything: {says}")


@pytest.mark.ci
def test_a_tampered_output_is_rebuilt(site, web_edition):
    (site / str(YEAR) / "stats.json").write_text("{}")
    result = build(site)
    assert "rebuilding everything: published stats.json was changed or removed" in result.stderr
    assert tree_hashes(site / str(YEAR)) == tree_hashes(web_edition / str(YEAR))


@pytest.mark.ci
def test_force_rebuilds_what_is_up_to_date(site, web_edition):
    result = build(site, "--force")
    assert result.returncode == 0, result.stderr
    assert f"[{YEAR}] rebuilding everything: --force" in result.stderr
    assert tree_hashes(site / str(YEAR)) == tree_hashes(web_edition / str(YEAR))
