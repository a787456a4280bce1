"""`run_report.py --verify`: passes on an untouched edition; fails, naming the file and the
reason, on a published file changed after the build, a changed input and a different package
version. The edition is built from a copy of the shipped returns, so changing an input never
touches the team's files."""

import json
import platform
import shutil

import pytest

from harmreport.project import paths
from tests.conftest import BASE_URL, made_once
from tests.helpers import run_cli, run_main

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it


@pytest.fixture(scope="session")
def edition(tmp_path_factory, worker_id):
    """An edition built from a copy of the shipped returns, once for the run."""

    def make(base):
        base.mkdir()
        returns = base / "returns_2024.csv"
        shutil.copyfile(paths.RETURNS / "returns_2024.csv", returns)
        # The web edition: a rebuild without the PDF takes half the time, and the PDF's bytes
        # are compared across rebuilds in test_end_to_end.
        site = base / "site"
        # With an address to publish at: the rebuild must make the same fragment from it.
        result = run_main(
            "--year", 2024, "--data", returns, "--out", site, "--format", "html",
            "--base-url", BASE_URL,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

    return made_once(tmp_path_factory, worker_id, "verify", make)


def copy_of(edition, tmp_path):
    shutil.copytree(edition, tmp_path / "copy")
    return tmp_path / "copy", tmp_path / "copy" / "returns_2024.csv"


def verify(base, returns):
    return run_main("--year", 2024, "--data", returns, "--out", base / "site", "--verify")


def test_an_untouched_edition_verifies(edition, tmp_path):
    base, returns = copy_of(edition, tmp_path)
    result = verify(base, returns)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((base / "site" / "2024" / "manifest.json").read_text())
    published = len(manifest["outputs"])
    assert published >= 30  # the page, fragment, data, figures, notebooks...
    assert f"verified: the inputs, the packages, the {published} published files and a " in (
        result.stderr
    )
    assert len(manifest["source"]["commit"]) == 40 and manifest["source"]["clean"] in (True, False)


@pytest.mark.ci
def test_a_tampered_stats_json_fails(edition, tmp_path):
    base, returns = copy_of(edition, tmp_path)
    stats = base / "site" / "2024" / "stats.json"
    stats.write_text(stats.read_text().replace('"in_care": 2638', '"in_care": 2639'))
    result = verify(base, returns)
    assert result.returncode == 6
    assert "published file differs from the manifest: stats.json (changed after the build)" in (
        result.stderr
    )
    assert "rebuilt file" not in result.stderr  # the rebuild still gives the recorded bytes


def test_a_changed_input_fails(edition, tmp_path):
    base, returns = copy_of(edition, tmp_path)
    lines = returns.read_text().splitlines(keepends=True)
    returns.write_text("".join(lines[:-1]))  # an authority's row taken out
    result = verify(base, returns)
    assert result.returncode == 6
    assert "the returns are not those the 2024 edition was built from" in result.stderr
    assert "input changed since the build: returns_2024.csv" in result.stderr
    assert "rebuilt file" not in result.stderr and "not rebuilt: give the returns" in result.stderr


@pytest.mark.ci
def test_a_different_package_version_fails(edition, tmp_path):
    base, returns = copy_of(edition, tmp_path)
    manifest_path = base / "site" / "2024" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["environment"]["packages"]["weasyprint"] = "69.0"  # as if built with another
    manifest_path.write_text(json.dumps(manifest, indent=2))
    result = verify(base, returns)
    assert result.returncode == 6
    assert "environment differs: weasyprint 69.0 at the build, 70.0 here" in result.stderr


def recorded_as_if(base, change) -> None:
    """The edition's manifest as if its build had recorded `change`, and the site's record of
    the index made from it (as that build would have written it)."""
    from harmreport.project.inputs import sha256

    path = base / "site" / "2024" / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest, indent=2))
    root = json.loads((base / "site" / "manifest.json").read_text())
    root["made_from"]["2024/manifest.json"] = sha256(path)
    (base / "site" / "manifest.json").write_text(json.dumps(root, indent=2))


@pytest.mark.ci
def test_another_patch_release_of_python_is_a_note_when_the_files_are_the_same(edition, tmp_path):
    base, returns = copy_of(edition, tmp_path)
    recorded_as_if(base, lambda manifest: manifest["environment"].update(python="3.11.2"))
    result = verify(base, returns)
    assert result.returncode == 0, result.stderr
    here = platform.python_version()
    assert f"note: the environment differs: Python 3.11.2 at the build, {here} here" in (
        result.stderr
    )
    stats = base / "site" / "2024" / "stats.json"
    stats.write_text(stats.read_text().replace('"in_care": 2638', '"in_care": 2639'))
    assert verify(base, returns).returncode == 6  # a published file differs: that fails


def test_nothing_to_verify_is_an_input_error(tmp_path):
    result = run_main("--year", 2024, "--out", tmp_path, "--verify")
    assert result.returncode == 2 and "holds no edition to verify" in result.stderr


def rerun(*args, scratch):
    environment = {"HBH_SCRATCH": str(scratch), "HBH_RETURNS": str(scratch / "private")}
    return run_cli("rerun", *args, environment=environment)


@pytest.mark.ci
def test_a_reviewer_reruns_a_real_editions_notebooks_and_gets_the_same_stats(edition, tmp_path):
    """docs/reviewing.md: the real returns are not in the published folder; the rerun finds
    them in the private folder or with --data, and refuses other bytes or a misspelt name."""
    base, returns = copy_of(edition, tmp_path)
    folder, scratch = base / "site" / "2024", tmp_path / "scratch"
    missing = rerun(folder, scratch=scratch)
    assert missing.returncode == 2, missing.stderr
    assert "name the private folder with HBH_RETURNS, or give the file with --data" in (
        missing.stderr
    )
    done = rerun(folder, "--data", returns, scratch=scratch)
    assert done.returncode == 0, done.stderr
    assert f"{scratch}/2024/stats.json: the same bytes as {folder}/stats.json" in done.stderr
    misspelt = rerun(folder, "--data", returns, "-p", "yaer", "2015", scratch=scratch)
    assert misspelt.returncode == 2
    assert "error: notebook 01_validate_returns.ipynb has no parameter yaer" in misspelt.stderr
    returns.write_text(returns.read_text().replace(",", ";", 1))
    other = rerun(folder, "--data", returns, scratch=scratch)
    assert other.returncode == 2 and "is another file" in other.stderr


@pytest.mark.ci
def test_a_rerun_that_makes_other_figures_fails_naming_them(built, tmp_path):
    folder = shutil.copytree(built / "2015", tmp_path / "site" / "2015")
    same = rerun(folder, scratch=tmp_path / "scratch")  # an illustrative edition: no --data
    assert same.returncode == 0, same.stderr
    stats = json.loads((folder / "stats.json").read_text())
    stats["trafficked"]["in_care"] += 1  # as if published from other returns
    (folder / "stats.json").write_text(json.dumps(stats, indent=2))
    done = rerun(folder, scratch=tmp_path / "scratch")
    assert done.returncode == 6
    assert "is not the published" in done.stderr and "  differs: trafficked" in done.stderr


@pytest.mark.ci
def test_a_new_address_to_publish_at_renders_again_and_verify_names_a_different_one(
    edition, tmp_path
):
    base, returns = copy_of(edition, tmp_path)
    other = "https://www.example.net/harm/"
    result = run_main("--year", 2024, "--data", returns, "--out", base / "site", "--verify",
                      "--base-url", other)  # fmt: skip
    assert result.returncode == 6
    assert f"the address to publish at differs: the edition was built for {BASE_URL}, " in (
        result.stderr
    )
    again = run_main("--year", 2024, "--data", returns, "--out", base / "site",
                     "--format", "html", "--base-url", other)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert f"rendering again: the address to publish at is now {other}" in again.stderr
    fragment = (base / "site" / "2024" / "fragment.html").read_text()
    assert f'href="{other}2024/' in fragment and BASE_URL not in fragment
    assert verify(base, returns).returncode == 0  # without --base-url: checked as built
