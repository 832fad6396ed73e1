"""A small Language Server Protocol client over stdio, written from the specification for the tests.

It frames JSON-RPC messages with ``Content-Length`` headers, reads the server's
messages on a thread, answers the server's own requests (a client must), and
lets a test wait for a response or a notification.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path


class LspClient:
    def __init__(self, argv: list[str], cwd: Path, env: dict | None = None):
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.inbox: queue.Queue = queue.Queue()
        self.notifications: list[dict] = []
        self.responses: dict[int, dict] = {}
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.stderr: list[bytes] = []
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.inbox.put(json.loads(body.decode("utf-8")))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict | None = None) -> None:
        self.send({"method": method, "params": params})

    def _pump(self, timeout: float) -> bool:
        """Take one message from the server; False when none came in time."""
        try:
            msg = self.inbox.get(timeout=timeout)
        except queue.Empty:
            return False
        if msg is None:
            raise AssertionError("the server closed its output: " + b"".join(self.stderr).decode()[-3000:])
        if "method" in msg and "id" in msg:  # a request from the server: answer it
            self.send({"id": msg["id"], "result": None})
        elif "method" in msg:
            self.notifications.append(msg)
        else:
            self.responses[msg["id"]] = msg
        return True

    def request(self, method: str, params: dict | None = None, timeout: float = 120) -> dict:
        self.next_id += 1
        rid = self.next_id
        self.send({"id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while rid not in self.responses:
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer to {method} in {timeout} s")
            self._pump(0.1)
        msg = self.responses.pop(rid)
        assert "error" not in msg, msg["error"]
        return msg["result"]

    def wait_for(self, method: str, match=lambda params: True, timeout: float = 60) -> dict:
        """The first notification ``method`` (not yet taken) whose params match; taken from the list."""
        deadline = time.monotonic() + timeout
        while True:
            for i, msg in enumerate(self.notifications):
                if msg["method"] == method and match(msg["params"]):
                    return self.notifications.pop(i)["params"]
            if time.monotonic() > deadline:
                raise AssertionError(f"no {method} in {timeout} s; got {[m['method'] for m in self.notifications]}")
            self._pump(0.1)

    def drain(self, seconds: float) -> None:
        """Read whatever the server sends for ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._pump(0.05)

    def taken(self, method: str) -> list[dict]:
        return [m["params"] for m in self.notifications if m["method"] == method]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
