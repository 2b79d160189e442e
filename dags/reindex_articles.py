"""Rebuild the articles index without downtime (manual trigger).

Use after a mapping or analyzer change, or to recover: builds a new physical index from the
source folder and every other source recorded for the alias (etl-sources), verifies its document
count, refuses to swap when it holds fewer documents than the live index (unless `allow_shrink`),
swaps the alias atomically and keeps the previous index for `python -m pipeline rollback`.
Searches keep answering. Same tasks and settings as `ingest_articles`; the start (a new index)
and the finish (verify, swap) differ, and the start is never retried (a retry would build yet
another index).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag
from etl_common import DEFAULT_ARGS, SETTINGS, dag_params, finish, plan, process_batch, release, start


@dag(
    dag_id="reindex_articles",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=SETTINGS.paused_on_creation,
    default_args=DEFAULT_ARGS,
    params=dag_params("reindex"),
    tags=["news", "elasticsearch", "maintenance"],
    doc_md=__doc__,
)
def reindex_articles() -> None:
    run = start.override(retries=0)(flow="reindex")  # setup: lease + a new physical index
    batches = plan(run)
    reports = process_batch.partial(ctx=run).expand(batches=batches)
    finish(run, reports) >> release(run).as_teardown(setups=run)


reindex_articles()
