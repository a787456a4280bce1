"""The build's own disclosure control and the independent check agree: whatever the check
would refuse, the build has already hidden. Returns are generated (hypothesis), sparse ones,
one-authority regions and editions with no named list among them; each goes through the
statistics notebook's own code and then through the check, as a build does."""

import contextlib
import dataclasses
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmreport.analysis import earlier_decisions
from harmreport.check import output_check
from harmreport.intake.returns import GROUPS
from harmreport.project import paths
from tests.helpers import row, write_returns

# A few authorities in each of four areas: London, Wales, Northern Ireland, Kent alone.
AREAS = [
    ["E09000001", "E09000002", "E09000003"],
    ["W06000001", "W06000002"],
    ["NI-BHSCT", "NI-NHSCT", "NI-SEHSCT"],
    ["E10000016"],
]
CODES = [code for area in AREAS for code in area]
ANSWER = st.one_of(
    st.just("not recorded"),
    st.just("no response"),
    st.just(1),  # the pattern a reasoning reader exploits: counts of exactly one
    st.integers(0, 4),
    st.integers(5, 70),
)


@st.composite
def an_authority(draw):
    """One authority's row, the contract's row rules holding, often sparse."""
    if draw(st.integers(0, 4)) == 0:
        return {}  # nothing recorded
    cells = {}
    for group in GROUPS:
        in_care = draw(ANSWER)
        if not isinstance(in_care, int):
            cells[f"{group}_in_care"] = in_care
            continue
        went = draw(st.sampled_from([in_care, 0, draw(st.integers(0, in_care))]))
        cells |= {
            f"{group}_in_care": in_care,
            f"{group}_went_missing": went,
            f"{group}_missing_episodes": went + draw(st.integers(0, 3)) * (went > 0),
        }
    went = sum(cells.get(f"{g}_went_missing", 0) for g in GROUPS)
    if all(isinstance(cells.get(f"{g}_went_missing"), int) for g in GROUPS):
        cells["still_missing"] = draw(st.sampled_from([went, draw(st.integers(0, went))]))
        cells["missing_over_week"] = draw(st.integers(0, went))
    return cells


def published_edition(path, folder, top):
    """The statistics notebook's code on these returns, as history runs it: stats.json."""
    namespace = {"year": 2024, "returns_path": str(path), "output_dir": str(folder)}
    namespace["replace"] = dataclasses.replace
    with contextlib.redirect_stdout(io.StringIO()):
        for notebook in ("01_validate_returns", "02_headline_statistics"):
            for source in earlier_decisions._code_cells(notebook):
                if "edition = editions.edition(year)" in source:  # the setting under test
                    source += f"\nedition = replace(edition, top_still_missing={top})"
                exec(compile(source, f"{notebook}.ipynb", "exec"), namespace)
    return namespace["published"], namespace["returns"]


@pytest.mark.ci
@pytest.mark.slow
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(an_authority(), min_size=len(CODES), max_size=len(CODES)),
    top=st.sampled_from([0, 3, 5]),
)
def test_whatever_the_check_refuses_the_build_has_hidden(tmp_path_factory, monkeypatch, rows, top):
    folder = tmp_path_factory.mktemp("edition")
    monkeypatch.setattr(paths, "published_root", lambda: folder / "nothing-published")
    lines = [row(code, **cells) for code, cells in zip(CODES, rows, strict=True)]
    path = write_returns(folder, lines, name="returns_2024.csv")
    published, returns = published_edition(path, folder / "out", top)
    (folder / "site").mkdir()
    (folder / "site" / "stats.json").write_text(json.dumps(published), encoding="utf-8")
    names = {code: (r["name"],) for code, r in returns.authorities.iterrows()}
    leaks = output_check.check_edition(folder / "site", [returns], names, None, top)
    assert leaks == [], (rows, top, [str(x) for x in leaks])
    assert published["disclosure"]["unprotected"] == 0
