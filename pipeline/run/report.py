"""The run report: what happened to every file of a run, and how it is shown and kept.

``DocumentOutcome`` is one file's line, ``BatchReport`` one batch's (what a mapped Airflow
task returns), ``RunReport`` the whole run (``runs/<run_id>/report.json`` and the
``etl-runs`` record).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline import PIPELINE_VERSION


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
