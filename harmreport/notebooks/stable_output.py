"""The executed notebooks made repeatable: what changes from run to run (timings, the staging
folder's name, papermill's random cell id, the chunks print() was flushed in) is dropped or
fixed, so the same inputs give the same bytes."""

import json
from pathlib import Path


def normalise_notebook(path: Path, name: str) -> None:
    """Drop what changes from run to run (timings, the staging folder's name), so the same
    inputs give the same bytes."""
    book = json.loads(path.read_text(encoding="utf-8"))
    meta = book["metadata"].get("papermill", {})
    for key in ("start_time", "end_time", "duration"):
        meta.pop(key, None)
    meta["input_path"] = meta["output_path"] = f"notebooks/{name}.ipynb"
    for cell in book["cells"]:
        if "injected-parameters" in cell["metadata"].get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        cell["metadata"].pop("execution", None)
        if "outputs" in cell:
            cell["outputs"] = _merged_streams(cell["outputs"])
        for key in ("start_time", "end_time", "duration"):
            cell["metadata"].get("papermill", {}).pop(key, None)
    path.write_text(
        json.dumps(book, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )


def _merged_streams(outputs: list[dict]) -> list[dict]:
    """The kernel flushes print() output in chunks that depend on timing; one output per
    stream, as a reader sees it, makes the bytes repeatable."""
    merged: list[dict] = []
    for output in outputs:
        if output.get("output_type") == "stream":
            text = "".join(output["text"]) if isinstance(output["text"], list) else output["text"]
            previous = merged[-1] if merged else {}
            if previous.get("output_type") == "stream" and previous["name"] == output["name"]:
                previous["text"] += text
                continue
            output = {**output, "text": text}
        merged.append(output)
    return merged
