"""Run the stages over a source folder in batches, and account for every file in a report.

The same functions serve ``python -m pipeline run`` and the Airflow DAG: ``start_run``
prepares the index and names the run, ``plan_batches`` splits the folder,
``process_batch`` takes one batch from bytes to indexed documents, ``sync_deletes`` removes
documents whose file is gone, ``finish_run`` adds the batch reports up and records the run.
A document that fails any stage is kept in the report with its reason; the others carry on.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline import PIPELINE_VERSION
from pipeline.config import Settings
from pipeline.document import Document
from pipeline.errors import RunFailed, SourceMissing
from pipeline.run import dedup_step
from pipeline.run.context import RunContext, new_run_id, safe_run_id
from pipeline.run.loader import Loader, outcome_of
from pipeline.run.report import BatchReport, DocumentOutcome, RunReport
from pipeline.run.stages import Stages, build_stages
from pipeline.stages.enrich import document_id
from pipeline.stages.extract import discover

log = logging.getLogger(__name__)

def plan_batches(source_dir: Path, batch_size: int) -> list[list[str]]:
    """Paths (relative to ``source_dir``) in stable batches: small JSON for Airflow XCom."""
    root = Path(source_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"source folder does not exist: {root}")
    paths = [str(p.relative_to(root)) for p in discover(root)]
    return [paths[i:i + batch_size] for i in range(0, len(paths), batch_size)]


def transform(doc: Document, stages: Stages | None = None) -> Document:
    """clean -> language -> enrich on one extracted document (stages from config/ by default)."""
    if stages is None:
        from pipeline.config import load_settings

        stages = build_stages(load_settings().run)
    return stages.transform(doc)


def start_run(es: Any, settings: Settings, *, source_dir: Path | None = None, alias: str | None = None,
              full_refresh: bool = False, run_id: str | None = None, index: str | None = None,
              runs_dir: Path | None = None, sync_deletes: bool = False, encoding: str | None = None) -> RunContext:
    """Prepare the index (template, alias) and name the run. ``index`` targets a specific
    physical index instead of the alias's (the reindex job builds a new one)."""
    from pipeline.elastic.indices import prepare_index

    source = Path(source_dir or settings.source_dir).resolve()
    if not source.is_dir():
        raise SourceMissing(f"source folder does not exist: {source}")
    alias = alias or settings.index_alias
    target = prepare_index(es, alias, shards=settings.number_of_shards, replicas=settings.number_of_replicas)
    runs = runs_dir if runs_dir is not None else settings.runs_dir
    dedup_step.prepare(es, alias, full_refresh=full_refresh)
    return RunContext(
        run_id=safe_run_id(run_id) if run_id else new_run_id(), source_dir=str(source), alias=alias,
        index=index or target.index, started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        run=settings.run, full_refresh=full_refresh, sync_deletes=sync_deletes, runs_dir=str(runs) if runs else None,
        encoding=encoding,
    )


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


def process_batch(paths: Sequence[str], ctx: RunContext, es: Any) -> BatchReport:
    """Extract, transform and load one batch; returns what happened to each file.

    Files whose bytes and pipeline version match what the index already holds are
    ``unchanged``: hashed, not cleaned or re-indexed (``full_refresh`` forces it).
    Documents Elasticsearch rejects go to the dead-letter with the reason.

    Streaming: one file is read and transformed at a time and handed to a loader thread
    that bulk-loads small chunks while the next files are transformed, so memory holds a
    few chunks, never the batch's raw bytes.
    """
    from pipeline.elastic.bulk import indexed_fingerprints

    root = Path(ctx.source_dir)
    stages = build_stages(ctx.run, root, ctx.encoding)
    timings: Counter[str] = Counter()
    started = time.perf_counter()
    # _id comes from the absolute path alone, so the index is asked once for the whole batch.
    ids = {rel: document_id(str(Path(os.path.abspath(root / rel)))) for rel in paths}
    known = indexed_fingerprints(es, ctx.index, list(dict.fromkeys(ids.values())))
    timings["extract"] += time.perf_counter() - started

    outcomes: list[DocumentOutcome] = []
    loader: Loader | None = None
    dedup = dedup_step.BatchDedup.start()  # None when grouping is off (config/dedup.yaml)
    try:
        for rel in paths:
            started = time.perf_counter()
            indexed = known.get(ids[rel])
            if (not ctx.full_refresh and indexed is not None and indexed[1] == PIPELINE_VERSION
                    and _same_bytes(root / rel, indexed[0], ctx.run.max_file_bytes)):
                # identical bytes already indexed: hashed, not decoded, cleaned or re-indexed
                outcomes.append(DocumentOutcome(source=rel, id=ids[rel], status="unchanged"))
                timings["extract"] += time.perf_counter() - started
                continue
            doc = stages.extract.new_document(root / rel, source=rel)
            doc.id = document_id(doc.source_path)
            doc = stages.extract(doc)
            if not ctx.full_refresh and not doc.failed and known.get(doc.id) == (doc.file_sha256, PIPELINE_VERSION):
                outcomes.append(DocumentOutcome(source=doc.source, id=doc.id, status="unchanged"))
                continue
            change = "changed" if not doc.failed and doc.id in known else "new"
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
    counters: dict[str, int] = {}
    if dedup is not None:
        started = time.perf_counter()
        counters = dedup.finish(es, ctx, outcomes)
        timings["dedup"] += time.perf_counter() - started
    outcomes.sort(key=lambda o: o.source)
    timings.update(stages.timings())
    counters.update(stages.counters())
    return BatchReport(outcomes, {k: round(v, 4) for k, v in timings.items()}, counters)


def sync_deletes(es: Any, ctx: RunContext, seen_sources: Iterable[str]) -> BatchReport:
    """Delete documents whose source file disappeared from the source folder."""
    from pipeline.elastic.bulk import delete_documents, indexed_source_paths

    started = time.perf_counter()
    root = Path(ctx.source_dir)
    present = {document_id(str(root / rel)) for rel in seen_sources}
    indexed = indexed_source_paths(es, ctx.alias, root)
    gone = {doc_id: path for doc_id, path in indexed.items() if doc_id not in present}
    delete_documents(es, ctx.alias, gone)
    counters = dedup_step.after_deletes(es, ctx.alias, ctx.index, sorted(gone))
    outcomes = [DocumentOutcome(source=str(Path(path).relative_to(root)) if path.startswith(str(root)) else path,
                                id=doc_id, status="deleted") for doc_id, path in sorted(gone.items())]
    return BatchReport(outcomes, {"delete": round(time.perf_counter() - started, 4)}, counters)


def finish_run(ctx: RunContext, batches: Iterable[BatchReport], es: Any | None = None) -> RunReport:
    """Merge batch reports, write ``<runs_dir>/<run_id>/report.json``, record the run in
    ``etl-runs`` and refresh the index so the documents are searchable."""
    from pipeline.elastic.indices import RUNS_INDEX

    report = RunReport(run_id=ctx.run_id, source_dir=ctx.source_dir, alias=ctx.alias, index=ctx.index,
                       started_at=ctx.started_at, max_failure_ratio=ctx.run.max_failure_ratio)
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
