"""The unchanged check: a batch step that asks the index once what it holds for the batch's files.

A file whose bytes and processing fingerprint match the indexed copy is ``unchanged``: hashed,
not decoded, cleaned or re-indexed (every later step passes it on). Same bytes under another
fingerprint (rules, code or libraries changed) are ``reprocessed``, other bytes ``changed``, a
file the index does not hold ``new``. ``full_refresh`` processes everything again. A document that
was indexed but never grouped with its copies (a run died between its load and its grouping, or
grouping was off) is processed again too, so it gets grouped (counted as ``dedup/ungrouped``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, ClassVar

from pipeline.document import Change, Document
from pipeline.run.context import RunContext
from pipeline.stages.base import Step
from pipeline.stages.extract import read_at_most

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


class SkipUnchanged(Step):
    """Set ``doc.change`` on every document of the batch (one ``mget`` of the batch's ids); the
    report counts the changes from the outcomes."""

    name: ClassVar[str] = "unchanged"

    def __init__(self, es: Elasticsearch, ctx: RunContext, root: Path, *,
                 ungrouped: Callable[[Iterable[str]], set[str]] | None = None) -> None:
        super().__init__()
        self.es, self.ctx, self.root = es, ctx, root
        self.ungrouped = ungrouped  # the grouping step's question: which indexed ids have no store entry
        self.ungrouped_ids: set[str] = set()

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        import time

        from pipeline.elastic.bulk import indexed_fingerprints

        batch = list(docs)  # documents not read yet: a path and an id each
        started = time.perf_counter()
        known = indexed_fingerprints(self.es, self.ctx.index, list(dict.fromkeys(doc.id for doc in batch)))
        if self.ungrouped is not None and known:
            self.ungrouped_ids = self.ungrouped(known)
        self.seconds += time.perf_counter() - started
        fingerprint, limit = self.ctx.fingerprint, self.ctx.run.max_file_bytes
        for doc in batch:
            started = time.perf_counter()
            indexed = known.get(doc.id)
            if indexed is None:
                doc.change = Change.NEW
            else:
                same_bytes = file_sha256(Path(doc.source_path), self.root, limit) == indexed[0]
                if not same_bytes:
                    doc.change = Change.CHANGED
                elif indexed[1] != fingerprint or self.ctx.full_refresh or doc.id in self.ungrouped_ids:
                    doc.change = Change.REPROCESSED
                else:
                    doc.change = Change.UNCHANGED
            self.seconds += time.perf_counter() - started
            yield doc


def file_sha256(path: Path, root: Path, max_bytes: int) -> str | None:
    """The hash of a file's bytes without decoding them, for the files the extract step reads
    the same way: plain files (or symlinks that stay under ``root``) within the size limit;
    ``None`` for the others (extract then reads them and reports what is wrong)."""
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            return None
        stat = path.stat()
        if not S_ISREG(stat.st_mode) or stat.st_size > max_bytes:  # what ``path.is_file()`` answers
            return None
        with open(path, "rb") as fh:
            return hashlib.sha256(read_at_most(fh, stat.st_size, max_bytes)).hexdigest()
    except OSError:
        return None
