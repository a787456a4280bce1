"""The report's generated sentences over a grid of answer patterns: no authority answers, one
does, a few do, all do, all refuse, all withhold. The statistics are computed by the
statistics notebook's own cells, run in this process on returns made for each pattern; every
sentence the report would print is then checked for what must never be said."""

import csv
import json
import re

import nbformat
import pytest

from harmreport.intake.returns import COUNT_COLUMNS
from harmreport.outputs import prose, render
from harmreport.project import paths

SHIPPED_2024 = paths.RETURNS / "returns_2024.csv"
# What no generated sentence may say, whatever the answers.
NEVER = (
    (re.compile(r"(?<![\d,.])0 (trafficked|unaccompanied|children)"), "a false zero"),
    (
        re.compile(r"\b0 of the\b|\bof the 0\b|(?<![\d,.])0 (gave|more|authorit|told|did)"),
        "no authorities counted as 0",
    ),
    (re.compile(r"\bOnly 0%|\b0% of authorities|Only fewer"), "a rate of nothing"),
    (re.compile(r",\s*[;.]|;\s*[;.,]|\(\s*\)"), "an empty clause"),
    (re.compile(r"\bnot known (of|times|children)\b|\bNot known\b"), "'not known' as a number"),
    (re.compile(r"could not say"), "'could not say' of authorities that may not have answered"),
    (re.compile(r"\[x\]|\[z\]|None\b(?! of| gave| could)"), "a symbol or None in a sentence"),
)


def _cells(kind: str, i: int) -> dict:
    one = {
        "trafficked_in_care": 12, "trafficked_went_missing": 5, "trafficked_missing_episodes": 9,
        "unaccompanied_in_care": 40, "unaccompanied_went_missing": 8,
        "unaccompanied_missing_episodes": 11, "missing_over_week": 6, "still_missing": 5,
    }  # fmt: skip
    if kind == "count":
        return {c: v + i % 3 if c.endswith("in_care") else v for c, v in one.items()}
    return dict.fromkeys(COUNT_COLUMNS, kind)


PATTERNS = {  # pattern: how many of the authorities give counts, and what the rest say
    "none": (0, "no response"),
    "one": (1, "no response"),
    "few": (7, "not recorded"),
    "all": (None, ""),
    "all refused": (0, "s12"),
    "all withheld": (0, "<5"),
    "half": (106, "s40"),
}


def _returns(folder, pattern: str):
    answering, rest = PATTERNS[pattern]
    with open(SHIPPED_2024, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        counting = answering is None or i < answering
        row.update(_cells("count" if counting else rest, i))
    path = folder / "returns_2024.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _run_notebook(name: str, namespace: dict) -> None:
    book = nbformat.read(paths.NOTEBOOKS / name, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            exec(compile(cell.source, name, "exec"), namespace)  # noqa: S102


def published_stats(tmp_path, pattern: str) -> dict:
    """stats.json for the pattern, made by notebooks 1 and 2's own cells."""
    out = tmp_path / pattern.replace(" ", "_")
    params = {
        "year": 2024,
        "returns_path": str(_returns(tmp_path, pattern)),
        "output_dir": str(out),
    }
    for notebook in ("01_validate_returns.ipynb", "02_headline_statistics.ipynb"):
        _run_notebook(notebook, dict(params))
    return json.loads((out / "stats.json").read_text(encoding="utf-8"))


def sentences(stats: dict) -> list[str]:
    """Every sentence the report generates from the figures, as plain text."""
    told = prose.Figures(stats)
    compared = render.compared(stats, render.TRAFFICKED_SHARE)
    found = [*prose.key_findings(stats, compared)]
    for group in ("trafficked", "unaccompanied"):
        found += [prose.in_care_paragraph(told, group), prose.went_missing_paragraph(told, group)]
        found.append(prose.episodes_paragraph(told, group))
    found += prose.longer_paragraphs(told) + prose.identification_paragraphs(told)
    found.append(prose.change_paragraph(told, {"trafficked": compared, "unaccompanied": ""}))
    found += [prose.looked_after_comparison(told, g, "11%", LOOKED_AFTER) for g in GROUPS]
    found.append(prose.longer_comparison(told, "2%", AWAY_A_WEEK))
    return [re.sub(r"<[^>]+>", "", str(text)) for text in found]


LOOKED_AFTER, AWAY_A_WEEK = 0.11, 0.02  # all looked-after children's shares, as facts give them
GROUPS = ("trafficked", "unaccompanied")


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grid")
    return {pattern: published_stats(folder, pattern) for pattern in PATTERNS}


@pytest.mark.slow
@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_no_sentence_says_what_the_answers_do_not(grid, pattern):
    for text in sentences(grid[pattern]):
        for rule, what in NEVER:
            assert not rule.search(text), f"{pattern}: {what}: {text}"


@pytest.mark.slow
def test_what_each_pattern_must_say(grid):
    said = {pattern: " ".join(sentences(stats)) for pattern, stats in grid.items()}
    nobody = "No authority could tell us how many trafficked or unaccompanied children went"
    for pattern in ("none", "all refused", "all withheld"):
        assert grid[pattern]["trafficked"]["in_care"] == "[x]"
    assert nobody in said["none"] and nobody in said["all refused"]
    assert (
        "All 212 authorities withheld the number of trafficked and unaccompanied"
        in (said["all withheld"])
    )
    # One authority: its own figures, hidden. Seven: low reliability, never a UK finding.
    assert "is not published ([c])" in said["one"]
    assert "too few for a share for the UK" in said["few"]
    assert "trafficked.share_went_missing" in grid["few"]["low_reliability"]
    for pattern in ("one", "few"):
        assert "went missing at least once: " not in said[pattern]
    assert "Every authority could tell us how many trafficked and how many" in said["all"]
    assert "Fewer than 1% of authorities could tell us" in said["one"]
    assert "every one withheld its number as too small to disclose" in said["all withheld"]
    assert "212 refused" in said["all refused"]
    assert grid["half"]["low_reliability"] == {}  # half of them: a finding for the UK
    assert "of trafficked children in care went missing at least once" in said["half"]


def _judged(stats: dict) -> dict:
    """What the rules allow the report to say of `stats`: each judging phrase, and whether
    the figures call for it."""
    contacted = stats["authorities"]["contacted"]
    london = stats["london"]
    share = stats["trafficked"]["share_went_missing"]
    shown = isinstance(share, float) and "trafficked.share_went_missing" not in stats.get(
        "low_reliability", {}
    )
    return {
        "shows the problem clearly": london["reporting_zero_trafficked"] * 4
        >= london["authorities"]
        and london["reporting_zero_trafficked"] > 0,
        "times the share of all looked-after": shown and share / LOOKED_AFTER >= 1.75,
        "about the same as the share": shown and 1 / 1.15 < share / LOOKED_AFTER < 1.15,
        "less than the share": shown and share / LOOKED_AFTER <= 1 / 1.15,
        "_contacted": contacted,
    }


def _check_judgements(pattern: str, stats: dict) -> None:
    judged = _judged(stats)
    text = " ".join(sentences(stats))
    for phrase, called_for in judged.items():
        if not phrase.startswith("_"):
            assert (phrase in text) == called_for, f"{pattern}: '{phrase}' said: {phrase in text}"
    # "Only N of the M" only where fewer than half could say; "only" a share below half.
    for n, total in re.findall(r"\b[Oo]nly (\d+) (?:of the |of )?(\d+)\b", text):
        assert 2 * int(n) < int(total), f"{pattern}: only {n} of {total}"
    for n in re.findall(r"\bOnly (\d+)% of authorities", text):
        assert int(n) < 90, f"{pattern}: only {n}%"


LONDON_PATTERNS = {"none": 0, "one": 1, "few": 8, "all": 33}  # London authorities saying none


@pytest.mark.slow
@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_every_judging_sentence_is_chosen_by_its_rule(grid, pattern):
    _check_judgements(pattern, grid[pattern])
    for said_none, zero in LONDON_PATTERNS.items():
        stats = json.loads(json.dumps(grid[pattern]))
        stats["london"] |= {"authorities": 33, "reporting_zero_trafficked": zero}
        _check_judgements(f"{pattern}, London {said_none}", stats)


@pytest.mark.parametrize(
    "share, words",
    [
        (0.0, "less than"),
        (0.095, "less than"),
        (0.0957, "about the same as"),
        (0.11, "about the same as"),
        (0.1265, "more than"),
        (0.19, "more than"),
        (0.1925, "about twice"),
        (0.27, "about twice"),
        (0.2751, "about three times"),
        (0.37, "about three times"),
        (1.0, "about nine times"),
        (2.2, "about twenty times"),
        (2.3, "more than twenty times"),
    ],
)
def test_a_share_beside_all_looked_after_children_is_worded_by_its_ratio(share, words):
    assert prose.times_the(share, LOOKED_AFTER) == words
    assert prose.times_the(share * 2, LOOKED_AFTER * 2) == words  # the ratio, not the sizes


@pytest.mark.parametrize("n, total, said", [(0, 212, "only "), (1, 212, "only "),
    (105, 212, "only "), (106, 212, ""), (211, 212, ""), (212, 212, ""), (0.49, 1, "only "),
    (0.5, 1, "")])  # fmt: skip
def test_only_is_said_of_fewer_than_half(n, total, said):
    assert prose.only(n, total) == said


@pytest.mark.parametrize("rate, said", [(0, "only "), (0.8, "only "), (0.89, "only "),
    (0.9, ""), (1, "")])  # fmt: skip
def test_only_is_said_of_a_reporting_rate_below_nine_in_ten(rate, said):
    assert prose.only_rate(rate) == said


def _regions(shares, focus):
    stats = {"regions": {"focus": focus, "trafficked_in_care_focus_share": shares[0],
             "unaccompanied_in_care_focus_share": shares[1]},
             "trafficked": {"in_care": 590}, "unaccompanied": {"in_care": 4744},
             "authorities": {"contacted": 217}, "low_reliability": {},
             "disclosure": {}}  # fmt: skip
    return str(prose.regions_paragraph(prose.Figures(stats), "London and the South East"))


@pytest.mark.parametrize(
    "shares, focus, concentrated",
    [
        ((0.75, 0.9), ["London", "South East"], True),
        ((0.5, 0.5), ["London", "South East"], True),
        ((0.49, 0.9), ["London", "South East"], False),
        ((0.75, 0.9), ["London", "South East", "East", "East Midlands", "West Midlands"], False),
        (("[c]", 0.9), ["London", "South East"], False),
    ],
)
def test_concentrated_is_said_only_of_few_regions_holding_half(shares, focus, concentrated):
    text = _regions(shares, focus)
    assert ("were concentrated in a few parts of England" in text) == concentrated
    assert "London and the South East together looked after" in text
