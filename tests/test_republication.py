"""What readers already hold: editions as published, the versions a republication keeps, and
the revision log checked against the figures that changed."""

from types import SimpleNamespace

from harmreport.analysis import republication
from harmreport.project.jsonfiles import write_json
from harmreport.publishing.edition_folders import keep_previous_versions

ANSWERS = "code,name,trafficked_in_care\nE10000016,Kent,count\nE09000008,Croydon,no_response\n"


def edition_folder(folder, in_care):
    from harmreport.project.inputs import sha256

    stats = write_json(folder / "stats.json", {"trafficked": {"in_care": in_care}})
    (folder / "answers.csv").write_text(ANSWERS, encoding="utf-8")
    write_json(folder / "manifest.json", {"outputs": {"stats.json": sha256(stats)}})
    return folder


def test_versions_are_the_edition_and_each_version_it_kept(tmp_path):
    edition_folder(tmp_path / "2024", 2610)
    edition_folder(tmp_path / "2024" / "previous" / "1", 2607)
    (tmp_path / "2023").mkdir()  # no stats.json: not an edition this tool wrote
    found = republication.versions(tmp_path)
    assert [(v.where, v.figures["trafficked.in_care"]) for v in found] == [
        ("2024", 2610),
        ("2024 (version 1)", 2607),
    ]
    assert found[0].answers["E09000008"]["trafficked_in_care"] == "no_response"


def test_a_republication_keeps_what_it_replaces_only_when_it_changed(tmp_path):
    published = edition_folder(tmp_path / "out", 2607)
    same = edition_folder(tmp_path / "same", 2607)
    keep_previous_versions(published, same)
    assert not (same / "previous").exists()
    new = edition_folder(tmp_path / "new", 2610)
    keep_previous_versions(published, new)
    assert (new / "previous" / "1" / "stats.json").read_bytes() == (
        published / "stats.json"
    ).read_bytes()
    newer = edition_folder(tmp_path / "newer", 2611)
    keep_previous_versions(new, newer)
    assert sorted(p.name for p in (newer / "previous").iterdir()) == ["1", "2"]
    (newer / "stats.json").write_text("{}")  # changed by hand: no version the build published
    newest = edition_folder(tmp_path / "newest", 2612)
    keep_previous_versions(newer, newest)
    assert sorted(p.name for p in (newest / "previous").iterdir()) == ["1", "2"]


def test_the_revision_log_is_checked_against_the_build(tmp_path):
    edition_folder(tmp_path / "2024", 2607)
    new = {"trafficked": {"in_care": 2610}, "disclosure": {"suppressed": {}}}

    def log(*entries):
        return SimpleNamespace(year=2024, revisions=entries)

    changed, wrong = republication.revisions_problems(log(), tmp_path, new)
    assert changed == ["trafficked.in_care: published 2607, now 2610"] and wrong == []
    right = {"date": "2025-03-01", "figure": "trafficked.in_care", "old": 2607, "new": 2610}
    assert republication.revisions_problems(log(right), tmp_path, new)[1] == []
    for bad in ({"new": 2611}, {"old": 2606}, {"figure": "trafficked.nowhere"}):
        wrong = republication.revisions_problems(log(right | bad), tmp_path, new)[1]
        assert len(wrong) == 1, bad
    first = right | {"new": 2608}  # revised twice: only the last entry's new is the build's
    second = right | {"old": 2608}
    assert republication.revisions_problems(log(first, second), tmp_path, new)[1] == []
    wrong = republication.revisions_problems(log(first, right), tmp_path, new)[1]
    assert wrong == [
        "data/editions.toml, line ?, [[years.2024.revisions]] number 2: 'trafficked.in_care' "
        "old = 2607, but the revision before it made it 2608"
    ]


def test_masking_makes_a_late_count_what_it_was_then():
    import pandas as pd

    from harmreport.intake.returns import Returns

    counts = pd.DataFrame({"trafficked_in_care": [40, 3]}, index=["E10000016", "E09000008"])
    counts = counts.astype("Int64")
    categories = pd.DataFrame({"trafficked_in_care": ["count", "count"]}, index=counts.index)
    today = Returns(2024, None, pd.DataFrame(index=counts.index), counts, categories, counts)
    answers = {"E10000016": {"trafficked_in_care": "count"}}  # Croydon was not asked then
    then = republication.mask(today, answers)
    assert then.counts["trafficked_in_care"].tolist() == [40, pd.NA]
    assert then.categories.at["E09000008", "trafficked_in_care"] == "no_response"
    assert republication.mask(today, None) is today


def test_a_refusal_names_the_row_and_what_the_team_can_do():
    import pandas as pd

    from harmreport.check.output_check import Leak
    from harmreport.pipeline.build import _cell_line, _leak_line, refusal_choices

    authorities = pd.DataFrame({"name": ["Kent"], "row": [7]}, index=["E10000016"])
    returns = SimpleNamespace(year=2024, authorities=authorities)
    line = _cell_line(returns, [2024, "E10000016", "trafficked_in_care"])
    assert line == "the returns, row 7 (Kent, E10000016), column trafficked_in_care"
    assert _cell_line(returns, [2020, "E09000008", "still_missing"]) == (
        "2020 returns, authority E09000008, column still_missing"
    )
    leak = Leak("stats.json", "still_missing at E10000016", "rule 1, by reasoning")
    assert _leak_line(leak, returns).endswith("(the returns, row 7, Kent)")
    choices = "\n".join(refusal_choices(2025))
    assert "top_still_missing = 0 under [years.2025]" in choices
    assert "nothing was published" in choices


def built(tmp_path, monkeypatch, rows):
    """An edition's stats.json and answers.csv, by the notebooks' own code, in site/2024."""
    from harmreport.project import paths
    from tests.helpers import write_returns
    from tests.test_build_and_check_agree import published_edition

    monkeypatch.setattr(paths, "published_root", lambda: tmp_path / "nothing")
    path = write_returns(tmp_path, rows, name="returns_2024.csv")
    published_edition(path, tmp_path / "site" / "2024", 5)
    return path, tmp_path / "site"


def test_what_was_published_is_read_back_as_sums_over_the_authorities_then(tmp_path, monkeypatch):
    from harmreport.project.jsonfiles import read_json, write_json
    from tests.helpers import full, row

    rows = [
        row("E10000016", **full(40, 12, 30, 300, 40, 60, 10, 6)),
        row("E09000008", **full(20, 5, 9, 100, 20, 25, 4, 7)),
        row("W06000015", **full(30, 6, 6, 20, 5, 5, 2, 5)),
    ]
    path, site = built(tmp_path, monkeypatch, rows)
    found = republication.as_published(2024, str(path), site)
    stats = read_json(site / "2024" / "stats.json")
    uk = next(s for s in found.sums if s.low == stats["trafficked"]["in_care"] == 90)
    assert {c[1] for c in uk.cells} == {"E10000016", "E09000008", "W06000015"}
    assert found.unexplained == [] and len(found.sums) > 20
    assert found.values[(2024, "E10000016", "trafficked_in_care")] == 40
    # Croydon did not answer then: the published 90 was Kent's and Cardiff's, 70 now.
    answers = (site / "2024" / "answers.csv").read_text(encoding="utf-8").splitlines()
    answers = [line.replace(",number", ",no answer") if "E09000008" in line else line
               for line in answers]  # fmt: skip
    (site / "2024" / "answers.csv").write_text("\n".join(answers) + "\n", encoding="utf-8")
    stats["trafficked"]["in_care"] = 70
    write_json(site / "2024" / "stats.json", stats)
    found = republication.as_published(2024, str(path), site)
    uk = next(s for s in found.sums if s.low == 70)
    assert {c[1] for c in uk.cells} == {"E10000016", "W06000015"}
    assert any(line.startswith("trafficked.went_missing in the 2024 edition: published 23")
               for line in found.unexplained)  # fmt: skip


def test_the_revision_log_s_problems_are_named_by_line_and_say_what_was_published(
    tmp_path, monkeypatch
):
    from harmreport.project import paths

    folder = tmp_path / "2024"
    write_json(folder / "stats.json", {
        "trafficked": {"in_care": 2607, "went_missing": 864}, "london": {"label": "London"},
        "disclosure": {"suppressed": {"a": 1}},
    })  # fmt: skip
    (folder / "answers.csv").write_text(ANSWERS, encoding="utf-8")
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    new = {"trafficked": {"in_care": 2610, "went_missing": 864}, "london": {"label": "Londres"},
           "disclosure": {"suppressed": {"a": 2}}}  # fmt: skip
    toml = tmp_path / "editions.toml"
    toml.write_text(
        "[years.2024]\ntitle = 'x'\n\n[[years.2024.revisions]]\nwhat = 'a note'\n\n"
        "[[years.2024.revisions]]\nfigure = 'trafficked.nowhere'\n\n"
        "[[years.2024.revisions]]\nfigure = 'trafficked.in_care'\nold = 2606\nnew = 2610\n\n"
        "[[years.2024.revisions]]\nfigure = 'trafficked.went_missing'\nold = 864\nnew = 865\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "EDITIONS", toml)
    log = SimpleNamespace(year=2024, revisions=(
        {"what": "a note"}, {"figure": "trafficked.nowhere"},
        {"figure": "trafficked.in_care", "old": 2606, "new": 2610},
        {"figure": "trafficked.went_missing", "old": 864, "new": 865},
    ))  # fmt: skip
    changed, wrong = republication.revisions_problems(log, tmp_path, new)
    # Only a figure that changed: not the one that did not, nor the record or a label.
    assert changed == ["trafficked.in_care: published 2607, now 2610"]
    where = "data/editions.toml, line {}, [[years.2024.revisions]] number {}: "
    assert wrong == [
        where.format(7, 2) + "'trafficked.nowhere' is no figure in stats.json",
        where.format(10, 3) + "'trafficked.in_care' old = 2606, but the edition was published "
        "with 2607",
        where.format(15, 4) + "'trafficked.went_missing' new = 865, but the build publishes 864",
    ]
    # Two versions published: the message names both.
    write_json(folder / "previous" / "1" / "stats.json", {"trafficked": {"in_care": 2600}})
    (folder / "previous" / "1" / "answers.csv").write_text(ANSWERS, encoding="utf-8")
    wrong = republication.revisions_problems(log, tmp_path, new)[1]
    assert wrong[1].endswith("published with 2600 or 2607")
    # Nothing published yet: nothing changed, whatever the build makes.
    assert republication.revisions_problems(log, tmp_path / "none", new)[0] == []
