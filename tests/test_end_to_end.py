"""The CLI, for real: outputs, self-contained page, labels, determinism, exit codes and safe
publishing."""

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from harmreport import cli
from harmreport.check import output_check
from harmreport.intake.returns import load_returns
from harmreport.notebooks import parameters, stable_output
from harmreport.outputs import pdf
from harmreport.pipeline import build, scheduler
from harmreport.project import editions, inputs, paths
from harmreport.project.build_request import BuildRequest, resolve
from harmreport.project.errors import InputError, NotebookFailed
from harmreport.project.jsonfiles import read_json
from harmreport.publishing.edition_folders import work_folder
from tests import helpers
from tests.conftest import BASE_URL, BUILT, EACH_BUILT, EDITIONS, build_messages, html_text
from tests.helpers import row, run_cli, tree_hashes, write_returns

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

OUTPUTS = [
    "index.html",
    "report.pdf",
    "stats.json",
    "validation.json",
    "manifest.json",
    "figures/share_went_missing.svg",
    "figures/responses.svg",
    "figures/regions.svg",
    "figures/tile_map.svg",
    "figures/trend.svg",
    "figures/in_care_and_missing.svg",
    "answers.csv",
    "stats.csv",
    "data/answers_by_question.csv",
    "data/in_care_and_missing.csv",
    "data/regions.csv",
    "data/editions.csv",
    "data/tables.xlsx",
    "datapackage.json",
    "fragment.html",
    "preview.png",
    "notebooks/01_validate_returns.ipynb",
    "notebooks/02_headline_statistics.ipynb",
    "notebooks/03_figures.ipynb",
    "notebooks/01_validate_returns.html",
    "notebooks/02_headline_statistics.html",
    "notebooks/03_figures.html",
]


@pytest.mark.parametrize("year", EACH_BUILT)
def test_every_output_is_written(built, year):
    for name in OUTPUTS:
        assert (built / str(year) / name).stat().st_size > 0, name


@pytest.mark.parametrize("year", EACH_BUILT)
def test_manifest_hashes_every_input_and_output(built, year):
    folder = built / str(year)
    recorded = read_json(folder / "manifest.json")
    assert recorded["parameters"] == {
        "year": year,
        "returns": f"data/returns/returns_{year}.csv",
        "formats": ["html", "pdf"],
        "base_url": BASE_URL,
    }
    assert f"data/returns/returns_{year}.csv" in recorded["inputs"]
    assert "data/reference/authorities.csv" in recorded["inputs"]
    entries = {name for name in recorded["inputs"] if name.startswith("data/editions.toml [")}
    read = editions.years_read(editions.edition(year))  # its own, comparison, earlier editions
    assert entries == {f"data/editions.toml [years.{y}]" for y in read} and year in read
    assert max(read) == year and "data/editions.toml" not in recorded["inputs"]
    for name, digest in recorded["inputs"].items():
        if name in entries:
            assert editions.entry_digest(int(name[-5:-1])) == digest, name
        else:
            assert inputs.sha256(paths.ROOT / name) == digest, name
    nationalities = {
        f"{kind}/nationalities_{g}.{ext}"
        for g in ("trafficked", "unaccompanied")
        for kind, ext in (("figures", "svg"), ("data", "csv"))
    }
    expected = set(OUTPUTS) | (nationalities if year == 2015 else set())
    if read_json(folder / "stats.json")["combined"]["most_still_missing"]:
        expected.add("data/most_still_missing.csv")
    expected |= {n.replace(".svg", "_narrow.svg") for n in expected if n.startswith("figures/")}
    assert set(recorded["outputs"]) == expected - {"manifest.json"}
    for name, digest in recorded["outputs"].items():
        assert inputs.sha256(folder / name) == digest, name


@pytest.mark.parametrize("year", EACH_BUILT)
def test_page_is_self_contained(built, year):
    page = (built / str(year) / "index.html").read_text()
    resources = re.findall(r'(?:src|srcset|poster|data)=["\']([^"\']+)', page)
    assert resources and all(r.startswith("data:") for r in resources)
    assert not re.search(r"<link|<script|@import|url\((?!#)", page)


@pytest.mark.parametrize("year", EACH_BUILT)
def test_every_output_says_illustrative(built, year, texts):
    folder = built / str(year)
    assert "Illustrative data" in texts[year]["html"]
    assert "Illustrative data" in texts[year]["pdf"]
    assert read_json(folder / "stats.json")["illustrative"] is True
    assert read_json(folder / "manifest.json")["illustrative"] is True
    assert read_json(folder / "validation.json")["illustrative"] is True
    for svg in (folder / "figures").glob("*.svg"):
        assert "Illustrative data" in svg.read_text()
    for name in ("01_validate_returns", "02_headline_statistics"):
        assert "ILLUSTRATIVE" in (folder / "notebooks" / f"{name}.ipynb").read_text()


@pytest.mark.parametrize("year", EACH_BUILT)
def test_notes_are_one_per_citation_in_order_with_short_forms(built, year):
    page = (built / str(year) / "index.html").read_text()
    endnotes = re.findall(r'<li id="note-(\d+)">', page)
    assert endnotes == [str(n) for n in range(1, len(endnotes) + 1)] and endnotes
    calls = re.findall(r'class="noteref" href="#note-(\d+)" id="ref-(\d+)"', page)
    assert [a for a, b in calls] == [b for a, b in calls] == endnotes  # each call, own note
    backlinks = re.findall(r'<a href="#ref-(\d+)" role="doc-backlink">', page)
    assert backlinks == endnotes  # every note links back to its own call


def test_executed_notebooks_name_no_local_folder(built):
    text = (built / "2015" / "notebooks" / "02_headline_statistics.ipynb").read_text()
    assert str(built) not in text and ".staging" not in text
    book = nbformat.reads(text, as_version=4)
    injected = [c for c in book.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'returns_path = "data/returns/returns_2015.csv"' in injected[0].source


@pytest.mark.parametrize("year", EACH_BUILT)
def test_executed_notebooks_print_no_warning(built, year):
    """Whatever a notebook writes to stderr is published with it: a warning there (say,
    matplotlib not finding Lato and drawing the charts in another font) is a fault."""
    for path in sorted((built / str(year) / "notebooks").glob("*.ipynb")):
        book = nbformat.read(path, as_version=4)
        for cell in book.cells:
            errors = [o for o in cell.get("outputs", []) if o.get("name") == "stderr"]
            assert not errors, f"{path.name}: {errors[0]['text'][:200]}"


def test_index_of_editions(built):
    index = html_text((built / "index.html").read_text())
    titles = {
        2015: "Heading Back to Harm",
        2017: "Still in Harm's Way",
        2020: "When Harm Remains",
        2024: "Until Harm Ends",
    }
    for year in BUILT:
        assert titles[year] in index
    assert 'href="2015/report.pdf"' in (built / "index.html").read_text()


@pytest.mark.parametrize("year", EACH_BUILT)
def test_shipped_editions_pass_the_independent_check(built, year):
    returns = load_returns(None, year)
    names = {code: (row["name"],) for code, row in returns.authorities.iterrows()}
    assert output_check.check_edition(built / str(year), [returns], names) == []


def a_second_edition_of_its_process() -> int:
    """An edition that `--all` built after another in the same process, if any did."""
    args = cli.parse_args(["--all"])
    shares = scheduler.shares(cli.requests_from(args), args.jobs)
    return next((share[1].year for share in shares if len(share) > 1), EDITIONS[0])


@pytest.mark.ci
def test_rebuild_gives_identical_bytes_in_another_zone_locale_and_hash_seed(built, tmp_path):
    """The shared editions were built with the test run's own settings, some after another in
    the same process; this one alone, at UTC+13:45, in Turkish (dotted and dotless i), with
    another hash seed: the same bytes."""
    year = a_second_edition_of_its_process()
    other = {"TZ": "Pacific/Chatham", "LANG": "tr_TR.UTF-8", "LC_ALL": None, "LC_CTYPE": None}
    result = run_cli(
        "--year",
        year,
        "--out",
        tmp_path,
        "--base-url",
        BASE_URL,
        environment=other | {"PYTHONHASHSEED": "7"},
    )
    assert result.returncode == 0, result.stderr
    assert tree_hashes(tmp_path / str(year)) == tree_hashes(built / str(year))


def test_progress_line_per_stage(web_edition):
    said = build_messages(web_edition)  # a build of the web edition alone
    for stage in ("validate", "statistics", "figures", "HTML"):
        assert re.search(rf"^\[2024\] {stage} +\d+\.\d s", said, re.M), stage
    assert "PDF" not in said and not (web_edition / "2024" / "report.pdf").exists()
    assert "Traceback" not in said and "IPKernelApp" not in said


@pytest.mark.parametrize(
    "args, says",
    [
        (["--year", 2019], "there is no data for 2019"),
        (["--year", 2018], "not an edition"),
        (["--year", 2024, "--data", "missing.csv"], "missing.csv does not exist"),
        (["--year", 2024, "--format", "docx"], "unknown format docx"),
        (["--year", 2020, "--year", 2024, "--data", "x.csv"], "give one --year"),
    ],
)
def test_bad_parameters_exit_2(published, args, says):
    out, before = published
    result = run_cli(*args, "--out", out)
    assert result.returncode == 2 and says in result.stderr
    assert tree_hashes(out / "2024") == before


def test_bad_returns_exit_2_and_keep_the_previous_edition(published, tmp_path_factory):
    out, before = published
    folder = tmp_path_factory.mktemp("returns")
    returns = write_returns(
        folder,
        [
            row("E10000016", trafficked_went_missing="12a"),
            row("E09000008", unaccompanied_in_care="-4"),
        ],
    )
    result = run_cli("--year", 2024, "--data", returns, "--out", out)
    assert result.returncode == 2
    assert (
        "returns.csv, row 2 (Kent), column trafficked_went_missing: '12a' is not a count "
        "or a recognised code"
    ) in result.stderr
    assert "row 3 (Croydon), column unaccompanied_in_care: '-4'" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_hashes(out / "2024") == before
    log_path = re.search(r"full log: (\S+build\.log)", result.stderr).group(1)
    assert Path(log_path).parent.parent == work_folder(out) / "failed"
    assert "12a" in Path(log_path).read_text()


def test_output_root_that_cannot_be_written_exits_4(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("--year", 2024, "--out", blocker / "report")
    assert result.returncode == 4 and str(blocker) in result.stderr
    assert "Traceback" not in result.stderr


def test_failing_notebook_exit_5_names_notebook_and_cell(published, tmp_path, monkeypatch):
    out, before = published
    broken = tmp_path / "notebooks"
    shutil.copytree(paths.NOTEBOOKS, broken)
    book = nbformat.read(broken / "02_headline_statistics.ipynb", as_version=4)
    book.cells.insert(4, nbformat.v4.new_code_cell('raise RuntimeError("deliberate failure")'))
    nbformat.write(book, broken / "02_headline_statistics.ipynb")
    monkeypatch.setattr(paths, "NOTEBOOKS", broken)
    with pytest.raises(NotebookFailed) as failure:
        build.build_edition(
            resolve(BuildRequest(2024, out_root=out, formats=("html",))),
            write=lambda line: None,
            session=helpers.SESSION,
        )
    message = str(failure.value)
    assert message.startswith("notebook 02_headline_statistics.ipynb failed at cell In [")
    assert "RuntimeError: deliberate failure" in message and failure.value.exit_code == 5
    assert tree_hashes(out / "2024") == before
    assert not list((work_folder(out) / "staging").iterdir())
    kept = [p for p in (work_folder(out) / "failed").iterdir() if p.name.startswith("2024-")]
    assert (kept[-1] / "edition" / "notebooks" / "02_headline_statistics.ipynb").exists()


def note_calls(page: str) -> dict[int, str]:
    """Each note's number and the two words just before its call, from the web page."""
    calls = {}
    for match in re.finditer(r'<a class="noteref" href="#note-(\d+)"', page):
        before = html_text(re.sub(r'<span class="footnote">.*?</span>', "", page[: match.start()]))
        calls[int(match.group(1))] = "".join(before.split()[-2:])
    return calls


def pdf_pages(path) -> list[str]:
    count = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(
                ["pdfinfo", str(path)], capture_output=True, text=True, check=True
            ).stdout,
        ).group(1)
    )
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("year", EACH_BUILT)
def test_every_note_is_at_the_foot_of_the_page_that_cites_it(built, year):
    calls = note_calls((built / str(year) / "index.html").read_text())
    assert calls, "the edition cites nothing"
    placed = {}
    for number, text in enumerate(pdf_pages(built / str(year) / "report.pdf"), start=1):
        flat = re.sub(r"\s+", "", text)
        printed = {
            int(m.group(1))
            for m in re.finditer(r"^\s*(\d+)\. (?!.*\.{4})", text, re.M)
            if int(m.group(1)) in calls
        }
        called = {n for n, word in calls.items() if f"{word}{n}" in flat}
        for note in printed:
            placed.setdefault(note, []).append(number)
        assert called == printed, f"page {number}: calls {sorted(called)}, notes {sorted(printed)}"
    assert sorted(placed) == sorted(calls)  # every note printed, each on one page
    assert all(len(pages) == 1 for pages in placed.values())


def test_unexpected_error_is_one_line_and_a_log(published, monkeypatch, capsys):
    out, before = published

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(build, "snapshot_returns", broken)  # the build's first step
    from harmreport import cli

    assert cli.main(["--year", "2024", "--out", str(out), "--format", "html", "--force"]) == 1
    err = capsys.readouterr().err
    assert "error: unexpected error: ValueError: a bug" in err
    assert "Traceback" not in err
    log_path = re.search(r"full log: (\S+build\.log)", err).group(1)
    assert "Traceback" in Path(log_path).read_text()  # kept for the developers
    assert tree_hashes(out / "2024") == before


@pytest.mark.ci
def test_one_failing_edition_does_not_stop_the_others(tmp_path):
    """Two years: two processes side by side; the index is written once, after both."""
    result = run_cli("--year", 2019, 2024, "--out", tmp_path, "--format", "html")
    assert result.returncode == 2
    assert "[2019] error: there is no data for 2019" in result.stderr
    assert f"[2024] published {tmp_path / '2024'}" in result.stderr
    index = tmp_path / "index.html"
    assert index.stat().st_mtime_ns >= (tmp_path / "2024" / "manifest.json").stat().st_mtime_ns
    assert 'href="2024/index.html"' in index.read_text()
    assert not list(work_folder(tmp_path).glob("staging/*"))


def test_stream_chunks_are_merged_for_repeatable_notebooks():
    chunks = [
        {"output_type": "stream", "name": "stdout", "text": ["trafficked"]},
        {"output_type": "stream", "name": "stdout", "text": " 0 []\nunacc"},
        {"output_type": "stream", "name": "stderr", "text": "warning\n"},
        {"output_type": "display_data", "data": {}, "metadata": {}},
    ]
    merged = stable_output._merged_streams(chunks)
    assert [o.get("text") for o in merged] == ["trafficked 0 []\nunacc", "warning\n", None]


def test_unknown_notebook_parameter_is_an_error_as_papermill_inspects_it():
    with pytest.raises(InputError, match="has no parameter retruns_path"):
        parameters.check_parameters({"year": 2024, "retruns_path": "x.csv"})
    parameters.check_parameters({"year": 2024, "returns_path": "", "output_dir": "."})


@pytest.mark.parametrize("year", EACH_BUILT)
def test_notebook_pages_make_no_request_and_hold_each_cell(built, year):
    """The executed notebooks as web pages: no script or style from elsewhere, and the cell
    each link of "For reviewers: where each figure is computed" points to."""
    folder = built / str(year)
    for page in (folder / "notebooks").glob("*.html"):
        text = page.read_text()
        assert not re.search(r"""(?:src|href)=["']https?:""", text), page.name
        assert "<script" not in text and 'id="cell-id=cell-00"' in text
    statistics = (folder / "notebooks" / "02_headline_statistics.html").read_text()
    links = re.findall(r'href="notebooks/([^"#]+)#([^"]+)"', (folder / "index.html").read_text())
    assert links and {page for page, _ in links} == {"02_headline_statistics.html"}
    for _, anchor in links:
        assert f'id="{anchor}"' in statistics, anchor


def test_the_independent_check_reads_the_pdf_as_well(tmp_path):
    """A hidden count is found in the PDF (its text read in a process of its own) as in the
    other files."""
    row_html = "<table><tr><th>Wales</th><td>2</td><td>20</td></tr></table>"
    style = "<style>td { padding-left: 2cm }</style>"
    pdf.render_pdf(
        f'<html lang="en"><body>{style}{row_html}</body></html>', tmp_path, tmp_path / "a.pdf"
    )
    (tmp_path / "b.html").write_text(f"<html><body>{row_html}</body></html>", encoding="utf-8")
    (tmp_path / "c.csv").write_text("area,value\nEngland,40\n", encoding="utf-8")
    secret = output_check.Secret(("Wales",), 2, "trafficked_in_care in Wales", "rule 2")
    files = sorted(tmp_path.iterdir())
    leaks = output_check.check_files(files, tmp_path, [secret])
    assert sorted(leak.file for leak in leaks) == ["a.pdf", "b.html"]
