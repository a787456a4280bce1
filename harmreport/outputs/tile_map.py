"""The tile map's layout: one equal hexagon for every body in the reference list
(data/reference/hexmap.hexjson, derived by scripts/derive_hexmap.py from Open Innovations'
HexJSON layouts, MIT licence)."""

import json
import math

from harmreport.project import paths


class LayoutError(ValueError):
    pass


def load_layout(path=None) -> dict[str, tuple[int, int]]:
    data = json.loads((path or paths.HEXMAP).read_text(encoding="utf-8"))
    if data.get("layout") != "odd-r":
        raise LayoutError(f"{path or paths.HEXMAP}: only odd-r layouts are drawn")
    return {code: (hexagon["q"], hexagon["r"]) for code, hexagon in data["hexes"].items()}


def positions(codes, layout: dict) -> dict[str, tuple[float, float]]:
    """Centres (x, y) of the hexagons of exactly `codes`; every code must have its own."""
    missing = sorted(set(codes) - set(layout))
    if missing:
        raise LayoutError(f"no hexagon for {', '.join(missing)} in {paths.HEXMAP.name}")
    cells = _apart({code: layout[code] for code in codes})
    # odd-r: odd rows sit half a hexagon to the right; rows are sqrt(3)/2 apart.
    return {code: (q + 0.5 * (r % 2), r * math.sqrt(3) / 2) for code, (q, r) in cells.items()}


def _apart(cells: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Bodies that share a hexagon (a council and its successor, both contacted for a period
    spanning a reorganisation): the first by code keeps it, each other takes the nearest free
    hexagon, searched ring by ring in a fixed order, so the map is the same every time."""
    placed: dict[str, tuple[int, int]] = {}
    taken = set()
    for code in sorted(cells):
        cell = cells[code]
        if cell in taken:
            cell = _nearest_free(cell, taken | set(cells.values()))
        placed[code] = cell
        taken.add(cell)
    return {code: placed[code] for code in cells}


def _neighbours(q: int, r: int) -> list[tuple[int, int]]:
    shift = r % 2  # odd-r: odd rows sit half a hexagon to the right
    return [(q + 1, r), (q - 1, r)] + [
        (q + dq + shift, r + dr) for dr in (-1, 1) for dq in (-1, 0)
    ]


def _nearest_free(start: tuple[int, int], taken: set) -> tuple[int, int]:
    seen, ring = {start}, [start]
    while ring:
        following = []
        for cell in ring:
            for near in sorted(_neighbours(*cell)):
                if near not in seen:
                    if near not in taken:
                        return near
                    seen.add(near)
                    following.append(near)
        ring = following
    raise LayoutError("no free hexagon")  # never: the plane is unbounded
