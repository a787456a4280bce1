"""The tile map's layout: one equal hexagon for every body in the reference list
(data/reference/hexmap.hexjson, derived by scripts/derive_hexmap.py from Open Innovations'
HexJSON layouts, MIT licence)."""

import json
import math

from . import paths


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
    cells = {code: layout[code] for code in codes}
    if len(set(cells.values())) < len(cells):
        raise LayoutError("two authorities contacted together share a hexagon")
    # odd-r: odd rows sit half a hexagon to the right; rows are sqrt(3)/2 apart.
    return {code: (q + 0.5 * (r % 2), r * math.sqrt(3) / 2) for code, (q, r) in cells.items()}
