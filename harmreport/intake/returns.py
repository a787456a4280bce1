"""Load and validate a year's FOI returns (docs/returns-contract.md) into typed tables.

Every problem is collected in one pass and raised together as a ReturnsError; problems that
do not stop the build (an extra column, a name typed differently) come back as warnings.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from harmreport.intake import cell_codes, reference, vocabulary
from harmreport.intake import returns_checks as checks
from harmreport.intake.problems import Problem, ReturnsError
from harmreport.intake.reading import CellProblem, RawTable, read_table
from harmreport.intake.returns_checks import GROUPS, blank
from harmreport.project import editions

ID_COLUMNS = ("authority_code", "authority_name")
COUNT_COLUMNS = cell_codes.COUNT_COLUMNS
NATIONALITY_COLUMNS = ("authority_code", "group", "nationality", "went_missing")
NATIONALITIES_SHEET = "nationalities"


@dataclass
class Returns:
    """One year's returns: one row per authority contacted, indexed by authority code."""

    year: int
    source: Path
    authorities: pd.DataFrame  # name, typed_name, nation, region, row
    counts: pd.DataFrame  # Int64: the number where the cell is a count, else <NA>
    categories: pd.DataFrame  # cell_codes.CATEGORIES, one per cell
    limits: pd.DataFrame  # Int64: N where the cell is a withheld '<N', else <NA>
    nationalities: pd.DataFrame | None = None  # authority_code, group, nationality, ...
    warnings: list[Problem] = field(default_factory=list)
    # Each answer as the council gave it: its category and what it cited ("refused: FOIA
    # s12", "suppressed: 0 to 5", "other_basis: single day"); the number itself never.
    answers: pd.DataFrame | None = None
    sheet: str | None = None  # the workbook sheet the returns were read from (None: a CSV)

    @property
    def contacted(self) -> int:
        return len(self.authorities)


def load_returns(path: Path | None, year: int) -> Returns:
    """Read and validate the returns for `year` (the shipped file when `path` is None)."""
    period = editions.data_year(year)
    path = Path(path) if path else period.returns
    table = read_table(path)
    checker = _Checker(table, period)
    returns = checker.returns(path)
    returns.sheet = table.sheet
    returns.nationalities = _load_nationalities(path, returns, checker)
    if checker.problems:
        raise ReturnsError(checker.problems, checker.warnings)
    returns.warnings = list(checker.warnings)  # the nationalities table's too
    return returns


class NotValidated(Exception):
    """Notebook 1 has not validated these returns (or they changed since it did)."""


TABLES = ("authorities", "counts", "categories", "limits", "nationalities", "answers")


def validated_file(out: Path) -> Path:
    """Where notebook 1 leaves the validated returns for notebook 2 (a folder of CSV tables
    and returns.json, their schema and provenance): beside the output folder, never in it,
    for they hold every authority's counts, which are never published."""
    out = Path(out).resolve()
    return out.with_name(f"{out.name}.validated") / "returns.json"


def save_validated(returns: Returns, out: Path) -> Path:
    """Keep the validated returns as readable, typed tables, with a digest of the files they
    were read from."""
    path = validated_file(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = {}
    for name in TABLES:
        table = getattr(returns, name)
        if table is not None:
            table.to_csv(path.parent / f"{name}.csv", lineterminator="\n")
            schema[name] = {
                "index": table.index.name,
                "columns": table.dtypes.astype(str).to_dict(),
            }
    about = {
        "year": returns.year,
        "source": str(returns.source),
        "digest": _source_digest(Path(returns.source)),
        "tables": schema,
        "sheet": returns.sheet,
        "warnings": [asdict(warning) for warning in returns.warnings],
    }
    path.write_text(json.dumps(about, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_validated(out: Path, path: Path, year: int) -> Returns:
    """The returns notebook 1 validated, if they were read from these very bytes."""
    try:
        about = json.loads(validated_file(out).read_text(encoding="utf-8"))
        tables = {name: _read_table(validated_file(out).parent, name, about["tables"].get(name))
                  for name in TABLES}  # fmt: skip
    except FileNotFoundError:
        raise NotValidated("no validated returns: run notebook 1 first") from None
    except (KeyError, ValueError) as exc:  # written by another version of the package
        message = f"the validated returns cannot be read ({exc}): run notebook 1 again"
        raise NotValidated(message) from None
    if (about["year"], about["digest"]) != (year, _source_digest(Path(path))):
        raise NotValidated(
            f"the validated returns are not those of {Path(path).name} for {year} as it is "
            "now: run notebook 1 again"
        )
    warnings = [Problem(**warning) for warning in about["warnings"]]
    return Returns(year, Path(about["source"]), **tables, warnings=warnings,
                   sheet=about.get("sheet"))  # fmt: skip


def _read_table(folder: Path, name: str, schema: dict | None) -> pd.DataFrame | None:
    if schema is None:
        return None
    columns = schema["columns"]
    table = pd.read_csv(  # an empty Int64 cell is <NA>; no text is read as missing
        folder / f"{name}.csv",
        dtype={**columns, **({schema["index"]: "str"} if schema["index"] else {})},
        keep_default_na=False,
    )
    if schema["index"]:
        return table.set_index(schema["index"])
    return table.drop(columns=table.columns[0]).reset_index(drop=True)


def _source_digest(path: Path) -> str:
    """The returns file's bytes, and its nationalities table's if that is a file of its own."""
    digest = hashlib.sha256(path.read_bytes())
    beside = editions.nationalities_file(path)
    if path.suffix.lower() == ".csv" and beside.exists():
        digest.update(b"\0" + beside.read_bytes())
    return digest.hexdigest()


class _Checker:
    """Validates a raw table, remembering every problem and warning it meets."""

    def __init__(self, table: RawTable, period: editions.DataYear):
        self.table = table
        self.period = period
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.codes_known: dict[str, reference.Match] = {}
        self.refused: set[str] = set()  # authorities whose row has a problem of its own

    def error(self, message, row=None, authority=None, column=None):
        self.problems.append(self.table.problem(message, row, authority, column))

    def warn(self, message, row=None, authority=None, column=None, public="", code=None):
        self.warnings.append(self.table.problem(message, row, authority, column, public, code))

    def returns(self, path: Path) -> Returns:
        checks.declared_period(self, self.table.declared)
        columns = checks.header_positions(self, COUNT_COLUMNS + ID_COLUMNS)
        authorities = reference.load_authorities()
        codes_known = self.codes_known = reference.code_index(authorities)
        records, seen = [], {}
        for number, cells in self.table.rows:
            if all(blank(c) for c in cells):
                continue  # spreadsheets often end with empty rows
            record = self.row(number, cells, columns, authorities, codes_known, seen)
            if record:
                records.append(record)
        if not records and not self.problems:
            self.error("the table has a header but no authorities")
        if not records:
            raise ReturnsError(self.problems, self.warnings)
        if not self.problems:  # rows refused are not absent: their problems say why
            self.warn_about_absent(authorities, records)
        # Every problem in one pass: the nationalities are checked against the rows that
        # passed, and load_returns raises with all of them together.
        return _to_returns(self.period.year, path, records, self.warnings)

    def warn_about_absent(self, authorities: pd.DataFrame, records: list[dict]) -> None:
        """Authorities with children's services in the period but no row: not an error
        (an edition may write to fewer), but never silent."""
        present = {r["authority_id"] for r in records}
        expected = reference.responsible_in(authorities, self.period, present)
        absent = sorted(authorities.loc[list(expected - present), "short_name"])
        if absent:
            text = f"authorities with children's services have no row: {', '.join(absent)}"
            self.warn(f"{len(absent)} {text} (during {self.period.period_label})", public=text)

    def row(self, number, cells, columns, authorities, codes_known, seen):
        def cell(name):
            return cells[columns[name]]  # every row is as wide as the header (reading.py)

        typed_name = cell("authority_name")
        if isinstance(typed_name, CellProblem):
            self.error(str(typed_name), number, None, "authority_name")
            typed_name = ""
        typed_name = "" if blank(typed_name) else vocabulary.normalise(typed_name)[0]
        label = typed_name or None
        authority = checks.authority(
            self, number, cell("authority_code"), typed_name, label, authorities, codes_known
        )
        nation = authority["nation"] if authority else None
        parsed = {}
        for name in COUNT_COLUMNS:
            value = cell(name)
            try:
                if isinstance(value, CellProblem):
                    raise cell_codes.CellError(value.message)
                parsed[name] = cell_codes.parse_cell(value, nation)
            except cell_codes.CellError as exc:
                self.error(str(exc), number, label, name)
        other = {  # column -> the term it gives, for the answers it speaks of
            name: checks.basis(self, number, label, cells[columns[name]], name)
            for name in checks.BASIS_COLUMNS
            if name in columns
        }
        if authority is None or len(parsed) < len(COUNT_COLUMNS):
            if authority is not None:
                self.refused.add(authority["authority_id"])
            return None
        if authority["authority_id"] in seen:
            self.error(
                f"authority {authority['code']} appears twice (also row "
                f"{seen[authority['authority_id']]})",
                number,
                label,
                "authority_code",
            )
            return None
        seen[authority["authority_id"]] = number
        checks.cross_check(self, number, label, parsed)
        parsed = {name: _other_basis(name, cell, other) for name, cell in parsed.items()}
        return {**authority, "row": number, "typed_name": typed_name, "cells": parsed}


def _other_basis(column: str, cell: cell_codes.Cell, other: dict[str, str]) -> cell_codes.Cell:
    """A number given for another period or group (in brackets in its cell, or the row's
    answer_period and answer_scope, or its group's): recorded as such, never added to the
    totals (docs/returns-contract.md)."""
    terms = [
        term
        for name, term in other.items()
        if term and column.startswith(checks.BASIS_COLUMNS[name][1])
    ]
    terms += [term for term in cell.basis if term not in terms]  # said in the cell itself
    if not terms or cell.category not in cell_codes.REPORTED:
        return cell
    return cell_codes.Cell(cell_codes.OTHER_BASIS, detail="; ".join(terms))  # never the number


def _to_returns(year, path, records, warnings) -> Returns:
    index = pd.Index([r["code"] for r in records], name="authority_code")
    authorities = pd.DataFrame(
        {
            key: [r[key] for r in records]
            for key in ("name", "typed_name", "nation", "region", "row", "authority_id")
        },
        index=index,
    )

    def table(part: str, numbers: bool = False) -> pd.DataFrame:
        """One part of every cell (its count, category, limit or answer), a column a question."""
        columns = {c: [getattr(r["cells"][c], part) for r in records] for c in COUNT_COLUMNS}
        if numbers:  # nullable: a cell with no number stays <NA>, never 0
            columns = {c: pd.array(values, dtype="Int64") for c, values in columns.items()}
        return pd.DataFrame(columns, index=index)

    counts, limits = table("count", numbers=True), table("limit", numbers=True)
    categories, answers = table("category"), table("answer")
    return Returns(
        year, Path(path), authorities, counts, categories, limits, None, list(warnings), answers
    )


def _load_nationalities(path: Path, returns: Returns, checker: _Checker):
    table = _nationalities_table(path)
    if table is None:
        return None
    nat = _Checker(table, checker.period)
    positions = checks.header_positions(nat, NATIONALITY_COLUMNS)
    known = checker.codes_known
    by_id = {row.authority_id: code for code, row in returns.authorities.iterrows()}
    records, seen = [], {}
    for number, cells in table.rows:
        if all(blank(c) for c in cells):
            continue
        code = cells[positions["authority_code"]]
        match = known.get(str(code).strip().upper()) if not blank(code) else None
        if match is not None and match.authority_id in checker.refused:
            continue  # its returns row is refused already, and says why
        record = _nationality_row(nat, number, cells, positions, known, by_id, seen)
        if record:
            records.append(record)
    frame = pd.DataFrame(
        records,
        columns=["authority_code", "group", "nationality", "category", "went_missing", "row"],
    )
    frame["went_missing"] = frame["went_missing"].astype("Int64")
    _check_nationality_sums(nat, frame, returns)
    checker.problems.extend(nat.problems)
    checker.warnings.extend(nat.warnings)
    return frame


def _nationalities_table(path: Path) -> RawTable | None:
    if path.suffix.lower() == ".csv":
        beside = editions.nationalities_file(path)
        if beside.exists():
            return read_table(beside)
        _refuse_lookalike_file(path, beside)
        return None
    return read_table(path, sheet=NATIONALITIES_SHEET)


def _refuse_lookalike_file(path: Path, expected: Path) -> None:
    """A file beside the returns named almost like their nationalities table (singular, a
    space for the underscore, another case) would be left out without a word: refused."""
    stem = path.stem.casefold()
    for other in sorted(path.parent.iterdir()):
        name = other.name.casefold()
        if other.suffix.lower() not in (".csv", ".tsv", ".txt") or not other.is_file():
            continue
        if name.startswith(stem) and "nation" in name[len(stem) :]:
            raise ReturnsError([Problem(other.name, None, None, None, None,
                f"the file {other.name} beside {path.name} looks like its nationalities "
                f"table, which must be named {expected.name}; rename it to use it, or move "
                "it out of the folder")])  # fmt: skip


def _nationality_row(nat, number, cells, positions, known, by_id, seen):
    def cell(name):
        value = cells[positions[name]]  # every row is as wide as the header (reading.py)
        return "" if blank(value) else value

    code = str(cell("authority_code")).strip().upper()
    match = known.get(code)
    if match is None or match.authority_id not in by_id:
        nat.error(
            f"'{code}' is not an authority in the returns table", number, None, "authority_code"
        )
        return None
    code = by_id[match.authority_id]
    group = str(cell("group")).strip().lower()
    if group not in GROUPS:
        nat.error(
            f"'{cell('group')}' is not a group (trafficked or unaccompanied)",
            number,
            code,
            "group",
        )
        return None
    typed, invisible = vocabulary.normalise(cell("nationality"))
    if not typed:
        nat.error("the nationality is empty", number, code, "nationality")
        return None
    if invisible:
        nat.warn(
            f"'{typed}' held invisible characters, removed: {', '.join(invisible)}",
            number,
            code,
            "nationality",
            public="the nationality held invisible characters, removed",
            code=code,
        )
    nationality = vocabulary.nationality(typed)
    if nationality is None:
        nat.error(
            f"'{typed}' is not a nationality in {vocabulary.NATIONALITIES.name}; use a "
            "nationality or country listed there, or add this spelling as an alias",
            number,
            code,
            "nationality",
        )
        return None
    key = (code, group, nationality)
    if key in seen:
        nat.error(
            f"'{typed}' is {nationality} ({group}), which appears twice for this authority "
            f"(also row {seen[key]})",
            number,
            code,
            "nationality",
        )
        return None
    seen[key] = number
    try:
        parsed = cell_codes.parse_cell(cell("went_missing"))
    except cell_codes.CellError as exc:
        nat.error(str(exc), number, code, "went_missing")
        return None
    return {
        "authority_code": code,
        "group": group,
        "nationality": nationality,
        "category": parsed.category,
        "went_missing": parsed.count,
        "row": number,
    }


def _check_nationality_sums(nat, frame, returns):
    """Children counted by nationality cannot outnumber those who went missing (a count, or
    fewer than N for a withheld '<N'); the error points at the authority's last row."""
    counted = frame.dropna(subset=["went_missing"])
    sums = counted.groupby(["authority_code", "group"]).agg(
        total=("went_missing", "sum"), row=("row", "max")
    )
    for (code, group), found in sums.iterrows():
        column = f"{group}_went_missing"
        went = returns.counts.at[code, column]
        limit = returns.limits.at[code, column]
        if not pd.isna(went) and found["total"] > went:
            says = f"say {went} went missing"
        elif not pd.isna(limit) and found["total"] > limit - 1:
            says = f"withhold a number below {limit} (<{limit})"
        else:
            continue
        nat.error(
            f"nationalities add up to {found['total']} {group} children but the returns {says}",
            int(found["row"]),
            code,
            "went_missing",
        )
