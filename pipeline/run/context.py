"""What every batch of one run needs to know, JSON-safe so Airflow tasks can pass it on."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.config import DedupSettings, IndexSizes, RunSettings


@dataclass
class RunContext:
    """What every batch of one run needs to know; JSON-safe so Airflow tasks can share it."""

    run_id: str
    source_dir: str
    alias: str
    index: str
    started_at: str
    run: RunSettings
    full_refresh: bool = False
    sync_deletes: bool = False
    runs_dir: str | None = None
    encoding: str | None = None  # charset hint for this run's legacy (non-UTF-8) files; the bytes can overrule it
    source_name: str = ""  # the name of source_dir: document ids are hash(source name, relative path)
    sources: dict[str, str] = field(default_factory=dict)  # name -> root of every source this run reads
    fingerprint: str = ""  # processing fingerprint at start (each batch process uses its own, see fingerprint.py)
    allow_shrink: bool = False  # reindex: swap even when the new index holds fewer documents
    flow: str = "ingest"  # the kind of run (``pipeline.run.flow.FLOWS``): what each DAG task continues
    dedup: DedupSettings | None = None  # near-duplicate grouping (``Settings.dedup``); None: off
    support: IndexSizes | None = None  # shards/replicas of the support indices (``Settings.support_indices``)

    def __post_init__(self) -> None:
        if not self.sources and self.source_name:
            self.sources = {self.source_name: self.source_dir}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunContext":
        data = dict(data)
        data["run"] = RunSettings(**data["run"])
        if data.get("dedup"):
            data["dedup"] = DedupSettings(**{**data["dedup"],
                                             "char_shingle_languages": tuple(data["dedup"]["char_shingle_languages"])})
        if data.get("support"):
            data["support"] = IndexSizes(**data["support"])
        return cls(**data)

    @property
    def support_sizes(self) -> IndexSizes:
        """``support``, which every run started by ``pipeline.run.lifecycle`` / ``reindex`` sets."""
        if self.support is None:
            raise ValueError("this run context names no support index sizes (not made by start_run)")
        return self.support

    @property
    def run_folder(self) -> Path | None:
        return Path(self.runs_dir) / self.run_id if self.runs_dir else None


def default_source_name(source_dir: Path) -> str:
    """A source is named after its folder unless told otherwise."""
    return Path(source_dir).name or "root"


def check_source_name(name: str) -> str:
    """A source name is part of every document id: printable, no path separator, not too long."""
    if not name or len(name) > 200 or "/" in name or not name.isprintable() or name.strip() != name:
        raise ValueError(f"invalid source name {name!r}: 1-200 printable characters, no '/', "
                         "no leading or trailing space")
    return name


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def safe_run_id(run_id: str) -> str:
    """Airflow run ids (``manual__2026-01-01T00:00:00+00:00``) as folder names."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)
