"""What earlier editions hid, so that a later edition never prints it.

Suppression of a year's figures is decided once, in that year's own edition, with all of its
figures in view. A later edition prints some of them again (the change across editions, a
comparison year); it must hide there whatever the earlier edition hid, or a reader holding
both would read there what the first kept back. An earlier edition's decision is taken the
way its own build takes it: by running the code of notebooks 1 and 2 for its year (as they
stand now) in a temporary folder; each of those finds the decisions of the editions before
it the same way.
"""

import contextlib
import hashlib
import io
import json
import os
import tempfile

from harmreport.project import editions, inputs, paths

# Decisions and returns read, by the digest of everything they come from (the inputs its
# manifest would list, code included): a process (or a kernel) that builds again finds them
# taken, and a changed input is never served stale. Decisions are also kept on disk, in the
# scratch folder (paths.decisions_dir), for the next process.
_decided: dict[str, dict] = {}
_read: dict[tuple, object] = {}


def hidden_by_earlier_editions(year: int) -> dict[int, dict]:
    """For each edition before `year`: {"hidden": {key: rule}, "small": [keys said to be
    fewer than five]}, as its stats.json publishes them."""
    return {e: _decision(e) for e in editions.all_editions() if e < year}


def decision_key(year: int) -> str:
    """The name under which `year`'s decision is kept: the digest of all it comes from."""
    edition = editions.edition(year)
    files = inputs.input_files(inputs.ReturnsFile.at(edition.returns), edition)
    digest = hashlib.sha256("".join(f"{f}:{inputs.sha256(f)};" for f in files).encode())
    return f"{year}-{digest.hexdigest()[:32]}"


def _decision(year: int) -> dict:
    key = decision_key(year)
    if key not in _decided:
        _decided[key] = _kept(key) or _keep(key, _decision_of(year))
    return _decided[key]


def _kept(key: str) -> dict | None:
    """A decision kept on disk by an earlier process (names of figures and rules only)."""
    try:
        return json.loads((paths.decisions_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _keep(key: str, decision: dict) -> dict:
    folder = paths.decisions_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
            json.dump(decision, f)
        os.replace(f.name, folder / f"{key}.json")
    except OSError:
        pass  # a folder we cannot write to: the decision is taken again next time
    return decision


def _decision_of(year: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="hbh-history-") as folder:
        out = f"{folder}/edition"  # notebook 1 keeps the validated returns beside it
        namespace = {"year": year, "returns_path": "", "output_dir": out}
        with contextlib.redirect_stdout(io.StringIO()):
            for notebook in ("01_validate_returns", "02_headline_statistics"):
                for source in _code_cells(notebook):
                    exec(compile(source, f"{notebook}.ipynb", "exec"), namespace)
                    if "load_returns" in namespace:  # each year's returns read once a call
                        namespace["load_returns"] = _load_once
        stats = namespace["published"]
    found = stats["disclosure"]
    return {"hidden": found["suppressed"], "small": found["fewer_than_five"]}


def _load_once(path, year):
    from harmreport.intake.returns import load_returns

    key = (str(path), year, inputs.sha256(path))
    if key not in _read:
        _read[key] = load_returns(path, year)
    return _read[key]


def _code_cells(notebook: str) -> list[str]:
    """A notebook's code cells but its parameters cell (the namespace holds the values)."""
    cells = json.loads((paths.NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in cells["cells"] if c["cell_type"] == "code"]
    return [s for s in sources if not s.startswith("# Parameters")]


def printed_again(earlier: dict[int, dict], comparison_year: int | None) -> dict[str, tuple]:
    """Where this edition prints what an earlier one hid: {key here: (rule, said small)}.
    An earlier edition's "trafficked.in_care" is this one's "trend.<year>.trafficked_in_care"
    and, for its comparison year, "comparison.trafficked_in_care"."""
    found = {}
    for year, decision in sorted(earlier.items()):
        prefixes = [f"trend.{year}."] + (["comparison."] if year == comparison_year else [])
        for key in decision["hidden"]:
            for prefix in prefixes:
                found[prefix + key.replace(".", "_", 1)] = (
                    f"hidden in the {year} edition",
                    key in decision["small"],
                )
    return found
