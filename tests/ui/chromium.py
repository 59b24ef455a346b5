"""Headless Chromium driven over the DevTools protocol on a pipe (fd 3 in, fd 4 out): no extra packages.

`render` loads a page and returns what a viewer would get: a screenshot, the console errors and
exceptions, the section headings, and every URL the page asked for.
"""

import base64
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Rendered", "render", "FLAGS"]

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


@dataclass(frozen=True)
class Rendered:
    screenshot_png: bytes
    console_errors: tuple[str, ...]
    headings: tuple[str, ...]
    requested_urls: tuple[str, ...]


class _Pipe:
    def __init__(self, chromium: str, profile: str):
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()

        def wire():  # the protocol's fixed descriptors, via spare ones in case a pipe already sits on 3 or 4
            os.dup2(to_child, 100)
            os.dup2(from_child, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)

        self.process = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "--window-size=1200,1600",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=wire,
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer, self._next_id, self.events = b"", 0, []

    def _message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, timeout: float = 30, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(event.get("method") == method for event in self.events):
            self.events.append(self._message(deadline))

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write)
        os.close(self._read)


def _console_errors(events: list[dict]) -> tuple[str, ...]:
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(str(arg.get("value", arg.get("description"))) for arg in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            errors.append(params["entry"].get("text", ""))
    return tuple(errors)


def render(chromium: str, page: Path) -> Rendered:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        pipe = _Pipe(chromium, profile)
        try:
            targets = pipe.call("Target.getTargets")["targetInfos"]
            target = next(t["targetId"] for t in targets if t["type"] == "page")
            session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                pipe.call(f"{domain}.enable", session)
            pipe.events.clear()
            pipe.call("Page.navigate", session, url=Path(page).resolve().as_uri())
            pipe.wait_for("Page.loadEventFired")
            headings = pipe.call(
                "Runtime.evaluate", session, returnByValue=True,
                expression="Array.from(document.querySelectorAll('h1, h2, h3')).map(h => h.textContent)",
            )["result"]["value"]
            shot = pipe.call("Page.captureScreenshot", session, format="png")["data"]
            urls = tuple(e["params"]["request"]["url"] for e in pipe.events
                         if e.get("method") == "Network.requestWillBeSent")
            return Rendered(base64.b64decode(shot), _console_errors(pipe.events), tuple(headings), urls)
        finally:
            pipe.close()
