"""Print what the web edition weighs and how Lighthouse scores it.

Run: make bench   (or: python bench/web_weight.py [OUT]; OUT defaults to report/)

Measures, asserts nothing. For every edition built in OUT (with --base-url, so that it has a
fragment): the size of its page (index.html) and of its CMS fragment (fragment.html), in KB
of 1,000 bytes, against the target of 300 KB each. Then Lighthouse (npm, pinned in
package.json) in its default mobile mode, with the machine's Chromium, on each page served
from a local HTTP server that does what the charity's web server does: gzip, and a
robots.txt at its root (so that SEO scores the page, not this server). Scores are 0-100.
SEO stops at 92: Lighthouse fetches robots.txt from inside the page, and the page's own
Content-Security-Policy (default-src 'none': it makes no request of any kind) refuses it
(GoogleChrome/lighthouse#4386). The page's policy is kept.
"""

import argparse
import gzip
import http.server
import json
import subprocess
import sys
import tempfile
import threading
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
TARGET_KB = 300


class Server(http.server.SimpleHTTPRequestHandler):
    """Files of OUT, gzipped when the browser accepts it; a robots.txt allowing all."""

    def do_GET(self):  # noqa: N802 (the standard library's name)
        if self.path == "/robots.txt":
            return self._send(b"User-agent: *\nAllow: /\n", "text/plain")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            return self.send_error(404)
        return self._send(path.read_bytes(), self.guess_type(str(path)))

    def _send(self, body: bytes, kind: str):
        zipped = "gzip" in self.headers.get("Accept-Encoding", "")
        body = gzip.compress(body, mtime=0) if zipped else body
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def weights(out: Path) -> list[tuple[str, int, int]]:
    rows = []
    for folder in sorted(out.glob("[0-9][0-9][0-9][0-9]")):
        page, fragment = folder / "index.html", folder / "fragment.html"
        if page.is_file():
            size = fragment.stat().st_size if fragment.is_file() else 0
            rows.append((folder.name, page.stat().st_size, size))
    return rows


def lighthouse(url: str) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as temporary:
        report = Path(temporary) / "report.json"
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", f"--chrome-flags={CHROMIUM_FLAGS}",
             "--output=json", f"--output-path={report}"],
            env={"CHROME_PATH": "/usr/bin/chromium", "PATH": "/usr/bin:/bin"},
            check=True, capture_output=True,
        )  # fmt: skip
        categories = json.loads(report.read_text())["categories"]
    return {name: round(category["score"] * 100) for name, category in categories.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "report")
    out = parser.parse_args().out
    rows = weights(out)
    if not rows:
        sys.exit(f"no edition with a web page in {out}: build one first")
    print(f"{'edition':8} {'page':>9} {'fragment':>9}   (target: under {TARGET_KB} KB each)")
    for year, page, fragment in rows:
        shown = f"{fragment / 1000:7.0f} KB" if fragment else "     none"
        print(f"{year:8} {page / 1000:6.0f} KB {shown}")
    if not LIGHTHOUSE.is_file():
        print("Lighthouse is not installed (make setup): no scores")
        return
    handler = partial(Server, directory=str(out))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        print("\nLighthouse, mobile:")
        for year, *_ in rows:
            scores = lighthouse(f"http://127.0.0.1:{port}/{year}/index.html")
            print(f"{year:8} " + ", ".join(f"{name} {score}" for name, score in scores.items()))
        server.shutdown()


if __name__ == "__main__":
    main()
