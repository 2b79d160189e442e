"""The run: one orchestration path for the CLI and both DAGs.

``flow`` is a run's steps (start -> plan -> process each batch -> finish) for the two kinds of
run, ingest and reindex; ``batch`` is the one list of steps a batch's documents go through, from
file to index, and the one loop that runs them; ``lifecycle`` starts, plans and finishes a run.
Nothing here decides how a document is cleaned (``pipeline.stages``) or how Elasticsearch is
spoken to (``pipeline.elastic``): it orders the steps and accounts for every file.

The names below are imported on first use (PEP 562), so a submodule that needs no Elasticsearch
(``python -m pipeline clean`` builds its stages from here) does not drag in the client.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "RunFailed": "pipeline.errors",
    "document_stages": "pipeline.run.batch", "process_batch": "pipeline.run.batch", "run_steps": "pipeline.run.batch",
    "RunContext": "pipeline.run.context",
    "run_ingest": "pipeline.run.flow", "run_reindex": "pipeline.run.flow",
    **{name: "pipeline.run.lifecycle" for name in ("enforce_failure_ratio", "finish_run", "plan_batches", "start_run",
                                                   "sync_deletes")},
    **{name: "pipeline.run.report" for name in ("BatchReport", "DocumentOutcome", "RunReport", "load_report")},
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
