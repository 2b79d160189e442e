"""What the DAG files share: settings, the Elasticsearch client from the Airflow connection, the
DAG params made from the run's declared parameters, and the task functions each DAG calls in
its own body (start -> plan -> process_batch (mapped) -> finish, release as teardown). Every
task hands the work to ``pipeline.run.flow``; no business logic here."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from typing import Any

from airflow.sdk import Connection, Param, task
from airflow.sdk.exceptions import AirflowFailException, AirflowNotFoundException

from pipeline.config import ESConnection, Settings, load_settings
from pipeline.errors import PermanentError
from pipeline.run.heap import freeze_long_lived, skip_final_collection
from pipeline.run.params import params_of

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
WRITER_POOL: dict[str, Any] = {"pool": SETTINGS.writer_pool} if SETTINGS.writer_pool else {}


def dag_params(flow: str) -> dict[str, Param]:
    """The trigger form of a DAG, from the run's declared parameters (``pipeline.run.params``): an
    optional one is nullable, so the form is valid with it left empty."""
    out: dict[str, Param] = {}
    for p in params_of(flow):
        kind = "boolean" if p.kind is bool else "string"
        extra: dict[str, Any] = {"pattern": p.pattern} if p.pattern else {}
        if p.kind is str and not p.nullable:
            extra["minLength"] = 1
        out[p.name] = Param(p.default(SETTINGS), type=["null", kind] if p.nullable else kind,
                            description=p.description, **extra)
    return out


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


@contextmanager
def guarded() -> Iterator[None]:
    """A permanent error (a bad parameter, a lost lease, a broken rule file) fails the task at once."""
    try:
        yield
    except PermanentError as exc:
        raise permanent(exc) from exc


def _flow(ctx: dict[str, Any]) -> Any:
    from pipeline.run.flow import FLOWS

    return FLOWS[ctx["flow"]](SETTINGS)


@task(**WRITER_POOL,
      doc_md="Check the parameters and the source folder, take the alias's writer lease (waiting up to "
             "`run.lease_wait_seconds` for another run), prepare the target index, name the run. A bad parameter, "
             "a missing/unsafe folder or a lease still held fails at once and is recorded in etl-runs.")
def start(flow: str, params: dict[str, Any] | None = None, run_id: str | None = None) -> dict[str, Any]:
    from pipeline.run.flow import FLOWS, RunRequest

    with es_client() as client, guarded():
        request = RunRequest.from_params(params or {}, flow=flow, run_id=run_id)
        return FLOWS[flow](SETTINGS).start(client, request).to_dict()


@task(doc_md="Stream the source folder(s) into batch manifests of `run.batch_size` files in the run folder; "
             "returns the batch numbers shared out among the mapped batch tasks (up to `run.task_batches` each).")
def plan(ctx: dict[str, Any]) -> list[list[int]]:
    from pipeline.run.context import RunContext
    from pipeline.run.manifest import task_slices

    context, flow = RunContext.from_dict(ctx), _flow(ctx)
    with es_client() as client, guarded(), flow.holding(context, client):
        batches = flow.plan(context)
    slices = task_slices(batches, context.run.task_batches, context.run.max_active_batches)
    log.info("%d batch(es) planned, in %d task(s)", len(batches), len(slices))
    return slices


@task(max_active_tis_per_dagrun=RUN.max_active_batches, **WRITER_POOL,
      doc_md="A few consecutive batches, one after the other, through the steps of `pipeline.run.batch` (unchanged "
             "check -> extract -> clean -> language -> enrich -> fingerprint -> bulk load -> grouping), under the "
             "run's lease; each batch is grouped in a thread while the next one is transformed. Bad documents are "
             "reported, not fatal; an unreachable cluster fails the task and Airflow retries it.")
def process_batch(batches: list[int], ctx: dict[str, Any]) -> list[dict[str, Any]]:
    from pipeline.run.context import RunContext
    from pipeline.run.manifest import save_outcomes

    freeze_long_lived()  # full collections skip Airflow's ~700k objects while the batches run (pipeline/run/heap.py)
    context, flow = RunContext.from_dict(ctx), _flow(ctx)
    with es_client() as client, guarded(), flow.holding(context, client), \
            closing(flow.process_task(batches, context, client)) as reports:
        return [save_outcomes(context, batch, report) for batch, report in zip(batches, reports)]


@task(doc_md="Add the batch reports up (and sync deletes when asked), write the run report and the etl-runs "
             "record; fail when more documents failed than `run.max_failure_ratio` allows.")
def finish(ctx: dict[str, Any], summaries: list[list[dict[str, Any]]]) -> dict[str, Any]:
    from pipeline.run.context import RunContext
    from pipeline.run.manifest import load_outcomes

    context, flow = RunContext.from_dict(ctx), _flow(ctx)
    with es_client() as client, guarded(), flow.holding(context, client):
        # one slice request for every mapped result: iterating would ask for one past the end, which
        # Airflow logs as an error ("XCom not found") in a green run
        report = flow.finish(context, (load_outcomes(context, s) for part in summaries[:] for s in part), client)
    log.info("run report\n%s", report.render_text())
    skip_final_collection()  # `airflow dags test` ends ~2 s sooner (pipeline/run/heap.py)
    with guarded():
        flow.check(report)
    return {"status": str(report.status), **report.counts()}


@task(doc_md="Teardown: give the alias's writer lease back (runs after success or failure; idempotent).")
def release(ctx: dict[str, Any]) -> bool:
    from pipeline.run.context import RunContext

    with es_client() as client:
        return _flow(ctx).release(RunContext.from_dict(ctx), client)
