"""Zero-downtime rebuild: load a new physical index, verify it, swap the alias atomically.

Searches keep using the alias the whole time and only ever see a complete index: the old
one until the single ``update_aliases`` call, the new one after it. The previous index is
kept for ``rollback``; older ones are pruned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from pipeline.elastic.indices import (
    alias_targets,
    create_index,
    desired_layout,
    ensure_support_indices,
    install_template,
    prune_old_indices,
    swap_alias,
    validate_index_name,
)
from pipeline.errors import SourceMissing
from pipeline.run.context import RunContext, new_run_id, safe_run_id
from pipeline.run.report import BatchReport, RunReport
from pipeline.run.steps import finish_run


class ReindexFailed(RuntimeError):
    """The new index did not verify; the alias still points at the old one."""


@dataclass
class ReindexResult:
    alias: str
    new_index: str
    previous_index: str | None
    expected: int
    actual: int
    report: RunReport
    pruned: list[str] = field(default_factory=list)


def begin_reindex(es: Any, settings: Settings, *, source_dir: Path | None = None, alias: str | None = None,
                  run_id: str | None = None, runs_dir: Path | None = None) -> RunContext:
    """Create the new physical index (no alias yet, refresh off while loading) and the run context."""
    from datetime import datetime, timezone

    source = Path(source_dir or settings.source_dir).resolve()
    if not source.is_dir():
        raise SourceMissing(f"source folder does not exist: {source}")
    alias = validate_index_name(alias or settings.index_alias)
    ensure_support_indices(es, alias)
    layout = desired_layout(es, settings.number_of_shards, settings.number_of_replicas)
    install_template(es, alias, layout)
    index = create_index(es, alias, layout, with_alias=False)
    es.indices.put_settings(index=index, settings={"index": {"refresh_interval": "-1"}})
    runs = runs_dir if runs_dir is not None else settings.runs_dir
    return RunContext(
        run_id=safe_run_id(run_id) if run_id else "reindex-" + new_run_id(), source_dir=str(source), alias=alias,
        index=index, started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), full_refresh=True,
        run=settings.run, runs_dir=str(runs) if runs else None,
    )


def complete_reindex(es: Any, ctx: RunContext, reports: list[BatchReport]) -> ReindexResult:
    """Record the run, verify the new index against the source, then swap and prune."""
    es.indices.put_settings(index=ctx.index, settings={"index": {"refresh_interval": None}})
    report = finish_run(ctx, reports, es)
    actual = es.count(index=ctx.index)["count"]
    expected = report.indexed
    if actual != expected or report.seen != report.indexed + report.failed:
        raise ReindexFailed(f"{ctx.index} holds {actual} documents, expected {expected} "
                            f"({report.seen} files seen, {report.failed} failed); alias {ctx.alias} unchanged")
    if report.seen and not report.indexed:
        raise ReindexFailed(f"no document of {report.seen} could be indexed; alias {ctx.alias} unchanged")
    previous = swap_alias(es, ctx.alias, ctx.index)
    pruned = prune_old_indices(es, ctx.alias)
    return ReindexResult(ctx.alias, ctx.index, previous, expected, actual, report, pruned)


def live_index(es: Any, alias: str) -> str | None:
    targets = alias_targets(es, alias)
    return targets[-1] if targets else None
