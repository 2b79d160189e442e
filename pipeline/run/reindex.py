"""Zero-downtime rebuild: load a new physical index, verify it, swap the alias atomically.

Searches keep using the alias the whole time and only ever see a complete index: the old
one until the single ``update_aliases`` call, the new one after it. The previous index is
kept for ``rollback``; older ones are pruned.

The rebuild reads every source recorded for the alias (``etl-sources``), not only the folder
it was given, and it refuses to swap when the new index holds fewer documents than the live
one (``allow_shrink`` overrides: e.g. after migrating ids, when one folder had been indexed
twice under two mount points). Documents get their ids from (source name, relative path), so a
rebuild also migrates documents indexed with older ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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
from pipeline.errors import PermanentError, SourceMissing
from pipeline.run.context import RunContext, new_run_id, safe_run_id
from pipeline.run.lifecycle import finish_run
from pipeline.run.report import BatchReport, RunReport

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


class ReindexFailed(PermanentError, RuntimeError):
    """The new index did not verify (or would lose documents); the alias still points at the old one."""


@dataclass
class ReindexResult:
    alias: str
    new_index: str
    previous_index: str | None
    expected: int
    actual: int
    report: RunReport
    pruned: list[str] = field(default_factory=list)


def rebuild_sources(es: Elasticsearch, alias: str, name: str, source: Path) -> dict[str, str]:
    """name -> local root of every source the alias holds: the recorded ones plus the given one
    (which wins for its name). A recorded source whose folder is not here stops the rebuild."""
    from pipeline.elastic.sources import recorded_sources

    sources = {name: str(source)}
    missing = []
    for recorded in recorded_sources(es, alias):
        if recorded.name in sources:
            continue
        root = recorded.local_root()
        if root is None:
            missing.append(f"{recorded.name} (recorded roots: {', '.join(recorded.roots) or 'none'})")
        else:
            sources[recorded.name] = str(root.resolve())
    if missing:
        raise SourceMissing(f"alias {alias} holds documents of sources whose folder is not reachable here: "
                            f"{'; '.join(missing)}; rebuilding without them would drop their documents "
                            "(reindex with source_dir/source_id pointing at the folder)")
    return sources


def first_recorded_source(es: Elasticsearch, alias: str) -> tuple[str, Path] | None:
    """The first source recorded for ``alias`` whose folder is here: a reindex given no folder rebuilds the
    alias from its recorded sources only (it added the configured folder's documents to any alias)."""
    from pipeline.elastic.sources import recorded_sources

    for recorded in recorded_sources(es, alias):
        root = recorded.local_root()
        if root is not None:
            return recorded.name, root.resolve()
    return None


def begin_reindex(es: Elasticsearch, settings: Settings, *, source_dir: Path | None = None, alias: str | None = None,
                  run_id: str | None = None, runs_dir: Path | None = None, source_name: str | None = None,
                  allow_shrink: bool = False) -> RunContext:
    """Create the new physical index (no alias yet, refresh off while loading) and the run context
    over every source recorded for the alias."""
    from datetime import datetime, timezone

    from pipeline.elastic.sources import record_source
    from pipeline.fingerprint import processing_fingerprint
    from pipeline.run.lifecycle import source_name_for

    alias = validate_index_name(alias or settings.index_alias)
    recorded = first_recorded_source(es, alias) if source_dir is None and source_name is None else None
    source = recorded[1] if recorded else Path(source_dir or settings.source_dir).resolve()
    if not source.is_dir():
        raise SourceMissing(f"source folder does not exist: {source}")
    ensure_support_indices(es, alias, settings.support_indices)
    name = recorded[0] if recorded else source_name_for(settings, source, source_name)
    sources = rebuild_sources(es, alias, name, source)
    layout = desired_layout(es, settings.number_of_shards, settings.number_of_replicas)
    install_template(es, alias, layout)
    index = create_index(es, alias, layout, with_alias=False)
    es.indices.put_settings(index=index, settings={"index": {"refresh_interval": "-1"}})
    runs = runs_dir if runs_dir is not None else settings.runs_dir
    ctx = RunContext(
        run_id=safe_run_id(run_id) if run_id else "reindex-" + new_run_id(), source_dir=str(source), alias=alias,
        index=index, started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), full_refresh=True,
        run=settings.run, runs_dir=str(runs) if runs else None, source_name=name, sources=sources,
        fingerprint=processing_fingerprint(settings.run), allow_shrink=allow_shrink,
        dedup=settings.dedup if settings.dedup.enabled else None, support=settings.support_indices,
    )
    record_source(es, alias, name, source, ctx.run_id, support=settings.support_indices)
    from pipeline.run.grouping import prepare

    prepare(es, ctx)  # the run's marker, closed once the alias points at the new index's groups
    return ctx


def complete_reindex(es: Elasticsearch, ctx: RunContext, reports: list[BatchReport]) -> ReindexResult:
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
    check_not_shrinking(es, ctx, actual)
    previous = swap_alias(es, ctx.alias, ctx.index)
    if ctx.dedup is not None:
        from pipeline.elastic.dedup_groups import close_run

        close_run(es, ctx.alias, ctx.run_id)
    pruned = prune_old_indices(es, ctx.alias)
    return ReindexResult(ctx.alias, ctx.index, previous, expected, actual, report, pruned)


def check_not_shrinking(es: Elasticsearch, ctx: RunContext, actual: int) -> None:
    """Refuse the swap when the new index holds fewer documents than the live one (unless
    ``allow_shrink``), naming the sources that lost documents."""
    from pipeline.elastic.sources import documents_by_source

    live = live_index(es, ctx.alias)
    if live is None or live == ctx.index:
        return
    before = es.count(index=live)["count"]
    if actual >= before or ctx.allow_shrink:
        return
    old, new = documents_by_source(es, live), documents_by_source(es, ctx.index)
    lost = ", ".join(f"{name or '(no source name: indexed before sources had names)'}: {n} -> {new.get(name, 0)}"
                     for name, n in sorted(old.items()) if new.get(name, 0) < n)
    raise ReindexFailed(f"{ctx.index} holds {actual} documents, the live index {live} {before} ({lost}); "
                        f"alias {ctx.alias} unchanged. Pass --allow-shrink (DAG param allow_shrink) if that is meant")


def live_index(es: Elasticsearch, alias: str) -> str | None:
    targets = alias_targets(es, alias)
    return targets[-1] if targets else None
