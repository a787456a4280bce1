"""Derive data/reference/hexmap.hexjson: one equal hexagon for every body in authorities.csv.

No published layout holds exactly the UK's children's-services bodies, so this one is pieced
together from Open Innovations' HexJSON layouts (MIT; see data/reference/SOURCE.md):

- England: the upper-tier layout; bodies created since take their predecessor's hexagon, and
  where one body became two, the second takes the nearest free hexagon;
- Wales, Scotland and Northern Ireland: their shapes from the 2023 district layout, each moved
  as a block to the nearest place beside England where it overlaps nothing;
- Northern Ireland's five trusts take the hexagon of one district each. Trusts and districts
  never share a contact list, so they may share hexagons; the test of every edition's map
  checks that bodies contacted together never do.

Run once per update of the reference list, naming the folder that holds the downloaded
layouts: python scripts/derive_hexmap.py HEXMAPS
"""

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEXMAPS = Path(sys.argv[1] if len(sys.argv) > 1 else "hexmaps")  # the downloaded layouts
OUT = ROOT / "data" / "reference" / "hexmap.hexjson"

# Body -> the body whose hexagon it takes (same area, a different code or a merger).
TAKES_HEXAGON_OF = {
    "E08000038": "E08000016",  # Barnsley, new code
    "E08000039": "E08000019",  # Sheffield, new code
    "E06000060": "E10000002",  # Buckinghamshire Council <- Buckinghamshire County Council
    "E06000065": "E10000023",  # North Yorkshire Council <- North Yorkshire County Council
    "E06000066": "E10000027",  # Somerset Council <- Somerset County Council
    "E06000063": "E10000006",  # Cumberland <- Cumbria
    "E06000061": "E10000021",  # North Northamptonshire <- Northamptonshire
    "E10000009": "E06000059",  # Dorset County Council (to 2019) <- Dorset Council
    "E06000028": "E06000058",  # Bournemouth (to 2019) <- Bournemouth, Christchurch and Poole
    "NI-BHSCT": "N09000003",  # Belfast trust <- Belfast
    "NI-NHSCT": "N09000008",  # Northern trust <- Mid and East Antrim
    "NI-SEHSCT": "N09000011",  # South Eastern trust <- Ards and North Down
    "NI-SHSCT": "N09000002",  # Southern trust <- Armagh City, Banbridge and Craigavon
    "NI-WHSCT": "N09000005",  # Western trust <- Derry City and Strabane
}
# Bodies that were split from, or merged into, a neighbour: the nearest free hexagon to it.
BESIDE = {
    "E06000064": "E10000006",  # Westmorland and Furness, beside Cumbria's hexagon
    "E06000062": "E10000021",  # West Northamptonshire, beside Northamptonshire's
    "E06000029": "E06000058",  # Poole (to 2019), beside Bournemouth's
}


def load(name: str) -> dict:
    return json.loads((HEXMAPS / name).read_text(encoding="utf-8"))["hexes"]


def neighbours(q: int, r: int) -> list[tuple[int, int]]:
    """The six neighbours of a hexagon in an odd-r layout, in a fixed order."""
    shift = r % 2  # odd rows are pushed half a hexagon to the right
    return [
        (q + 1, r),
        (q - 1, r),
        (q + shift, r + 1),
        (q + shift - 1, r + 1),
        (q + shift, r - 1),
        (q + shift - 1, r - 1),
    ]


def nearest_free(start: tuple[int, int], taken: set) -> tuple[int, int]:
    """The first free hexagon found going outwards from `start`, breadth first."""
    queue, seen = [start], {start}
    while queue:
        cell = queue.pop(0)
        if cell not in taken:
            return cell
        for n in neighbours(*cell):
            if n not in seen:
                seen.add(n)
                queue.append(n)
    raise SystemExit("no free hexagon")


def place_block(block: dict, taken: set, anchor: tuple[int, int]) -> dict:
    """Move a nation's hexagons, as one block, to the nearest free place from `anchor`
    (rows moved by an even number, so the shape is kept), keeping a hexagon's gap."""
    q0 = min(q for q, _ in block.values())
    r0 = min(r for _, r in block.values())
    around = {n for cell in taken for n in neighbours(*cell)} | taken
    moves = sorted(
        ((dq, dr) for dq in range(-20, 21) for dr in range(-20, 21, 2)),
        key=lambda m: (abs(m[0]) + abs(m[1]), m),
    )
    for dq, dr in moves:
        q, r = anchor[0] + dq, anchor[1] + dr
        r -= (r - r0) % 2  # an even shift of rows
        moved = {k: (cq - q0 + q, cr - r0 + r) for k, (cq, cr) in block.items()}
        if not set(moved.values()) & around:
            return moved
    raise SystemExit("no room for a block")


def derive() -> dict:
    upper = load("uk-upper-tier-local-authorities.hexjson")
    districts = load("uk-local-authority-districts-2023.hexjson")
    with open(ROOT / "data" / "reference" / "authorities.csv", encoding="utf-8") as f:
        bodies = {row["gss_code"] or row["authority_id"]: row for row in csv.DictReader(f)}
    cells = {k: (v["q"], v["r"]) for k, v in upper.items()}
    taken = set(cells.values())
    # Wales to the west of England, Scotland to the north, Northern Ireland west of Scotland.
    for prefix, anchor in (("W", (-3, 3)), ("S", (7, 18)), ("N", (2, 19))):
        block = {k: (v["q"], v["r"]) for k, v in districts.items() if k.startswith(prefix)}
        moved = place_block(block, taken, anchor)
        cells.update(moved)
        taken |= set(moved.values())
    for body, other in TAKES_HEXAGON_OF.items():
        cells[body] = cells[other]
    for body, other in BESIDE.items():
        cells[body] = nearest_free(cells[other], taken)
        taken.add(cells[body])
    cells = {k: cell for k, cell in cells.items() if k in bodies}
    missing = sorted(set(bodies) - set(cells))
    if missing:
        raise SystemExit(f"no hexagon for {', '.join(missing)}")
    return {
        "layout": "odd-r",
        "hexes": {
            key: {"n": bodies[key]["short_name"] or bodies[key]["name"], "q": q, "r": r}
            for key, (q, r) in sorted(cells.items())
        },
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(derive(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
