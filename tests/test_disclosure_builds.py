"""Each leak pattern the red team found, on valid returns made to break it, built through the
real CLI: the edition publishes with the right figures as [c], and no published file holds
the value. A suppression that bypasses the ledger is caught by the independent check."""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from harmreport.pipeline import build
from harmreport.project import paths
from harmreport.project.build_request import BuildRequest, resolve
from harmreport.project.errors import DisclosureError
from harmreport.project.jsonfiles import flatten, read_json
from harmreport.publishing.edition_folders import work_folder
from tests import helpers
from tests.conftest import html_text, pdf_text
from tests.helpers import full, row, run_main, write_returns

pytestmark = pytest.mark.slow  # builds editions or runs kernels: `make quick` skips it

LONDON = [f"E090000{n:02d}" for n in range(1, 34)]
NOT_RECORDED = "not recorded"


def build_cli(tmp_path, rows, year=2024, pdf=False, nationalities=None):
    returns = write_returns(tmp_path, rows)
    if nationalities:
        (tmp_path / "returns_nationalities.csv").write_text(
            "authority_code,group,nationality,went_missing\n" + nationalities, encoding="utf-8"
        )
    out = tmp_path / "site"
    formats = "html,pdf" if pdf else "html"
    result = run_main("--year", year, "--data", returns, "--out", out, "--format", formats)
    return result, out / str(year)


def published(folder: Path) -> dict:
    return dict(flatten(read_json(folder / "stats.json")))


def every_text(folder: Path) -> str:
    """All a reader gets: page text, PDF text, and every other file as it is."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".html":
            parts.append(html_text(path.read_text()))
        elif path.suffix == ".pdf":
            parts.append(pdf_text(path))
        elif path.is_file():
            parts.append(path.read_text(errors="replace"))
    return "\n".join(parts)


def rule_of(folder, key):
    return read_json(folder / "stats.json")["disclosure"]["suppressed"][key]


@pytest.mark.ci
def test_nation_totals_from_one_authority(tmp_path):
    rows = [
        row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6)),
        row("E09000008", **full(30, 9, 20, 200, 30, 50, 8, 5)),
        row("NI-BHSCT", **full(3, 0, 0, 20, 5, 5, 0, 0)),  # Northern Ireland: one trust, 3
        row("W06000015", **full(12, 5, 5, 2, 0, 0, 0, 0)),  # Wales: unaccompanied 2
        row("NI-NHSCT"),
    ]
    result, edition = build_cli(tmp_path, rows, pdf=True)
    assert result.returncode == 0, result.stderr
    shown = published(edition)
    assert shown["regions.table.Northern Ireland.trafficked_in_care"] == "[c]"
    assert rule_of(edition, "regions.table.Northern Ireland.trafficked_in_care").startswith(
        "rule 2"
    )
    assert shown["regions.table.Wales.unaccompanied_in_care"] == "[c]"
    # The UK total minus the other areas would give each back: the next smallest cell of the
    # same column is hidden too (Wales's 12, Northern Ireland's 20), not the UK totals.
    assert rule_of(edition, "regions.table.Wales.trafficked_in_care").startswith("rule 4")
    assert rule_of(edition, "regions.table.Northern Ireland.unaccompanied_in_care").startswith(
        "rule 4"
    )
    assert (shown["trafficked.in_care"], shown["unaccompanied.in_care"]) == (85, 522)
    page = html_text((edition / "index.html").read_text())
    # Largest first; hidden rows after, by name, so their place says nothing of their size.
    assert "South East 40 300 London 30 200 Northern Ireland [c] [c] Wales [c] [c]" in page
    assert not re.search(r"Northern Ireland\s+3\b", pdf_text(edition / "report.pdf"))


def test_uk_total_from_a_single_authority(tmp_path):
    rows = [
        row("E10000016", **full(40, 3, 3, 300, 40, 60, 10, 6)),  # the only trafficked missing
        row("E09000008", **full(30, 0, 0, 200, 30, 50, 8, 5)),
        row("S12000049", **full(20, NOT_RECORDED, NOT_RECORDED, 90, 9, 9, 0, 0)),
    ]
    result, edition = build_cli(tmp_path, rows)
    assert result.returncode == 0, result.stderr
    shown = published(edition)
    assert shown["trafficked.went_missing"] == "[c]"
    assert rule_of(edition, "trafficked.went_missing").startswith("rule 3")
    assert shown["trafficked.share_went_missing"] == "[c]"  # its numerator is Kent's own
    assert shown["trafficked.authorities_with_missing"] == 1  # a count of authorities (rule 5)
    text = every_text(edition)
    assert "3 trafficked children went missing" not in text
    assert "Fewer than five ([c]) trafficked children went missing at least once" in text


@pytest.mark.ci
def test_total_minus_the_largest_and_minus_the_named(tmp_path):
    rows = [
        row("E10000016", **full(60, 20, 30, 300, 40, 60, 10, 9)),
        row("E09000008", **full(30, 3, 3, 200, 30, 50, 8, 8)),  # 23 - 20 = 3
        row("E10000030", **full(10, 0, 0, 50, 10, 12, 2, 2)),  # 19 - 9 - 8 = 2
        row("E09000017", **full(0, 0, 0, 40, 0, 0, 0, 0)),
    ]
    result, edition = build_cli(tmp_path, rows)
    assert result.returncode == 0, result.stderr
    shown = published(edition)
    assert "[c]" in (
        shown["trafficked.went_missing"],
        shown["trafficked.largest_went_missing_at_one_authority"],
    )
    named = {k: v for k, v in shown.items() if k.startswith("combined.most_still_missing")}
    assert "[c]" in (shown["combined.still_missing"], *named.values())
    assert "2 children were still missing" not in every_text(edition)


@pytest.mark.ci
def test_shares_and_still_missing_from_one_authority(tmp_path):
    rows = [
        row("E10000016", **full(60, 2, 4, 300, 19, 40, 2, 4)),  # 2 of 60; over a week 2 of 21
        row("E09000008", **full(30, NOT_RECORDED, NOT_RECORDED, 200, 30, 50, NOT_RECORDED, "")),
        row("E10000030", **full(10, NOT_RECORDED, NOT_RECORDED, 50, 10, 12, NOT_RECORDED, "")),
    ]
    result, edition = build_cli(tmp_path, rows)
    assert result.returncode == 0, result.stderr
    shown = published(edition)
    assert shown["trafficked.share_went_missing"] == "[c]"
    assert shown["trafficked.share_went_missing_base.numerator"] == "[c]"
    assert shown["trafficked.share_went_missing_base.denominator"] == "[c]"
    assert shown["combined.missing_over_week_share"] == "[c]"
    assert shown["combined.still_missing"] == "[c]"  # 4, reported by only 1 authority
    assert shown["combined.still_missing_authorities_reporting"] == 1
    text = every_text(edition)
    assert "2 of 60" not in text and "4 children were still missing" not in text


@pytest.mark.ci
def test_london_arithmetic(tmp_path):
    rows = [row(code, **full(0, 0, 0, 10, 1, 1, 0, 0)) for code in LONDON[:31]]
    rows.append(row(LONDON[31]))  # unable to say
    rows.append(row(LONDON[32], **full(3, 1, 1, 10, 1, 1, 0, 0)))  # the one London count
    rows += [
        row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6)),
        row("E10000030", **full(20, 6, 8, 100, 20, 30, 5, 4)),
    ]
    result, edition = build_cli(tmp_path, rows, year=2017, pdf=True)
    assert result.returncode == 0, result.stderr
    shown = published(edition)
    assert (shown["london.authorities"], shown["london.reporting_zero_trafficked"]) == (33, 31)
    assert shown["regions.table.London.trafficked_in_care"] == "[c]"
    assert not re.search(r"London\s+3\b", pdf_text(edition / "report.pdf"))


@pytest.mark.ci
def test_nationalities_from_one_authority(tmp_path):
    rows = [
        row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6)),
        row("E09000008", **full(30, 9, 20, 200, 30, 50, 8, 5)),
    ]
    nationalities = (
        "E10000016,trafficked,Vietnamese,2\nE10000016,trafficked,Albanian,1\n"
        "E10000016,trafficked,British,3\nE10000016,unaccompanied,Afghan,12\n"
        "E09000008,unaccompanied,Afghan,9\nE09000008,unaccompanied,Eritrean,4\n"
    )
    result, edition = build_cli(tmp_path, rows, pdf=True, nationalities=nationalities)
    assert result.returncode == 0, result.stderr
    ranking = read_json(edition / "stats.json")["nationalities"]["trafficked"]["ranking"]
    # All hidden, and in alphabetical order: their order says nothing about their size.
    assert ranking == [
        {"nationality": n, "went_missing": "[c]"} for n in ("Albanian", "British", "Vietnamese")
    ]
    unaccompanied = read_json(edition / "stats.json")["nationalities"]["unaccompanied"]
    assert unaccompanied["ranking"][0] == {"nationality": "Afghan", "went_missing": 21}
    text = every_text(edition)
    assert not re.search(r"Vietnamese\W+2\b|British\W+3\b|Eritrean\W+4\b", text)


def test_free_text_never_reaches_a_published_file(tmp_path):
    typed = "Kent - boy aged 15, 3 went missing"
    rows = [
        row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6), authority_name=typed),
        row("E09000008", **full(30, 9, 20, 200, 30, 50, 8, 5)),
    ]
    for r in rows:
        r["notes by SW Jones"] = "seen at Dover with Sam"
    returns = write_returns(tmp_path, rows, header=[*rows[0].keys()])
    out = tmp_path / "site"
    result = run_main("--year", 2024, "--data", returns, "--out", out, "--format", "html")
    assert result.returncode == 0, result.stderr
    assert typed in result.stderr  # the team sees it on the console...
    text = every_text(out / "2024")
    for secret in ("boy aged", "SW Jones", "Dover", "Sam"):
        assert secret not in text  # ...but no published file holds it
    warnings = read_json(out / "2024" / "validation.json")["warnings"]
    assert "row 2 (E10000016), column authority_name: the name typed differs" in warnings[1]


def test_failed_runs_and_logs_stay_outside_the_publish_root(tmp_path):
    rows = [row("E10000016", **full(3, 5, 0, 0, 0, 0, 0, 0))]  # 5 went missing of 3: invalid
    result, _ = build_cli(tmp_path, rows)
    assert result.returncode == 2
    out = tmp_path / "site"
    log = re.search(r"full log: (\S+build\.log)", result.stderr).group(1)
    assert Path(log).is_relative_to(work_folder(out)) and "Kent" in Path(log).read_text()
    assert not out.exists() or not any(out.rglob("*.log"))


def test_suppression_bypassing_the_ledger_is_caught_with_exit_3(tmp_path, monkeypatch):
    """A statistics notebook that publishes every figure as computed: the independent check
    must refuse, naming the file, the figure and the rule."""
    broken = tmp_path / "notebooks"
    shutil.copytree(paths.NOTEBOOKS, broken)
    notebook = broken / "02_headline_statistics.ipynb"
    book = nbformat.read(notebook, as_version=4)
    bypassed = (
        "decision = disclosure.Decision()\n"
        "published = disclosure.publish(stats, decision)\n"
        'published["disclosure"] = {"suppressed": {}, "suppressed_by_rule": {}}'
    )
    cell = next(c for c in book.cells if "disclosure.control(" in c.source)
    cell.source, found = re.subn(
        r"published, decision = disclosure\.control\([^)]*\)", bypassed, cell.source
    )
    assert found == 1
    nbformat.write(book, notebook)
    monkeypatch.setattr(paths, "NOTEBOOKS", broken)
    rows = [
        row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6)),
        row("W06000015", **full(2, 0, 0, 20, 5, 5, 0, 0)),
    ]
    out = tmp_path / "site"
    with pytest.raises(DisclosureError) as blocked:
        build.build_edition(
            resolve(BuildRequest(2024, write_returns(tmp_path, rows), out, ("html",))),
            write=lambda line: None,
            session=helpers.SESSION,
        )
    assert blocked.value.exit_code == 3
    details = "\n".join(blocked.value.details)
    assert "stats.json: regions.table.Wales.trafficked_in_care (rule 2" in details
    assert "index.html: trafficked_in_care in Wales (rule 2: a small cell)" in details
    assert not (out / "2024").exists()  # nothing was published
    assert json.loads(
        (work_folder(out) / "failed").glob("*/edition/stats.json").__next__().read_text()
    )


@pytest.mark.ci
def test_a_leak_only_in_the_pdf_of_a_real_build_is_caught_with_exit_3(tmp_path, monkeypatch):
    """Print CSS (which only the PDF sees) writes a small count beside its authority: the
    independent check reads the real build's PDF and refuses, naming it."""
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES, templates)
    with open(templates / "print.css", "a", encoding="utf-8") as css:
        css.write('\nbody::after { content: "Hillingdon had 3 trafficked children in care"; }\n')
    monkeypatch.setattr(paths, "TEMPLATES", templates)
    rows = [
        row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6)),
        row("E09000008", **full(30, 9, 20, 300, 30, 40, 10, 6)),
        row("E09000017", **full(3, 0, 0, 100, 10, 12, 0, 0)),  # Hillingdon: 3, hidden
    ]
    out = tmp_path / "site"
    with pytest.raises(DisclosureError) as blocked:
        build.build_edition(
            resolve(BuildRequest(2024, write_returns(tmp_path, rows), out, ("html", "pdf"))),
            write=lambda line: None,
            session=helpers.SESSION,
        )
    assert blocked.value.exit_code == 3
    details = "\n".join(blocked.value.details)
    assert "report.pdf: trafficked_in_care at E09000017 (rule 1" in details
    assert "index.html" not in details  # only the PDF held it
    assert not (out / "2024").exists()


@pytest.mark.ci
def test_a_later_edition_hides_what_an_earlier_one_hid_and_says_so(tmp_path, monkeypatch):
    """The 2020 edition's decision, as kept for the next build, hides its trafficked children
    in care: the 2024 edition's trend row for 2020 is [c], and the build says why."""
    from harmreport.analysis import earlier_decisions
    from harmreport.project.jsonfiles import write_json

    monkeypatch.setenv("HBH_SCRATCH", str(tmp_path / "scratch"))  # the kernel inherits it
    for year in (2015, 2017):
        write_json(
            paths.decisions_dir() / f"{earlier_decisions.decision_key(year)}.json",
            {"hidden": {}, "small": []},
        )
    hid = {"trafficked.in_care": "rule 4: would let a reader work out a hidden figure"}
    write_json(
        paths.decisions_dir() / f"{earlier_decisions.decision_key(2020)}.json",
        {"hidden": hid, "small": []},
    )
    said = []
    out = tmp_path / "site"
    build.build_edition(
        resolve(BuildRequest(2024, None, out, ("html",))),
        write=said.append,
        session=helpers.SESSION,
    )
    stats = published(out / "2024")
    assert stats["trend.2020.trafficked_in_care"] == "[c]"
    assert stats["trend.2024.trafficked_in_care"] != "[c]"
    assert "[2024] [c] trend.2020.trafficked_in_care: hidden in the 2020 edition" in "\n".join(
        said
    )
