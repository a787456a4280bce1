"""Every published file read as lines of text for the independent check: HTML (one line per
block or table row, alt texts and embedded SVGs included), SVG, PDF (pdftotext, in a process
of its own), JSON (one line per value or record), CSV rows and notebook outputs."""

import base64
import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

BLOCKS = {"p", "li", "tr", "caption", "figcaption", "h1", "h2", "h3", "h4", "dt", "dd", "title"}


class _HtmlLines(HTMLParser):
    """Text of a page, one line per block or table row; embedded SVGs read too."""

    def __init__(self):
        super().__init__()
        self.lines, self.current, self.skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "script")
        if tag in BLOCKS:
            self._end_line()
        for name, value in attrs:
            if name in ("alt", "title", "aria-label", "content") and value:
                self.lines.append(value)
            if name == "src" and value and value.startswith("data:image/svg+xml;base64,"):
                self.lines += svg_lines(base64.b64decode(value.split(",", 1)[1]))

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script")
        if tag in BLOCKS:
            self._end_line()
        elif tag in ("td", "th"):
            self.current.append(" | ")

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)

    def _end_line(self):
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def close(self):
        super().close()
        self._end_line()


def html_lines(text: str) -> list[str]:
    parser = _HtmlLines()
    parser.feed(text)
    parser.close()
    return parser.lines


def svg_lines(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return [" ".join(t.split()) for t in root.itertext() if t.strip()]


def pdf_lines(path: Path) -> list[str]:
    return pdf_text_of(start_pdf_text(path))


def start_pdf_text(path: Path) -> subprocess.Popen:
    """pdftotext, started: it runs in a process of its own while other files are read."""
    return subprocess.Popen(
        ["pdftotext", "-layout", str(path), "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def pdf_text_of(process: subprocess.Popen) -> list[str]:
    out, err = process.communicate()
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, process.args, out, err)
    return out.splitlines()


def json_lines(data, prefix="") -> list[str]:
    """One line per value, and one per row of a list of records (its fields side by side)."""
    lines = []
    if isinstance(data, dict):
        for key, value in data.items():
            lines += json_lines(value, f"{prefix}.{key}")
        return lines
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                scalars = {k: v for k, v in item.items() if not isinstance(v, dict | list)}
                lines.append(f"{prefix} | " + " | ".join(f"{k}={v}" for k, v in scalars.items()))
            lines += json_lines(item, prefix) if isinstance(item, dict | list) else []
        return lines
    return [f"{prefix} | {data}"]


def notebook_lines(data: dict) -> list[str]:
    lines = []
    for cell in data.get("cells", []):
        for output in cell.get("outputs", []):
            lines += "".join(output.get("text", "")).splitlines()
            for kind, value in output.get("data", {}).items():
                text = "".join(value) if isinstance(value, list) else str(value)
                if kind == "text/html":
                    lines += html_lines(text)
                elif kind == "image/svg+xml":
                    lines += svg_lines(text.encode())
                elif kind.startswith("text/"):
                    lines += text.splitlines()
            lines += [str(output.get("evalue", ""))]
    return lines


def file_lines(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_lines(path)
    if suffix == ".xlsx":
        return xlsx_lines(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if suffix in (".html", ".htm"):
        return html_lines(text)
    if suffix == ".svg":
        return svg_lines(path.read_bytes())
    if suffix == ".ipynb":
        return notebook_lines(json.loads(text))
    if suffix == ".json":
        return json_lines(json.loads(text))
    if suffix == ".csv":
        previous = csv.field_size_limit(len(text) + 1)  # every cell, however long
        try:
            return [" | ".join(row) for row in csv.reader(io.StringIO(text))]
        finally:
            csv.field_size_limit(previous)
    return text.splitlines()


def xlsx_lines(path: Path) -> list[str]:
    """Each row of each sheet of a spreadsheet, its cells joined as a table row's are."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    lines = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            lines.append(" | ".join("" if cell is None else str(cell) for cell in row))
    book.close()
    return lines
