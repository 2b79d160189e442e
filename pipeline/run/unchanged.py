"""The unchanged check: a batch step that asks the index once what it holds for the batch's files.

A file whose bytes and processing fingerprint match the indexed copy is ``unchanged``: hashed,
not decoded, cleaned or re-indexed (every later step passes it on). Same bytes under another
fingerprint (rules, code or libraries changed) are ``reprocessed``, other bytes ``changed``, a
file the index does not hold ``new``. ``full_refresh`` processes everything again. A document that
was indexed but never grouped with its copies (a run died between its load and its grouping, or
grouping was off) is processed again too, so it gets grouped (counted as ``dedup/ungrouped``).
A file the index does not hold that failed before its load in an earlier run, and has the same identity under
the same fingerprint, fails again without being read (``pipeline.elastic.failed_files``, counted as
``unchanged/failed-before``).

A run that processes its batches one after the other in one process asks the index for the next
batch's fingerprints in a thread while this batch is processed (``ask_ahead``; the check then waits
on that answer, ``asked_ahead``), so the next batch's check hashes its files at once instead of first
waiting on its ``mget`` (in a no-change re-run, about half of every batch). The answer is the one the
check would get: the run holds the alias's lease, and the two fields are written only by a
document's own load, in its own batch, after its check. When the early question failed, the check
asks again itself (with retries).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, ClassVar

from pipeline.document import Change, Document, Failure
from pipeline.run.context import RunContext
from pipeline.stages.base import Step
from pipeline.stages.enrich import document_id
from pipeline.stages.extract import read_at_most

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from pipeline.elastic.failed_files import FailedBefore

Fingerprints = dict[str, tuple[str, str]]  # id -> (file_sha256, processing_fingerprint) of what the index holds
Asked = tuple[frozenset[str], Fingerprints]  # the ids asked about, and the answer


class SkipUnchanged(Step):
    """Set ``doc.change`` on every document of the batch (one ``mget`` of the batch's ids); the
    report counts the changes from the outcomes."""

    name: ClassVar[str] = "unchanged"

    def __init__(self, es: Elasticsearch, ctx: RunContext, root: Path, *,
                 ungrouped: Callable[[Iterable[str]], set[str]] | None = None,
                 ahead: Future[Asked] | None = None) -> None:
        """``ahead``: the answer for this batch's ids asked while the previous batch ran (``ask_ahead``)."""
        super().__init__()
        self.es, self.ctx, self.root = es, ctx, root
        self.ungrouped = ungrouped  # the grouping step's question: which indexed ids have no store entry
        self.ungrouped_ids: set[str] = set()
        self.ahead = ahead

    def known(self, ids: list[str]) -> Fingerprints:
        """What the index holds for ``ids``: the answer asked ahead when it covers them, else asked now."""
        from pipeline.elastic.bulk import indexed_fingerprints

        if self.ahead is not None:
            try:
                asked, found = self.ahead.result()
            except Exception:  # noqa: BLE001 - asked again just below, with retries, where an error is raised
                asked, found = frozenset(), {}
            if asked.issuperset(ids):
                return {i: found[i] for i in ids if i in found}
        return indexed_fingerprints(self.es, self.ctx.index, ids)

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        import time

        batch = list(docs)  # documents not read yet: a path and an id each
        started = time.perf_counter()
        known = self.known(list(dict.fromkeys(doc.id for doc in batch)))
        if self.ungrouped is not None and known:
            self.ungrouped_ids = self.ungrouped(known)
        failed_before = self.failed_before([doc.id for doc in batch if doc.id not in known])
        self.seconds += time.perf_counter() - started
        fingerprint, limit = self.ctx.fingerprint, self.ctx.run.max_file_bytes
        for doc in batch:
            started = time.perf_counter()
            indexed = known.get(doc.id)
            if indexed is None:
                doc.change = Change.NEW
                if doc.id in failed_before:
                    self._fails_again(doc, failed_before[doc.id])
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


    def failed_before(self, ids: list[str]) -> dict[str, FailedBefore]:
        """The last failure of each of ``ids`` (files the index does not hold) under this run's processing
        fingerprint, from the dead-letter index; none on a full refresh (every file is tried again)."""
        from pipeline.elastic.failed_files import last_failures
        from pipeline.elastic.indices import deadletter_index

        if not ids or self.ctx.full_refresh:
            return {}
        found = last_failures(self.es, deadletter_index(self.ctx.alias), ids)
        return {i: f for i, f in found.items() if f.fingerprint == self.ctx.fingerprint}

    def _fails_again(self, doc: Document, before: FailedBefore) -> None:
        """A file with the identity it failed with: it fails the same way, so it is not read again (every
        step passes it on, as an unchanged one) and carries the reasons it failed with then."""
        identity = file_identity(Path(doc.source_path), self.root, self.ctx.run.max_file_bytes)
        if identity == "missing" or identity != before.identity:
            return
        doc.change = Change.UNCHANGED
        doc.errors = [Failure(e.stage, e.code, f"{e.message} [unchanged since run {before.run_id}: not tried "
                                                "again; --full-refresh tries it]") for e in before.errors]
        self.counters["failed-before"] += 1


def file_identity(path: Path, root: Path, max_bytes: int) -> str:
    """What a failed file is remembered by (``pipeline.elastic.failed_files``): ``sha256:<hex>:<mode>`` of a file
    extract reads (:func:`file_sha256`), else ``stat:<size>:<mtime_ns>:<mode>`` of the entry itself (``lstat``),
    ``missing`` when there is none. The mode is part of it: a file made readable is another file for this."""
    try:
        sha = file_sha256(path, root, max_bytes)
        if sha is not None:
            return f"sha256:{sha}:{os.stat(path).st_mode:o}"
        st = os.lstat(path)
        return f"stat:{st.st_size}:{st.st_mtime_ns}:{st.st_mode:o}"
    except (OSError, ValueError):  # gone, or a NUL in the name
        return "missing"


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
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (``resolve`` before Python 3.13)
        return None


_AHEAD_LOCK = threading.Lock()
_AHEAD_POOL: list[ThreadPoolExecutor] = []  # one thread, made at the first question
_AHEAD: dict[tuple[str, int], Future[Asked]] = {}  # (run id, batch): at most one batch ahead


def ask_ahead(es: Elasticsearch, ctx: RunContext, batch: int) -> None:
    """Ask the index now, in a thread, what it holds for batch ``batch``'s files (see the module doc);
    one attempt: a question that fails is asked again by the batch's own check."""
    with _AHEAD_LOCK:
        if not _AHEAD_POOL:
            _AHEAD_POOL.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="fingerprints-ahead"))
        _AHEAD.clear()  # an answer nobody took (its run stopped) is dropped
        _AHEAD[(ctx.run_id, batch)] = _AHEAD_POOL[0].submit(_ask, es, ctx, batch)


def asked_ahead(ctx: RunContext, batch: int) -> Future[Asked] | None:
    """The question ``ask_ahead`` asked for batch ``batch`` of ``ctx``'s run, taken; ``None`` if none was."""
    with _AHEAD_LOCK:
        return _AHEAD.pop((ctx.run_id, batch), None)


def _ask(es: Elasticsearch, ctx: RunContext, batch: int) -> Asked:
    from pipeline.elastic.bulk import indexed_fingerprints
    from pipeline.elastic.client import RetryPolicy
    from pipeline.run.manifest import read_manifest

    source, paths = read_manifest(ctx, batch)
    ids = list(dict.fromkeys(document_id(source, Path(rel).as_posix()) for rel in paths))  # as ``batch.new_document``
    return frozenset(ids), indexed_fingerprints(es, ctx.index, ids, retry=RetryPolicy(attempts=1))
