"""The returns' checks, one function for each kind of thing checked: the header, an
authority's identity (code, name, in operation during the period) and a row's counts against
one another. Each reports through `report` (returns._Checker: error and warn, naming the
row, the authority and the column)."""

import datetime as dt

from harmreport.intake import cell_codes, reference, vocabulary
from harmreport.intake.problems import ReturnsError
from harmreport.intake.reading import DECLARED, CellProblem

GROUPS = ("trafficked", "unaccompanied")
# The returns workbook's columns for the team's own tracking of the request: never read.
STATUS_COLUMNS = ("request_sent", "reminder_sent", "answered", "internal_review", "notes")
# Optional: an answer given for another period or another group than the request asked about
# (docs/returns-contract.md, "Answers for another period or group"). Blank: as asked.
PERIODS, SCOPES = cell_codes.PERIODS, cell_codes.SCOPES
# Which answers each column speaks of: every question of the row, or one group's questions.
BASIS_COLUMNS = {
    "answer_period": (PERIODS, ""),
    "answer_scope": (SCOPES, ""),
    "trafficked_period": (PERIODS, "trafficked_"),
    "trafficked_scope": (SCOPES, "trafficked_"),
    "unaccompanied_period": (PERIODS, "unaccompanied_"),
    "unaccompanied_scope": (SCOPES, "unaccompanied_"),
}


def declared_period(report, declared: dict) -> None:
    """A workbook made for an edition names its year and period: they must be this one's."""
    period = report.period
    wanted = (period.year, period.period_start, period.period_end)
    found = tuple(
        value.date() if isinstance(value, dt.datetime) else value
        for value in (declared.get(name) for name in DECLARED)
    )
    if declared and found != wanted:
        report.error(
            f"the workbook was made for the {found[0]} edition, {found[1]} to {found[2]} (its "
            f"cells {', '.join(DECLARED)}), not for the {period.year} edition, "
            f"{period.period_start} to {period.period_end}"
        )
        raise ReturnsError(report.problems, report.warnings)


def header_positions(report, wanted) -> dict[str, int]:
    header = []
    for index, raw in enumerate(report.table.header):
        name, invisible = vocabulary.normalise(raw or "")
        header.append(name.lower())
        if invisible:
            report.warn(
                f"the header of column {index + 1} held invisible characters, removed: "
                f"{', '.join(invisible)}",
                row=1,
                public=f"the header of column {index + 1} held invisible characters",
            )
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in positions and name in wanted:
            report.error(
                f"column '{name}' appears twice (columns {positions[name] + 1} and {index + 1})",
                row=1,
            )
        elif name and name not in wanted and name not in STATUS_COLUMNS + tuple(BASIS_COLUMNS):
            report.warn(
                f"column '{name}' is not part of the returns format; ignored",
                row=1,
                public=f"column {index + 1} is not part of the returns format; ignored",
            )
        positions.setdefault(name, index)
    missing = [c for c in wanted if c not in positions]
    if missing:
        hint = ""
        if len(header) == 1 and any(sep in report.table.header[0] for sep in ";\t|"):
            hint = " (the file seems to use another delimiter than a comma)"
        if report.table.note:
            hint += f" ({report.table.note})"
        report.error(
            f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)}{hint}; "
            f"expected columns: {', '.join(wanted)}",
            row=1,
        )
    if report.problems:
        raise ReturnsError(report.problems, report.warnings)
    return positions


def authority(report, number, raw, typed_name, label, authorities, codes_known):
    if isinstance(raw, CellProblem):
        report.error(str(raw), number, label, "authority_code")
        return None
    code = "" if blank(raw) else str(raw).strip().upper()
    if not code:
        report.error("the authority code is empty", number, label, "authority_code")
        return None
    if any(ord(ch) > 127 for ch in code):
        odd = next(ch for ch in code if ord(ch) > 127)
        report.error(
            f"'{raw}' contains U+{ord(odd):04X}, which looks like ordinary text but "
            "is not; retype the code",
            number,
            label,
            "authority_code",
        )
        return None
    match = codes_known.get(code)
    if match is None:
        report.error(
            f"'{raw}' is not the code of any authority in the reference list "
            "(GSS code, or the id of a body without one)",
            number,
            label,
            "authority_code",
        )
        return None
    row = match.row
    current = reference.published_code(row)
    if match.former_code:
        report.warn(
            f"'{code}' is a former code of {row['name']}; read as {current}",
            number,
            label,
            "authority_code",
            public=f"a former code of {row['name']} was read as {current}",
            code=current,
        )
    period = report.period
    if not reference.in_operation(row, period.period_start, period.period_end):
        change = reference.reorganisation(authorities, row)
        report.error(
            f"{row['name']} ({current}) was not in operation during {period.period_label}"
            + (f": {change}" if change else ""),
            number,
            label,
            "authority_code",
        )
        return None
    if typed_name and not reference.names_match(typed_name, row):
        report.warn(
            f"'{typed_name}' differs from the reference name '{row['name']}' for {current}",
            number,
            label,
            "authority_name",
            public=f"the name typed differs from the reference name, {row['name']}",
            code=current,
        )
    return {
        "authority_id": row["authority_id"],
        "code": current,
        "name": row["short_name"],
        "nation": row["nation"],
        "region": row["region"],
    }


def cross_check(report, number, label, cells):
    count = {name: cell.count for name, cell in cells.items()}
    for group in GROUPS:
        in_care, missing, episodes = (
            count[f"{group}_{q}"] for q in ("in_care", "went_missing", "missing_episodes")
        )
        if None not in (in_care, missing) and missing > in_care:
            report.error(
                f"{missing} went missing but only {in_care} were in care "
                f"({group}_went_missing must not exceed {group}_in_care)",
                number,
                label,
                f"{group}_went_missing",
            )
        if None not in (missing, episodes):
            if missing > 0 and episodes < missing:
                report.error(
                    f"{episodes} missing episodes for {missing} children who went "
                    "missing; each went missing at least once",
                    number,
                    label,
                    f"{group}_missing_episodes",
                )
            if missing == 0 and episodes != 0:
                report.error(
                    f"{episodes} missing episodes but no child went missing",
                    number,
                    label,
                    f"{group}_missing_episodes",
                )
    went = (count["trafficked_went_missing"], count["unaccompanied_went_missing"])
    if None in went:
        return
    for name in ("still_missing", "missing_over_week"):
        if count[name] is not None and count[name] > sum(went):
            report.error(
                f"{count[name]} exceeds the {sum(went)} trafficked and unaccompanied "
                "children who went missing",
                number,
                label,
                name,
            )


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def basis(report, number, label, value, column) -> str:
    """An answer_period or answer_scope cell: '' (as asked) or one of its terms."""
    if blank(value) or str(value).strip().lower() == "as asked":
        return ""
    text = " ".join(str(value).lower().split())
    terms = BASIS_COLUMNS[column][0]
    if text in terms:
        return text
    report.error(
        f"'{value}' is not a {column.split('_')[-1]} the returns record; type one of: "
        f"{', '.join(terms)} (or leave it empty: the answer is for what was asked)",
        number,
        label,
        column,
    )
    return ""
