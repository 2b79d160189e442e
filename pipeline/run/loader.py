"""Bulk loading in a background thread, overlapping the transformation of the next files."""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from typing import Any

from pipeline.document import Document
from pipeline.run.context import RunContext
from pipeline.run.report import Change, DocumentOutcome, Status

# Documents go to Elasticsearch in chunks (run.load_chunk_docs / load_chunk_chars) from a loader
# thread, while the next ones are transformed: loading overlaps transformation, and at most
# LOAD_QUEUE_CHUNKS + 1 chunks of transformed documents are in memory per batch.
LOAD_QUEUE_CHUNKS = 2


class Loader:
    """Bulk-loads chunks of transformed documents in a background thread.

    The thread mostly waits on Elasticsearch (the GIL is released during network I/O), so
    the calling thread keeps transforming. Rejected documents get a ``load`` error and go to
    the dead-letter, as before; an exception (``ClusterUnavailable``) is re-raised in the
    calling thread at the next ``add`` or at ``close``.
    """

    def __init__(self, es: Any, ctx: RunContext, timings: Counter[str]) -> None:
        import queue

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
        if len(self._chunk) >= self.ctx.run.load_chunk_docs or self._chars >= self.ctx.run.load_chunk_chars:
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
        from pipeline.elastic.bulk import bulk_load, deadletter_record, write_deadletter
        from pipeline.elastic.client import RetryPolicy
        from pipeline.elastic.indices import deadletter_index

        ctx = self.ctx
        started = time.perf_counter()
        result = bulk_load(self.es, ctx.index, [doc for doc, _ in chunk], chunk_size=ctx.run.bulk_chunk_docs,
                           max_chunk_bytes=ctx.run.bulk_chunk_bytes, retry=RetryPolicy.of(ctx.run))
        self.timings["load"] += time.perf_counter() - started
        rejected = {f.id: f for f in result.failures}
        dead = []
        for doc, _ in chunk:
            if doc.id in rejected:
                failure = rejected[doc.id]
                doc.fail("load", failure.code, failure.reason)
                dead.append(deadletter_record(doc, failure.reason, run_id=ctx.run_id, index=ctx.index))
        if dead:
            folder = ctx.run_folder
            write_deadletter(self.es, deadletter_index(ctx.alias), folder / "deadletter.jsonl" if folder else None,
                             dead)
        self.outcomes.extend(outcome_of(doc, change) for doc, change in chunk)


def outcome_of(doc: Document, change: Change | str) -> DocumentOutcome:
    return DocumentOutcome(
        source=doc.source, id=doc.id, status=Status.FAILED if doc.failed else Status.INDEXED, errors=list(doc.errors),
        warnings=list(doc.warnings), title=doc.title, language=doc.language, change=None if doc.failed else change,
        encoding=doc.encoding, encoding_source=doc.encoding_source)
