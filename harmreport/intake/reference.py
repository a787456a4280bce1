"""The reference list of authorities (data/reference/authorities.csv) and look-ups in it."""

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from harmreport.project import paths


@dataclass(frozen=True)
class Match:
    authority_id: str
    former_code: bool  # matched through a former GSS code of the same body
    # The body's row of the reference list, column -> value: looked up once for the index,
    # not by pandas for every row of the returns (a third of reading them).
    row: dict = field(compare=False, repr=False)


def load_authorities(path=paths.AUTHORITIES) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("start_date", "end_date"):
        table[column] = pd.to_datetime(table[column].replace("", None)).dt.date
    return table.set_index("authority_id", drop=False)


def code_index(authorities: pd.DataFrame) -> dict[str, Match]:
    """Every code an authority may be given by: its GSS code, its id when it has no GSS
    code (Northern Ireland's trusts), and its former GSS codes."""
    index, rows = {}, authorities.to_dict("index")
    for row in authorities.itertuples():
        for former in filter(None, row.former_gss_codes.replace(";", ",").split(",")):
            index[former.strip().upper()] = Match(row.authority_id, True, rows[row.Index])
    for row in authorities.itertuples():
        key = row.gss_code or row.authority_id
        index[key.upper()] = Match(row.authority_id, False, rows[row.Index])
    return index


def in_operation(row, start: dt.date, end: dt.date) -> bool:
    begins, ends = row["start_date"], row["end_date"]
    return (pd.isna(begins) or begins <= end) and (pd.isna(ends) or ends >= start)


def reorganisation(authorities: pd.DataFrame, row) -> str:
    """What replaced a body, or what it replaced, as an error about the period says it: the
    bodies of the same region whose operation begins the day after it ends (or ends the day
    before it begins), with children's services."""

    def names(rows) -> str:
        return ", ".join(sorted(rows["name"]))

    services = authorities[
        (authorities["children_services"] == "yes") & (authorities["region"] == row["region"])
    ]
    said = []
    if not pd.isna(row["end_date"]):
        after = services[services["start_date"] == row["end_date"] + dt.timedelta(days=1)]
        if len(after):
            said.append(f"it was abolished after {_day(row['end_date'])}; from "
                        f"{_day(row['end_date'] + dt.timedelta(days=1))} its successors are "
                        f"{names(after)}")  # fmt: skip
    if not pd.isna(row["start_date"]):
        before = services[services["end_date"] == row["start_date"] - dt.timedelta(days=1)]
        if len(before):
            said.append(f"it began on {_day(row['start_date'])}; before then its area was "
                        f"served by {names(before)}")  # fmt: skip
    return "; ".join(said)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def published_code(row) -> str:
    return row["gss_code"] or row["authority_id"]


_NOISE = re.compile(
    r"\b(council|county|city|borough|metropolitan|district|london|royal|of|the|"
    r"and|corporation|health|social|care|trust|hsc)\b|[^a-z]"
)


def names_match(typed: str, row) -> bool:
    """Loose comparison: 'Kent' matches 'Kent County Council'; a mismatch is only a warning."""
    key = _NOISE.sub("", typed.lower().replace("&", "and"))
    return key in {
        _NOISE.sub("", str(row[c]).lower().replace("&", "and")) for c in ("name", "short_name")
    }


def responsible_in(authorities: pd.DataFrame, period, present: set[str]) -> set[str]:
    """The bodies with children's services in operation during the period (ids). Northern
    Ireland's district councils stand in for its trusts when the returns use them, as the
    2015 edition's contact list did."""
    in_period = authorities[
        authorities.apply(
            lambda r: in_operation(r, period.period_start, period.period_end), axis=1
        )
    ]
    expected = set(in_period.index[in_period["children_services"] == "yes"])
    councils = set(in_period.index[in_period["authority_type"] == "NI district council"])
    if present & councils:
        trusts = in_period.index[in_period["authority_type"] == "Health and Social Care Trust"]
        expected = (expected - set(trusts)) | councils
    return expected
