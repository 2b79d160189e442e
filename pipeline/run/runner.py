"""``run_pipeline``: the steps of a run in-process, for the CLI (the DAGs map them to tasks)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.run.parallel import process_batches_parallel
from pipeline.run.report import BatchReport, RunReport
from pipeline.run.steps import finish_run, plan_batches, process_batch, start_run, sync_deletes


def run_pipeline(settings: Any, *, es: Any, source_dir: Path | None = None, alias: str | None = None,
                 runs_dir: Path | None = None, full_refresh: bool = False, delete_missing: bool = False,
                 index: str | None = None, workers: int = 1, es_connection: Any | None = None) -> RunReport:
    """The whole ingestion in-process: what the DAG does, without Airflow.

    ``workers`` > 1 processes batches in that many worker processes (each with its own
    Elasticsearch client, from ``es_connection``, default ``settings.es``); batch reports
    stream into the run report as they finish, with a bounded number of batches in flight.
    """
    ctx = start_run(es, settings, source_dir=source_dir, alias=alias, full_refresh=full_refresh,
                    runs_dir=runs_dir, index=index)
    batches = plan_batches(Path(ctx.source_dir), settings.batch_size)
    if workers > 1 and len(batches) > 1:
        reports: Iterable[BatchReport] = process_batches_parallel(
            batches, ctx, es_connection if es_connection is not None else settings.es, workers)
    else:
        reports = (process_batch(batch, ctx, es) for batch in batches)

    def all_reports() -> Iterator[BatchReport]:
        yield from reports
        if delete_missing:
            yield sync_deletes(es, ctx, (rel for batch in batches for rel in batch))

    return finish_run(ctx, all_reports(), es)
