"""Learned line statistics per source in Elasticsearch (index ``etl-line-stats``), shared by every
worker and every later run.

One document per (alias, source id): how many documents of the source were counted, and in how many
of them each short line and each line opening occurs (:class:`pipeline.stages.clean.repetition.SourceStats`).
The run reads a source's statistics once at the start of a batch (:func:`read_stats`, a snapshot the
clean stage gets in its configuration) and adds the batch's counts after it (:func:`add_stats`) with
optimistic concurrency: read the document with its sequence number, add, write only if nobody wrote
in between (``if_seq_no``/``if_primary_term``; the first write is a ``create``), else read again and
add again. Two workers writing the same source at once both land; nothing is lost or counted twice.
(Scripted updates would do the same in one request, but a node without the painless module, like
the local test node, refuses them.)

A run reads the statistics at every batch's start, and most batches find them as the run itself left
them (its own last write, or no write at all in a re-run with nothing to clean). So a run keeps the
snapshot it read or wrote last, with the document's sequence number, primary term and version, and asks
the node for those three alone (no source: 0.9 ms, against 8-10 ms to read and decode a 421 KB
document); the same three mean the same document (any write moves them), so the kept snapshot is what a
read would give. The snapshots are keyed by run: a run holds its alias's lease, and a run's process
keeps only the last ``KEEP_SNAPSHOTS``.

The maps are bounded: once one holds more than ``MAX_KEYS`` keys, the keys seen in a single document
are dropped (counted in ``pruned``). A line that recurs across a source is seen again and again, so
it comes back; what goes is the long tail of lines seen once, which decides nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any

from elasticsearch import ConflictError, NotFoundError

from pipeline.config import IndexSizes
from pipeline.elastic.indices import LINE_STATS_INDEX, LINE_STATS_TEMPLATE, ensure_index, support_settings
from pipeline.stages.clean.repetition import SourceStats

MAX_KEYS = 20_000  # per map (openings, lines) of one source; above it, keys seen once are dropped
RETRIES = 50  # version conflicts retried (concurrent writers of the same source)
KEEP_SNAPSHOTS = 4  # (run, source) snapshots a process keeps (see the module doc)

Revision = tuple[int, int, int]  # sequence number, primary term, version of the stored document
_SNAPSHOTS: OrderedDict[tuple[str, str], tuple[Revision, SourceStats]] = OrderedDict()
_SNAPSHOTS_LOCK = threading.Lock()  # a run's concurrent batches in one process


def _doc_id(alias: str, source_id: str) -> str:
    return f"{alias}/{source_id}"


def _revision(got: Any) -> Revision:
    return int(got["_seq_no"]), int(got["_primary_term"]), int(got["_version"])


def _keep(run_id: str | None, doc_id: str, revision: Revision, stats: SourceStats) -> None:
    if not run_id:
        return
    with _SNAPSHOTS_LOCK:
        _SNAPSHOTS[(run_id, doc_id)] = (revision, stats)
        _SNAPSHOTS.move_to_end((run_id, doc_id))
        while len(_SNAPSHOTS) > KEEP_SNAPSHOTS:
            _SNAPSHOTS.popitem(last=False)


def read_stats(es: Any, alias: str, source_id: str, *, run_id: str | None = None) -> SourceStats | None:
    """The statistics of ``source_id`` in ``alias``; ``None`` before anything was counted. ``run_id``:
    the reading run, whose kept snapshot is returned when the stored document has not changed since
    (see the module doc); the caller only reads it."""
    doc_id = _doc_id(alias, source_id)
    held = _SNAPSHOTS.get((run_id, doc_id)) if run_id else None
    try:
        if held is not None and _revision(es.get(index=LINE_STATS_INDEX, id=doc_id, source=False)) == held[0]:
            return held[1]
        got = es.get(index=LINE_STATS_INDEX, id=doc_id)
    except NotFoundError:  # no such document, or the index was never made
        with _SNAPSHOTS_LOCK:
            _SNAPSHOTS.pop((run_id or "", doc_id), None)
        return None
    stats = SourceStats.from_dict(got["_source"])
    _keep(run_id, doc_id, _revision(got), stats)
    return stats


def add_stats(es: Any, alias: str, source_id: str, stats: SourceStats, *, support: IndexSizes,
              max_keys: int = MAX_KEYS, run_id: str | None = None) -> int:
    """Add ``stats`` (one batch's counts) to the stored statistics of ``source_id`` in ``alias``
    (``support``: the index's shards/replicas, ``Settings.support_indices``); the number of writes
    that lost a race and were done again. ``run_id``: the writing run, which keeps what it wrote as
    its snapshot (``read_stats``)."""
    if stats.documents <= 0:
        return 0
    ensure_index(es, LINE_STATS_INDEX, LINE_STATS_TEMPLATE, settings=support_settings(support))
    doc_id = _doc_id(alias, source_id)
    for attempt in range(RETRIES):
        try:
            got = es.get(index=LINE_STATS_INDEX, id=doc_id)
        except NotFoundError:
            got = None
        stored = SourceStats.from_dict(got["_source"]) if got else SourceStats()
        pruned = int(got["_source"].get("pruned", 0)) if got else 0
        stored.merge(stats)
        pruned += prune(stored, max_keys)
        body = {"alias": alias, "source_id": source_id, **stored.to_dict(), "pruned": pruned,
                "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        try:
            if got is None:
                written = es.create(index=LINE_STATS_INDEX, id=doc_id, document=body)
            else:
                written = es.index(index=LINE_STATS_INDEX, id=doc_id, document=body,
                                   if_seq_no=got["_seq_no"], if_primary_term=got["_primary_term"])
            _keep(run_id, doc_id, _revision(written), stored)
            return attempt
        except ConflictError:
            continue  # another writer added its counts in between: read them and add ours again
    raise RuntimeError(f"line statistics of {doc_id}: still conflicting after {RETRIES} attempts")


def prune(stats: SourceStats, max_keys: int) -> int:
    """Drop the keys seen in one document from a map over ``max_keys`` keys; how many were dropped."""
    dropped = 0
    for counts in (stats.openings, stats.lines):
        if len(counts) > max_keys:
            once = [k for k, n in counts.items() if n <= 1]
            for k in once:
                del counts[k]
                if counts is stats.openings:
                    stats.variants.pop(k, None)
            dropped += len(once)
    return dropped
