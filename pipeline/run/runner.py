"""``run_pipeline``: an ingest run in-process (the CLI's ``run``; the DAGs map the same steps to tasks)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.config import ESConnection, Settings
from pipeline.run.flow import Ingest, RunRequest, run_flow
from pipeline.run.report import RunReport


def run_pipeline(settings: Settings, *, es: Any, source_dir: Path | None = None, alias: str | None = None,
                 runs_dir: Path | None = None, full_refresh: bool = False, delete_missing: bool = False,
                 workers: int = 1, es_connection: ESConnection | None = None,
                 encoding: str | None = None) -> RunReport:
    """The whole ingestion in-process: what the DAG does, without Airflow.

    ``workers`` > 1 processes batches in that many worker processes (each with its own
    Elasticsearch client, from ``es_connection``, default ``settings.es``); batch reports
    stream into the run report as they finish, with a bounded number of batches in flight.
    ``encoding`` is the run's charset hint for legacy (non-UTF-8) files.
    """
    if runs_dir is not None:
        settings = replace(settings, runs_dir=Path(runs_dir))
    request = RunRequest(source_dir=str(source_dir) if source_dir else None, index_alias=alias,
                         full_refresh=full_refresh, sync_deletes=delete_missing, encoding=encoding)
    return run_flow(Ingest(settings), es, request, workers=workers, es_connection=es_connection)
