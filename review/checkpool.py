"""The service's checks run in worker processes, each with a deadline it cannot outlive.

A check is CPU-bound Python and C (regular expressions, spaCy): in a thread of
the server it can hold the interpreter for as long as the input makes it, and
nothing can stop it. Here each check is sent to a worker process that has
built the pipeline once; the request's thread waits on a pipe (the server stays
free to answer meanwhile), and a worker that has not answered by the deadline
is killed and replaced. The article is then stored with an ``ingest.timeout``
blocker: a check that did not finish never passes.

Workers die with the server: they exit when their pipe closes, or at once when
the process that started them is gone.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

import orjson

from extractors.types import Problem, Report
from flows.workers import die_with_parent
from reports.contract import report_dict

from .checking import Content, check_content

log = logging.getLogger("artgate.checks")

DEFAULT_CHECK_TIMEOUT_S = 15.0


def _serve(conn: Connection, config: str | None) -> None:
    """A worker's loop: build the pipeline, then check each content received until the pipe closes."""
    die_with_parent(exit_code=0, every=0.5)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then ends its workers
    try:
        check_content(Content("warm-up", "Warm-up", "L5 supplies ankle dorsiflexion."), config)
        conn.send("ready")
        while True:
            content = conn.recv()
            # the contract's dictionary, serialised here: the server process only parses it (in C)
            conn.send_bytes(orjson.dumps(report_dict(check_content(content, config))))
    except (EOFError, OSError, KeyboardInterrupt):
        return


class _Worker:
    """One worker process (a fresh interpreter running ``main``) and the parent's end of its socket."""

    def __init__(self, config: str | None):
        parent, child = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from review.checkpool import main; main()", str(child.fileno()), config or ""],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
        child.close()
        self.conn = Connection(parent.detach())

    def ready(self, timeout: float) -> bool:
        try:
            return self.conn.poll(timeout) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            return False

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)
        self.conn.close()


def main() -> None:
    """The worker process: ``python -c 'from review.checkpool import main; main()' FD CONFIG``."""
    _serve(Connection(int(sys.argv[1])), sys.argv[2] or None)


class CheckPool:
    """``processes`` workers; ``check`` hands a content to an idle one and waits at most ``timeout_s`` for it."""

    def __init__(self, processes: int = 1, config: str | None = None, start_timeout_s: float = 120.0):
        self.config, self.processes, self.start_timeout_s = config, max(1, processes), start_timeout_s
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(self.processes):
            self._start_worker()

    def _start_worker(self) -> None:
        """Start one worker; it joins the idle queue once its pipeline is built (in a thread: no caller waits)."""

        def start() -> None:
            while not self._closed:
                w = _Worker(self.config)  # a new interpreter: never a fork of a server that runs threads
                with self._lock:
                    self._all.add(w)
                if w.ready(self.start_timeout_s):
                    self._idle.put(w)
                    return
                log.error("a check worker did not start within %.0f s; starting another", self.start_timeout_s)
                self._discard(w)
                time.sleep(1)

        threading.Thread(target=start, name="artgate-check-start", daemon=True).start()

    def _discard(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        w.kill()

    def check(self, content: Content, timeout_s: float = DEFAULT_CHECK_TIMEOUT_S) -> dict:
        """The report of ``content`` (the contract's dictionary); an ``ingest.timeout`` blocker if the check
        did not finish in time.

        A worker found dead when the content is handed to it (it ended while idle) is replaced and
        the content goes to the next one: only a check that started and failed blocks the article.
        """
        for _ in range(self.processes + 1):
            try:
                w = self._idle.get(timeout=self.start_timeout_s)
            except queue.Empty:
                return report_dict(unchecked(content, "no checker process was available", self.config))
            try:
                w.conn.send(content)
            except OSError as exc:
                log.error("a check worker had ended while idle: %s", exc)
                self._replace(w)
                continue
            return self._answer(w, content, timeout_s)
        return report_dict(unchecked(content, "no checker process was available", self.config))

    def _answer(self, w: _Worker, content: Content, timeout_s: float) -> dict:
        started = time.monotonic()
        try:
            if w.conn.poll(timeout_s):
                report = orjson.loads(w.conn.recv_bytes())
                self._idle.put(w)
                return report
            why = (f"the check did not finish within its budget of {timeout_s:g} s, so the article was not "
                   "checked")
        except (EOFError, OSError) as exc:  # the worker died (out of memory, killed): replaced, the article blocked
            log.error("a check worker ended during a check: %s", exc)
            why = "the checker process ended during the check, so the article was not checked"
        log.warning("check of %r stopped after %.1f s: %s", content.external_id, time.monotonic() - started, why)
        self._replace(w)
        return report_dict(unchecked(content, why, self.config))

    def _replace(self, w: _Worker) -> None:
        self._discard(w)
        if not self._closed:
            self._start_worker()

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()


def unchecked(content: Content, why: str, config: str | None = None) -> Report:
    """The report of content that could not be checked: its text, one ``ingest.timeout`` blocker, nothing else.

    Nothing of the content is parsed here (parsing may be what took too long).
    """
    from dataclasses import replace

    from extractors.ingest import _problem_article
    from extractors.relations import Extraction
    from rules.engine import load_ruleset

    article = _problem_article(f"review:{content.external_id}", content.body, Problem(
        "ingest.timeout", "blocker", why + "; shorten or simplify it, or ask an administrator to raise the "
                                           "service's check budget"), content.external_id)
    article = replace(article, title=content.title or "", format=content.format)
    return load_ruleset(config).check(article, Extraction([], []))


_pools: dict[tuple[str | None, int, int], CheckPool] = {}
_pools_lock = threading.Lock()


def shared_pool(config: str | None, processes: int) -> CheckPool:
    """This process's pool for ``config`` (one per server process, however many apps it makes)."""
    key = (config, processes, os.getpid())
    with _pools_lock:
        if key not in _pools:
            _pools[key] = CheckPool(processes, config)
        return _pools[key]

