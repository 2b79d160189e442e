"""The run: one orchestration path (plan -> process batches -> sync deletes -> finish).

The CLI and both DAGs call these functions; nothing here decides how a document is
cleaned (that is ``pipeline.stages``) or how Elasticsearch is spoken to
(``pipeline.elastic``): it orders the steps and accounts for every file.

The names below are imported on first use (PEP 562), so ``pipeline.run.stages`` (what
``python -m pipeline clean`` needs) does not drag in the Elasticsearch client.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "RunContext": "pipeline.run.context",
    "BatchReport": "pipeline.run.report", "DocumentOutcome": "pipeline.run.report", "RunReport": "pipeline.run.report",
    "load_report": "pipeline.run.report",
    "run_pipeline": "pipeline.run.runner",
    **{name: "pipeline.run.steps" for name in ("RunFailed", "enforce_failure_ratio", "finish_run", "plan_batches",
                                               "process_batch", "start_run", "sync_deletes", "transform")},
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
