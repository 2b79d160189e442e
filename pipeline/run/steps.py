"""Run the stages over a source folder in batches, and account for every file in a report.

The same functions serve ``python -m pipeline run`` and the Airflow DAG: ``start_run``
prepares the index and names the run, ``plan_batches`` streams the folder into batch
manifests, ``process_batch`` takes one batch from bytes to indexed documents, ``sync_deletes``
removes documents of the source whose file is gone, ``finish_run`` adds the batch reports up and
records the run.
A document that fails any stage is kept in the report with its reason; the others carry on.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from pipeline.document import Document
from pipeline.errors import RunFailed, SourceMissing
from pipeline.fingerprint import processing_fingerprint
from pipeline.run import dedup_step
from pipeline.run.context import RunContext, check_source_name, default_source_name, new_run_id, safe_run_id
from pipeline.run.loader import Loader, outcome_of
from pipeline.run.report import BatchReport, DocumentOutcome, RunReport
from pipeline.run.stages import Stages, build_stages
from pipeline.stages.enrich import document_id
from pipeline.stages.extract import discover

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


def transform(doc: Document, stages: Stages | None = None) -> Document:
    """clean -> language -> enrich on one extracted document (stages from config/ by default)."""
    if stages is None:
        from pipeline.config import load_settings

        stages = build_stages(load_settings().run)
    return stages.transform(doc)


def start_run(es: Any, settings: Settings, *, source_dir: Path | None = None, alias: str | None = None,
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
    dedup_step.prepare(es, alias, full_refresh=full_refresh)
    ctx = RunContext(
        run_id=safe_run_id(run_id) if run_id else new_run_id(), source_dir=str(source), alias=alias,
        index=index or target.index, started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        run=settings.run, full_refresh=full_refresh, sync_deletes=sync_deletes, runs_dir=str(runs) if runs else None,
        encoding=encoding,
        source_name=name, fingerprint=processing_fingerprint(settings.run),
    )
    record_source(es, alias, name, source, ctx.run_id, support=settings.support_indices)
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


def _same_bytes(path: Path, sha256: str, max_bytes: int) -> bool:
    """Whether a plain file's bytes hash to ``sha256``: the incremental check, without decoding.
    Symlinks, non-files and oversized files take the full ``read_document`` path (and its checks)."""
    import hashlib

    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > max_bytes:
            return False
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read(max_bytes + 1)).hexdigest() == sha256
    except OSError:
        return False


def process_batch(batch: int, ctx: RunContext, es: Any, *, defer: Executor | None = None) -> BatchReport:
    """Extract, transform and load batch ``batch`` (a manifest in the run folder); ``defer``: see
    ``process_files``."""
    from pipeline.run.manifest import read_manifest

    source, paths = read_manifest(ctx, batch)
    return process_files(source, paths, ctx, es, defer=defer)


def process_files(source: str, paths: Sequence[str], ctx: RunContext, es: Any, *,
                  defer: Executor | None = None) -> BatchReport:
    """Extract, transform and load files of ``source``; returns what happened to each file.

    Files whose bytes and processing fingerprint match what the index already holds are
    ``unchanged``: hashed, not cleaned or re-indexed (``full_refresh`` forces it). Same bytes
    under another fingerprint (rules, code or libraries changed) are ``reprocessed``.
    Documents Elasticsearch rejects go to the dead-letter with the reason.

    Streaming: one file is read and transformed at a time and handed to a loader thread
    that bulk-loads small chunks while the next files are transformed, so memory holds a
    few chunks, never the batch's raw bytes.

    The near-duplicate step runs once the batch is loaded: here, or, given ``defer`` (a
    one-process pool set up by ``pipeline.run.overlap``), in that process while the caller goes
    on with the next batch; the report's ``pending`` then holds it until ``settled()``.
    """
    from pipeline.elastic.bulk import indexed_fingerprints

    root = Path(ctx.sources[source])
    stages = build_stages(ctx.run, root, ctx.encoding)
    fingerprint = processing_fingerprint(ctx.run)
    timings: Counter[str] = Counter()
    started = time.perf_counter()
    # _id comes from (source name, relative path) alone, so the index is asked once for the whole batch.
    ids = {rel: document_id(source, rel) for rel in paths}
    known = indexed_fingerprints(es, ctx.index, list(dict.fromkeys(ids.values())))
    timings["extract"] += time.perf_counter() - started

    # None when grouping is off (config/dedup.yaml); with ``defer`` it fingerprints in the worker
    dedup = dedup_step.BatchDedup.start(later=defer is not None)
    ungrouped = dedup_step.ungrouped(es, ctx.alias, known) if dedup is not None else set()
    outcomes: list[DocumentOutcome] = []
    loader: Loader | None = None
    try:
        for rel in paths:
            started = time.perf_counter()
            indexed = known.get(ids[rel])
            if (not ctx.full_refresh and indexed is not None and indexed[1] == fingerprint
                    and ids[rel] not in ungrouped and _same_bytes(root / rel, indexed[0], ctx.run.max_file_bytes)):
                # identical bytes already indexed: hashed, not decoded, cleaned or re-indexed
                outcomes.append(DocumentOutcome(source=rel, id=ids[rel], status="unchanged"))
                timings["extract"] += time.perf_counter() - started
                continue
            doc = stages.extract.new_document(root / rel, source=rel)
            doc.id, doc.source_id, doc.source_relpath = ids[rel], source, Path(rel).as_posix()
            doc = stages.extract(doc)
            if (not ctx.full_refresh and not doc.failed and known.get(doc.id) == (doc.file_sha256, fingerprint)
                    and doc.id not in ungrouped):
                outcomes.append(DocumentOutcome(source=doc.source, id=doc.id, status="unchanged"))
                continue
            change = "new"
            if not doc.failed and doc.id in known:
                change = "reprocessed" if known[doc.id][0] == doc.file_sha256 else "changed"
            doc = stages.transform(doc)
            doc.raw_text = ""  # never indexed; the markup is the biggest thing a document holds
            if doc.failed:
                outcomes.append(outcome_of(doc, change))
                continue
            if dedup is not None:
                started = time.perf_counter()
                doc = dedup.observe(doc)
                timings["dedup"] += time.perf_counter() - started
            if loader is None:
                loader = Loader(es, ctx, timings)
            loader.add(doc, change)
    except BaseException:
        if loader is not None:
            loader.abort()
        raise
    if loader is not None:
        outcomes.extend(loader.close())
    outcomes.sort(key=lambda o: o.source)
    timings.update(stages.timings())
    report = BatchReport(outcomes, {k: round(v, 4) for k, v in timings.items()}, stages.counters())
    if ungrouped:
        report.counters["dedup/ungrouped"] = len(ungrouped)  # indexed, never grouped: processed again
    if dedup is not None and defer is not None:
        report.pending = defer.submit(_group_copies, dedup, None, ctx, outcomes)
    elif dedup is not None:
        report.add_grouping(*_group_copies(dedup, es, ctx, outcomes))
    return report


def _group_copies(dedup: dedup_step.BatchDedup, es: Any | None, ctx: RunContext,
                  outcomes: Sequence[DocumentOutcome]) -> tuple[dict[str, int], float]:
    """The batch's grouping, here (``es``) or in a worker process (its own client)."""
    from pipeline.run.worker import worker_client

    started = time.perf_counter()
    counters = dedup.finish(es if es is not None else worker_client(), ctx, outcomes)
    return counters, time.perf_counter() - started


def present_in_source(root: Path, relpath: str) -> bool:
    """Whether the run would still read ``relpath`` below ``root`` (exists, no hidden component)."""
    parts = Path(relpath).parts
    return bool(parts) and not any(p.startswith(".") for p in parts) and os.path.lexists(root / relpath)


def gone_documents(indexed: Iterable[tuple[str, str]], present: Callable[[str], bool]) -> Iterator[tuple[str, str]]:
    """``(id, relpath)`` of the indexed documents whose file is gone: a stream, nothing kept."""
    for doc_id, rel in indexed:
        if not present(rel):
            yield doc_id, rel


def sync_deletes(es: Any, ctx: RunContext) -> BatchReport:
    """Delete the documents of this run's source whose file disappeared (other sources are not
    touched). Streams: the index is scrolled and each file checked on disk, no map of the folder."""
    from pipeline.elastic.bulk import delete_documents, indexed_source_documents

    started = time.perf_counter()
    root = Path(ctx.source_dir)
    outcomes: list[DocumentOutcome] = []

    def doomed() -> Iterator[str]:
        indexed = indexed_source_documents(es, ctx.alias, ctx.source_name)
        for doc_id, rel in gone_documents(indexed, lambda rel: present_in_source(root, rel)):
            outcomes.append(DocumentOutcome(source=rel, id=doc_id, status="deleted"))  # grows with deletions only
            yield doc_id

    # The bulk helper takes ids in chunks of 500 while the scroll goes on: a scroll reads the
    # snapshot taken when it opened, so deleting meanwhile neither skips nor repeats a document.
    delete_documents(es, ctx.alias, doomed())
    counters = dedup_step.after_deletes(es, ctx.alias, ctx.index, sorted(o.id for o in outcomes))
    outcomes.sort(key=lambda o: o.source)
    return BatchReport(outcomes, {"delete": round(time.perf_counter() - started, 4)}, counters)


def finish_run(ctx: RunContext, batches: Iterable[BatchReport], es: Any | None = None) -> RunReport:
    """Merge batch reports, write ``<runs_dir>/<run_id>/report.json``, record the run in
    ``etl-runs`` and refresh the index so the documents are searchable."""
    from pipeline.elastic.indices import RUNS_INDEX

    report = RunReport(run_id=ctx.run_id, source_dir=ctx.source_dir, alias=ctx.alias, index=ctx.index,
                       started_at=ctx.started_at, max_failure_ratio=ctx.run.max_failure_ratio,
                       fingerprint=ctx.fingerprint, source_name=ctx.source_name)
    for batch in batches:
        report.add(batch)
    if es is not None:  # groups that met in concurrent batches or runs end as one (dedup_step)
        started = time.perf_counter()
        report.counters.update(dedup_step.reconcile(es, ctx, (d.id for d in report.documents
                                                             if d.status == "indexed")))
        report.timings["dedup"] = round(report.timings.get("dedup", 0.0) + time.perf_counter() - started, 4)
    report.documents.sort(key=lambda d: d.source)
    report.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    folder = ctx.run_folder
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    if es is not None:
        from pipeline.elastic.client import RetryPolicy, retrying

        # The documents are already in: a node restart now must not fail the whole run.
        retrying(lambda: es.indices.refresh(index=ctx.index), "refresh", retry=RetryPolicy())
        record = report.to_run_record()
        retrying(lambda: es.index(index=RUNS_INDEX, id=report.run_id, document=record, refresh="wait_for"),
                 "recording the run", retry=RetryPolicy())
    return report


def enforce_failure_ratio(report: RunReport, max_failure_ratio: float) -> None:
    """Fail loudly (after the report is written) when too many documents failed."""
    if report.failure_ratio > max_failure_ratio:
        raise RunFailed(f"{report.failed} of {report.indexed + report.failed} processed documents failed "
                        f"({report.failure_ratio:.0%} > max_failure_ratio {max_failure_ratio:.0%})")
