"""A small W3C WebDriver client for Debian's headless Chromium (chromium-driver), written on the
standard library so the browser tests need no Python package that reaches for the network.

It opens pages at an exact CSS width (DevTools device metrics), runs scripts (awaiting their
promises), and takes screenshots. `Browser.start()` raises `BrowserUnavailable` with the reason
when Chromium or its driver cannot start here."""

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


class BrowserUnavailable(RuntimeError):
    pass


class Browser:
    def __init__(self, driver: subprocess.Popen, port: int, session: str):
        self.driver, self.port, self.session = driver, port, session

    @classmethod
    def start(cls) -> "Browser":
        chromedriver = shutil.which("chromedriver")
        chromium = next(filter(None, map(shutil.which, CHROMIUM)), None)
        if not chromedriver or not chromium:
            raise BrowserUnavailable("chromium and chromium-driver are not installed")
        port = _free_port()
        driver = subprocess.Popen(
            [chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_for(port)
            options = {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--hide-scrollbars",
                    "--force-device-scale-factor=1",
                ],
            }
            caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}}
            session = _call(port, "POST", "/session", caps)["sessionId"]
        except Exception as exc:
            driver.kill()
            raise BrowserUnavailable(f"Chromium did not start: {exc}") from None
        return cls(driver, port, session)

    def _session(self, method: str, path: str, body=None):
        return _call(self.port, method, f"/session/{self.session}{path}", body)

    def cdp(self, command: str, params: dict):
        return self._session("POST", "/goog/cdp/execute", {"cmd": command, "params": params})

    def open(self, path: Path, width: int, height: int = 900) -> None:
        """Show a local page at a CSS width, as a phone or a desktop would lay it out."""
        self.open_url(Path(path).resolve().as_uri(), width, height)

    def open_url(self, url: str, width: int, height: int = 900) -> None:
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self.cdp("Emulation.setDeviceMetricsOverride", metrics)
        self.cdp("Page.setBypassCSP", {"enabled": True})  # lets the test inject axe-core
        self._session("POST", "/url", {"url": url})

    def run(self, script: str, *args):
        """Run a function body; a returned promise is awaited."""
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def screenshot(self, target: Path, full_page: bool = False) -> Path:
        """The viewport, or the whole page, as PNG."""
        if not full_page:
            target.write_bytes(base64.b64decode(self._session("GET", "/screenshot")))
            return target
        size = self.cdp("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self.cdp(  # encoded for speed: the same picture, a larger file, 40% sooner
            "Page.captureScreenshot",
            {"captureBeyondViewport": True, "clip": clip, "optimizeForSpeed": True},
        )
        target.write_bytes(base64.b64decode(shot["data"]))
        return target

    def quit(self) -> None:
        try:
            self._session("DELETE", "")
        finally:
            self.driver.kill()
            self.driver.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _call(port, "GET", "/status")
            return
        except OSError:
            time.sleep(0.1)
    raise BrowserUnavailable("chromedriver did not answer")


def _call(port: int, method: str, path: str, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"{}").get("value")
    except urllib.error.HTTPError as exc:
        detail = json.loads(exc.read() or b"{}").get("value", {})
        raise RuntimeError(f"WebDriver {method} {path}: {detail.get('message', exc)}") from None


def required() -> bool:
    """CI sets HBH_REQUIRE_BROWSER=1: there, a browser that cannot start fails the tests."""
    return os.environ.get("HBH_REQUIRE_BROWSER") == "1"
