"""The project's own promises: pins in sync, templates without numbers, autoescaping on,
every fact sourced, committed notebooks clean."""

import re

import pytest

from harmreport import paths, render, sources


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


TEMPLATES = sorted(p for p in paths.TEMPLATES.rglob("*.j2"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_contain_no_numbers(template):
    text = template.read_text()
    text = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    assert not re.findall(r".{0,30}\d.{0,30}", text)


def test_the_no_numbers_check_can_fail():
    text = re.sub(r"<[^>]*>", " ", "<p>Only 80% of authorities</p>")
    assert re.findall(r"\d", text)


def test_autoescaping_is_on_for_every_template():
    env = render.environment()
    assert all(
        env.select_autoescape(name) if callable(env.autoescape) else env.autoescape
        for name in env.list_templates()
    )
    rendered = env.from_string("{{ value }}").render(value="<script>x</script>")
    assert "<script>" not in rendered


def test_every_fact_cites_a_registered_source():
    registry = sources.load_sources()
    facts = sources.load_facts(sources=registry)
    assert facts and all(f.source in registry for f in facts.values())


def test_every_citation_is_its_own_note_full_then_short_then_ibid():
    registry = sources.load_sources()
    notes = sources.Notes(registry, sources.load_facts(sources=registry))
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
    registry = sources.load_sources()
    with pytest.raises(KeyError):
        sources.Notes(registry, {}).cite("no-such-source")
