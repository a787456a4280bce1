"""Loading the returns beyond single cells: blank rows, short workbook rows, the warnings a
refusal carries, authorities with no row, the nationalities table's warnings and sums, and
the typed tables notebook 1 hands to notebook 2 (quick: what mutation testing runs)."""

import json

import openpyxl
import pytest

from harmreport.intake.problems import ReturnsError
from harmreport.intake.returns import (
    COUNT_COLUMNS,
    NotValidated,
    load_returns,
    read_validated,
    save_validated,
)
from tests.helpers import HEADER, full, row, write_returns

KENT = row("E10000016", **full(40, 12, 30, 400, 60, 90, 20, 9))
CROYDON = row("E09000008", **full(30, 9, 20, 300, 30, 40, 10, 6))
BLANK = dict.fromkeys(HEADER, "")


def with_nationalities(folder, lines, rows=(KENT, CROYDON)):
    (folder / "returns_nationalities.csv").write_text(
        "authority_code,group,nationality,went_missing\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    return write_returns(folder, list(rows))


def refusal(path) -> ReturnsError:
    with pytest.raises(ReturnsError) as refused:
        load_returns(path, 2024)
    return refused.value


def test_a_blank_row_between_authorities_is_skipped_and_the_rows_after_it_read(tmp_path):
    path = with_nationalities(
        tmp_path,
        ["E10000016,trafficked,Afghan,3", ",,,", "E09000008,trafficked,Afghan,2"],
        rows=(KENT, BLANK, CROYDON),
    )
    returns = load_returns(path, 2024)
    assert list(returns.counts.index) == ["E10000016", "E09000008"]
    assert list(returns.nationalities["authority_code"]) == ["E10000016", "E09000008"]


def test_the_typed_tables_have_their_index_columns_and_types():
    returns = load_returns(None, 2015)
    for table in (returns.counts, returns.categories, returns.limits, returns.authorities):
        assert table.index.name == "authority_code"
        assert table.index.equals(returns.counts.index)
    assert set(returns.counts.dtypes.astype(str)) == {"Int64"}
    assert set(returns.limits.dtypes.astype(str)) == {"Int64"}
    nat = returns.nationalities
    assert list(nat.columns) == [
        "authority_code", "group", "nationality", "category", "went_missing", "row"
    ]  # fmt: skip
    assert str(nat["went_missing"].dtype) == "Int64"


def test_nationalities_after_a_correct_authority_are_still_added_up(tmp_path):
    """Croydon's nationalities are within its count; Kent's, checked after, are not."""
    path = with_nationalities(
        tmp_path, ["E09000008,trafficked,Afghan,9", "E10000016,trafficked,Afghan,13"]
    )
    assert [str(p) for p in refusal(path).problems] == [
        "returns_nationalities.csv, row 3 (E10000016), column went_missing: nationalities add "
        "up to 13 trafficked children but the returns say 12 went missing"
    ]


@pytest.mark.parametrize(("given", "refused"), [(4, False), (5, True)])
def test_nationalities_of_a_withheld_number_stay_below_its_limit(tmp_path, given, refused):
    hillingdon = row("E09000017", **full(0, 0, 0, 100, "<5", 12, "not recorded", "<5"))
    lines = [f"E09000017,unaccompanied,Afghan,{given - 1}", "E09000017,unaccompanied,Eritrean,1"]
    path = with_nationalities(tmp_path, lines, rows=(KENT, hillingdon))
    if not refused:
        assert load_returns(path, 2024).nationalities["went_missing"].sum() == 4
        return
    assert [str(p) for p in refusal(path).problems] == [
        "returns_nationalities.csv, row 3 (E09000017), column went_missing: nationalities add "
        "up to 5 unaccompanied children but the returns withhold a number below 5 (<5)"
    ]


def test_a_refusal_carries_the_warnings_met_before_it(tmp_path):
    misnamed = dict(KENT, authority_name="Kentish Town")
    bad_count = dict(CROYDON, still_missing="lots")
    refused = refusal(write_returns(tmp_path, [misnamed, bad_count]))
    assert [p.column for p in refused.problems] == ["still_missing"]
    assert [str(w) for w in refused.warnings] == [
        "returns.csv, row 2 (Kentish Town), column authority_name: 'Kentish Town' differs "
        "from the reference name 'Kent County Council' for E10000016"
    ]
    path = with_nationalities(tmp_path, ["E10000016,trafficked,Martian,1"], [misnamed, CROYDON])
    assert [w.column for w in refusal(path).warnings] == ["authority_name", None]  # and absent


def test_authorities_with_no_row_are_named_in_a_warning(tmp_path):
    returns = load_returns(write_returns(tmp_path, [KENT, CROYDON]), 2024)
    (absent,) = returns.warnings
    names = absent.public.removeprefix("authorities with children's services have no row: ")
    assert names.split(", ")[:3] == ["Aberdeen City", "Aberdeenshire", "Angus"]
    assert "Kent" not in names.split(", ") and "Croydon" not in names.split(", ")
    assert absent.message == f"210 {absent.public} (during 1 January to 31 December 2024)"


def test_a_nationality_with_invisible_characters_is_read_with_a_warning(tmp_path):
    path = with_nationalities(tmp_path, ["E10000016,trafficked,Af\u200bghan\u200c,3"])
    (warning,) = [w for w in load_returns(path, 2024).warnings if w.column == "nationality"]
    assert str(warning) == (
        "returns_nationalities.csv, row 2 (E10000016), column nationality: 'Afghan' held "
        "invisible characters, removed: U+200B (ZERO WIDTH SPACE), U+200C (ZERO WIDTH NON-JOINER)"
    )
    assert warning.public == "the nationality held invisible characters, removed"
    assert warning.code == "E10000016"


def test_an_unknown_nationality_says_how_to_add_it(tmp_path):
    path = with_nationalities(tmp_path, ["E10000016,trafficked,Martian,1"])
    assert [p.message for p in refusal(path).problems] == [
        "'Martian' is not a nationality in nationalities.csv; use a nationality or country "
        "listed there, or add this spelling as an alias"
    ]


def workbook_row(folder, cells):
    book = openpyxl.Workbook()
    book.active.title = "returns"
    book.active.append(HEADER)
    book.active.append(cells)
    path = folder / "returns.xlsx"
    book.save(path)
    return path


def test_a_workbook_row_shorter_than_its_header_reads_the_missing_cells_as_unanswered(tmp_path):
    path = workbook_row(tmp_path, ["E10000016", "Kent", 40, 12, 30, 400, 60, 90, 20])
    returns = load_returns(path, 2024)
    assert returns.categories.loc["E10000016", "still_missing"] == "no_response"


def test_an_authority_name_that_is_an_error_cell_is_named(tmp_path):
    path = workbook_row(tmp_path, ["E10000016", "#REF!", *[1] * len(COUNT_COLUMNS)])
    assert [(p.row, p.authority, p.column) for p in refusal(path).problems] == [
        (2, None, "authority_name")
    ]
    assert "#REF!" in refusal(path).problems[0].message


def test_the_hand_over_keeps_text_and_empty_cells_as_they_were(tmp_path):
    """An authority name left blank stays blank and "NA" stays text, while an empty count is
    missing; the description is readable JSON, non-ASCII kept, in a folder made for it."""
    blank_name = dict(KENT, authority_name="")
    na_typed = dict(CROYDON, authority_name="NA – Croydon")
    path = write_returns(tmp_path, [blank_name, na_typed])
    out = tmp_path / "deep" / "er" / "edition"
    kept = save_validated(load_returns(path, 2024), out)
    back = read_validated(out, path, 2024)
    assert list(back.authorities["typed_name"]) == ["", "NA – Croydon"]
    assert back.counts["still_missing"].tolist() == [9, 6]
    text = kept.read_text(encoding="utf-8")
    assert text.startswith('{\n "year": 2024,\n') and text.endswith("}\n")
    assert json.loads(text)["warnings"][0]["message"].startswith("'NA – Croydon' differs")
    assert "'NA – Croydon' differs" in text  # readable, not escaped
    assert b"\r\n" not in (kept.parent / "counts.csv").read_bytes()


def test_a_missing_hand_over_says_which_notebook_to_run(tmp_path):
    with pytest.raises(NotValidated) as missing:
        read_validated(tmp_path / "out", tmp_path / "returns.csv", 2024)
    assert str(missing.value) == "no validated returns: run notebook 1 first"


def test_a_short_nationalities_row_in_a_workbook_is_read_as_unanswered(tmp_path):
    path = workbook_row(tmp_path, ["E10000016", "Kent", *[5] * len(COUNT_COLUMNS)])
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("nationalities")
    sheet.append(["authority_code", "group", "nationality", "went_missing"])
    sheet.append(["E10000016", "trafficked", "Afghan"])
    book.save(path)
    (read,) = load_returns(path, 2024).nationalities.itertuples()
    assert (read.nationality, read.category) == ("Afghan", "no_response")
