"""Ingest news articles from a folder into Elasticsearch.

Runs on the configured schedule (hourly by default) and by hand with parameters. The work
is in ``pipeline``; this file only wires it into tasks: prepare the index, split the folder
into batches, process each batch as a mapped task (so workers share them), then report.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Param, dag, task
from etl_common import SETTINGS, allowed_source_dir, es_client

log = logging.getLogger(__name__)


@dag(
    dag_id="ingest_articles",
    schedule=SETTINGS.schedule,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=20),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
    params={
        "source_dir": Param(str(SETTINGS.source_dir), type="string", description="Folder to ingest"),
        "index_alias": Param(SETTINGS.index_alias, type="string", pattern=r"^[a-z0-9][a-z0-9_.-]{0,200}$",
                             description="Alias searches and Kibana use"),
        "full_refresh": Param(False, type="boolean", description="Re-process files even when unchanged"),
        "sync_deletes": Param(False, type="boolean",
                              description="Delete documents whose source file disappeared"),
    },
    tags=["news", "elasticsearch"],
    doc_md=__doc__,
)
def ingest_articles() -> None:
    @task
    def start_run(params: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
        from pipeline import run

        params = params or {}
        with es_client() as client:
            ctx = run.start_run(client, SETTINGS, source_dir=allowed_source_dir(params["source_dir"]),
                                alias=params["index_alias"], full_refresh=bool(params["full_refresh"]),
                                run_id=run_id)
        return ctx.to_dict()

    @task
    def plan_batches(ctx: dict[str, Any]) -> list[list[str]]:
        from pipeline import run

        batches = run.plan_batches(Path(ctx["source_dir"]), SETTINGS.batch_size)
        log.info("%d file(s) in %d batch(es)", sum(map(len, batches)), len(batches))
        return batches

    @task(max_active_tis_per_dagrun=4)
    def process_batch(batch: list[str], ctx: dict[str, Any]) -> dict[str, Any]:
        from pipeline import run

        with es_client() as client:
            return run.process_batch(batch, run.RunContext.from_dict(ctx), client).to_dict()

    @task
    def finish_run(ctx: dict[str, Any], batches: list[list[str]], batch_reports: list[dict[str, Any]],
                   params: dict[str, Any] | None = None) -> dict[str, int]:
        from airflow.sdk.exceptions import AirflowFailException

        from pipeline import run

        context = run.RunContext.from_dict(ctx)
        reports = [run.BatchReport.from_dict(b) for b in batch_reports]
        with es_client() as client:
            if (params or {}).get("sync_deletes"):
                reports.append(run.sync_deletes(client, context, (rel for b in batches for rel in b)))
            report = run.finish_run(context, reports, client)
        log.info("run report\n%s", report.render_text())
        try:
            run.enforce_failure_ratio(report, SETTINGS.max_failure_ratio)
        except run.RunFailed as exc:
            raise AirflowFailException(str(exc)) from exc  # a rerun would not help: fail, don't retry
        return report.counts()

    ctx = start_run()
    batches = plan_batches(ctx)
    reports = process_batch.partial(ctx=ctx).expand(batch=batches)
    finish_run(ctx, batches, reports)


ingest_articles()
