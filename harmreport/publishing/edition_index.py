"""OUT/index.html, the list of editions web staff upload with them, owned and verified as an
edition is: OUT/manifest.json records the index's sha256 and what it was made from (each
edition's manifest, the templates, styles and configuration it reads).

- The build never overwrites an index it did not write, or one changed since it wrote it
  (exit 4, as for a folder it did not write); it says how to proceed.
- The index is made again whenever what it is made from has changed, an up-to-date build
  included: an edition deleted from OUT/ leaves it.
- `--verify` checks it against the root manifest and the editions OUT/ holds (not against
  the project's files now: a template changed since, or a year started in
  data/editions.toml, does not make a published site fail).
"""

import json
from pathlib import Path

from harmreport.project import paths
from harmreport.project.formatting import file_size
from harmreport.project.inputs import sha256
from harmreport.project.jsonfiles import read_json
from harmreport.publishing.edition_folders import NotOurs, write_atomically

INDEX = "index.html"
MANIFEST = "manifest.json"


def _editions_held(out_root: Path) -> dict[str, str]:
    """sha256 of every edition's manifest in OUT/: the index lists these editions, and only
    these, from what their manifests say of them."""
    return {
        f"{folder.name}/{MANIFEST}": sha256(folder / MANIFEST)
        for folder in sorted(Path(out_root).iterdir())
        if folder.name.isdigit() and (folder / MANIFEST).is_file()
    }


def _made_from(out_root: Path) -> dict[str, str]:
    """What the index is made from: the editions OUT/ holds, and the project files its page
    reads (not data/editions.toml: a year started there is not published)."""
    found = _editions_held(out_root)
    for path in (
        paths.TEMPLATES / "index.html.j2",
        paths.TEMPLATES / "report.css",
        paths.TEMPLATES / "screen.css",
        paths.COLOPHON,
    ):
        found[paths.shown_path(path)] = sha256(path)
    return found


def _recorded(out_root: Path) -> dict | None:
    try:
        found = json.loads((Path(out_root) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and INDEX in found.get("outputs", {}) else None


def check_index_ownership(out_root: Path) -> None:
    """Refuse an OUT/index.html this tool did not write, or that was changed since."""
    index = Path(out_root) / INDEX
    if index.is_symlink():
        raise NotOurs(f"{index} is a symbolic link, not the index this tool wrote; remove it")
    if not index.exists():
        return
    recorded = _recorded(out_root)
    if recorded is None:
        raise NotOurs(
            f"{index} exists but is not an index this tool wrote (no {MANIFEST} beside it "
            "records it); move it elsewhere or choose another --out"
        )
    if recorded["outputs"][INDEX] != sha256(index):
        raise NotOurs(
            f"{index} was changed after the build wrote it; keep your changes elsewhere and "
            f"delete it (the build writes it again), or choose another --out"
        )


def index_is_current(out_root: Path) -> bool:
    recorded = _recorded(out_root)
    index = Path(out_root) / INDEX
    return (
        recorded is not None
        and index.is_file()
        and recorded["outputs"][INDEX] == sha256(index)
        and recorded.get("made_from") == _made_from(out_root)
    )


def update_index(out_root: Path) -> Path:
    """The index of every edition the project knows, for the web staff (and OUT/manifest.json
    recording it); made again whenever what it shows has changed."""
    from harmreport.outputs import render  # Jinja2: not for an up-to-date check

    html = render.render_index(index_entries(out_root), Path(out_root))
    return write_index(out_root, html)


def write_index(out_root: Path, html: str) -> Path:
    """The index, then the root manifest recording it (an index whose record is missing is
    refused next time: write the record last)."""
    out_root = Path(out_root)
    check_index_ownership(out_root)
    index = out_root / INDEX
    write_atomically(index, html)
    record = {"outputs": {INDEX: sha256(index)}, "made_from": _made_from(out_root)}
    write_atomically(out_root / MANIFEST, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return index


def index_differences(out_root: Path) -> list[str]:
    """What --verify says of the index: changed by hand, or made from other editions."""
    index = Path(out_root) / INDEX
    recorded = _recorded(out_root)
    if recorded is None:
        return [f"the index of editions is not recorded in {Path(out_root) / MANIFEST}"]
    if not index.is_file():
        return [f"published file missing: {index}"]
    found = []
    if recorded["outputs"][INDEX] != sha256(index):
        found.append(f"published file differs from the manifest: {index} (changed by hand)")
    held = _editions_held(out_root)
    listed = {k: v for k, v in recorded.get("made_from", {}).items() if k.endswith(MANIFEST)}
    if listed != held:
        found.append(
            f"{index} lists editions as they were when it was written, not those {out_root} "
            "holds now; build any edition into it to write it again"
        )
    return found


def index_entries(out_root: Path) -> list[dict]:
    """Every edition published in OUT/ (its folder holds a manifest), newest first, as its
    manifest describes it: never one that is only started in data/editions.toml."""
    entries = []
    for manifest_file in sorted(Path(out_root).glob("[0-9]*/manifest.json"), reverse=True):
        folder = manifest_file.parent
        manifest = read_json(manifest_file)
        stats = read_json(folder / "stats.json") if (folder / "stats.json").is_file() else None
        pdf = folder / "report.pdf"
        entries.append(
            {
                "year": int(folder.name),
                "title": manifest.get("title", folder.name),
                "subtitle": manifest.get("subtitle", ""),
                "period": manifest.get("period", ""),
                "published": manifest.get("published", ""),
                "has_html": (folder / "index.html").is_file(),
                "pdf_size": file_size(pdf) if pdf.is_file() else "",
                "stats": stats,
                "illustrative": bool(manifest.get("illustrative")),
            }
        )
    return entries
