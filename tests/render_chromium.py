"""Open a local HTML file in headless Debian Chromium and report what happened (DevTools protocol).

Used by ``tests/test_render_browser.py`` and ``benchmarks/report_render.py``.
Chromium is started with ``--headless --no-sandbox --disable-gpu
--disable-background-networking --disable-component-update --no-first-run``, a
fresh ``--user-data-dir`` and ``--remote-debugging-port=0`` on 127.0.0.1; the
port it picked is read from ``DevToolsActivePort``. Over one websocket
(``websocket-client``) we enable the Network, Runtime, Log and Page domains,
navigate to the file, wait for the load event, and collect every request URL,
every failed request, console errors and uncaught exceptions. Then a full-page
PNG screenshot and a PDF print are taken.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PageLoad", "chromium_path", "open_page"]

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--hide-scrollbars",
)


def chromium_path() -> str | None:
    """The Debian ``chromium`` binary, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageLoad:
    """What loading one page did. Times in seconds; ``png`` and ``pdf`` are the files' bytes."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    load_seconds: float = 0.0
    dom_seconds: float = 0.0
    png: bytes = b""
    pdf: bytes = b""
    title: str = ""
    text: str = ""

    @property
    def external(self) -> list[str]:
        """Requested URLs that are neither the file itself nor inline ``data:`` URLs."""
        return [u for u in self.requests if not (u.startswith("file://") or u.startswith("data:"))]


class _Session:
    """One DevTools websocket: numbered commands, events buffered while waiting for replies."""

    def __init__(self, url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if any(e["method"] == event for e in self.events):
            return
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if "method" in message:
                self.events.append(message)
                if message["method"] == event:
                    return
        raise TimeoutError(f"no {event} within {timeout} s")

    def close(self) -> None:
        self.ws.close()


def _start(binary: str, profile: Path) -> tuple[subprocess.Popen[bytes], str]:
    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if port_file.exists() and len(port_file.read_text().splitlines()) >= 2:
            port = port_file.read_text().splitlines()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
                targets = json.load(reply)
            page = next(t for t in targets if t.get("type") == "page")
            return process, str(page["webSocketDebuggerUrl"])
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with code {process.returncode} before DevTools was ready")
        time.sleep(0.1)
    process.kill()
    raise TimeoutError("chromium did not open its DevTools port within 60 s")


def open_page(path: Path, width: int = 1100, binary: str | None = None, timeout: float = 60) -> PageLoad:
    """Load ``path`` in a fresh headless Chromium; return requests, failures, errors, timings, PNG and PDF."""
    binary = binary or chromium_path()
    if binary is None:
        raise FileNotFoundError("chromium is not installed (bash .ci/services.sh installs it)")
    # Chromium's helper processes can outlive the browser by a moment and still write to the
    # throwaway profile: a cleanup that races them must not fail a page that loaded.
    with tempfile.TemporaryDirectory(prefix="unstuck-chromium-", ignore_cleanup_errors=True) as tmp:
        process, ws_url = _start(binary, Path(tmp))
        session = _Session(ws_url)
        try:
            for domain in ("Network", "Runtime", "Log", "Page"):
                session.send(f"{domain}.enable")
            session.send(
                "Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False
            )
            started = time.perf_counter()
            session.send("Page.navigate", url=Path(path).resolve().as_uri())
            session.wait_for("Page.loadEventFired", timeout)
            result = PageLoad(load_seconds=time.perf_counter() - started)
            timing = session.send(
                "Runtime.evaluate",
                expression="JSON.stringify([performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,"
                "document.title, document.body.innerText])",
                returnByValue=True,
            )
            dom_ms, result.title, result.text = json.loads(timing["result"]["value"])
            result.dom_seconds = float(dom_ms) / 1000
            metrics = session.send("Page.getLayoutMetrics")
            height = int(metrics.get("cssContentSize", metrics.get("contentSize"))["height"])
            session.send(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=max(height, 200),
                deviceScaleFactor=1,
                mobile=False,
            )
            shot = session.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            result.png = base64.b64decode(shot["data"])
            result.pdf = base64.b64decode(session.send("Page.printToPDF", printBackground=False)["data"])
            for event in session.events:
                method, params = event["method"], event.get("params", {})
                if method == "Network.requestWillBeSent":
                    result.requests.append(params["request"]["url"])
                elif method == "Network.loadingFailed":
                    result.failed.append(f"{params.get('errorText')} ({params.get('requestId')})")
                elif method == "Runtime.exceptionThrown":
                    result.console_errors.append(str(params["exceptionDetails"].get("text")))
                elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                    result.console_errors.append(json.dumps(params.get("args"))[:300])
                elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
                    result.console_errors.append(f"{params['entry'].get('source')}: {params['entry'].get('text')}")
            return result
        finally:
            session.close()
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
