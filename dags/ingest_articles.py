"""Ingest news articles from a folder into Elasticsearch.

Runs on the configured schedule (`schedule` in config/pipeline.yaml or `ETL_SCHEDULE`; `none` =
manual only) and by hand with parameters (every optional one may be left empty). Each file goes
through the steps of `pipeline.run.batch`: unchanged check, extract, clean, language, enrich,
fingerprint, bulk load, near-duplicate grouping; unchanged files are skipped. The work is in
`pipeline`; the graph is below.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag
from etl_common import DEFAULT_ARGS, SETTINGS, dag_params, finish, plan, process_batch, release, start


@dag(
    dag_id="ingest_articles",
    schedule=SETTINGS.schedule,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=SETTINGS.paused_on_creation,
    default_args=DEFAULT_ARGS,
    params=dag_params("ingest"),
    tags=["news", "elasticsearch"],
    doc_md=__doc__,
)
def ingest_articles() -> None:
    run = start(flow="ingest")  # setup: takes the alias's writer lease
    batches = plan(run)
    reports = process_batch.partial(ctx=run).expand(batches=batches)  # mapped: a few batches a task
    finish(run, reports) >> release(run).as_teardown(setups=run)  # the lease goes back whatever happened


ingest_articles()
