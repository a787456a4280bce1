"""The project's own promises: pins in sync, templates without numbers, autoescaping on,
every fact sourced, committed notebooks clean."""

import ast
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from harmreport.outputs import footnotes, render
from harmreport.project import configuration, paths, template_rules


def pins(path):
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip().removeprefix("- ")
        if "==" in line:
            name, version = line.split("==")
            found[name.strip().lower()] = version.strip()
    return found


def test_environment_yml_pins_the_same_packages_as_pip():
    pip = pins(paths.ROOT / "requirements.txt") | pins(paths.ROOT / "requirements-dev.txt")
    conda = pins(paths.ROOT / "environment.yml")
    assert pip and conda == pip


def test_build_requirements_are_all_pinned():
    for line in (paths.ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.]+", line), line


def test_the_package_declares_what_it_imports_with_the_pins_inside_its_ranges():
    """`pip install .` alone gives a package that imports: every third-party module the
    package and its notebooks import is declared in pyproject.toml, and each pin fits."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    declared = {r.name.lower(): r for r in map(Requirement, project["dependencies"])}
    pinned = pins(paths.ROOT / "requirements.txt")
    for name, requirement in declared.items():
        assert requirement.specifier.contains(pinned[name]), (name, pinned[name])
    codes = [
        p.read_text(encoding="utf-8") for p in paths.ROOT.joinpath("harmreport").rglob("*.py")
    ]
    for notebook in paths.NOTEBOOKS.glob("*.ipynb"):
        cells = nbformat.read(notebook, as_version=4).cells
        codes += [cell.source for cell in cells if cell.cell_type == "code"]
    imported = set()
    for node in (node for code in codes for node in ast.walk(ast.parse(code))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"harmreport"}
    module_of = {"python-dateutil": "dateutil", "ipython": "IPython"}
    provided = {module_of.get(name, name).lower() for name in declared}
    assert {name.lower() for name in third_party} <= provided


TEMPLATES = sorted(p for p in paths.TEMPLATES.rglob("*.j2"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_contain_no_numbers_and_no_edition_claims(template):
    assert template_rules.problems(template) == []


@pytest.mark.parametrize(
    "text, rule",
    [
        ("<p>Only 80% of authorities</p>", "a digit in the text"),
        ("<p>missing for more than seven days</p>", "a number written as a word"),
        ("<p>Only four authorities could say.</p>", "a number written as a word"),
        ('{{ figure("x", "Nearly half of them") }}', "a number written as a word"),
        ("{% set top = ranking[:3] %}", "a number in the code"),
        ("{% if share > 0.25 %}", "a number in the code"),
        ('{% if "British" in top %}British children{% endif %}', "one edition's claim"),
        ("<p>Kent had the most.</p>", "one edition's claim"),
    ],
)
def test_the_template_rule_catches(text, rule):
    found = template_rules.problems(paths.TEMPLATES / "report.html.j2", text)
    assert rule in {p.rule for p in found}, found


def test_the_template_rule_lets_through_what_is_not_a_number():
    text = (
        '{% extends "report.html.j2" %}{{ fact("lac_england_incidents_2017") }}'
        "{{ names[:-1] | join(', ') }}<p>No one could say; a hidden one is [c].</p>"
    )
    assert template_rules.problems(paths.TEMPLATES / "editions" / "x.html.j2", text) == []


def test_a_template_with_a_number_stops_the_build_naming_it(tmp_path, monkeypatch):
    shutil.copytree(paths.TEMPLATES, tmp_path / "templates")
    page = tmp_path / "templates" / "editions" / "2024.html.j2"
    page.write_text(page.read_text() + "<p>Up by four points.</p>\n")
    monkeypatch.setattr(paths, "TEMPLATES", tmp_path / "templates")
    problems = [str(p) for p in configuration.configuration_problems()]
    assert any("2024.html.j2" in p and "four" in p for p in problems), problems


def test_autoescaping_is_on_for_every_template():
    env = render.environment()
    assert env.autoescape is True
    page = env.get_template("report.html.j2")
    assert page.environment.autoescape is True
    rendered = env.from_string("{{ value }}").render(value="<script>x</script>")
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered


def test_every_fact_cites_a_registered_source():
    registry = footnotes.load_sources()
    facts = footnotes.load_facts(sources=registry)
    assert facts and all(f.source in registry for f in facts.values())


def test_every_citation_is_its_own_note_full_then_short_then_ibid():
    registry = footnotes.load_sources()
    notes = footnotes.Notes(registry, footnotes.load_facts(sources=registry))
    first = notes.cite("ilo-2002")
    notes.cite("foi-act-2000")
    again = notes.cite("ilo-2002")
    repeat = notes.cite("ilo-2002")
    assert 'href="#note-1"' in first and 'href="#note-3"' in again and 'href="#note-4"' in repeat
    texts = [str(n["citation"]) for n in notes.endnotes()]
    assert texts[0].startswith("International Labour Office (2002) <cite>Every Child Counts")
    assert "https://www.ilo.org" in texts[0]
    assert texts[2] == "International Labour Office (2002) <cite>Every Child Counts</cite>"
    assert texts[3] == "Ibid."
    assert [n["number"] for n in notes.endnotes()] == [1, 2, 3, 4]


def test_unknown_source_is_an_error():
    registry = footnotes.load_sources()
    with pytest.raises(KeyError):
        footnotes.Notes(registry, {}).cite("no-such-source")


# What a build checks before its kernel starts, and then the modules it has loaded.
CHECKED = """
import sys, tempfile
from harmreport.pipeline import build
from harmreport.project.build_request import BuildRequest, resolve
build.check_request(resolve(BuildRequest(2015, out_root=tempfile.mkdtemp())))
print(*sys.modules, sep=chr(10))
"""


def loaded_by(code: str) -> set[str]:
    probe = [sys.executable, "-c", code]
    done = subprocess.run(probe, capture_output=True, text=True, check=True, cwd=paths.ROOT)
    return set(done.stdout.split())


def test_the_build_imports_pandas_weasyprint_and_papermill_only_once_the_kernel_starts():
    """The kernel's second of start-up is spent on these imports: a module-level import of
    any of them in the build (or what it imports first), or in the checks made before the
    kernel starts, would put it back in line."""
    heavy = {"pandas", "numpy", "matplotlib", "weasyprint", "papermill"}
    loaded = loaded_by("import sys, harmreport.pipeline.build; print(*sys.modules, sep=chr(10))")
    assert not loaded & (heavy | {"jinja2"})
    assert not loaded_by(CHECKED) & heavy  # the templates' check reads them with Jinja2


def test_the_citation_file_gives_the_package_s_version():
    import tomllib

    from harmreport.project import paths

    with open(paths.ROOT / "pyproject.toml", "rb") as f:
        version = tomllib.load(f)["project"]["version"]
    citation = (paths.ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{version}"' in citation
    assert (paths.ROOT / "LICENSE").read_text().startswith("MIT License")


def test_every_editions_key_is_described_for_the_team():
    from harmreport.project import configuration, paths

    guide = (paths.ROOT / "docs" / "next-edition.md").read_text(encoding="utf-8")
    for key in configuration.EDITION_KEYS:
        assert f"`{key}`" in guide, key


def test_the_phone_layout_labels_each_answer_with_its_question():
    """screen.css labels Appendix A's marks by position: one rule a question, Q1 the third
    cell (after the name and the nation), as render numbers them."""
    css = (paths.TEMPLATES / "screen.css").read_text(encoding="utf-8")
    for index, question in enumerate(render.QUESTION_SHORT, start=3):
        assert f'table.answers td:nth-child({index})::before {{ content: "{question} "; }}' in css
    assert f"nth-child({len(render.QUESTION_SHORT) + 3})" not in css
