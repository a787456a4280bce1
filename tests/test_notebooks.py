"""The notebooks, executed for real by papermill on a small fixture and with their defaults."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from jupyter_core.utils import run_sync
from papermill.exceptions import PapermillExecutionError

from harmreport import BLAS_THREADS
from harmreport.notebooks.kernel import Kernel
from harmreport.notebooks.parameters import NOTEBOOKS as STAGES
from harmreport.notebooks.runner import run_notebook
from harmreport.pipeline import build
from harmreport.pipeline.session import BuildSession
from harmreport.project import editions, paths
from harmreport.project.build_request import BuildRequest, resolve
from harmreport.project.errors import NotebookFailed
from harmreport.project.inputs import ReturnsFile
from tests import helpers
from tests.conftest import made_once
from tests.helpers import full, row, tree_hashes, write_returns

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

NOTEBOOKS = ["01_validate_returns", "02_headline_statistics", "03_figures"]


def execute(name, folder, **parameters):
    return papermill.execute_notebook(
        str(paths.NOTEBOOKS / f"{name}.ipynb"),
        str(folder / f"{name}.ipynb"),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(folder),
        progress_bar=False,
    )


@pytest.fixture(scope="session")
def fixture_run(tmp_path_factory, worker_id):
    """The three notebooks run once for the run on a small fixture, on one kernel, as the
    build runs them: the test session's, as a build in it would."""

    def make(folder):
        folder.mkdir()
        rows = [
            row("E10000016", **full(40, 12, 30, 400, 60, 90, 20, 9)),
            row("E09000008", **full(30, 9, 20, 300, 30, 40, 10, 6)),
            row("E09000017", **full(0, 0, 0, 100, 10, 12, "not recorded", "<5")),
            row("W06000015", **full("<5", "<5", "not recorded", 6, 1, 1, 0, 0)),
            row("NI-BHSCT", **full("refused", "refused", "refused", "", "", "", "", "")),
        ]
        returns = write_returns(folder, rows)
        parameters = {"year": 2024, "returns_path": str(returns), "output_dir": str(folder)}
        helpers.on_session_kernel(STAGES, folder, parameters, folder / "log")

    return made_once(tmp_path_factory, worker_id, "fixture-notebooks", make)


def test_statistics_notebook_writes_the_contract_names(fixture_run):
    stats = json.loads((fixture_run / "stats.json").read_text())
    assert stats["year"] == 2024
    assert stats["illustrative"] is False  # a returns file of our own, not the shipped one
    assert stats["authorities"]["contacted"] == 5
    t = stats["trafficked"]
    assert (t["authorities_reporting"], t["in_care"], t["went_missing"]) == (4, 70, 21)
    assert t["in_care_suppressed_authorities"] == 1
    assert t["share_went_missing"] == 21 / 70
    assert t["episodes_per_missing_child"] == 50 / 21
    c = stats["combined"]
    assert c["went_missing"] == 21 + 101
    assert c["missing_over_week_share"] == 30 / (21 + 90)  # Wales: trafficked withheld
    assert c["still_missing"] == 15 and c["still_missing_authorities_reporting"] == 4
    assert c["most_still_missing"] == [
        {"name": "Kent", "code": "E10000016", "value": 9},
        {"name": "Croydon", "code": "E09000008", "value": 6},
    ]
    assert stats["london"] == {
        "authorities": 2,
        "reporting_zero_trafficked": 1,
        "unable_trafficked": 0,
    }


def test_figures_notebook_draws_every_chart(fixture_run):
    for name in ("share_went_missing", "responses", "regions"):
        svg = (fixture_run / "figures" / f"{name}.svg").read_text()
        assert svg.startswith("<?xml") and "<svg" in svg


def test_validation_notebook_stops_on_a_bad_cell(tmp_path):
    returns = write_returns(tmp_path, [row("E10000016", trafficked_in_care="12a")])
    with pytest.raises(PapermillExecutionError, match="12a"):
        execute(
            "01_validate_returns",
            tmp_path,
            year=2024,
            returns_path=str(returns),
            output_dir=str(tmp_path),
        )


def test_statistics_notebook_reads_what_notebook_1_validated(fixture_run, tmp_path):
    """Validated once: notebook 2 takes notebook 1's returns, and stops if the file changed."""
    folder = tmp_path / "run"
    shutil.copytree(fixture_run, folder)
    validated = fixture_run.with_name(f"{fixture_run.name}.validated")
    shutil.copytree(validated, tmp_path / "run.validated")
    returns = folder / "returns.csv"
    parameters = {"year": 2024, "returns_path": str(returns), "output_dir": str(folder)}
    (folder / "stats.json").unlink()  # written again, not the copy's
    helpers.on_session_kernel(["statistics"], folder, parameters, tmp_path / "log")
    assert (folder / "stats.json").read_bytes() == (fixture_run / "stats.json").read_bytes()
    returns.write_text(returns.read_text().replace("Kent", "Kent "), encoding="utf-8")
    with pytest.raises(PapermillExecutionError, match="run notebook 1 again"):  # by hand
        execute("02_headline_statistics", folder, **parameters)


@pytest.mark.ci
def test_notebooks_rerun_by_hand_write_only_where_they_say_and_give_the_build_s_figures(
    built, tmp_path, monkeypatch
):
    """What reviewers do: run notebook 1 as it stands in the project, with its defaults; then
    the edition's executed notebooks 2 and 3 from a folder of their own. Each writes only to
    the scratch folder (here HBH_SCRATCH, never the project's build/), says so, and the
    figures are the published ones, byte for byte."""
    monkeypatch.setenv("HBH_SCRATCH", str(tmp_path / "scratch"))  # the kernels inherit it
    project_before = sorted(paths.ROOT.glob("build/**/*"))
    execute(NOTEBOOKS[0], tmp_path)
    here = tmp_path / "reviewer"
    here.mkdir()
    for name in NOTEBOOKS[1:]:
        done = papermill.execute_notebook(
            str(built / "2024" / "notebooks" / f"{name}.ipynb"),
            str(tmp_path / f"{name}.ipynb"),
            kernel_name="python3",
            cwd=str(here),
            progress_bar=False,
        )
        said = "".join(o.get("text", "") for c in done.cells for o in c.get("outputs", []))
        assert f"writing to {tmp_path / 'scratch' / '2024'}" in said, name
    assert list(here.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["reviewer", "scratch", *(f"{name}.ipynb" for name in NOTEBOOKS)]
    )
    by_hand = tmp_path / "scratch" / "2024"
    for name in ("stats.json", "answers.csv", "figures/trend.svg"):
        assert (by_hand / name).read_bytes() == (built / "2024" / name).read_bytes(), name
    assert sorted(paths.ROOT.glob("build/**/*")) == project_before


@pytest.mark.ci
def test_one_kernel_wiped_between_notebooks_gives_what_a_kernel_each_gives(
    built, tmp_path, monkeypatch
):
    """The build runs the notebooks in turn on one kernel, wiped between them; each on a
    kernel of its own (in a build's environment) must give the same executed notebooks, byte
    for byte."""
    monkeypatch.setenv("HBH_IN_BUILD", "1")
    edition = editions.edition(2024)
    parameters = build.notebook_parameters(2024, ReturnsFile.at(edition.returns))
    for stage in STAGES:
        run_notebook(stage, tmp_path, parameters, 600, tmp_path / "log")  # its own kernel
    for name in NOTEBOOKS:
        own = (tmp_path / "notebooks" / f"{name}.ipynb").read_bytes()
        assert own == (built / "2024" / "notebooks" / f"{name}.ipynb").read_bytes(), name


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_are_thin_and_committed_clean(name):
    book = nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert all(not c.outputs and c.execution_count is None for c in code)
    for cell in code:
        lines = cell.source.splitlines()
        assert not any(line.lstrip().startswith(("def ", "class ")) for line in lines), name


def test_an_edition_s_kernel_talks_over_private_sockets_and_is_wiped_between_notebooks(
    tmp_path,
):
    """Builds side by side cannot race for a TCP port: the kernel uses Unix sockets in a
    folder of its own, removed with it. Between notebooks it forgets every name and counts
    from 1 again."""
    with Kernel(tmp_path, tmp_path / "log") as kernel:
        manager = kernel.fresh().manager
        assert manager.transport == "ipc"
        assert Path(manager.connection_file).parent == kernel.folder
        assert run_sync(ask)(kernel, "left_behind = 1; 'left_behind' in dir()") == ("True", 1)
        assert run_sync(ask)(kernel.fresh(), "'left_behind' in dir()") == ("False", 1)
    assert not kernel.folder.exists() and not manager.has_kernel


# A process's threads once numpy is loaded: OpenBLAS starts its own beside the main one.
THREADS_WITH_NUMPY = "import os, harmreport, numpy; print(len(os.listdir('/proc/self/task')))"


def threads_with_numpy(**variables) -> str:
    unset = {name: value for name, value in os.environ.items() if name not in BLAS_THREADS}
    return subprocess.run(
        [sys.executable, "-c", THREADS_WITH_NUMPY],
        env={**unset, **variables},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_numpy_s_blas_has_one_thread_in_the_build_and_its_kernels(tmp_path):
    """While the cores are busy, OpenBLAS's threads spin waiting for each other (bench/
    blas_threads.py): harmreport gives it one thread before numpy loads, in every process
    of a build and so in the kernels they start, unless a number was chosen."""
    assert threads_with_numpy() == "1"
    assert threads_with_numpy(OPENBLAS_NUM_THREADS="2") == "2"
    with Kernel(tmp_path, tmp_path / "log") as kernel:
        said = run_sync(ask)(kernel.fresh(), "__import__('os').environ['OPENBLAS_NUM_THREADS']")
        assert said == ("'1'", 1)


async def ask(kernel, code: str) -> tuple[str, int]:
    """Run code on the kernel as a notebook cell does: its value as text, and its number."""
    values = []

    def keep(message):
        if message["msg_type"] == "execute_result":
            values.append(message["content"]["data"]["text/plain"])

    reply = await kernel.client.execute_interactive(code, output_hook=keep, timeout=30)
    return values[0], reply["content"]["execution_count"]


@pytest.mark.ci
def test_a_session_building_again_reuses_its_idle_kernel(published, monkeypatch, tmp_path):
    """A session making several builds starts one kernel, not one a build: the next build gets
    the last one, in its own staging folder, and publishes the same bytes. A kernel started
    in another environment is not reused. (The first kernel is one the session started and
    kept without a build: one build shows it, not two.)"""
    out, before = published
    request = BuildRequest(2024, out_root=out, formats=("html",))
    with BuildSession(builds=None) as session:
        with session.kernel(tmp_path, tmp_path / "first.log") as kernel:
            pass  # started, given no notebook: kept for the next build
        assert session.idle is kernel
        build.build_edition(resolve(request), write=lambda line: None, session=session)
        assert session.idle is kernel and kernel.manager.has_kernel
        assert tree_hashes(out / "2024") == before
        monkeypatch.setenv("HBH_NEW_VARIABLE", "1")
        assert not kernel.reusable()
    assert session.idle is None and not kernel.manager.has_kernel  # closing stops it


def test_a_kept_kernel_works_and_prints_in_the_next_build_s_folder_and_log(tmp_path):
    folders, kernels = [tmp_path / "first", tmp_path / "second"], []
    session = BuildSession(builds=3)
    for folder in folders:
        folder.mkdir()
        session.builds_left -= 1  # as session.build counts its builds
        with session.kernel(folder, folder / "log") as kernel:
            kernels.append(kernel)
            said = f"printed in {folder.name}"
            code = f"import os; os.write(2, b'{said}\\n'); os.getcwd()"
            assert run_sync(ask)(kernel.fresh(), code) == (repr(str(folder)), 1)
            kernel.busy = False  # as run_notebook leaves it when the notebook has finished
    assert kernels[0] is kernels[1] and session.idle is kernel
    session.builds_left -= 1  # the last of its builds: the kernel is not kept after it
    with session.kernel(tmp_path, tmp_path / "log") as again:
        assert again is kernel
        again.busy = False
    assert session.idle is None and not kernel.manager.has_kernel  # stopped, not kept
    logs = [(folder / "log").read_text() for folder in folders]
    assert "printed in first" in logs[0] and "printed in first" not in logs[1]
    assert "printed in second" in logs[1] and "printed in second" not in logs[0]


def test_a_kernel_a_notebook_was_running_on_is_not_kept(tmp_path):
    with BuildSession(builds=None) as session:
        with pytest.raises(RuntimeError), session.kernel(tmp_path, tmp_path / "log") as kernel:
            kernel.fresh()  # busy until a notebook finishes on it
            raise RuntimeError("the notebook failed")
        assert session.idle is None and not kernel.manager.has_kernel


def test_notebooks_run_through_the_kernels_one_open_client(tmp_path, monkeypatch):
    """harmreport.notebooks.engine hands papermill the client the build already has open: it
    relies on nbclient's NotebookClient.start_new_kernel_client, which papermill's client
    calls as it sets the kernel up. Should papermill or nbclient stop calling it, they would
    ask the manager for a new client, which here refuses: this test fails. (On the test
    session's kernel, as a build would be.)"""
    with helpers.SESSION.kernel(tmp_path, tmp_path / "log") as kernel:
        fresh = kernel.fresh()
        opened = fresh.client

        def another_client(*args, **kwargs):
            raise AssertionError("papermill asked for a client of its own")

        monkeypatch.setattr(fresh.manager, "client", another_client)
        parameters = {"year": 2024, "returns_path": "x.csv", "output_dir": "."}
        notebook = tmp_path / "cells.ipynb"
        book = nbformat.v4.new_notebook()
        book.cells = [
            nbformat.v4.new_code_cell(
                'year = 0\nreturns_path = ""\noutput_dir = ""', metadata={"tags": ["parameters"]}
            )
        ]
        book.cells.append(nbformat.v4.new_code_cell("print(year * 2)"))
        book.metadata["kernelspec"] = {"name": "python3", "language": "python"}
        nbformat.write(book, notebook)
        monkeypatch.setattr(paths, "NOTEBOOKS", tmp_path)
        monkeypatch.setitem(STAGES, "validate", "cells")
        done = run_notebook("validate", tmp_path, parameters, 60, tmp_path / "log", kernel=fresh)
        assert nbformat.read(done, as_version=4).cells[-1].outputs[0]["text"] == "4048\n"
        assert fresh.client is opened and not fresh.busy


def test_a_kernel_that_dies_between_notebooks_is_reported_at_once(tmp_path):
    with Kernel(tmp_path, tmp_path / "log") as kernel:
        kernel.fresh().client.execute("import os; os._exit(1)")
        run_sync(kernel.manager.provisioner.wait)()
        # Said at once: without the check, the wait for an answer ran out after a minute.
        with pytest.raises(NotebookFailed, match="died after the notebook before"):
            kernel.fresh()


def test_a_kernel_that_dies_as_it_starts_is_reported(tmp_path, monkeypatch):
    from harmreport.notebooks import kernel

    monkeypatch.setattr(kernel, "WARM_UP", "import os; os._exit(3)")
    dead = pytest.raises(NotebookFailed, match="did not answer: Kernel died before replying")
    with Kernel(tmp_path, tmp_path / "kernel.log") as kernel, dead:
        kernel.fresh()
