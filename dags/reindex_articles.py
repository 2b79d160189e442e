"""Rebuild the articles index without downtime (manual trigger).

Use after a mapping or analyzer change, or to recover: builds a new physical index from
the source folder, verifies its document count, swaps the ``articles`` alias atomically and
keeps the previous index for ``python -m pipeline rollback``. Searches keep answering.
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
    dag_id="reindex_articles",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30), "retry_exponential_backoff": True},
    params={
        "source_dir": Param(str(SETTINGS.source_dir), type="string", description="Folder to rebuild from"),
        "index_alias": Param(SETTINGS.index_alias, type="string", pattern=r"^[a-z0-9][a-z0-9_.-]{0,200}$"),
    },
    tags=["news", "elasticsearch", "maintenance"],
    doc_md=__doc__,
)
def reindex_articles() -> None:
    @task(retries=0)  # a retry would create yet another index; fail and let the operator look
    def begin(params: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
        from pipeline.run import reindex

        params = params or {}
        with es_client() as client:
            ctx = reindex.begin_reindex(client, SETTINGS, source_dir=allowed_source_dir(params["source_dir"]),
                                        alias=params["index_alias"], run_id=f"reindex-{run_id}")
        log.info("building %s for alias %s", ctx.index, ctx.alias)
        return ctx.to_dict()

    @task
    def plan_batches(ctx: dict[str, Any]) -> list[list[str]]:
        from pipeline import run

        return run.plan_batches(Path(ctx["source_dir"]), SETTINGS.batch_size)

    @task(max_active_tis_per_dagrun=4)
    def process_batch(batch: list[str], ctx: dict[str, Any]) -> dict[str, Any]:
        from pipeline import run

        with es_client() as client:
            return run.process_batch(batch, run.RunContext.from_dict(ctx), client).to_dict()

    @task
    def verify_and_swap(ctx: dict[str, Any], batch_reports: list[dict[str, Any]]) -> dict[str, Any]:
        from pipeline import run
        from pipeline.run import reindex

        with es_client() as client:
            result = reindex.complete_reindex(client, run.RunContext.from_dict(ctx),
                                              [run.BatchReport.from_dict(b) for b in batch_reports])
        log.info("alias %s: %s -> %s (%d documents); pruned %s", result.alias, result.previous_index,
                 result.new_index, result.actual, result.pruned or "nothing")
        log.info("run report\n%s", result.report.render_text())
        return {"alias": result.alias, "index": result.new_index, "previous": result.previous_index,
                "documents": result.actual}

    ctx = begin()
    reports = process_batch.partial(ctx=ctx).expand(batch=plan_batches(ctx))
    verify_and_swap(ctx, reports)


reindex_articles()
