"""Derive data/reference/authorities.csv from the public lists (run once per update).

Usage: python scripts/derive_reference.py SOURCES, where the folder SOURCES holds the files
that data/reference/SOURCE.md names, as downloaded (children_services_authorities.csv,
mysociety/uk_local_authorities_current.csv and the licences).

Keeps every children's-services body of children_services_authorities.csv and adds Northern
Ireland's eleven district councils from mySociety's list: the 2015 edition wrote to them (217 =
152 + 22 + 32 + 11), although the Health and Social Care Trusts run children's social care.
"""

import csv
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else None  # the downloaded sources
OUT = ROOT / "data" / "reference"
COLUMNS = [
    "authority_id",
    "name",
    "short_name",
    "nation",
    "region",
    "gss_code",
    "former_gss_codes",
    "authority_type",
    "start_date",
    "end_date",
    "children_services",
    "sources",
]


def children_services_rows():
    with open(SHARED / "children_services_authorities.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield {**{c: row.get(c, "") for c in COLUMNS}, "children_services": "yes"}


def ni_district_rows():
    with open(SHARED / "mysociety" / "uk_local_authorities_current.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["gss-code"].startswith("N09"):
                yield {
                    "authority_id": row["local-authority-code"],
                    "name": row["official-name"],
                    "short_name": row["nice-name"],
                    "nation": "Northern Ireland",
                    "region": "Northern Ireland",
                    "gss_code": row["gss-code"],
                    "former_gss_codes": row["former-gss-codes"],
                    "authority_type": "NI district council",
                    "start_date": row["start-date"],
                    "end_date": row["end-date"],
                    "children_services": "no",
                    "sources": "mysociety/uk_local_authorities_current.csv",
                }


def main() -> int:
    if SHARED is None or not SHARED.is_dir():
        print("usage: python scripts/derive_reference.py SOURCES (a folder)", file=sys.stderr)
        return 2
    rows = sorted(
        [*children_services_rows(), *ni_district_rows()],
        key=lambda r: (r["nation"], r["region"], r["name"]),
    )
    with open(OUT / "authorities.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for licence in ("dfe/LICENSE",):
        target = OUT / "licences" / licence.replace("/", "-")
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(SHARED / licence, target)
    print(f"wrote {len(rows)} authorities to {OUT / 'authorities.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
