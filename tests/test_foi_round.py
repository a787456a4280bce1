"""The FOI round: `run_report.py new` (entry, stub template, workbook, request), the returns
workbook itself (what it offers and refuses, and that the build reads it, also after
LibreOffice), and the round's status (answers so far, overdue requests)."""

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from harmreport import cli
from harmreport.foi import foi_round, new_edition
from harmreport.intake import cell_codes, reference
from harmreport.intake.returns import load_returns
from harmreport.project import editions, paths
from harmreport.project.errors import InputError
from tests.helpers import run_main

Y = max(entry.year for entry in editions.all_data_years()) + 1


@pytest.fixture
def project(monkeypatch, tmp_path):
    """editions.toml and the edition templates as copies, and a private folder."""
    toml = tmp_path / "editions.toml"
    shutil.copy(paths.EDITIONS, toml)
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES, templates)
    monkeypatch.setattr(paths, "EDITIONS", toml)
    monkeypatch.setattr(paths, "TEMPLATES", templates)
    monkeypatch.setenv("HBH_RETURNS", str(tmp_path / "private"))
    return tmp_path


def start(*extra) -> int:
    dates = ["--period-start", f"{Y}-01-01", "--period-end", f"{Y}-12-31"]
    return cli.main(["new", str(Y), *dates, *extra])


def test_new_adds_the_edition_its_stub_template_workbook_and_request(project, capsys):
    assert start() == 0
    said = capsys.readouterr().err
    assert f"[{Y}] started: [years.{Y}] in " in said
    edition = editions.edition(Y)
    assert (edition.period_start, edition.period_end) == (dt.date(Y, 1, 1), dt.date(Y, 12, 31))
    assert edition.period_label == f"1 January to 31 December {Y}"
    assert edition.returns == project / "private" / f"returns_{Y}.xlsx"
    request = (project / "private" / f"foi_request_{Y}.txt").read_text()
    assert f"1 January {Y} to 31 December {Y}" in request
    assert all(question in request for question in foi_round.QUESTIONS.values())
    stubs = new_edition.stubs_left(Y)
    assert len(stubs) == 5  # the title, the publication date, the context (2) and recommendations
    assert stubs[0].startswith("editions.toml, line ") and "title" in stubs[0]
    assert stubs[1].startswith("editions.toml, line ") and "published" in stubs[1]
    assert all(stub.startswith(f"{Y}.html.j2, line ") for stub in stubs[2:])


def test_new_refuses_what_would_spoil_the_project(project, capsys):
    assert start() == 0
    assert start() == 2  # the year exists
    assert "already has [years." in capsys.readouterr().err
    wrong = [
        "new",
        str(Y + 1),
        "--period-start",
        f"{Y + 2}-01-01",
        "--period-end",
        f"{Y + 2}-12-31",
    ]
    assert cli.main(wrong) == 2
    assert f"does not end in {Y + 1}" in capsys.readouterr().err
    overlap = ["new", str(Y + 1), "--period-start", f"{Y}-06-01", "--period-end", f"{Y + 1}-05-31"]
    assert cli.main(overlap) == 2
    assert f"overlaps {Y}'s" in capsys.readouterr().err
    before = paths.EDITIONS.read_text()
    (project / "private" / f"returns_{Y + 1}.xlsx").write_text("the team's own")
    clean = [
        "new",
        str(Y + 1),
        "--period-start",
        f"{Y + 1}-01-01",
        "--period-end",
        f"{Y + 1}-12-31",
    ]
    assert cli.main(clean) == 2
    assert "already exists; nothing was changed" in capsys.readouterr().err
    assert paths.EDITIONS.read_text() == before  # nothing half-made


def test_new_needs_a_private_folder(project, monkeypatch, capsys):
    monkeypatch.delenv("HBH_RETURNS")
    monkeypatch.setattr(paths, "LOCAL_SETTINGS", project / "none.toml")
    assert start() == 2
    assert "no private returns folder is named: give --returns-folder" in capsys.readouterr().err
    assert start("--returns-folder", str(project / "elsewhere")) == 0
    assert (project / "elsewhere" / f"returns_{Y}.xlsx").is_file()


def test_a_stub_left_stops_the_build_naming_each(project, capsys):
    assert start() == 0
    assert cli.main(["--year", str(Y), "--out", str(project / "site")]) == 2
    err = capsys.readouterr().err
    assert f"the {Y} edition still has 5 STUB line(s) to write; nothing was published" in err
    assert f"{Y}.html.j2, line 10: <p>STUB: why this edition" in err
    assert not (project / "site").exists()


def test_the_workbook_offers_every_authority_and_guards_each_cell(tmp_path):
    edition = editions.edition(2024)
    book = load_workbook(foi_round.make_workbook(edition, tmp_path / "w.xlsx"))
    assert book.sheetnames == ["instructions", "lists", "returns", "nationalities"]
    assert book["lists"].sheet_state == "hidden"
    returns = book["returns"]
    header = [cell.value for cell in returns[1]]
    assert header[:10] == ["authority_code", "authority_name", *foi_round.QUESTIONS]
    assert header[10:15] == [
        "request_sent",
        "reminder_sent",
        "answered",
        "internal_review",
        "notes",
    ]
    assert header[15:] == [f"{who}_{what}" for who in ("answer", "trafficked", "unaccompanied")
                           for what in ("period", "scope")]  # fmt: skip
    table = reference.load_authorities()
    expected = reference.responsible_in(table, edition, set())
    codes = [row[0].value for row in returns.iter_rows(min_row=2)]
    assert sorted(codes) == sorted(reference.published_code(table.loc[i]) for i in expected)
    assert returns.protection.sheet and returns["A2"].protection.locked
    assert not returns["C2"].protection.locked and not returns["K2"].protection.locked
    rules = {str(rule.sqref): rule for rule in returns.data_validations.dataValidation}
    last = len(codes) + 1
    counts = rules[f"C2:C{last}"]
    assert counts.type == "custom" and "answer_codes" in counts.formula1
    assert counts.prompt == foi_round.QUESTIONS["trafficked_in_care"]
    assert rules[f"K2:K{last}"].type == "date"
    nationalities = book["nationalities"].data_validations.dataValidation
    assert {rule.formula1 for rule in nationalities if rule.type == "list"} == {
        "=authority_codes",
        "=groups",
        "=nationality_names",
    }
    assert book.defined_names["hbh_year"].attr_text == "instructions!$B$1"
    assert book["instructions"]["B1"].value == 2024


@pytest.mark.ci
@pytest.mark.slow
def test_a_filled_workbook_is_read_and_libreoffices_copy_builds_the_same(built, tmp_path):
    workbook = foi_round.make_workbook(editions.edition(2024), tmp_path / "returns.xlsx")
    foi_round.fill_from_csv(workbook, paths.RETURNS / "returns_2024.csv")
    typed = load_returns(workbook, 2024)
    shipped = load_returns(paths.RETURNS / "returns_2024.csv", 2024)
    assert typed.warnings == []
    for table in ("counts", "categories", "limits"):
        mine, theirs = getattr(typed, table), getattr(shipped, table)
        assert mine.sort_index().equals(theirs.sort_index()), table
    resaved = tmp_path / "resaved"
    subprocess.run(
        ["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", resaved, workbook],
        check=True,
        capture_output=True,
        timeout=120,
    )
    copy = resaved / "returns.xlsx"
    assert copy.read_bytes() != workbook.read_bytes()  # re-saved indeed
    done = run_main("--year", 2024, "--data", copy, "--out", tmp_path / "a", "--format", "html")
    assert done.returncode == 0, done.stderr
    assert " 0 warnings" in done.stderr and "warning:" not in done.stderr
    stats = json.loads((tmp_path / "a" / "2024" / "stats.json").read_text())
    published = json.loads((built / "2024" / "stats.json").read_text())
    # The same figures, as real data: the edition's own point of the trend is real too.
    published["trend"]["2024"]["illustrative"] = False
    assert stats == {**published, "illustrative": False}
    wrong_year = run_main("--year", 2020, "--data", copy, "--out", tmp_path / "c")
    assert wrong_year.returncode == 2
    made_for = "the workbook was made for the 2024 edition, 2024-01-01 to 2024-12-31"
    assert made_for in wrong_year.stderr


def test_working_days_are_the_acts_own():
    foia, foisa = cell_codes.FOIA, cell_codes.FOISA
    # St Patrick's Day is a bank holiday in Northern Ireland: under the 2000 Act, a day of the
    # United Kingdom's; not under Scotland's Act.
    assert foi_round.response_due(dt.date(2025, 3, 3), foia) == dt.date(2025, 4, 1)
    assert foi_round.response_due(dt.date(2025, 3, 3), foisa) == dt.date(2025, 3, 31)
    # Easter Monday is no bank holiday in Scotland; the early May one is everywhere.
    assert foi_round.response_due(dt.date(2025, 4, 7), foia) == dt.date(2025, 5, 8)
    assert foi_round.response_due(dt.date(2025, 4, 7), foisa) == dt.date(2025, 5, 7)
    assert not foi_round.is_working_day(dt.date(2025, 12, 1), foia)  # St Andrew's, moved
    assert not foi_round.is_working_day(dt.date(2025, 12, 1), foisa)
    assert not foi_round.is_working_day(dt.date(2025, 7, 14), foia)  # the Boyne, moved
    assert foi_round.is_working_day(dt.date(2025, 7, 14), foisa)
    assert not foi_round.is_working_day(dt.date(2022, 9, 19), foia)  # a one-off, 2022
    assert not foi_round.is_working_day(dt.date(2021, 12, 28), foisa)  # Boxing Day, moved
    assert foi_round.working_days_late(dt.date(2025, 4, 1), dt.date(2025, 4, 7)) == 4


def status_workbook(tmp_path, rows: dict[int, dict]):
    workbook = foi_round.make_workbook(editions.edition(2024), tmp_path / "w.xlsx")
    book = load_workbook(workbook)
    sheet = book["returns"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    for row, values in rows.items():
        for column, value in values.items():
            sheet.cell(row, columns[column], value)
    book.save(workbook)
    return workbook, sheet


def test_the_round_status_counts_answers_refusals_reminders_and_overdue_requests(tmp_path):
    sent = dt.datetime(2025, 3, 3)
    rows = {
        2: {"trafficked_in_care": 4, "request_sent": sent},
        3: {"trafficked_in_care": "not recorded", "request_sent": sent,
            "answered": dt.datetime(2025, 3, 20)},
        4: {"trafficked_in_care": "s12", "request_sent": sent,
            "reminder_sent": dt.datetime(2025, 4, 3)},
        5: {c: "redirected" for c in foi_round.QUESTIONS} | {"request_sent": sent,
            "answered": dt.datetime(2025, 3, 10), "internal_review": "14/04/2025"},
    }  # fmt: skip
    workbook, sheet = status_workbook(tmp_path, rows)
    lines = foi_round.round_status(workbook, dt.date(2025, 4, 7))
    total = sheet.max_row - 1
    name = {row: sheet.cell(row, 2).value for row in rows}
    assert lines[0] == f"{total} authorities in the round"
    counts = f"2 answered, 1 refused, 1 redirected, {total - 4} not yet"
    assert f"  trafficked_in_care: {counts}" in lines
    assert "1 redirected the request elsewhere" in lines and f"  {name[5]}" in lines
    assert "1 reminders sent" in lines and f"  {name[4]}: reminded 3 April 2025" in lines
    assert "1 internal reviews asked for" in lines and f"  {name[5]}: asked 14 April 2025" in lines
    assert "2 overdue under the Act's 20 working days" in lines
    assert f"  {name[2]}: due 1 April 2025, 4 working days late" in lines
    assert f"  {name[4]}: due 1 April 2025, 4 working days late (reminded 3 April 2025)" in lines


def test_a_scottish_request_is_due_by_scotlands_working_days(tmp_path):
    workbook, sheet = status_workbook(tmp_path, {})
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value[0] == "S")
    workbook, sheet = status_workbook(tmp_path, {row: {"request_sent": dt.datetime(2025, 3, 3)}})
    lines = foi_round.round_status(workbook, dt.date(2025, 4, 7))
    assert f"  {sheet.cell(row, 2).value}: due 31 March 2025, 5 working days late" in lines


def test_a_reminder_before_the_request_is_refused_naming_its_cell(tmp_path, capsys):
    rows = {7: {"request_sent": dt.datetime(2025, 3, 3), "reminder_sent": dt.datetime(2025, 2, 1)}}
    workbook, _ = status_workbook(tmp_path, rows)
    with pytest.raises(InputError) as refused:
        foi_round.round_status(workbook, dt.date(2025, 4, 7))
    assert str(refused.value) == (
        "w.xlsx, sheet returns, row 7, column reminder_sent: 2025-02-01 is before the request "
        "(2025-03-03); correct the date"
    )
    rows = {7: {"request_sent": "next week"}}
    with pytest.raises(InputError, match="row 7, column request_sent: 'next week' is not a date"):
        foi_round.round_status(status_workbook(tmp_path, rows)[0], dt.date(2025, 4, 7))


def test_a_date_that_is_not_one_is_named(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["new", str(Y), "--period-start", f"{Y}-13-01", "--period-end", f"{Y}-12-31"])
    assert stopped.value.code == 2
    assert f"argument --period-start: '{Y}-13-01' is not a date (YYYY-MM-DD)" in (
        capsys.readouterr().err
    )


REORGANISED = {  # abolished on 31 March 2023, and their successors from 1 April
    "E10000006": "Cumbria County Council",
    "E06000063": "Cumberland Council",
    "E06000064": "Westmorland and Furness Council",
    "E10000023": "North Yorkshire County Council",
    "E06000065": "North Yorkshire Council",
    "E10000027": "Somerset County Council",
    "E06000066": "Somerset Council",
}


@pytest.mark.ci
@pytest.mark.slow
def test_a_year_spanning_a_reorganisation_starts_fills_and_builds(tmp_path):
    """`new 2023`, in a copy of the project, lists each council for the months it existed;
    the workbook filled in builds an edition with every one of them on the tile map."""
    project, private = tmp_path / "project", tmp_path / "private"
    skip = shutil.ignore_patterns(".venv", "report", "build", "mutants", "node_modules", ".git*")
    shutil.copytree(paths.ROOT, project, ignore=skip)
    env = {**os.environ, "HBH_RETURNS": str(private), "PYTHONPATH": str(project)}

    def cli_in_copy(*args):
        return subprocess.run([sys.executable, "run_report.py", *args], cwd=project, env=env,
                              capture_output=True, text=True)  # fmt: skip

    started = cli_in_copy(
        "new", "2023", "--period-start", "2023-01-01", "--period-end", "2023-12-31"
    )
    assert started.returncode == 0, started.stderr
    template = project / "templates" / "editions" / "2023.html.j2"
    template.write_text(template.read_text().replace("STUB:", "Written:"), encoding="utf-8")
    toml = project / "data" / "editions.toml"
    written = toml.read_text().replace('"STUB: the month and year of publication"', '"May 2024"')
    written = written.replace('"STUB: the edition\'s title"', '"Harm Reorganised"')
    toml.write_text(written, encoding="utf-8")
    workbook = private / "returns_2023.xlsx"
    book = load_workbook(workbook)
    sheet = book["returns"]
    listed = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert set(REORGANISED) <= listed  # each for the months it existed
    for i, row in enumerate(sheet.iter_rows(min_row=2, max_col=10)):
        in_care, went = 10 + i % 7, 2 + i % 3
        values = [in_care, went, went * 2, in_care * 3, went * 2, went * 4, went, 1]
        for cell, value in zip(row[2:], values, strict=True):
            cell.value = value
    book.save(workbook)
    built = cli_in_copy("--year", "2023", "--out", str(tmp_path / "site"), "--format", "html")
    assert built.returncode == 0, built.stderr
    with open(tmp_path / "site" / "2023" / "answers.csv", encoding="utf-8") as f:
        answered = {row["code"] for row in csv.DictReader(f)}
    assert set(REORGANISED) <= answered
    tiles = (tmp_path / "site" / "2023" / "figures" / "tile_map.svg").read_text()
    assert all(f"hex-{code}" in tiles for code in REORGANISED)


def test_an_abolished_council_is_named_with_its_successors(tmp_path):
    from harmreport.intake.problems import ReturnsError

    path = tmp_path / "returns_2024.csv"
    header = "authority_code,authority_name," + ",".join(foi_round.QUESTIONS)
    path.write_text(f"{header}\nE10000006,Cumbria,{','.join(['1'] * 8)}\n", encoding="utf-8")
    with pytest.raises(ReturnsError) as refused:
        load_returns(path, 2024)
    said = str(refused.value)
    assert "Cumbria County Council (E10000006) was not in operation" in said
    assert "it was abolished after 31 March 2023; from 1 April 2023 its successors are " in said
    assert "Cumberland Council, Westmorland and Furness Council" in said


def test_bodies_that_share_a_hexagon_each_get_their_own():
    from harmreport.outputs import tile_map

    layout = tile_map.load_layout()
    codes = list(REORGANISED)
    centres = tile_map.positions(codes, layout)
    assert len(set(centres.values())) == len(codes)
    assert centres == tile_map.positions(codes, layout)  # the same every time
    assert centres["E06000063"] == tile_map.positions(["E06000063"], layout)["E06000063"]


def test_a_private_folder_inside_the_project_is_refused(project, monkeypatch, capsys):
    inside = paths.ROOT / "private-returns"
    monkeypatch.setenv("HBH_RETURNS", str(inside))
    assert start() == 2
    err = capsys.readouterr().err
    assert f"the private returns folder {inside} is inside the project" in err
    assert "nothing was changed" in err and not inside.exists()
    monkeypatch.setenv("HBH_RETURNS", str(project / "private"))
    assert start() == 0  # outside the project: started
    monkeypatch.setenv("HBH_RETURNS", str(inside))
    assert cli.main(["--year", str(Y), "--out", str(project / "site")]) == 2
    assert "is inside the project" in capsys.readouterr().err
