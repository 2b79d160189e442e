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

from airflow.sdk import Connection, Param, dag, task
from airflow.sdk.exceptions import AirflowNotFoundException

from pipeline.config import ESConnection, Settings, load_settings, resolve_path

log = logging.getLogger(__name__)
SETTINGS = load_settings()


def es_connection(settings: Settings) -> ESConnection:
    """The Airflow connection when it exists, else ES_URL / the local node. Secrets stay in it."""
    try:
        conn = Connection.get(settings.es_connection_id)
    except AirflowNotFoundException:
        return settings.es
    return ESConnection.from_connection_fields(
        host=conn.host, port=conn.port, schema=conn.schema, login=conn.login, password=conn.password,
        extra=conn.extra_dejson, request_timeout=settings.es.request_timeout,
    )


def es_client() -> Any:
    from pipeline.load import make_client

    return make_client(es_connection(SETTINGS))


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
    },
    tags=["news", "elasticsearch"],
    doc_md=__doc__,
)
def ingest_articles() -> None:
    @task
    def prepare_index(params: dict[str, Any] | None = None) -> dict[str, Any]:
        from pipeline.load import prepare_index as prepare

        params = params or {}
        client = es_client()
        target = prepare(client, params["index_alias"], shards=SETTINGS.number_of_shards,
                         replicas=SETTINGS.number_of_replicas)
        client.close()
        return {"alias": target.alias, "index": target.index,
                "source_dir": str(resolve_path(params["source_dir"]).resolve()),
                "full_refresh": bool(params["full_refresh"])}

    @task
    def plan_batches(target: dict[str, Any]) -> list[list[str]]:
        from pipeline.run import plan_batches as plan

        batches = plan(Path(target["source_dir"]), SETTINGS.batch_size)
        log.info("%d file(s) in %d batch(es)", sum(map(len, batches)), len(batches))
        return batches

    @task(max_active_tis_per_dagrun=4)
    def process_batch(batch: list[str], target: dict[str, Any]) -> dict[str, Any]:
        from pipeline.run import process_batch as process

        client = es_client()
        report = process(batch, source_root=Path(target["source_dir"]), es=client, index=target["index"],
                         max_file_bytes=SETTINGS.max_file_bytes, full_refresh=target["full_refresh"])
        client.close()
        return report.to_dict()

    @task
    def write_report(target: dict[str, Any], batch_reports: list[dict[str, Any]], run_id: str | None = None) -> dict:
        from pipeline.run import BatchReport, finish_run, new_run_report

        report = new_run_report(Path(target["source_dir"]), target["alias"], target["index"],
                                run_id=(run_id or "").replace(":", "").replace("+", "_") or None)
        finish_run(report, (BatchReport.from_dict(b) for b in batch_reports), SETTINGS.runs_dir)
        client = es_client()
        client.indices.refresh(index=target["alias"])
        client.close()
        log.info("run report\n%s", report.render_text())
        return report.counts()

    target = prepare_index()
    batches = plan_batches(target)
    reports = process_batch.partial(target=target).expand(batch=batches)
    write_report(target, reports)


ingest_articles()
