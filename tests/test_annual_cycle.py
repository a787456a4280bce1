"""The research team's year: real returns kept private, the illustrative label declared by the
illustrative dataset itself, and editions.toml checked for the mistakes a new year invites."""

import datetime as dt
import shutil

import pytest

from harmreport import cli
from harmreport.foi import new_edition
from harmreport.pipeline import build
from harmreport.project import configuration, editions, paths
from harmreport.project.build_request import BuildRequest, resolve
from harmreport.project.errors import InputError

Y = max(entry.year for entry in editions.all_data_years()) + 1  # the next edition's year
LAST = Y - 1
NEXT = new_edition.entry_text(Y, dt.date(Y, 1, 1), dt.date(Y, 12, 31), f"Heading Back to Harm {Y}")


def editions_with(monkeypatch, tmp_path, extra: str):
    copy = tmp_path / "editions.toml"
    copy.write_text(paths.EDITIONS.read_text(encoding="utf-8") + extra, encoding="utf-8")
    monkeypatch.setattr(paths, "EDITIONS", copy)
    return copy


def problems(monkeypatch, tmp_path, extra: str) -> str:
    editions_with(monkeypatch, tmp_path, extra)
    with pytest.raises(InputError) as refused:
        configuration.check_configuration()
    return "\n".join([str(refused.value), *refused.value.details])


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_real_edition_reads_its_returns_from_the_private_folder(monkeypatch, tmp_path):
    editions_with(monkeypatch, tmp_path, NEXT)
    private = tmp_path / "private"
    private.mkdir()
    monkeypatch.setenv("HBH_RETURNS", str(private))
    assert editions.edition(Y).returns == private / f"returns_{Y}.xlsx"  # not there yet
    shutil.copy(paths.RETURNS / "returns_2024.csv", private / f"returns_{Y}.csv")
    assert editions.edition(Y).returns == private / f"returns_{Y}.csv"
    assert not editions.is_illustrative(private / f"returns_{Y}.csv")  # a copy is real


def test_the_private_folder_can_be_named_in_local_settings(monkeypatch, tmp_path):
    monkeypatch.delenv("HBH_RETURNS", raising=False)
    settings = tmp_path / "local.toml"
    settings.write_text(f'returns_folder = "{tmp_path / "mine"}"\n', encoding="utf-8")
    monkeypatch.setattr(paths, "LOCAL_SETTINGS", settings)
    assert editions.private_folder() == tmp_path / "mine"
    settings.unlink()
    assert editions.private_folder() is None


def test_only_the_declared_bytes_in_the_illustrative_folder_are_illustrative(tmp_path):
    shipped = paths.RETURNS / "returns_2024.csv"
    assert editions.is_illustrative(shipped)
    assert set(editions.illustrative_files()) == {p.name for p in paths.RETURNS.glob("*.csv")}
    assert not editions.is_illustrative(shutil.copy(shipped, tmp_path / shipped.name))


def test_a_file_changed_in_the_illustrative_folder_is_real(monkeypatch, tmp_path):
    folder = tmp_path / "returns"
    shutil.copytree(paths.RETURNS, folder)
    monkeypatch.setattr(paths, "RETURNS", folder)
    monkeypatch.setattr(paths, "ILLUSTRATIVE", folder / "ILLUSTRATIVE.toml")
    assert editions.is_illustrative(folder / "returns_2024.csv")
    with open(folder / "returns_2024.csv", "a", encoding="utf-8") as returns:
        returns.write("\n")
    assert not editions.is_illustrative(folder / "returns_2024.csv")
    assert not editions.is_illustrative(shutil.copy(folder / "returns_2017.csv", folder / "x.csv"))


def test_missing_private_returns_say_where_they_were_looked_for(monkeypatch, tmp_path, capsys):
    editions_with(monkeypatch, tmp_path, NEXT)
    monkeypatch.setenv("HBH_RETURNS", str(tmp_path / "private"))
    assert cli.main(["--year", str(Y), "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert f"the {Y} edition's returns were not found: there is no returns_{Y}.xlsx" in err
    assert str(tmp_path / "private") in err and "--data" in err
    monkeypatch.delenv("HBH_RETURNS")
    monkeypatch.setattr(paths, "LOCAL_SETTINGS", tmp_path / "none.toml")
    assert cli.main(["--year", str(Y), "--out", str(tmp_path / "site")]) == 2
    assert "no private returns folder is named (HBH_RETURNS" in capsys.readouterr().err


def test_an_unknown_year_says_how_to_start_its_edition(capsys, tmp_path):
    assert cli.main(["--year", "2031", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "there is no data for 2031" in err
    assert "python run_report.py new 2031 --period-start" in err


def test_a_period_that_ends_in_another_year_is_refused(monkeypatch, tmp_path):
    wrong = NEXT.replace(f"[years.{Y}]", f"[years.{Y + 27}]")
    said = problems(monkeypatch, tmp_path, wrong)
    line = line_of(paths.EDITIONS, f"period_end = {Y}-12-31")
    where = f"editions.toml, line {line}, [years.{Y + 27}] key 'period_end'"
    assert f"{where}: the period ends in {Y}, but the data year is {Y + 27}" in said


def test_overlapping_periods_are_refused(monkeypatch, tmp_path):
    again = NEXT.replace(f"{Y}-01-01", f"{LAST}-12-01").replace("1 January", f"1 December {LAST}")
    said = problems(monkeypatch, tmp_path, again)
    line = line_of(paths.EDITIONS, f"period_start = {LAST}-12-01")
    overlap = f"[years.{Y}] key 'period_start': the period overlaps [years.{LAST}]"
    assert f"line {line}, {overlap}" in said


def test_returns_of_another_year_are_refused_naming_it(tmp_path):
    for given, year, other in (("returns_2020.csv", 2024, 2020), ("returns_2024.csv", 2020, 2024)):
        request = BuildRequest(year, paths.RETURNS / given, tmp_path / "site")
        with pytest.raises(InputError, match=f"is the {other} returns .*not {year}'s"):
            build.check_request(resolve(request))
    copy = shutil.copy(paths.RETURNS / "returns_2020.csv", tmp_path / "mine.csv")
    with pytest.raises(InputError, match="is the 2020 returns"):
        build.check_request(resolve(BuildRequest(2024, copy, tmp_path / "site")))


@pytest.mark.ci
@pytest.mark.slow
def test_a_web_only_build_says_the_published_pdf_goes(built, tmp_path):
    from tests.conftest import copy_of
    from tests.helpers import run_main

    out = copy_of(built, tmp_path / "site")
    assert (out / "2024" / "report.pdf").is_file()
    done = run_main("--year", 2024, "--out", out, "--format", "html", "--force")
    assert done.returncode == 0, done.stderr
    assert "warning: the published report.pdf is removed with this build" in done.stderr
    assert not (out / "2024" / "report.pdf").exists()
    index = (out / "index.html").read_text()
    assert "2024/report.pdf" not in index and "no PDF of this build yet" in index
    assert "2020/report.pdf" in index


REVISION = """
[[years.{year}.revisions]]
date = {date}
what = "Corrected Kent's answer"
{extra}
"""


def test_a_revision_outside_an_edition_is_refused_naming_its_line(monkeypatch, tmp_path):
    for year, why in ((2023, "there is no edition 2023"), (2018, "2018 is a data year")):
        said = problems(monkeypatch, tmp_path, REVISION.format(year=year, date="2026-03-01",
                                                               extra=""))  # fmt: skip
        line = line_of(paths.EDITIONS, f"[[years.{year}.revisions]]")
        assert f"editions.toml, line {line}, [[years.{year}.revisions]]: {why}" in said
        assert "missing key" not in said  # not taken for a data year with its keys missing


def test_a_revision_is_checked_key_by_key(monkeypatch, tmp_path):
    extra = 'old = 2638\nnew = 2647\nwhen = "now"'
    said = problems(monkeypatch, tmp_path, REVISION.format(year=2024, date='"2026-03-01"',
                                                           extra=extra))  # fmt: skip
    where = f"editions.toml, line {line_of(paths.EDITIONS, '[[years.2024.revisions]]')}, "
    where += "[[years.2024.revisions]] number 1"
    assert f"{where} key 'date': must be a date (YYYY-MM-DD) written without quotes" in said
    assert f"{where}: old and new need 'figure'" in said
    assert f"{where} key 'when': unknown key" in said


def test_the_default_edition_is_the_latest_whose_returns_are_here(monkeypatch, tmp_path, capsys):
    from tests.conftest import EDITIONS

    editions_with(monkeypatch, tmp_path, NEXT)
    monkeypatch.setenv("HBH_RETURNS", str(tmp_path / "private"))  # an empty private folder
    shipped = max(EDITIONS)  # the latest edition whose returns the project ships
    later = [str(y) for y in editions.all_editions() if y > shipped]  # Y, and any real one
    have = "has" if len(later) == 1 else "have"
    assert editions.default_edition() == (
        shipped,
        f"no --year: building {shipped}, the latest edition whose returns are here "
        f"({', '.join(later)} {have} no returns here: see HBH_RETURNS in docs/next-edition.md)",
    )
    (tmp_path / "private").mkdir()
    shutil.copy(paths.RETURNS / "returns_2024.csv", tmp_path / "private" / f"returns_{Y}.csv")
    assert editions.default_edition() == (Y, f"no --year: building {Y}, the latest edition")
