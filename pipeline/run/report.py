"""The run report: what happened to every file of a run, and how it is shown and kept.

``DocumentOutcome`` is one file's line, ``BatchReport`` one batch's (what a mapped Airflow
task returns), ``RunReport`` the whole run (``runs/<run_id>/report.json`` and the
``etl-runs`` record). Failures are counted by ``stage/code`` so a run can say *why*
documents failed, not only how many.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pipeline import PIPELINE_VERSION
from pipeline.document import Change, Failure, Notice, shown_path

# The etl-runs record keeps this many failures verbatim; the counts by code cover all of them.
RECORD_MAX_FAILURES = 100


class Status(StrEnum):
    INDEXED = "indexed"
    UNCHANGED = "unchanged"  # identical bytes already indexed by the same processing
    FAILED = "failed"
    DELETED = "deleted"


class RunStatus(StrEnum):
    SUCCEEDED = "succeeded"  # every processed document landed
    PARTIAL = "partial"  # some failed, within max_failure_ratio
    FAILED = "failed"  # too many failed, or the run itself could not complete


@dataclass
class DocumentOutcome:
    source: str
    id: str
    status: Status
    errors: list[Failure] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    title: str | None = None
    language: str | None = None
    change: Change | None = None  # for processed files: new, changed or reprocessed (``pipeline.document.Change``)
    encoding: str | None = None  # charset the file was decoded with
    encoding_source: str | None = None  # bom | utf-8 | declared | hint | detected | repaired

    def __post_init__(self) -> None:
        self.source = shown_path(self.source)  # a file name that is not UTF-8 (its document failed in extract)
        self.status = Status(self.status)
        self.errors = [Failure.from_value(e) for e in self.errors]
        self.warnings = [Notice.from_value(w) for w in self.warnings]
        self.change = Change(self.change) if self.change else None

    def to_dict(self) -> dict[str, Any]:
        """``dataclasses.asdict`` of the outcome, without its deep copy of every field (the fields are strings,
        enums and frozen findings): a 10,000-file run's report took 0.21 s in ``asdict``."""
        data = {name: getattr(self, name) for name in _OUTCOME_FIELDS}
        data["errors"] = [asdict(e) for e in self.errors]  # few: most outcomes have none
        data["warnings"] = [asdict(w) for w in self.warnings]
        return data

    @property
    def failed_stage(self) -> str | None:
        return self.errors[0].stage if self.errors else None

    @property
    def failure_code(self) -> str | None:
        return self.errors[0].key if self.errors else None


_OUTCOME_FIELDS = tuple(f.name for f in fields(DocumentOutcome))


@dataclass
class BatchReport:
    documents: list[DocumentOutcome] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)  # "<stage>/<counter>" from the stages
    # work for this batch still running in the background (its near-duplicate step, see
    # ``pipeline.run.overlap``): ``(counters, seconds)`` once done; ``settled`` waits for it
    pending: Future[tuple[dict[str, int], float]] | None = field(default=None, repr=False, compare=False)

    def settled(self) -> "BatchReport":
        """This report with the background work's counters and time added (its error raised)."""
        if self.pending is not None:
            counters, seconds = self.pending.result()
            self.pending = None
            self.add_grouping(counters, seconds)
        return self

    def add_grouping(self, counters: dict[str, int], seconds: float) -> None:
        for name, value in counters.items():
            self.counters[name] = self.counters.get(name, 0) + value
        self.timings["dedup"] = round(self.timings.get("dedup", 0.0) + seconds, 4)

    def to_dict(self) -> dict[str, Any]:
        return {"documents": [d.to_dict() for d in self.settled().documents], "timings": dict(self.timings),
                "counters": dict(self.counters)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BatchReport":
        return cls([DocumentOutcome(**d) for d in data.get("documents", [])], dict(data.get("timings", {})),
                   dict(data.get("counters", {})))


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
    counters: dict[str, int] = field(default_factory=dict)
    max_failure_ratio: float = 1.0
    error: str | None = None  # the run itself failed (e.g. the source folder is missing)
    fingerprint: str = ""  # processing fingerprint the run started with (pipeline/fingerprint.py)
    source_name: str = ""  # the source's name (document ids are hash(source name, relative path))

    def _count(self, status: Status) -> int:
        return sum(1 for d in self.documents if d.status == status)

    @property
    def seen(self) -> int:
        """Files found in the source folder this run (deleted ones are, by definition, not)."""
        return sum(1 for d in self.documents if d.status != Status.DELETED)

    @property
    def indexed(self) -> int:
        return self._count(Status.INDEXED)

    @property
    def failed(self) -> int:
        return self._count(Status.FAILED)

    @property
    def unchanged(self) -> int:
        return self._count(Status.UNCHANGED)

    @property
    def deleted(self) -> int:
        return self._count(Status.DELETED)

    @property
    def cleaned(self) -> int:
        """Files processed through extract and clean this run (they may still fail later)."""
        return sum(1 for d in self.documents if d.status in {Status.INDEXED, Status.FAILED}
                   and d.change != Change.UNCHANGED and d.failed_stage not in {"extract", "clean"})

    @property
    def failed_before(self) -> int:
        """Failed files that failed the same way in an earlier run (unchanged since: not tried again)."""
        return sum(1 for d in self.documents if d.status == Status.FAILED and d.change == Change.UNCHANGED)

    @property
    def failure_ratio(self) -> float:
        """New failures among the documents processed (a file that failed unchanged before is neither: one bad
        file does not fail every later run of its folder)."""
        failed = self.failed - self.failed_before
        processed = self.indexed + failed
        return failed / processed if processed else 0.0

    @property
    def status(self) -> RunStatus:
        if self.error or self.failure_ratio > self.max_failure_ratio:
            return RunStatus.FAILED
        return RunStatus.PARTIAL if self.failed else RunStatus.SUCCEEDED

    def failures_by_code(self) -> dict[str, int]:
        return dict(sorted(Counter(d.failure_code for d in self.documents if d.failure_code).items()))

    def warnings_by_code(self) -> dict[str, int]:
        """Warnings (``Notice``) counted by ``stage/code``, like failures."""
        return dict(sorted(Counter(w.key for d in self.documents for w in d.warnings).items()))

    def add(self, batch: BatchReport) -> None:
        self.documents.extend(batch.documents)
        for stage, seconds in batch.timings.items():
            self.timings[stage] = round(self.timings.get(stage, 0.0) + seconds, 4)
        for name, value in batch.counters.items():
            self.counters[name] = self.counters.get(name, 0) + value

    def counts(self) -> dict[str, int]:
        return {
            "seen": self.seen, **{str(kind): sum(1 for d in self.documents if d.change == kind)
                                  for kind in (Change.NEW, Change.CHANGED, Change.REPROCESSED)},
            "unchanged": self.unchanged,
            "deleted": self.deleted, "cleaned": self.cleaned, "failed": self.failed, "indexed": self.indexed,
        }

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}  # ``asdict``, without its deep copy
        data.update(documents=[d.to_dict() for d in self.documents], timings=dict(self.timings),
                    counters=dict(self.counters))
        data["counts"] = self.counts()
        data["status"] = str(self.status)
        data["failures_by_code"] = self.failures_by_code()
        data["warnings_by_code"] = self.warnings_by_code()
        return data

    def to_run_record(self) -> dict[str, Any]:
        """The ``etl-runs`` document (see config/etl_runs_template.json)."""
        counts = self.counts()
        started = datetime.fromisoformat(self.started_at)
        finished = datetime.fromisoformat(self.finished_at) if self.finished_at else started
        failed = [d for d in self.documents if d.status == Status.FAILED]
        return {
            "run_id": self.run_id, "status": str(self.status), "error": self.error,
            "source_dir": self.source_dir, "alias": self.alias, "index": self.index,
            "pipeline_version": PIPELINE_VERSION, "processing_fingerprint": self.fingerprint or None,
            "source_id": self.source_name or None, "started_at": self.started_at, "finished_at": self.finished_at,
            "duration_seconds": round((finished - started).total_seconds(), 3),
            **{k: counts[k] for k in ("seen", "new", "changed", "reprocessed", "unchanged", "deleted", "failed",
                                      "indexed")},
            "timings": dict(self.timings),
            "failure_counts": [{"code": code, "count": n} for code, n in self.failures_by_code().items()],
            "failures": [{"source": d.source, "stage": d.failed_stage, "code": d.failure_code,
                          "reason": "; ".join(str(e) for e in d.errors)} for d in failed[:RECORD_MAX_FAILURES]],
            "failures_truncated": max(0, len(failed) - RECORD_MAX_FAILURES),
        }

    def render_text(self) -> str:
        lines = [
            f"run {self.run_id}: {self.source_dir} -> {self.alias} ({self.index}): {self.status}",
            "  " + "  ".join(f"{k}={v}" for k, v in self.counts().items()),
            "  timings (s): " + ", ".join(f"{k}={v:.3f}" for k, v in sorted(self.timings.items())),
        ]
        if "dedup/copies" in self.counters:  # near-duplicate grouping (pipeline/run/grouping.py)
            lines.append("  duplicates: " + ", ".join(f"{k}={self.counters.get('dedup/' + k, 0)}" for k in (
                "new_groups", "groups", "copies", "reconciled"))
                         + (f", kept={self.counters['dedup/kept']}" if self.counters.get("dedup/kept") else ""))
        if self.error:
            lines.append(f"  ERROR {self.error}")
        if self.failed:
            lines.append("  failures by code: " + ", ".join(f"{k}={v}" for k, v in self.failures_by_code().items())
                         + (f" ({self.failed_before} of them failed unchanged before: not tried again)"
                            if self.failed_before else ""))
        if warned := self.warnings_by_code():
            lines.append("  warnings by code: " + ", ".join(f"{k}={v}" for k, v in warned.items()))
        for d in self.documents:
            if d.status == Status.FAILED:
                lines.append(f"  FAILED {d.source} [{d.failure_code}]: {'; '.join(str(e) for e in d.errors)}")
            elif d.status == Status.DELETED:
                lines.append(f"  deleted {d.source}")
            for warning in d.warnings:
                lines.append(f"  warning {d.source}: {warning}")
        return "\n".join(lines)


def write_report(report: RunReport, folder: Path) -> Path:
    """``<folder>/report.json``: the one writer of a run's report file (finished or failed at start)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.json"
    path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    return path


def load_report(runs_dir: Path, run_id: str | None = None) -> RunReport:
    """A written run report: ``run_id``'s (as the Airflow UI shows it, ``manual__…+00:00``, or as its folder is
    named), or the most recently finished one."""
    from pipeline.run.context import safe_run_id

    runs_dir = Path(runs_dir)
    if run_id:
        path = runs_dir / safe_run_id(run_id) / "report.json"
    else:
        candidates = sorted(runs_dir.glob("*/report.json"), key=lambda p: p.stat().st_mtime)
        if not candidates:
            raise FileNotFoundError(f"no run reports under {runs_dir}")
        path = candidates[-1]
    data = json.loads(path.read_text(encoding="utf-8"))
    for derived in ("counts", "status", "failures_by_code", "warnings_by_code"):
        data.pop(derived, None)
    data["documents"] = [DocumentOutcome(**d) for d in data.get("documents", [])]
    return RunReport(**data)
