"""A mistake in a template is the team's input, not a bug: exit 2 naming the template and the
line, before any kernel starts where it can be found then, and with what to write instead."""

import json
import shutil

import pytest

from harmreport import cli
from harmreport.outputs import render
from harmreport.project import editions, paths
from harmreport.project.errors import InputError


@pytest.fixture
def templates(monkeypatch, tmp_path):
    copy = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES, copy)
    monkeypatch.setattr(paths, "TEMPLATES", copy)
    return copy


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if new in line)


def refused(tmp_path, capsys) -> str:
    assert cli.main(["--year", "2024", "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and not (tmp_path / "site").exists()
    return err


def test_a_syntax_error_names_the_template_and_line(templates, tmp_path, capsys):
    line = edit(templates / "editions" / "2024.html.j2", "{% endblock %}", "{% endblok %}")
    err = refused(tmp_path, capsys)
    assert f"templates/editions/2024.html.j2, line {line}" in err
    assert "a syntax error" in err


def test_a_misspelt_parent_template_is_named(templates, tmp_path, capsys):
    line = edit(templates / "editions" / "2024.html.j2", '"report.html.j2"', '"reprot.html.j2"')
    err = refused(tmp_path, capsys)
    where = f"templates/editions/2024.html.j2, line {line}"
    assert f"{where}: no such template to use: 'reprot.html.j2'" in err and "cannot" not in err


def test_a_chapter_declared_without_its_block_is_refused(templates, tmp_path, capsys):
    edit(
        templates / "editions" / "2015.html.j2",
        '"exploitation"]',
        '"exploitation", "voice"]',
    )
    assert cli.main(["--year", "2015", "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    where = "templates/editions/2015.html.j2, line 4"
    assert f"{where}: a chapter declared without its block: 'voice'" in err


def test_a_year_typed_in_a_template_is_reported_once_with_what_to_write(
    templates, tmp_path, capsys
):
    line = edit(
        templates / "editions" / "2024.html.j2", "<p>Nearly", "<p>In 2025 and 2026, nearly"
    )
    err = refused(tmp_path, capsys)
    assert err.count(f"2024.html.j2, line {line}") == 1
    assert "write {{ edition.year }}, or a date from data/editions.toml" in err


def test_a_template_with_the_wrong_name_is_a_warning(templates):
    from harmreport.project import template_rules

    shutil.copy(templates / "editions" / "2024.html.j2", templates / "editions" / "2025.html")
    shutil.copy(templates / "editions" / "2024.html.j2", templates / "editions" / "2031.html.j2")
    said = template_rules.misnamed_edition_templates()
    assert "templates/editions/2025.html is never used: an edition's template is named" in said[0]
    assert "2031.html.j2 is never used: there is no [years.2031]" in said[1]


@pytest.mark.slow
def test_a_misspelt_statistic_names_the_line_and_what_was_meant(built, templates):
    line = edit(templates / "report.html.j2", 'how_many("trafficked.went_missing")',
                'how_many("trafficked.went_mising")')  # fmt: skip
    stats = json.loads((built / "2024" / "stats.json").read_text())
    with pytest.raises(InputError) as mistake:
        render.render_html(stats, editions.edition(2024), built / "2024")
    said = str(mistake.value)
    assert said.startswith(f"templates/report.html.j2, line {line}: no statistic 'went_mising'")
    assert "(did you mean 'went_missing'?)" in said
    edit(templates / "report.html.j2", 'how_many("trafficked.went_mising")', "t.went_mising")
    with pytest.raises(InputError, match="has no attribute 'went_mising' .did you mean"):
        render.render_html(stats, editions.edition(2024), built / "2024")
