"""The font files the PDF and the charts are set in, found on this machine (the manifest
records their digests: a font the system updates changes the printed pages and the charts)."""

import os
import sys
from pathlib import Path

FONT_FOLDERS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path(sys.prefix) / "fonts",
)
# The faces the CSS and the charts use: Lato and Inter, regular and bold, roman and italic.
FONT_FILES = tuple(
    f"{family}-{face}.{kind}"
    for family, kind in (("Lato", "ttf"), ("Inter", "otf"))
    for face in ("Regular", "Bold", "Italic", "BoldItalic")
)


def font_files() -> dict[str, Path]:
    """The font files the PDF and the charts use, by name (the first found of each)."""
    found = {}
    for folder in FONT_FOLDERS:
        for where, _, names in sorted(os.walk(folder)):
            for name in sorted(set(names) & set(FONT_FILES) - set(found)):
                found[name] = Path(where) / name
    return dict(sorted(found.items()))
