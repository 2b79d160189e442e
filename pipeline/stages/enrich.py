"""Enrich: identity, counts, hashes and provenance that analysts filter and sort on."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from pipeline import PIPELINE_VERSION
from pipeline.document import Document
from pipeline.stages.base import Stage
from pipeline.stages.words import count_words

_MAX_TITLE = 300


def document_id(source_id: str, relpath: str) -> str:
    """Deterministic ``_id`` from the source's name and the path relative to its root: one document
    per source file, so re-runs overwrite, never duplicate, and a moved or remounted folder keeps
    every id (the absolute path is not part of it)."""
    key = f"{source_id}\0{Path(relpath).as_posix()}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def content_hash(title: str | None, body: str) -> str:
    return hashlib.sha256(f"{title or ''}\n\n{body}".encode("utf-8", "surrogatepass")).hexdigest()


def fallback_title(doc: Document) -> str | None:
    """When the page has no title, the first body line is what a reader would call it."""
    for line in doc.body.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= _MAX_TITLE else line[: _MAX_TITLE - 1].rstrip() + "…"
    return None


class Enrich(Stage):
    """Identity, counts, hashes and provenance. Runs on failed documents too: they need their id."""

    name = "enrich"
    runs_on_failed = True

    def __init__(self, pipeline_version: str = PIPELINE_VERSION, now: Callable[[], datetime] | None = None,
                 fingerprint: str = "", *, time_limit_seconds: float | None = None) -> None:
        super().__init__(time_limit_seconds=time_limit_seconds)
        self.pipeline_version = pipeline_version
        self.fingerprint = fingerprint
        self.now = now or (lambda: datetime.now(timezone.utc))

    def process(self, doc: Document) -> Document:
        # Outside a run (``pipeline clean FILE``) there is no source: the path as given names it.
        doc.id = doc.id or document_id(doc.source_id, doc.source_relpath or doc.source_path)
        doc.pipeline_version = self.pipeline_version
        doc.processing_fingerprint = self.fingerprint
        doc.ingested_at = self.now().isoformat(timespec="seconds")
        if doc.failed:
            return doc
        if not doc.title:
            doc.title = fallback_title(doc)
            self.counters["fallback_title"] += 1
        doc.word_count = count_words(doc.body)  # ``len(re.findall(r"\w+", body))``, twice as fast
        doc.char_count = len(doc.body)
        doc.paragraph_count = sum(1 for p in doc.body.split("\n\n") if p.strip())
        doc.content_sha256 = content_hash(doc.title, doc.body)
        return doc


def enrich(doc: Document, *, now: datetime | None = None) -> Document:
    """One document through the enrich stage."""
    return Enrich(now=(lambda: now) if now else None)(doc)
