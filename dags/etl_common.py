"""What the DAG files share: settings, the Elasticsearch client from the Airflow connection, and
the mapping of a run's steps (``pipeline.run.flow``) to tasks. No business logic here."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from airflow.sdk import Connection, task
from airflow.sdk.exceptions import AirflowFailException, AirflowNotFoundException

from pipeline.config import ESConnection, Settings, load_settings
from pipeline.errors import PermanentError

SETTINGS = load_settings()
RUN = SETTINGS.run
log = logging.getLogger(__name__)

# Task defaults from the one RunSettings the CLI uses too.
DEFAULT_ARGS: dict[str, Any] = {
    "retries": RUN.task_retries,
    "retry_delay": timedelta(seconds=RUN.retry_delay_seconds),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(minutes=RUN.task_timeout_minutes),
}
ALIAS_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,200}$"


def es_connection(settings: Settings = SETTINGS) -> ESConnection:
    """The Airflow connection when it exists, else ES_URL. Secrets stay in it."""
    try:
        conn = Connection.get(settings.es_connection_id)
    except AirflowNotFoundException:
        return settings.es
    return ESConnection.from_connection_fields(
        host=conn.host, port=conn.port, schema=conn.schema, login=conn.login, password=conn.password,
        extra=conn.extra_dejson, request_timeout=settings.es.request_timeout, sniff=settings.es.sniff,
    )


def es_client() -> Any:
    """A client through the Elasticsearch provider's hook, with the pipeline's timeouts and retries."""
    from airflow.providers.elasticsearch.hooks.elasticsearch import ElasticsearchPythonHook

    from pipeline.elastic.client import client_hosts, client_options

    conn = es_connection()
    return ElasticsearchPythonHook(hosts=client_hosts(conn), es_conn_args=client_options(conn)).get_conn


def permanent(exc: Exception) -> AirflowFailException:
    """A failure no retry can fix: the task fails at once."""
    return AirflowFailException(f"{type(exc).__name__}: {exc}")


# A reindex start creates a new physical index: a retry would make yet another one.
START_RETRIES = {"ingest": RUN.task_retries, "reindex": 0}


def wire_run(flow_kind: str) -> None:
    """The run's steps as tasks: start -> plan -> process_batch (mapped, one task per batch) -> finish."""
    from pipeline.run.flow import FLOWS

    flow = FLOWS[flow_kind](SETTINGS)

    @task(retries=START_RETRIES[flow_kind], doc_md="Check the parameters and the source folder, prepare the target index, name the run. "
                            "A bad parameter or a missing/unsafe folder fails at once and is recorded in etl-runs.")
    def start(params: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
        from pipeline.run.flow import RunRequest

        with es_client() as client:
            try:
                return flow.start(client, RunRequest.from_params(params or {}, run_id=run_id)).to_dict()
            except PermanentError as exc:
                raise permanent(exc) from exc

    @task(doc_md="List the source folder and split it into batches of `run.batch_size` files.")
    def plan(ctx: dict[str, Any]) -> list[list[str]]:
        from pipeline.run.context import RunContext

        batches = flow.plan(RunContext.from_dict(ctx))
        log.info("%d file(s) in %d batch(es)", sum(map(len, batches)), len(batches))
        return batches

    @task(max_active_tis_per_dagrun=RUN.max_active_batches,
          doc_md="One batch: extract -> clean -> language -> enrich -> bulk load. Bad documents are reported, "
                 "not fatal; an unreachable cluster fails the task and Airflow retries it.")
    def process_batch(batch: list[str], ctx: dict[str, Any]) -> dict[str, Any]:
        from pipeline.run.context import RunContext

        with es_client() as client:
            return flow.process(batch, RunContext.from_dict(ctx), client).to_dict()

    @task(doc_md="Add the batch reports up (and sync deletes when asked), write the run report and the etl-runs "
                 "record; fail when more documents failed than `run.max_failure_ratio` allows.")
    def finish(ctx: dict[str, Any], batches: list[list[str]], reports: list[dict[str, Any]]) -> dict[str, Any]:
        from pipeline.run.context import RunContext
        from pipeline.run.report import BatchReport

        with es_client() as client:
            report = flow.finish(RunContext.from_dict(ctx), batches, (BatchReport.from_dict(b) for b in reports),
                                 client)
        log.info("run report\n%s", report.render_text())
        try:
            flow.check(report)
        except PermanentError as exc:
            raise permanent(exc) from exc
        return {"status": str(report.status), **report.counts()}

    context = start()
    batches = plan(context)
    finish(context, batches, process_batch.partial(ctx=context).expand(batch=batches))
