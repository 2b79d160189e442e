"""Run the stages over a source folder in batches, and account for every file in a report.

The same functions serve ``python -m pipeline run`` and the Airflow DAG: ``plan_batches``
splits the folder, ``process_batch`` takes one batch from bytes to indexed documents,
``RunReport.merge`` adds the batch reports up. A document that fails any stage is kept in
the report with its reason; the others in the batch carry on.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
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
    status: str  # "indexed", "unchanged" (already indexed from identical bytes) or "failed"
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str | None = None
    language: str | None = None

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


def process_batch(paths: Sequence[str], *, source_root: Path, es: Any, index: str,
                  max_file_bytes: int = 20_000_000, full_refresh: bool = False) -> BatchReport:
    """Extract, transform and load one batch; returns what happened to each file.

    Files whose bytes and pipeline version match what the index already holds are
    ``unchanged``: they are hashed, not cleaned or re-indexed (``full_refresh`` forces it).
    """
    from .load import bulk_load, indexed_fingerprints  # here so transform-only users need no ES client

    timings: Counter[str] = Counter()
    started = time.perf_counter()
    extracted = [read_document(Path(source_root) / rel, source_root=Path(source_root),
                               max_bytes=max_file_bytes, source=rel) for rel in paths]
    for doc in extracted:
        doc.id = document_id(doc.source_path)
    known = {} if full_refresh else indexed_fingerprints(es, index, [d.id for d in extracted if not d.failed])
    timings["extract"] += time.perf_counter() - started
    docs: list[Document] = []
    unchanged: list[Document] = []
    for doc in extracted:
        if not doc.failed and known.get(doc.id) == (doc.file_sha256, PIPELINE_VERSION):
            unchanged.append(doc)
        else:
            docs.append(transform(doc, timings))
    loadable = [d for d in docs if not d.failed]
    if loadable:
        started = time.perf_counter()
        result = bulk_load(es, index, loadable)
        timings["load"] += time.perf_counter() - started
        failed_ids = {f.id: f.reason for f in result.failures}
        for doc in loadable:
            if doc.id in failed_ids:
                doc.add_error("load", failed_ids[doc.id])
    outcomes = [
        DocumentOutcome(source=d.source, id=d.id, status="failed" if d.failed else "indexed",
                        errors=list(d.errors), warnings=list(d.warnings), title=d.title, language=d.language)
        for d in docs
    ] + [DocumentOutcome(source=d.source, id=d.id, status="unchanged") for d in unchanged]
    outcomes.sort(key=lambda o: o.source)
    return BatchReport(outcomes, {k: round(v, 4) for k, v in timings.items()})


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

    @property
    def seen(self) -> int:
        return len(self.documents)

    @property
    def failed(self) -> int:
        return sum(1 for d in self.documents if d.status == "failed")

    @property
    def indexed(self) -> int:
        return sum(1 for d in self.documents if d.status == "indexed")

    @property
    def unchanged(self) -> int:
        return sum(1 for d in self.documents if d.status == "unchanged")

    @property
    def cleaned(self) -> int:
        """Documents processed through extract and clean this run (they may still fail later)."""
        return sum(1 for d in self.documents
                   if d.status != "unchanged" and d.failed_stage not in {"extract", "clean"})

    def add(self, batch: BatchReport) -> None:
        self.documents.extend(batch.documents)
        for stage, seconds in batch.timings.items():
            self.timings[stage] = round(self.timings.get(stage, 0.0) + seconds, 4)

    def counts(self) -> dict[str, int]:
        return {"seen": self.seen, "unchanged": self.unchanged, "cleaned": self.cleaned, "failed": self.failed,
                "indexed": self.indexed}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = self.counts()
        return data

    def render_text(self) -> str:
        lines = [
            f"run {self.run_id}: {self.source_dir} -> {self.alias} ({self.index})",
            "  " + "  ".join(f"{k}={v}" for k, v in self.counts().items()),
            "  timings (s): " + ", ".join(f"{k}={v:.3f}" for k, v in sorted(self.timings.items())),
        ]
        for d in self.documents:
            if d.status == "failed":
                lines.append(f"  FAILED {d.source}: {'; '.join(d.errors)}")
            for warning in d.warnings:
                lines.append(f"  warning {d.source}: {warning}")
        return "\n".join(lines)


def new_run_report(source_dir: Path, alias: str, index: str, run_id: str | None = None) -> RunReport:
    return RunReport(
        run_id=run_id or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6],
        source_dir=str(source_dir), alias=alias, index=index,
        started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def finish_run(report: RunReport, batches: Iterable[BatchReport], runs_dir: Path | None) -> RunReport:
    """Merge batch reports, stamp the end time and write ``<runs_dir>/<run_id>/report.json``."""
    for batch in batches:
        report.add(batch)
    report.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if runs_dir is not None:
        folder = Path(runs_dir) / report.run_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    return report


def run_pipeline(settings: Any, *, es: Any, source_dir: Path | None = None, alias: str | None = None,
                 runs_dir: Path | None = None, full_refresh: bool = False) -> RunReport:
    """The whole ingestion in-process: what the DAG does, without Airflow."""
    from .load import prepare_index

    source_dir = Path(source_dir or settings.source_dir).resolve()
    alias = alias or settings.index_alias
    target = prepare_index(es, alias, shards=settings.number_of_shards, replicas=settings.number_of_replicas)
    report = new_run_report(source_dir, alias, target.index)
    batches = (
        process_batch(batch, source_root=source_dir, es=es, index=target.index,
                      max_file_bytes=settings.max_file_bytes, full_refresh=full_refresh)
        for batch in plan_batches(source_dir, settings.batch_size)
    )
    finish_run(report, batches, runs_dir)
    es.indices.refresh(index=alias)
    return report


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
