"""The load step: bulk loading in a background thread, overlapping the transformation of the next files."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pipeline.document import Change, Document
from pipeline.run.context import RunContext
from pipeline.run.report import DocumentOutcome, Status
from pipeline.stages.base import Step

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

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

    def __init__(self, es: Elasticsearch, ctx: RunContext, step: "Load") -> None:
        self.es, self.ctx, self.step = es, ctx, step
        self.loaded: queue.SimpleQueue[Document] = queue.SimpleQueue()  # filled by the thread, in load order
        self.error: BaseException | None = None
        self._aborted = False
        self._chunk: list[Document] = []
        self._chars = 0
        self._queue: queue.Queue[list[Document] | None] = queue.Queue(maxsize=LOAD_QUEUE_CHUNKS)
        self._thread = threading.Thread(target=self._work, name="bulk-loader", daemon=True)
        self._thread.start()

    def add(self, doc: Document) -> None:
        if self.error is not None:
            self._raise()
        self._chunk.append(doc)
        self._chars += len(doc.body) + sum(map(len, doc.captions))
        if len(self._chunk) >= self.ctx.run.load_chunk_docs or self._chars >= self.ctx.run.load_chunk_chars:
            self._put(self._chunk)
            self._chunk, self._chars = [], 0

    def done(self) -> Iterator[Document]:
        """The documents loaded (or rejected) so far, each once."""
        while True:
            try:
                yield self.loaded.get_nowait()
            except queue.Empty:
                return

    def close(self) -> Iterator[Document]:
        """Load what is left, wait for the thread; the rest of the loaded documents."""
        if self._chunk and self.error is None:
            self._put(self._chunk)
            self._chunk = []
        self._put(None)
        self._thread.join()
        if self.error is not None:
            self._raise()
        return self.done()

    def abort(self) -> None:
        """The caller is failing: load nothing more, let the thread end."""
        self._aborted = True
        self._put(None)
        self._thread.join()

    def _put(self, item: list[Document] | None) -> None:
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

    def _load(self, chunk: list[Document]) -> None:
        from pipeline.elastic.bulk import bulk_load, deadletter_record, write_deadletter
        from pipeline.elastic.client import RetryPolicy
        from pipeline.elastic.indices import deadletter_index

        ctx = self.ctx
        started = time.perf_counter()
        result = bulk_load(self.es, ctx.index, chunk, chunk_size=ctx.run.bulk_chunk_docs,
                           max_chunk_bytes=ctx.run.bulk_chunk_bytes, retry=RetryPolicy.of(ctx.run))
        self.step.seconds += time.perf_counter() - started
        rejected = {f.id: f for f in result.failures}
        dead = []
        for doc in chunk:
            if doc.id in rejected:
                failure = rejected[doc.id]
                doc.fail(self.step.name, failure.code, failure.reason)
                self.step.counters[f"failed/{failure.code}"] += 1
                dead.append(deadletter_record(doc, failure.reason, run_id=ctx.run_id, index=ctx.index))
        if dead:
            folder = ctx.run_folder
            write_deadletter(self.es, deadletter_index(ctx.alias), folder / "deadletter.jsonl" if folder else None,
                             dead)
        self.step.counters["documents"] += len(chunk)
        for doc in chunk:
            self.loaded.put(doc)


class Load(Step):
    """Bulk-load the batch's processed documents into ``ctx.index`` (chunks of ``run.load_chunk_docs``
    in a background thread); rejected ones fail as ``load/<code>`` and go to the dead-letter.
    Failed and unchanged documents pass through. Yields documents as their chunk is done, so
    memory holds a few chunks, never the batch."""

    name: ClassVar[str] = "load"

    def __init__(self, es: Elasticsearch, ctx: RunContext) -> None:
        super().__init__()
        self.es, self.ctx = es, ctx

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        loader: Loader | None = None
        failed: list[Document] = []
        try:
            for doc in docs:
                if doc.failed or doc.unchanged:
                    if doc.failed and not doc.unchanged:
                        failed.append(doc)
                    yield doc
                    continue
                doc.raw_text = ""  # never indexed; the markup is the biggest thing a document holds
                if loader is None:
                    loader = Loader(self.es, self.ctx, self)
                loader.add(doc)
                yield from loader.done()
        except BaseException:
            if loader is not None:
                loader.abort()
            raise
        if loader is not None:
            yield from loader.close()
        self._keep_failures(failed)

    def _keep_failures(self, failed: list[Document]) -> None:
        """The dead-letter records of the documents that failed before their load, with their files'
        identities (``pipeline.elastic.failed_files``: the next run does not try an unchanged one again)."""
        from pipeline.elastic.bulk import write_deadletter
        from pipeline.elastic.failed_files import failure_record
        from pipeline.elastic.indices import deadletter_index
        from pipeline.run.unchanged import file_identity

        if not failed:
            return
        ctx, records = self.ctx, []
        for doc in failed:
            root = Path(ctx.sources.get(doc.source_id, ctx.source_dir))
            identity = file_identity(Path(doc.source_path), root, ctx.run.max_file_bytes)
            records.append(failure_record(doc, run_id=ctx.run_id, index=ctx.index, identity=identity,
                                          fingerprint=ctx.fingerprint))
        folder = ctx.run_folder
        write_deadletter(self.es, deadletter_index(ctx.alias), folder / "deadletter.jsonl" if folder else None, records)


def outcome_of(doc: Document) -> DocumentOutcome:
    """A document's line in the run report."""
    if doc.unchanged and not doc.failed:
        return DocumentOutcome(source=doc.source, id=doc.id, status=Status.UNCHANGED)
    return DocumentOutcome(
        source=doc.source, id=doc.id, status=Status.FAILED if doc.failed else Status.INDEXED,
        errors=list(doc.errors), warnings=list(doc.warnings), title=doc.title, language=doc.language,
        change=Change.UNCHANGED if doc.unchanged else None if doc.failed or doc.change is None else doc.change,
        encoding=doc.encoding, encoding_source=doc.encoding_source)
