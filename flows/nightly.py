"""The nightly audit as a Prefect flow, its task runners, and its scheduled deployment.

The flow is thin: ``flows.audit.run_audit`` does the work and the flow hands it
a task's ``submit``, so every chunk of articles is one task run (``nlp.pipe``
inside), visible and retryable in the Prefect UI. The run's summary is
published as two artifacts: a Markdown summary and a findings table.

Workers: by default one process per available CPU (``flows.workers``): the
flow's task runs are threads, each handing its chunk to a warmed process pool
that never imports Prefect. ``dask_address`` sends the task runs to an existing
Dask cluster through prefect-dask instead.
"""

from __future__ import annotations

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.task_runners import ThreadPoolTaskRunner

from reports.escape import counts_phrase, md_code, plural

from .audit import Item, run_audit
from .workers import TEMPORARY_SERVER, available_cpus, check_chunk_in_pool, worker_pool


@task(name="check-chunk", cache_policy=NO_CACHE, retries=1)
def check_chunk_task(items: list[Item], config: str | None = None) -> list[dict]:
    """One chunk, checked in this run's worker pool (or here, on a Dask worker or with one worker)."""
    return check_chunk_in_pool(items, config)


def summary_markdown(s: dict) -> str:
    """The run's summary as Markdown for the Prefect UI; rule ids and run ids are escaped code spans."""
    lines = [
        f"## artgate nightly audit {md_code(s['run_id'])}",
        "",
        f"{plural(s['articles'], 'article')}: **{s['blocked']:,} blocked**, {s['passed']:,} passed, "
        f"{plural(s['bad_items'], 'bad item')}. Findings: {counts_phrase(s['findings'])}.",
        f"Checked this session: {s['checked_this_session']:,}; unchanged and reused: {s['unchanged_reused']:,}.",
    ]
    if s.get("previous_run"):
        lines.append(f"Since {md_code(s['previous_run'])}: {s['new_findings']:,} new, "
                     f"{s['resolved_findings']:,} resolved.")
    if s.get("expectations"):
        e = s["expectations"]
        lines.append(f"Assertion table checks: {plural(e['evaluated'], 'expectation')}, "
                     f"{'all met' if e['success'] else str(len(e['failed'])) + ' failed'}.")
    lines += ["", "| rule | severity | count |", "|---|---|---|"]
    lines += [f"| {md_code(r['rule'], in_table=True)} | {r['severity']} | {r['count']:,} |" for r in s["by_rule"]]
    return "\n".join(lines) + "\n"


@task(name="publish-artifacts", cache_policy=NO_CACHE)
def publish_task(summary: dict) -> None:
    create_markdown_artifact(markdown=summary_markdown(summary), key="nightly-audit-summary",
                             description="artgate nightly audit summary")
    create_table_artifact(table=[{"rule": r["rule"], "severity": r["severity"], "count": r["count"]}
                                 for r in summary["by_rule"]] or [{"rule": "none", "severity": "", "count": 0}],
                          key="nightly-audit-findings", description="findings per rule")


@flow(name="nightly-audit", log_prints=False)
def nightly_audit(source: str, runs_dir: str = "artgate-runs", chunk_size: int | None = None,
                  config: str | None = None, progress: bool = False, database_url: str | None = None,
                  workers: int = 0) -> dict:
    """Audit a corpus (a folder, a JSON Lines export, or the review store's current versions); returns the summary.

    ``workers`` 0 means one per available CPU; a pool already started by the
    command line is used as it is. On a Dask cluster no local pool is started.
    """
    workers = workers or available_cpus()
    run = FlowRunContext.get()
    if run is not None and not isinstance(run.task_runner, ThreadPoolTaskRunner):
        workers = 1  # a Dask cluster's workers do the checking: no local pool
    with worker_pool(workers, config):
        result = run_audit(source, runs_dir, chunk_size=chunk_size, config=config, progress=progress,
                           submit=lambda chunk: check_chunk_task.submit(chunk, config),
                           max_in_flight=max(8, 2 * workers), database_url=database_url,
                           prefect_run=flow_run_link(run))
    publish_task(result.summary)
    return {**result.summary, "run_dir": str(result.run_dir)}


def flow_run_link(run: FlowRunContext | None) -> dict | None:
    """This flow run's id and name, and its page in the Prefect UI when the server outlives the run."""
    if run is None or run.flow_run is None:
        return None
    out = {"id": str(run.flow_run.id), "name": run.flow_run.name}
    if not os.environ.get(TEMPORARY_SERVER):  # a temporary server is gone when the report is read
        from prefect.settings import PREFECT_UI_URL

        ui = PREFECT_UI_URL.value()
        if ui:
            out["url"] = f"{ui.rstrip('/')}/runs/flow-run/{run.flow_run.id}"
    return out


def configured(workers: int = 0, dask_address: str | None = None):
    """The flow with the task runner for this machine or cluster."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return nightly_audit.with_options(task_runner=DaskTaskRunner(address=dask_address))
    return nightly_audit.with_options(task_runner=ThreadPoolTaskRunner(max_workers=workers or available_cpus()))


def serve_nightly(source: str, cron: str, name: str = "nightly", runs_dir: str = "artgate-runs",
                  chunk_size: int | None = None, config: str | None = None, workers: int = 0,
                  timezone: str = "UTC") -> None:
    """Create the scheduled deployment on the Prefect server and serve it (blocks until interrupted).

    The schedule's time zone is explicit (UTC unless given): '0 2 * * *' must not move with the
    server's local time or daylight saving.
    """
    from prefect.schedules import Cron

    parameters = {"source": os.path.abspath(source), "runs_dir": os.path.abspath(runs_dir),
                  "chunk_size": chunk_size, "config": os.path.abspath(config) if config else None,
                  "workers": workers}
    configured(workers).serve(name=name, schedules=[Cron(cron, timezone=timezone)], parameters=parameters,
                              description=f"artgate nightly audit of the article corpus ({cron}, {timezone})")
