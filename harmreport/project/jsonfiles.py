"""Writing output files so that the same content always gives the same bytes."""

import json
from pathlib import Path


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def flatten(data, prefix: str = "") -> list[tuple[str, object]]:
    """Nested stats as (dotted key, value) rows; list items are keyed by their label."""
    rows = []
    if isinstance(data, dict):
        for key, value in data.items():
            rows += flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list) and any(isinstance(item, dict) for item in data):
        for index, item in enumerate(data):
            rows += flatten(item, f"{prefix}.{row_label(item, index)}")
    else:
        rows.append((prefix, data if not isinstance(data, list) else ", ".join(map(str, data))))
    return rows


def row_label(item, index: int) -> str:
    """A list row's name in a dotted key: its area, nationality or authority code, else its
    position."""
    if isinstance(item, dict):
        for name in ("area", "nationality", "code"):
            if name in item:
                return str(item[name])
    return str(index)
