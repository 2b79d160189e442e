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
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .clean import clean
from .document import Document
from . import PIPELINE_VERSION
from .enrich import document_id, enrich
from .extract import discover, read_document
from .language import detect_language

log = logging.getLogger(__name__)

Stage = Callable[[Document], Document]
# Order matters: each stage reads what the previous one wrote.
TRANSFORM_STAGES: tuple[tuple[str, Stage], ...] = (("clean", clean), ("language", detect_language))


def plan_batches(source_dir: Path, batch_size: int) -> list[list[str]]:
    """Paths (relative to ``source_dir``) in stable batches: small JSON for Airflow XCom."""
    root = Path(source_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"source folder does not exist: {root}")
    paths = [str(p.relative_to(root)) for p in discover(root)]
    return [paths[i:i + batch_size] for i in range(0, len(paths), batch_size)]


def transform(doc: Document, timings: Counter[str] | None = None) -> Document:
    """clean -> detect_language -> enrich. A stage that blows up marks the document, not the batch."""
    timings = timings if timings is not None else Counter()
    for name, stage in (*TRANSFORM_STAGES, ("enrich", enrich)):
        if doc.failed and name != "enrich":  # enrich still gives failed documents their id
            continue
        started = time.perf_counter()
        try:
            doc = stage(doc)
        except Exception as exc:  # noqa: BLE001 - reported per document, with the type
            log.exception("stage %s failed on %s", name, doc.source)
            doc.add_error(name, f"unexpected {type(exc).__name__}: {exc}")
        timings[name] += time.perf_counter() - started
    return doc


@dataclass
class DocumentOutcome:
    source: str
    id: str
    status: str  # "indexed", "unchanged" (identical bytes already indexed), "failed" or "deleted"
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str | None = None
    language: str | None = None
    change: str | None = None  # for processed files: "new" or "changed"

    @property
    def failed_stage(self) -> str | None:
        return self.errors[0].split(":", 1)[0] if self.errors else None


@dataclass
class BatchReport:
    documents: list[DocumentOutcome] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BatchReport":
        return cls([DocumentOutcome(**d) for d in data.get("documents", [])], dict(data.get("timings", {})))


@dataclass
class RunContext:
    """What every batch of one run needs to know; JSON-safe so Airflow tasks can share it."""

    run_id: str
    source_dir: str
    alias: str
    index: str
    started_at: str
    full_refresh: bool = False
    max_file_bytes: int = 20_000_000
    runs_dir: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunContext":
        return cls(**data)

    @property
    def run_folder(self) -> Path | None:
        return Path(self.runs_dir) / self.run_id if self.runs_dir else None


class RunFailed(RuntimeError):
    """Too many documents failed: the run is reported, then fails loudly."""


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def start_run(es: Any, settings: Any, *, source_dir: Path | None = None, alias: str | None = None,
              full_refresh: bool = False, run_id: str | None = None, index: str | None = None,
              runs_dir: Path | None = None) -> RunContext:
    """Prepare the index (template, alias) and name the run. ``index`` targets a specific
    physical index instead of the alias's (the reindex job builds a new one)."""
    from .indices import prepare_index

    source = Path(source_dir or settings.source_dir).resolve()
    if not source.is_dir():
        raise FileNotFoundError(f"source folder does not exist: {source}")
    alias = alias or settings.index_alias
    target = prepare_index(es, alias, shards=settings.number_of_shards, replicas=settings.number_of_replicas)
    runs = runs_dir if runs_dir is not None else settings.runs_dir
    return RunContext(
        run_id=safe_run_id(run_id) if run_id else new_run_id(), source_dir=str(source), alias=alias,
        index=index or target.index, started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        full_refresh=full_refresh, max_file_bytes=settings.max_file_bytes, runs_dir=str(runs) if runs else None,
    )


def safe_run_id(run_id: str) -> str:
    """Airflow run ids (``manual__2026-01-01T00:00:00+00:00``) as folder names."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)


# Documents go to Elasticsearch in chunks of this many from a loader thread, while the
# next ones are transformed: loading overlaps transformation, and at most
# LOAD_QUEUE_CHUNKS + 1 chunks of transformed documents are in memory per batch.
LOAD_CHUNK_DOCS = 50
LOAD_CHUNK_CHARS = 5_000_000
LOAD_QUEUE_CHUNKS = 2


class _Loader:
    """Bulk-loads chunks of transformed documents in a background thread.

    The thread mostly waits on Elasticsearch (the GIL is released during network I/O), so
    the calling thread keeps transforming. Rejected documents get a ``load`` error and go to
    the dead-letter, as before; an exception (``ClusterUnavailable``) is re-raised in the
    calling thread at the next ``add`` or at ``close``.
    """

    def __init__(self, es: Any, ctx: RunContext, timings: Counter[str]) -> None:
        import queue
        import threading

        self.es, self.ctx, self.timings = es, ctx, timings
        self.outcomes: list[DocumentOutcome] = []
        self.error: BaseException | None = None
        self._aborted = False
        self._chunk: list[tuple[Document, str]] = []
        self._chars = 0
        self._queue: queue.Queue[list[tuple[Document, str]] | None] = queue.Queue(maxsize=LOAD_QUEUE_CHUNKS)
        self._thread = threading.Thread(target=self._work, name="bulk-loader", daemon=True)
        self._thread.start()

    def add(self, doc: Document, change: str) -> None:
        if self.error is not None:
            self._raise()
        self._chunk.append((doc, change))
        self._chars += len(doc.body) + sum(map(len, doc.captions))
        if len(self._chunk) >= LOAD_CHUNK_DOCS or self._chars >= LOAD_CHUNK_CHARS:
            self._put(self._chunk)
            self._chunk, self._chars = [], 0

    def close(self) -> list[DocumentOutcome]:
        """Load what is left, wait for the thread; the outcomes of every loaded document."""
        if self._chunk and self.error is None:
            self._put(self._chunk)
            self._chunk = []
        self._put(None)
        self._thread.join()
        if self.error is not None:
            self._raise()
        return self.outcomes

    def abort(self) -> None:
        """The caller is failing: load nothing more, let the thread end."""
        self._aborted = True
        self._put(None)
        self._thread.join()

    def _put(self, item: list[tuple[Document, str]] | None) -> None:
        import queue

        while True:  # a dead loader thread must not leave us blocked on a full queue
            try:
                self._queue.put(item, timeout=0.5)
                break
            except queue.Full:
                if not self._thread.is_alive():
                    break

    def _raise(self) -> None:
        raise self.error  # type: ignore[misc]

    def _work(self) -> None:
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            if self.error is not None or self._aborted:
                continue  # drain: the caller is about to raise
            try:
                self._load(chunk)
            except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
                self.error = exc

    def _load(self, chunk: list[tuple[Document, str]]) -> None:
        from .indices import deadletter_index
        from .load import bulk_load, deadletter_record, write_deadletter

        ctx = self.ctx
        started = time.perf_counter()
        result = bulk_load(self.es, ctx.index, [doc for doc, _ in chunk])
        self.timings["load"] += time.perf_counter() - started
        rejected = {f.id: f.reason for f in result.failures}
        dead = []
        for doc, _ in chunk:
            if doc.id in rejected:
                doc.add_error("load", rejected[doc.id])
                dead.append(deadletter_record(doc, rejected[doc.id], run_id=ctx.run_id, index=ctx.index))
        if dead:
            folder = ctx.run_folder
            write_deadletter(self.es, deadletter_index(ctx.alias), folder / "deadletter.jsonl" if folder else None,
                             dead)
        self.outcomes.extend(_outcome(doc, change) for doc, change in chunk)


def _outcome(doc: Document, change: str) -> DocumentOutcome:
    return DocumentOutcome(
        source=doc.source, id=doc.id, status="failed" if doc.failed else "indexed", errors=list(doc.errors),
        warnings=list(doc.warnings), title=doc.title, language=doc.language, change=None if doc.failed else change)


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
    from .load import indexed_fingerprints

    root = Path(ctx.source_dir)
    timings: Counter[str] = Counter()
    started = time.perf_counter()
    # _id comes from the absolute path alone, so the index is asked once for the whole batch.
    ids = {rel: document_id(str(Path(os.path.abspath(root / rel)))) for rel in paths}
    known = indexed_fingerprints(es, ctx.index, list(dict.fromkeys(ids.values())))
    timings["extract"] += time.perf_counter() - started

    outcomes: list[DocumentOutcome] = []
    loader: _Loader | None = None
    try:
        for rel in paths:
            started = time.perf_counter()
            indexed = known.get(ids[rel])
            if (not ctx.full_refresh and indexed is not None and indexed[1] == PIPELINE_VERSION
                    and _same_bytes(root / rel, indexed[0], ctx.max_file_bytes)):
                # identical bytes already indexed: hashed, not decoded, cleaned or re-indexed
                outcomes.append(DocumentOutcome(source=rel, id=ids[rel], status="unchanged"))
                timings["extract"] += time.perf_counter() - started
                continue
            doc = read_document(root / rel, source_root=root, max_bytes=ctx.max_file_bytes, source=rel)
            doc.id = document_id(doc.source_path)
            timings["extract"] += time.perf_counter() - started
            if not ctx.full_refresh and not doc.failed and known.get(doc.id) == (doc.file_sha256, PIPELINE_VERSION):
                outcomes.append(DocumentOutcome(source=doc.source, id=doc.id, status="unchanged"))
                continue
            change = "changed" if not doc.failed and doc.id in known else "new"
            doc = transform(doc, timings)
            doc.raw_text = ""  # never indexed; the markup is the biggest thing a document holds
            if doc.failed:
                outcomes.append(_outcome(doc, change))
                continue
            if loader is None:
                loader = _Loader(es, ctx, timings)
            loader.add(doc, change)
    except BaseException:
        if loader is not None:
            loader.abort()
        raise
    if loader is not None:
        outcomes.extend(loader.close())
    outcomes.sort(key=lambda o: o.source)
    return BatchReport(outcomes, {k: round(v, 4) for k, v in timings.items()})


def sync_deletes(es: Any, ctx: RunContext, seen_sources: Iterable[str]) -> BatchReport:
    """Delete documents whose source file disappeared from the source folder."""
    from .load import delete_documents, indexed_source_paths

    started = time.perf_counter()
    root = Path(ctx.source_dir)
    present = {document_id(str(root / rel)) for rel in seen_sources}
    indexed = indexed_source_paths(es, ctx.alias, root)
    gone = {doc_id: path for doc_id, path in indexed.items() if doc_id not in present}
    delete_documents(es, ctx.alias, gone)
    outcomes = [DocumentOutcome(source=str(Path(path).relative_to(root)) if path.startswith(str(root)) else path,
                                id=doc_id, status="deleted") for doc_id, path in sorted(gone.items())]
    return BatchReport(outcomes, {"delete": round(time.perf_counter() - started, 4)})


@dataclass
class RunReport:
    run_id: str
    source_dir: str
    alias: str
    index: str
    started_at: str
    finished_at: str | None = None
    documents: list[DocumentOutcome] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def _count(self, status: str) -> int:
        return sum(1 for d in self.documents if d.status == status)

    @property
    def seen(self) -> int:
        """Files found in the source folder this run (deleted ones are, by definition, not)."""
        return sum(1 for d in self.documents if d.status != "deleted")

    @property
    def indexed(self) -> int:
        return self._count("indexed")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def deleted(self) -> int:
        return self._count("deleted")

    @property
    def cleaned(self) -> int:
        """Files processed through extract and clean this run (they may still fail later)."""
        return sum(1 for d in self.documents
                   if d.status in {"indexed", "failed"} and d.failed_stage not in {"extract", "clean"})

    @property
    def failure_ratio(self) -> float:
        processed = self.indexed + self.failed
        return self.failed / processed if processed else 0.0

    def add(self, batch: BatchReport) -> None:
        self.documents.extend(batch.documents)
        for stage, seconds in batch.timings.items():
            self.timings[stage] = round(self.timings.get(stage, 0.0) + seconds, 4)

    def counts(self) -> dict[str, int]:
        return {
            "seen": self.seen, "new": sum(1 for d in self.documents if d.change == "new"),
            "changed": sum(1 for d in self.documents if d.change == "changed"), "unchanged": self.unchanged,
            "deleted": self.deleted, "cleaned": self.cleaned, "failed": self.failed, "indexed": self.indexed,
        }

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = self.counts()
        return data

    def to_run_record(self) -> dict[str, Any]:
        """The ``etl-runs`` document (see config/etl_runs_template.json)."""
        counts = self.counts()
        started = datetime.fromisoformat(self.started_at)
        finished = datetime.fromisoformat(self.finished_at) if self.finished_at else started
        return {
            "run_id": self.run_id, "status": "failed" if self.failed else "success",
            "source_dir": self.source_dir, "alias": self.alias, "index": self.index,
            "pipeline_version": PIPELINE_VERSION, "started_at": self.started_at, "finished_at": self.finished_at,
            "duration_seconds": round((finished - started).total_seconds(), 3),
            **{k: counts[k] for k in ("seen", "new", "changed", "unchanged", "deleted", "failed", "indexed")},
            "timings": dict(self.timings),
            "failures": [{"source": d.source, "stage": d.failed_stage, "reason": "; ".join(d.errors)}
                         for d in self.documents if d.status == "failed"],
        }

    def render_text(self) -> str:
        lines = [
            f"run {self.run_id}: {self.source_dir} -> {self.alias} ({self.index})",
            "  " + "  ".join(f"{k}={v}" for k, v in self.counts().items()),
            "  timings (s): " + ", ".join(f"{k}={v:.3f}" for k, v in sorted(self.timings.items())),
        ]
        for d in self.documents:
            if d.status == "failed":
                lines.append(f"  FAILED {d.source}: {'; '.join(d.errors)}")
            elif d.status == "deleted":
                lines.append(f"  deleted {d.source}")
            for warning in d.warnings:
                lines.append(f"  warning {d.source}: {warning}")
        return "\n".join(lines)


def finish_run(ctx: RunContext, batches: Iterable[BatchReport], es: Any | None = None) -> RunReport:
    """Merge batch reports, write ``<runs_dir>/<run_id>/report.json``, record the run in
    ``etl-runs`` and refresh the index so the documents are searchable."""
    from .indices import RUNS_INDEX

    report = RunReport(run_id=ctx.run_id, source_dir=ctx.source_dir, alias=ctx.alias, index=ctx.index,
                       started_at=ctx.started_at)
    for batch in batches:
        report.add(batch)
    report.documents.sort(key=lambda d: d.source)
    report.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    folder = ctx.run_folder
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    if es is not None:
        from .load import RetryPolicy, retrying

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


def run_pipeline(settings: Any, *, es: Any, source_dir: Path | None = None, alias: str | None = None,
                 runs_dir: Path | None = None, full_refresh: bool = False, delete_missing: bool = False,
                 index: str | None = None, workers: int = 1, es_connection: Any | None = None) -> RunReport:
    """The whole ingestion in-process: what the DAG does, without Airflow.

    ``workers`` > 1 processes batches in that many worker processes (each with its own
    Elasticsearch client, from ``es_connection``, default ``settings.es``); batch reports
    stream into the run report as they finish, with a bounded number of batches in flight.
    """
    ctx = start_run(es, settings, source_dir=source_dir, alias=alias, full_refresh=full_refresh,
                    runs_dir=runs_dir, index=index)
    batches = plan_batches(Path(ctx.source_dir), settings.batch_size)
    if workers > 1 and len(batches) > 1:
        reports: Iterable[BatchReport] = process_batches_parallel(
            batches, ctx, es_connection if es_connection is not None else settings.es, workers)
    else:
        reports = (process_batch(batch, ctx, es) for batch in batches)

    def all_reports() -> Iterator[BatchReport]:
        yield from reports
        if delete_missing:
            yield sync_deletes(es, ctx, (rel for batch in batches for rel in batch))

    return finish_run(ctx, all_reports(), es)


_WORKER_ES: Any = None


def _init_worker(conn: Any) -> None:
    global _WORKER_ES
    from .load import make_client

    logging.getLogger("elastic_transport").setLevel(logging.ERROR)
    _WORKER_ES = make_client(conn)


def _process_in_worker(batch: Sequence[str], ctx: RunContext) -> BatchReport:
    return process_batch(batch, ctx, _WORKER_ES)


def process_batches_parallel(batches: Iterable[Sequence[str]], ctx: RunContext, es_connection: Any,
                             workers: int) -> Iterator[BatchReport]:
    """``process_batch`` over ``batches`` in a pool of ``workers`` processes, reports in batch order.

    Processes, not threads: cleaning and language detection are CPU-bound Python. Workers
    are spawned (no inherited sockets or locks) and build their own client from
    ``es_connection``. At most ``2 * workers`` batches are queued, so nothing grows with the
    corpus but the (small) per-document outcomes.
    """
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    pending: deque[Any] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(es_connection,)) as pool:
        try:
            for batch in batches:
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
                pending.append(pool.submit(_process_in_worker, list(batch), ctx))
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def load_report(runs_dir: Path, run_id: str | None = None) -> RunReport:
    """A written run report: ``run_id``'s, or the most recently finished one."""
    runs_dir = Path(runs_dir)
    if run_id:
        path = runs_dir / run_id / "report.json"
    else:
        candidates = sorted(runs_dir.glob("*/report.json"), key=lambda p: p.stat().st_mtime)
        if not candidates:
            raise FileNotFoundError(f"no run reports under {runs_dir}")
        path = candidates[-1]
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("counts", None)
    data["documents"] = [DocumentOutcome(**d) for d in data.get("documents", [])]
    return RunReport(**data)
