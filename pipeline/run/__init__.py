"""The run: one orchestration path for the CLI and both DAGs.

``flow`` is a run's steps (start -> plan -> process each batch -> finish) for the two kinds of
run, ingest and reindex; ``batch`` is the one list of steps a batch's documents go through, from
file to index, and the one loop that runs them; ``lifecycle`` starts, plans and finishes a run.
Nothing here decides how a document is cleaned (``pipeline.stages``) or how Elasticsearch is
spoken to (``pipeline.elastic``): it orders the steps and accounts for every file.
"""

from pipeline.errors import RunFailed
from pipeline.run.batch import document_stages, process_batch, run_steps
from pipeline.run.context import RunContext
from pipeline.run.flow import run_ingest, run_reindex
from pipeline.run.lifecycle import enforce_failure_ratio, finish_run, plan_batches, start_run, sync_deletes
from pipeline.run.report import BatchReport, DocumentOutcome, RunReport, load_report

__all__ = ["BatchReport", "DocumentOutcome", "RunContext", "RunFailed", "RunReport", "document_stages",
           "enforce_failure_ratio", "finish_run", "load_report", "plan_batches", "process_batch", "run_ingest",
           "run_reindex", "run_steps", "start_run", "sync_deletes"]
