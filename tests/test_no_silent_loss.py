"""No silent loss: every row read or refused, the team's files never touched, every crash a
clear error. Each case of the red team's list, through the real CLI (or the CLI's own entry
point where a project file must be swapped), asserting the exit code, the message, the
published edition unchanged and the team's files still there."""

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from harmreport import cli
from harmreport.intake.reading import MAX_FILE_BYTES
from harmreport.outputs import render
from harmreport.project import paths
from harmreport.project.jsonfiles import read_json
from harmreport.publishing.edition_folders import work_folder
from tests import helpers
from tests.conftest import html_text, made_once
from tests.helpers import HEADER, full, row, run_main, tree_hashes, write_returns

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

SHIPPED_2024 = paths.RETURNS / "returns_2024.csv"


@pytest.fixture
def site(web_edition):
    """The run's shared 2024 web edition, for tests that leave it as it is."""
    return web_edition


def shipped_rows():
    return SHIPPED_2024.read_text(encoding="utf-8").splitlines(keepends=True)


def refused(published, path, *expected, code=2):
    out, before = published
    result = run_main("--year", 2024, "--data", path, "--out", out)
    assert result.returncode == code, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert tree_hashes(out / "2024") == before
    return result


# ---- every row read or refused --------------------------------------------------------


def test_stray_quote_swallowing_rows_is_refused(published, tmp_path):
    lines = shipped_rows()
    lines[179] = lines[179].replace(",", ',"', 1).replace('""', '"')  # row 180: a lone quote
    path = tmp_path / "returns.csv"
    path.write_text("".join(lines), encoding="utf-8")
    result = refused(
        published,
        path,
        'returns.csv, row 180: a quote (") opens a cell in column 2 (authority_name) on line 180 '
        "of the file "
        "and the cell runs on to the end of the file",
    )
    assert (
        "remove the stray quote" in result.stderr and "the returns have 1 problem" in result.stderr
    )


def test_row_with_a_field_too_few_is_refused(published, tmp_path):
    lines = shipped_rows()
    lines[11] = lines[11].rstrip("\n").rsplit(",", 1)[0] + "\n"  # row 12 loses a comma
    path = tmp_path / "returns.csv"
    path.write_text("".join(lines), encoding="utf-8")
    refused(published, path, "row 12: the row has 9 cells but the header has 10")


def test_row_with_a_field_too_many_is_refused(published, tmp_path):
    lines = shipped_rows()
    lines[4] = lines[4].rstrip("\n") + ",7\n"
    path = tmp_path / "returns.csv"
    path.write_text("".join(lines), encoding="utf-8")
    refused(published, path, "row 5: the row has 11 cells but the header has 10")


def test_nationalities_beyond_a_withheld_count_are_refused(published, tmp_path):
    rows = [row("E10000016", **full(40, "<5", 30, 300, 40, 60, 10, 6))]
    path = write_returns(tmp_path, rows)
    (tmp_path / "returns_nationalities.csv").write_text(
        "authority_code,group,nationality,went_missing\n"
        "E10000016,trafficked,Vietnamese,5\nE10000016,trafficked,Albanian,4\n",
        encoding="utf-8",
    )
    refused(
        published,
        path,
        "row 3 (E10000016), column went_missing: nationalities add up to 9 trafficked "
        "children but the returns withhold a number below 5 (<5)",
    )


# ---- returns typed as people type them, built once for the module -------------------


@pytest.fixture(scope="session")
def typed_by_hand(tmp_path_factory, worker_id):
    """One edition from returns as people type them: an invisible character in a header, a
    nationality typed two ways, and rows for two authorities only. (stderr, output root)"""

    def make(folder):
        folder.mkdir()
        rows = [
            row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6)),
            row("E09000008", **full(30, 9, 20, 200, 30, 50, 8, 5)),
        ]
        path = folder / "returns.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["authority\u200b_code", *HEADER[1:]])
            writer.writerows([record[h] for h in HEADER] for record in rows)
        (folder / "returns_nationalities.csv").write_text(
            "authority_code,group,nationality,went_missing\n"
            "E10000016,trafficked,Vietnamese,6\nE09000008,trafficked,Viet\u200bnamese,5\n"
            "E09000008,unaccompanied,Ivorian,6\nE10000016,unaccompanied,Co\u0302te d'Ivoire,7\n",
            encoding="utf-8",
        )
        out = folder / "site"
        result = run_main("--year", 2024, "--data", path, "--out", out, "--format", "html")
        assert result.returncode == 0, result.stderr
        (folder / "build.stderr").write_text(result.stderr, encoding="utf-8")

    folder = made_once(tmp_path_factory, worker_id, "typed-by-hand", make)
    return (folder / "build.stderr").read_text(encoding="utf-8"), folder / "site"


def test_header_with_an_invisible_character_is_read_and_named(typed_by_hand):
    stderr, _ = typed_by_hand
    assert "header of column 1 held invisible characters, removed: U+200B" in stderr


def test_the_same_nationality_typed_two_ways_is_one(typed_by_hand):
    stderr, out = typed_by_hand
    assert re.search(r"returns_nationalities.csv.*U\+200B \(ZERO WIDTH SPACE\)", stderr)
    nationalities = read_json(out / "2024" / "stats.json")["nationalities"]
    assert nationalities["trafficked"]["ranking"] == [
        {"nationality": "Vietnamese", "went_missing": 11}
    ]
    assert nationalities["unaccompanied"]["ranking"] == [
        {"nationality": "Ivorian", "went_missing": 13}
    ]


def test_authorities_read_are_stated_and_the_absent_listed(typed_by_hand):
    stderr, _ = typed_by_hand
    assert re.search(r"\[2024\] validate .* 2 authorities, \d+ warnings", stderr)
    absent = re.search(
        r"warning: .*?(\d+) authorities with children's services have no row: ([^\n]*)", stderr
    )
    assert absent and int(absent.group(1)) == 210
    assert "Surrey" in absent.group(2) and "Croydon" not in absent.group(2)


# ---- cells that used to crash ------------------------------------------------------------


@pytest.mark.parametrize(
    "value, says",
    [
        ("12345678901234567890", "'12345678901234567890' is more than 100,000"),
        ("1E+20", "'1E+20' is not a count or a recognised code"),
        ("x" * 200_000, "holds 200,000 characters; no cell of the returns needs more than 1,000"),
        ("3\x1b[31m\x07", "holds the control character U+001B"),
    ],
    ids=["twenty-digits", "exponent", "huge-cell", "escape-and-bell"],
)
def test_cells_that_crashed_are_errors_naming_the_cell(published, tmp_path, value, says):
    rows = [row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6))]
    rows[0]["still_missing"] = value
    result = refused(published, write_returns(tmp_path, rows), says)
    assert "row 2" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr  # escaped, not echoed


def test_excel_overflow_and_formulas_in_id_columns(published, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "returns"
    sheet.append(HEADER)
    sheet.append(["E10000016", "Kent", 1e20, 12, 30, 300, 40, 60, 10, 6])
    sheet.append(['=CONCAT("E09","000008")', "=A2", 30, 9, 20, 200, 30, 50, 8, 5])
    path = tmp_path / "returns.xlsx"
    book.save(path)
    result = refused(
        published,
        path,
        "row 2 (Kent), column trafficked_in_care: '1e+20' is more than 100,000",
        'row 3, column authority_code: holds a formula (=CONCAT("E09","000008"))',
        "row 3, column authority_name: holds a formula (=A2)",
    )
    assert "object at 0x" not in result.stderr


@pytest.mark.ci
def test_a_file_too_large_is_refused_before_reading_with_bounded_memory(published, tmp_path):
    path = tmp_path / "returns.csv"
    line = "E10000016,Kent," + ",".join(["1"] * 8) + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(HEADER) + "\n")
        for _ in range(200 * 1024 * 1024 // len(line)):
            f.write(line)
    out, before = published
    probe = (
        "import resource, subprocess, sys;"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
        "print(r.stderr)"
    )
    command = [sys.executable, "-c", probe, sys.executable, str(paths.ROOT / "run_report.py")]
    command += ["--year", "2024", "--data", str(path), "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    code, peak_kib = map(int, result.stdout.splitlines()[0].split())
    assert code == 2
    assert f"returns file is at most {MAX_FILE_BYTES:,} bytes" in result.stdout
    assert peak_kib < 500 * 1024  # well under 500 MB
    assert tree_hashes(out / "2024") == before


def test_a_question_no_authority_could_answer_builds_an_edition_that_says_so(tmp_path):
    text = SHIPPED_2024.read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    for record in table:
        record["trafficked_went_missing"] = record["trafficked_missing_episodes"] = "not recorded"
    path = tmp_path / "returns.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    out = tmp_path / "site"
    result = run_main("--year", 2024, "--data", path, "--out", out, "--format", "html")
    assert result.returncode == 0, result.stderr
    page = html_text((out / "2024" / "index.html").read_text())
    assert "No authority could tell us how many trafficked children went missing" in page
    assert "so the share who went missing is not known" in page
    published = read_json(out / "2024" / "stats.json")["trafficked"]
    # Not known is [x], the GSS symbol, never 0 nor an empty value.
    assert published["share_went_missing"] == published["went_missing"] == "[x]"
    assert published["missing_episodes"] == published["episodes_per_missing_child"] == "[x]"


# ---- files the build does not own ---------------------------------------------------


def test_data_inside_the_output_root_is_refused_and_kept(published):
    out, before = published
    inside = out / "2024" / "returns_2024.csv"
    inside.write_bytes(SHIPPED_2024.read_bytes())
    try:
        result = run_main("--year", 2024, "--data", inside, "--out", out)
        assert result.returncode == 4
        assert "is inside" in result.stderr and "move it out of the output folder" in result.stderr
        assert inside.read_bytes() == SHIPPED_2024.read_bytes()
    finally:
        inside.unlink()
    assert tree_hashes(out / "2024") == before


def test_a_folder_that_is_not_an_edition_is_never_replaced(tmp_path):
    notes = tmp_path / "report" / "2024"
    notes.mkdir(parents=True)
    (notes / "team-notes.txt").write_text("call Kent back on Monday")
    result = run_main("--year", 2024, "--out", tmp_path / "report", "--format", "html")
    assert result.returncode == 4
    assert "exists but is not an edition this tool wrote" in result.stderr
    assert (notes / "team-notes.txt").read_text() == "call Kent back on Monday"
    assert sorted(p.name for p in notes.iterdir()) == ["team-notes.txt"]


@pytest.mark.parametrize("linked", ["edition", "root"])
def test_symbolic_links_are_refused_before_any_work(published, tmp_path, linked):
    out, before = published
    if linked == "edition":
        root = tmp_path / "report"
        root.mkdir()
        (root / "2024").symlink_to(out / "2024")
    else:
        root = tmp_path / "link"
        root.symlink_to(out)
    result = run_main("--year", 2024, "--out", root, "--format", "html")
    assert result.returncode == 4 and "is a symbolic link" in result.stderr
    assert "Cannot call rmtree" not in result.stderr
    assert tree_hashes(out / "2024") == before


@pytest.mark.ci
def test_outputs_name_no_folder_of_this_machine(tmp_path):
    """The same returns from two folders give the same bytes, and no path of either."""
    editions = []
    for place in ("alice/case-1234", "bob/elsewhere"):
        folder = tmp_path / place
        folder.mkdir(parents=True)
        returns = folder / "returns_2024.csv"
        returns.write_bytes(SHIPPED_2024.read_bytes())
        out = tmp_path / place / "out"
        result = run_main("--year", 2024, "--data", returns, "--out", out, "--format", "html")
        assert result.returncode == 0, result.stderr
        editions.append(out / "2024")
    assert tree_hashes(editions[0]) == tree_hashes(editions[1])
    for path in editions[0].rglob("*"):
        if path.is_file():
            assert str(tmp_path) not in path.read_text(errors="replace"), path
    manifest = read_json(editions[0] / "manifest.json")
    assert manifest["parameters"]["returns"] == "returns_2024.csv"


def test_data_naming_a_folder_says_so(published, tmp_path):
    refused(published, tmp_path, "is a folder; give the .csv or .xlsx in it")


@pytest.mark.ci
def test_two_years_built_at_once_into_one_root_share_the_index_safely(tmp_path):
    out = tmp_path / "site"
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                str(paths.ROOT / "run_report.py"),
                "--year",
                str(year),
                "--out",
                str(out),
                "--format",
                "html",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=paths.ROOT,
        )
        for year in (2017, 2024)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    index = (out / "index.html").read_text()
    assert "2017/index.html" in index and "2024/index.html" in index
    assert sorted(p.name for p in out.iterdir()) == ["2017", "2024", "index.html", "manifest.json"]


# ---- configuration is input too -----------------------------------------------------


def broken_copy(monkeypatch, tmp_path, name, old, new):
    source = getattr(paths, name)
    copy = tmp_path / source.name
    text = source.read_text(encoding="utf-8")
    assert old in text
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setattr(paths, name, copy)
    return copy


def test_misspelt_key_in_editions_toml_names_file_line_and_key(monkeypatch, tmp_path, capsys):
    broken_copy(monkeypatch, tmp_path, "EDITIONS", "top_still_missing = 3", "top_stil_missing = 3")
    assert cli.main(["--year", "2024", "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    line = next(
        n
        for n, text in enumerate(paths.EDITIONS.read_text().splitlines(), 1)
        if "top_stil_missing" in text
    )
    assert f"editions.toml, line {line}, [years.2017] key 'top_stil_missing': unknown key " in err
    assert "(did you mean 'top_still_missing'?)" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()  # nothing started


def test_fact_citing_an_unknown_source_fails_before_any_notebook(monkeypatch, tmp_path, capsys):
    broken_copy(monkeypatch, tmp_path, "FACTS", 'source = "ilo-2002"', 'source = "ilo-2020"')
    assert cli.main(["--year", "2015", "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "facts.toml, line " in err and "cites 'ilo-2020', which is not in" in err
    assert not (tmp_path / "site").exists() and not work_folder(tmp_path / "site").exists()


def test_the_log_holds_every_problem(published, tmp_path):
    rows = [row(f"E090000{n:02d}", **full("bad", "bad", 0, 0, 0, 0, 0, 0)) for n in range(1, 34)]
    result = refused(published, write_returns(tmp_path, rows), "... and 16 more problems")
    log = re.search(r"full log: (\S+build\.log)", result.stderr).group(1)
    text = Path(log).read_text(encoding="utf-8")
    assert text.count("is not a count or a recognised code") == 66


@pytest.mark.ci
def test_a_folder_put_in_the_way_during_the_build_is_kept(tmp_path, monkeypatch):
    """The second look, just before the swap: a folder that appeared meanwhile is refused."""
    from harmreport.pipeline import build
    from harmreport.project.build_request import BuildRequest, resolve
    from harmreport.project.errors import EnvironmentProblem

    out = tmp_path / "report"

    def team_folder_appears(*args, **kwargs):
        (out / "2024").mkdir(parents=True, exist_ok=True)
        (out / "2024" / "notes.txt").write_text("ours")
        return "<html><body></body></html>"

    monkeypatch.setattr(render, "render_html", team_folder_appears)
    with pytest.raises(EnvironmentProblem) as refused_late:
        build.build_edition(
            resolve(BuildRequest(2024, out_root=out, formats=("html",))),
            write=print,
            session=helpers.SESSION,
        )
    assert refused_late.value.exit_code == 4
    assert "not an edition this tool wrote" in str(refused_late.value)
    assert (out / "2024" / "notes.txt").read_text() == "ours"


def test_unknown_source_in_a_template_names_template_and_line(monkeypatch, tmp_path, capsys):
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES, templates)
    edition = templates / "editions" / "2015.html.j2"
    lines = edition.read_text().splitlines()
    lines[2] += ' See also{{ cite("no-such-report") }}.'
    edition.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(paths, "TEMPLATES", templates)
    assert cli.main(["--year", "2015", "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "templates/editions/2015.html.j2, line 3: cite('no-such-report') names nothing" in err
    assert not (tmp_path / "site").exists()


def test_a_source_no_template_cites_is_a_warning(monkeypatch, tmp_path):
    from harmreport.project import configuration

    copy = tmp_path / "sources.toml"
    copy.write_text(
        paths.SOURCES.read_text() + '\n[unused-2001]\nauthor = "A"\nyear = "2001"\ntitle = "T"\n'
    )
    monkeypatch.setattr(paths, "SOURCES", copy)
    assert configuration.uncited_sources() == ["unused-2001"]


@pytest.mark.parametrize("name", ["SOURCES", "FACTS", "COLOPHON"])
@pytest.mark.parametrize("address", ["javascript:alert(document.domain)", "data:text/html,x"])
def test_an_address_that_is_not_a_web_address_is_refused(name, address, monkeypatch, tmp_path):
    from harmreport.project import configuration

    original = getattr(paths, name)
    extra = {
        "SOURCES": f'\n[bad-2001]\nauthor = "A"\nyear = "2001"\ntitle = "T"\nurl = "{address}"\n',
        "FACTS": "",
        "COLOPHON": f'\n[[reference_data]]\nname = "N"\nurl = "{address}"\n',
    }[name]
    text = original.read_text() + extra
    if name == "FACTS":  # a fact of its own has no url; its source's does (sources.toml)
        text = text.replace('source = "', f'url = "{address}"\nsource = "', 1)
    copy = tmp_path / original.name
    copy.write_text(text)
    monkeypatch.setattr(paths, name, copy)
    problems = [str(p) for p in configuration.configuration_problems()]
    line = next(n for n, t in enumerate(text.splitlines(), 1) if address in t)
    assert any(
        p.startswith(f"{original.name}, line {line},") and "url" in p and address in p
        for p in problems
    ), problems
