"""Local worker processes for the audit, started early and warmed, and the Prefect API for one run.

Checking is CPU-bound Python, so the audit uses one process per core. The
pool is started before anything else (its processes import spaCy and build the
pipeline while the Prefect server boots) and each Prefect task run hands its
chunk to it, so the worker processes never import Prefect and never talk to
the API: per chunk the cost is one pickled list of items out and one list of
compact reports back.

``prefect_api`` gives the run its API: ``PREFECT_API_URL`` when it is set (a
running server, reused), else one temporary server for the whole run, which
the flow and every task share.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from extractors.errors import ArtgateError


def available_cpus() -> int:
    """The CPUs this process may run on (the default number of workers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _warm(config: str | None) -> None:
    """Run once in each worker as it starts: build the pipeline and load the rules before the first chunk.

    It also watches the parent: a worker whose audit was killed (SIGKILL gives
    the pool no chance to stop it) exits instead of idling on forever.
    """
    from extractors.pipeline import get_nlp
    from rules.engine import load_ruleset

    die_with_parent(exit_code=1, every=1.0)
    get_nlp()
    load_ruleset(config)


def die_with_parent(exit_code: int, every: float) -> None:
    """End this process (with ``exit_code``) as soon as the process that started it is gone, even mid-work.

    The kernel's parent-death signal is tied to the thread that started the process, not to the
    process, so a watcher thread looks at the parent every ``every`` seconds instead.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(exit_code)

    threading.Thread(target=watch, name="artgate-parent-watch", daemon=True).start()


def _ready() -> int:
    return os.getpid()


_active: ProcessPoolExecutor | None = None


def active_pool() -> ProcessPoolExecutor | None:
    """The pool of the audit running in this process, if any (tasks on a Dask worker see None)."""
    return _active


@contextmanager
def worker_pool(workers: int, config: str | None = None) -> Iterator[ProcessPoolExecutor | None]:
    """A warmed pool of ``workers`` processes for this process's audit (None for one worker: check inline).

    Re-entrant: an audit started inside an active pool's lifetime uses it.
    """
    global _active, _prefetch_started
    if _active is not None or workers <= 1:
        yield _active
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_warm, initargs=(config,))
    for _ in range(workers):  # start every process now, so they warm up while the rest starts
        pool.submit(_ready)
    _active = pool
    try:
        yield pool
    finally:
        _active = None
        _prefetched.clear()
        _prefetch_started = None
        pool.shutdown(wait=True, cancel_futures=True)


_prefetched: dict[tuple, Future] = {}
_prefetch_started: float | None = None


def checking_started() -> float | None:
    """When this process's audit started checking early (``prefetch``), for honest progress rates."""
    return _prefetch_started if _active is not None else None
PREFETCH_MAX_ARTICLES = 5_000  # results wait in memory until the flow's tasks take them


def _chunk_key(items: list) -> tuple:
    return tuple((it.id, it.sha) for it in items)


def prefetch(chunks: list[list], config: str | None = None) -> int:
    """Start checking chunks in the active pool before the flow asks for them; returns how many.

    The Prefect server takes 10-30 s to start; the workers are ready sooner.
    The chunks the run will ask for (``flows.audit.plan``) start at once, and
    each chunk's task run takes its result when it comes (``check_chunk_in_pool``),
    so start-up overlaps real work. A chunk the run does not ask for is
    cancelled with the pool; one it asks for that was not started is checked
    as usual.
    """
    from .audit import check_chunk

    global _prefetch_started
    if _active is None or not chunks:
        return 0
    _prefetch_started = time.perf_counter()
    n = articles = 0
    for chunk in chunks:
        if articles + len(chunk) > PREFETCH_MAX_ARTICLES:
            break
        _prefetched[_chunk_key(chunk)] = _active.submit(check_chunk, chunk, config)
        n, articles = n + 1, articles + len(chunk)
    return n


def check_chunk_in_pool(items: list, config: str | None = None) -> list[dict]:
    """A chunk's results: from its early start if it had one, else checked in the pool (or here, without one)."""
    from .audit import check_chunk

    early = _prefetched.pop(_chunk_key(items), None)
    if early is not None:
        return early.result()
    pool = _active
    if pool is None:
        return check_chunk(items, config)
    return pool.submit(check_chunk, items, config).result()


# Prefect's own default (20 s) is too short on a busy 2-core machine, where the first start of a server
# (database migrations) competes with the warming workers; the setting, when given, still wins.
STARTUP_TIMEOUT_S = 120


TEMPORARY_SERVER = "ARTGATE_PREFECT_TEMPORARY"  # set while this run's own temporary server serves the API


class PrefectUnavailable(ArtgateError):
    """The Prefect API could not be reached or started."""


@contextmanager
def prefect_api(timeout_s: int | None = None) -> Iterator[str]:
    """The API for this run: ``PREFECT_API_URL`` if set, else one temporary local server, stopped afterwards.

    The temporary server's address goes into the environment too, so every
    process the run starts uses it rather than starting a server of its own.
    """
    url = os.environ.get("PREFECT_API_URL")
    if url:
        yield url
        return
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if timeout_s is None and "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" not in os.environ:
        timeout_s = STARTUP_TIMEOUT_S
    server = SubprocessASGIServer()
    try:
        server.start(timeout=timeout_s)
    except RuntimeError as exc:
        raise PrefectUnavailable(f"could not start a temporary Prefect server ({str(exc).splitlines()[0][:200]}); "
                                 "start one with 'prefect server start' and set PREFECT_API_URL") from exc
    reaper = reap_when_gone(server.server_process.pid) if server.server_process else None
    os.environ["PREFECT_API_URL"] = server.api_url
    os.environ[TEMPORARY_SERVER] = "1"
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        # send the run's last logs and events while the server is still there to take them
        APILogWorker.drain_all(timeout=10)
        EventsWorker.drain_all(timeout=10)
        os.environ.pop("PREFECT_API_URL", None)
        os.environ.pop(TEMPORARY_SERVER, None)
        server.stop()
        if reaper is not None:
            reaper.kill()
            reaper.wait(5)


_REAPER = """
import os, signal, sys, time
parent, child = int(sys.argv[1]), int(sys.argv[2])
while os.getppid() == parent:
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        sys.exit(0)
    time.sleep(0.5)
for sig in (signal.SIGTERM, signal.SIGKILL):
    try:
        os.kill(child, sig)
    except ProcessLookupError:
        sys.exit(0)
    time.sleep(3)
"""


def reap_when_gone(pid: int) -> subprocess.Popen:
    """A small process that ends ``pid`` as soon as this process is gone, however it ended.

    A SIGKILLed audit runs no clean-up, and its temporary Prefect server would
    otherwise live on, reparented to init. The reaper is this process's child:
    when it is reparented its parent is gone, and it stops the server (SIGTERM,
    then SIGKILL) and exits; after a normal run it is simply killed.
    """
    return subprocess.Popen([sys.executable, "-c", _REAPER, str(os.getpid()), str(pid)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
