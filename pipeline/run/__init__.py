"""The run: one orchestration path (plan -> process batches -> sync deletes -> finish).

The CLI and both DAGs call these functions; nothing here decides how a document is
cleaned (that is ``pipeline.stages``) or how Elasticsearch is spoken to
(``pipeline.elastic``): it orders the steps and accounts for every file.
"""

from pipeline.run.context import RunContext
from pipeline.run.report import BatchReport, DocumentOutcome, RunReport, load_report
from pipeline.run.runner import run_pipeline
from pipeline.run.steps import (
    RunFailed,
    enforce_failure_ratio,
    finish_run,
    plan_batches,
    process_batch,
    start_run,
    sync_deletes,
    transform,
)

__all__ = ["BatchReport", "DocumentOutcome", "RunContext", "RunFailed", "RunReport", "enforce_failure_ratio",
           "finish_run", "load_report", "plan_batches", "process_batch", "run_pipeline", "start_run",
           "sync_deletes", "transform"]
