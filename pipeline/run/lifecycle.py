"""A run's life around its batches: start, plan, delete sync, finish.

The same functions serve ``python -m pipeline run`` and the Airflow DAGs (through
``pipeline.run.flow``): ``start_run`` prepares the index and names the run, ``plan_batches``
streams the folder into batch manifests (each then goes through ``pipeline.run.batch``),
``sync_deletes`` removes documents of the source whose file is gone, ``finish_run`` adds the
batch reports up and records the run.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Settings
from pipeline.errors import RunFailed, SourceMissing
from pipeline.fingerprint import processing_fingerprint
from pipeline.run import grouping
from pipeline.run.context import RunContext, check_source_name, default_source_name, new_run_id, safe_run_id
from pipeline.run.report import BatchReport, DocumentOutcome, RunReport, Status, write_report
from pipeline.stages.extract import discover

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)

def plan_batches(ctx: RunContext, listings: Iterable[tuple[str, Iterable[str]]] | None = None) -> list[int]:
    """Stream every source's listing into batch manifests in the run folder (see ``manifest``);
    returns the batch numbers, the only thing that goes through Airflow XCom."""
    from pipeline.run.manifest import write_manifests

    if listings is None:
        listings = ((name, list_source(Path(root))) for name, root in sorted(ctx.sources.items()))
    return write_manifests(ctx, listings, ctx.run.batch_size)


def list_source(root: Path) -> Iterator[str]:
    """Paths (relative to ``root``) of every file the run reads, in a stable order, streamed."""
    if not root.is_dir():
        raise SourceMissing(f"source folder does not exist: {root}")
    for path in discover(root):
        yield str(path.relative_to(root))


def start_run(es: Elasticsearch, settings: Settings, *, source_dir: Path | None = None, alias: str | None = None,
              full_refresh: bool = False, run_id: str | None = None, index: str | None = None,
              runs_dir: Path | None = None, sync_deletes: bool = False, encoding: str | None = None,
              source_name: str | None = None) -> RunContext:
    """Prepare the index (template, alias), record the source and name the run. ``index`` targets a
    specific physical index instead of the alias's (the reindex job builds a new one)."""
    from pipeline.elastic.indices import prepare_index
    from pipeline.elastic.sources import record_source

    source = Path(source_dir or settings.source_dir).resolve()
    if not source.is_dir():
        raise SourceMissing(f"source folder does not exist: {source}")
    name = source_name_for(settings, source, source_name)
    alias = alias or settings.index_alias
    target = prepare_index(es, alias, shards=settings.number_of_shards, replicas=settings.number_of_replicas,
                           support=settings.support_indices)
    runs = runs_dir if runs_dir is not None else settings.runs_dir
    dedup = settings.dedup if settings.dedup.enabled else None
    ctx = RunContext(
        run_id=safe_run_id(run_id) if run_id else new_run_id(), source_dir=str(source), alias=alias,
        index=index or target.index, started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        run=settings.run, full_refresh=full_refresh, sync_deletes=sync_deletes, runs_dir=str(runs) if runs else None,
        encoding=encoding,
        source_name=name, fingerprint=processing_fingerprint(settings.run), dedup=dedup,
        support=settings.support_indices,
    )
    record_source(es, alias, name, source, ctx.run_id, support=settings.support_indices)
    grouping.prepare(es, ctx)  # the run's marker; what a run that died left half-grouped is grouped again
    return ctx


def source_name_for(settings: Settings, source: Path, requested: str | None) -> str:
    """The run's source name: asked for, else the configured one for the configured folder, else
    the folder's name."""
    from pipeline.errors import BadParameter

    name = requested or (settings.source_name if source == Path(settings.source_dir).resolve() else None)
    try:
        return check_source_name(name or default_source_name(source))
    except ValueError as exc:
        raise BadParameter(str(exc)) from exc


def present_in_source(root: Path, relpath: str) -> bool:
    """Whether the run would still read ``relpath`` below ``root`` (exists, no hidden component)."""
    parts = Path(relpath).parts
    return bool(parts) and not any(p.startswith(".") for p in parts) and os.path.lexists(root / relpath)


def gone_documents(indexed: Iterable[tuple[str, str]], present: Callable[[str], bool]) -> Iterator[tuple[str, str]]:
    """``(id, relpath)`` of the indexed documents whose file is gone: a stream, nothing kept."""
    for doc_id, rel in indexed:
        if not present(rel):
            yield doc_id, rel


def sync_deletes(es: Elasticsearch, ctx: RunContext) -> BatchReport:
    """Delete the documents of this run's source whose file disappeared (other sources are not
    touched). The index is scrolled and each file checked on disk, no map of the folder; the ids of the
    gone files are kept (one per deletion)."""
    from pipeline.elastic.bulk import delete_documents, indexed_source_documents

    started = time.perf_counter()
    root = Path(ctx.source_dir)
    # The scroll reads the snapshot taken when it opened; the ids are listed before any delete, so
    # that their near-duplicate entries are marked first (a run dying among the deletes is repaired).
    indexed = indexed_source_documents(es, ctx.alias, ctx.source_name)
    outcomes = [DocumentOutcome(source=rel, id=doc_id, status=Status.DELETED)  # grows with deletions only
                for doc_id, rel in gone_documents(indexed, lambda rel: present_in_source(root, rel))]
    doomed = sorted(o.id for o in outcomes)
    grouping.before_deletes(es, ctx, doomed)
    delete_documents(es, ctx.alias, iter(doomed))
    counters = grouping.after_deletes(es, ctx, doomed)
    outcomes.sort(key=lambda o: o.source)
    return BatchReport(outcomes, {"delete": round(time.perf_counter() - started, 4)}, counters)


def finish_run(ctx: RunContext, batches: Iterable[BatchReport], es: Elasticsearch | None = None) -> RunReport:
    """Merge batch reports, write ``<runs_dir>/<run_id>/report.json``, record the run in
    ``etl-runs`` and refresh the index so the documents are searchable."""
    from pipeline.elastic.indices import RUNS_INDEX

    report = RunReport(run_id=ctx.run_id, source_dir=ctx.source_dir, alias=ctx.alias, index=ctx.index,
                       started_at=ctx.started_at, max_failure_ratio=ctx.run.max_failure_ratio,
                       fingerprint=ctx.fingerprint, source_name=ctx.source_name)
    for batch in batches:
        report.add(batch)
    if es is not None and ctx.dedup is not None:  # groups that met in concurrent batches or runs end as one (grouping)
        started = time.perf_counter()
        report.counters.update(grouping.reconcile(es, ctx, (d.id for d in report.documents
                                                             if d.status == Status.INDEXED)))
        report.timings["dedup"] = round(report.timings.get("dedup", 0.0) + time.perf_counter() - started, 4)
    report.documents.sort(key=lambda d: d.source)
    report.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    folder = ctx.run_folder
    if folder is not None:
        write_report(report, folder)
    if es is not None:
        from pipeline.elastic.client import RetryPolicy, retrying

        # The documents are already in: a node restart now must not fail the whole run.
        retrying(lambda: es.indices.refresh(index=ctx.index), "refresh", retry=RetryPolicy())
        record = report.to_run_record()
        # searchable at once: an explicit refresh of the small run log, not refresh=wait_for (which waits
        # for the next periodic refresh, up to a second: a fifth of a no-change re-run)
        retrying(lambda: es.index(index=RUNS_INDEX, id=report.run_id, document=record), "recording the run",
                 retry=RetryPolicy())
        retrying(lambda: es.indices.refresh(index=RUNS_INDEX), "refresh", retry=RetryPolicy())
        if report.failed > report.failed_before:  # the next run reads its failures (pipeline.elastic.failed_files)
            from pipeline.elastic.indices import deadletter_index

            retrying(lambda: es.indices.refresh(index=deadletter_index(ctx.alias), ignore_unavailable=True),
                     "refresh", retry=RetryPolicy())
    return report


def enforce_failure_ratio(report: RunReport, max_failure_ratio: float) -> None:
    """Fail loudly (after the report is written) when too many documents failed."""
    if report.failure_ratio > max_failure_ratio:
        new = report.failed - report.failed_before
        raise RunFailed(f"{new} of {report.indexed + new} processed documents failed "
                        f"({report.failure_ratio:.0%} > max_failure_ratio {max_failure_ratio:.0%})")
