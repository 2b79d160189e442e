"""Groups in the near-duplicate store: components of the links, ``settle`` (the group fields
written to the entries and the articles), and the run markers that tell a later run what a run
that died may have left half-done.

Groups are the connected components of the entries' links (``pipeline.elastic.dedup_store``);
``settle`` recomputes a component from the store and writes the difference to the entries and
to the articles, comparing with what each article really holds (not what its entry says it
holds), so an article a dead run loaded or half-settled is mended by the next settle of its group.

A run marker (``kind=run``) is written when a run starts and deleted when it has finished
(batches grouped, deletes synced, the end-of-run reconcile done). Runs of one alias hold its
writer lease one at a time, so a marker of another run seen by a starting run is a run that
died: every store entry it touched carries an ``updated_at`` after the marker's, and every
article it loaded an ``ingested_at`` after it (``pipeline.run.group_recovery`` re-groups them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from queue import Queue
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.elastic.client import RetryPolicy, retrying
from pipeline.elastic.dedup_store import (
    _check_bulk,
    _found,
    _now,
    dedup_index,
    get_entries,
    linking_to,
    refresh,
    seq_nos,
)
from pipeline.stages.dedup import canonical_key

_SETTLE_STREAMS = 2  # concurrent bulk streams per index when settle writes group fields
_ARTICLE_FIELDS = ["duplicate_group", "is_canonical", "duplicate_count"]


@dataclass
class Component:
    """One group as the store holds it now."""

    group: str
    canonical: str
    members: dict[str, dict[str, Any]]  # id -> entry


def components(es: Elasticsearch, alias: str, seeds: Iterable[str], max_size: int) -> list[Component]:
    """Connected components (by links, either direction) around ``seeds``, from searchable state.
    Exploration stops at ``max_size`` members per seed (a hub of boilerplate pages stops
    growing), not at ``max_size`` in all: many seeds must not cut each other's groups short."""
    seeds = set(seeds)
    found: dict[str, dict[str, Any]] = {}
    explored: set[str] = set()  # ids whose links and referrers have been followed
    pending = set(seeds)
    limit = max_size * max(1, len(seeds))
    while pending and len(found) < limit:
        found.update(get_entries(es, alias, pending - set(found)))
        step = sorted(i for i in pending if i in found and i not in explored)
        explored.update(step)
        back = linking_to(es, alias, step)
        found.update({k: v for k, v in back.items() if k not in found})
        pending = ({link for i in step for link in found[i].get("links", [])} | set(back)) - explored
    parent = {doc_id: doc_id for doc_id in found}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, entry in found.items():
        for link in entry.get("links", []):
            if link in parent:
                a, b = root(doc_id), root(link)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for doc_id, entry in found.items():
        groups.setdefault(root(doc_id), {})[doc_id] = entry
    out = []
    for members in groups.values():
        canonical = min(members, key=lambda i: canonical_key(members[i].get("published"),
                                                             int(members[i].get("body_length") or 0), i))
        out.append(Component(_label(members, canonical), canonical, members))
    return out


def _label(members: dict[str, dict[str, Any]], canonical: str) -> str:
    """The group value: the label most members already carry, if it is a member's id (so a copy
    joining later, or a merge, keeps the existing group; ties go to the smallest); else the
    canonical copy's id. Labels are always member ids, so two groups never share one."""
    carried = Counter(e.get("group") for e in members.values() if e.get("group") in members)
    if not carried:
        return canonical
    return str(min(carried, key=lambda g: (-carried[g], str(g))))


def article_fields(es: Elasticsearch, index: str, ids: Iterable[str]) -> dict[str, tuple[Any, Any, Any]]:
    """``id -> (duplicate_group, is_canonical, duplicate_count)`` as the articles hold them."""
    return dict(_article_fields(es, index, ids))


def _article_fields(es: Elasticsearch, index: str, ids: Iterable[str]) -> Iterator[tuple[str, tuple[Any, Any, Any]]]:
    """``article_fields`` as each chunk of it is read."""
    for d in _found(es, index, ids, "duplicate fields", source_includes=_ARTICLE_FIELDS):
        yield d["_id"], tuple(d.get("_source", {}).get(f) for f in _ARTICLE_FIELDS)


class _Streams:
    """``_SETTLE_STREAMS`` bulk streams (``_check_bulk`` in ``pool``), fed action by action (in turn) while the
    caller is still reading; ``close`` ends them and returns their futures. A stream starts when it is first fed."""

    def __init__(self, pool: ThreadPoolExecutor, es: Elasticsearch, what: str) -> None:
        self.pool, self.es, self.what, self.sent = pool, es, what, 0
        self.queues: list[Queue[dict[str, Any] | None]] = []
        self.writes: list[Future[list[dict[str, Any]]]] = []

    def put(self, action: dict[str, Any]) -> None:
        k = self.sent % _SETTLE_STREAMS
        if k == len(self.queues):
            self.queues.append(Queue())
            self.writes.append(self.pool.submit(_check_bulk, self.es, iter(self.queues[k].get, None), self.what,
                                                allow_missing=True))
        self.queues[k].put(action)
        self.sent += 1

    def close(self) -> list[Future[list[dict[str, Any]]]]:
        for queue in self.queues:
            queue.put(None)
        return self.writes


def settle(es: Elasticsearch, alias: str, index: str, seeds: Iterable[str], *, max_size: int,
           rounds: int = 6) -> list[Component]:
    """Make the groups around ``seeds`` agree with the links: ``duplicate_group`` from ``_label``,
    ``is_canonical`` by the canonical rule, ``duplicate_count`` = members; written to the entries
    and to the articles in ``index`` that differ. Re-reads until nothing differs (concurrent writers)."""
    return settle_proven(es, alias, index, seeds, max_size=max_size, rounds=rounds, read_at=False).components


@dataclass
class Settled:
    """What ``settle_proven`` did: the groups as last read, and, when the store's sequence numbers show
    that no one else wrote to it from that read until settle was done, ``read_at``: the sequence number
    the read saw every write up to, and no later one (the store's state now is that state plus settle's own
    writes, which made the entries of ``components`` agree with them)."""

    components: list[Component]
    read_at: int | None = None


def settle_proven(es: Elasticsearch, alias: str, index: str, seeds: Iterable[str], *, max_size: int,
                  rounds: int = 6, read_at: bool = True) -> Settled:
    """``settle``, which returns what it read (and, given ``read_at``, proves it when it wrote nothing).

    A round reads the groups, writes what differs, and reads again until a read finds nothing to
    write: the re-read catches a concurrent writer's change between the read and the writes. That
    re-read is left out when the store's sequence numbers prove nothing else happened: the store's one
    shard numbers every write (index, update, delete) in turn, so when the numbers stood still at the
    read (``local_checkpoint == max_seq_no``: all written and visible after the refresh), the entry
    updates got exactly the next numbers and none was given after them until every write (articles
    included) was answered, and every update answered ``updated`` (no 404, no no-op), then the store
    is the state read plus these updates, and a re-read would compute the same groups (the links did
    not change, and ``_label`` keeps the label every member now carries) and find the entries and
    the articles as written: nothing to write. Otherwise the round is repeated as always."""
    seeds = set(seeds)
    comps: list[Component] = []
    for _ in range(rounds):
        if not seeds:
            return Settled([])
        before = seq_nos(es, alias)  # before the refresh: every write up to it is then visible
        refresh(es, alias)
        comps = components(es, alias, seeds, max_size)
        wanted = {doc_id: (comp.group, doc_id == comp.canonical, len(comp.members))
                  for comp in comps for doc_id in comp.members}
        entries = {doc_id: (entry.get("group"), entry.get("is_canonical"), entry.get("duplicate_count"))
                   for comp in comps for doc_id, entry in comp.members.items()}
        fix_entries = {i: w for i, w in wanted.items() if entries[i] != w}
        store = dedup_index(alias)
        entry_actions = [{"_op_type": "update", "_index": store, "_id": i, "retry_on_conflict": 5,
                          "doc": {"group": w[0], "is_canonical": w[1], "duplicate_count": w[2], "updated_at": _now()}}
                         for i, w in fix_entries.items()]
        # Each update re-indexes a whole document and nothing else runs while a run settles: the entries
        # and the articles go in _SETTLE_STREAMS bulk streams each, at once; the entries' fixes are known
        # now and are written while the articles' fields are read (a run that dies in between leaves
        # entries settled and articles not: its recovery re-settles their groups, see the module doc).
        with ThreadPoolExecutor(max_workers=2 * _SETTLE_STREAMS, thread_name_prefix="settle") as pool:
            writes = [(pool.submit(_check_bulk, es, entry_actions[k::_SETTLE_STREAMS], "dedup groups",
                                   allow_missing=True), True) for k in range(_SETTLE_STREAMS) if entry_actions]
            streams = _Streams(pool, es, "duplicate fields")
            try:  # each article that differs is written as soon as its chunk of fields is read
                for doc_id, held in _article_fields(es, index, wanted):
                    if held != wanted[doc_id]:
                        streams.put({"_op_type": "update", "_index": index, "_id": doc_id, "retry_on_conflict": 5,
                                     "doc": dict(zip(_ARTICLE_FIELDS, wanted[doc_id]))})
            finally:
                writes += [(write, False) for write in streams.close()]
            answered = [(write.result(), of_entries) for write, of_entries in writes]
        if not entry_actions and not streams.sent:
            return Settled(comps, _still(es, alias, before, []) if read_at else None)
        if sum(len(items) for items, _ in answered) == streams.sent + len(entry_actions) and all(
                item.get("result") == "updated" for items, _ in answered for item in items):
            seen = _still(es, alias, before, [int(item.get("_seq_no", -1)) for items, of_entries in answered
                                              if of_entries for item in items])
            if seen is not None:
                return Settled(comps, seen)
    return Settled(comps)


def _still(es: Elasticsearch, alias: str, before: tuple[int, int] | None, written: list[int]) -> int | None:
    """The sequence number a read saw everything up to (``before``, taken ahead of its refresh), when the
    store has had no write since but ``written`` (which took the next numbers, in some order); else None."""
    if before is None or before[0] != before[1]:
        return None
    read_at = before[1]
    if sorted(written) != list(range(read_at + 1, read_at + 1 + len(written))):
        return None
    after = seq_nos(es, alias)
    return read_at if after is not None and after[1] == read_at + len(written) else None


def open_run(es: Elasticsearch, alias: str, run_id: str) -> None:
    """A run starts: its marker says so until ``close_run``."""
    retrying(lambda: es.index(index=dedup_index(alias), id=f"run:{run_id}", document={
        "kind": "run", "run_id": run_id, "updated_at": _now()}, refresh=True), "dedup run marker",
        retry=RetryPolicy())


def close_run(es: Elasticsearch, alias: str, run_id: str) -> None:
    """A run has finished its grouping work (batches, deletes, reconcile): nothing to recover."""
    retrying(lambda: es.options(ignore_status=404).delete(index=dedup_index(alias), id=f"run:{run_id}",
                                                           refresh=True), "dedup run marker", retry=RetryPolicy())


def dead_runs(es: Elasticsearch, alias: str, live: str) -> dict[str, str]:
    """``run_id -> started`` of the markers of runs other than ``live`` (which holds the lease)."""
    refresh(es, alias)
    query = {"query": {"bool": {"filter": [{"term": {"kind": "run"}}],
                                "must_not": [{"term": {"run_id": live}}]}}}
    return {h["_source"]["run_id"]: h["_source"]["updated_at"]
            for h in helpers.scan(es, index=dedup_index(alias), query=query, size=1000)}


def touched_since(es: Elasticsearch, alias: str, since: str) -> Iterator[str]:
    """Ids of entries written or edited at or after ``since``, or never settled (no count)."""
    refresh(es, alias)
    query = {"query": {"bool": {"filter": [{"term": {"kind": "document"}}], "minimum_should_match": 1, "should": [
        {"range": {"updated_at": {"gte": since}}},
        {"bool": {"must_not": [{"exists": {"field": "duplicate_count"}}]}}]}}}
    for hit in helpers.scan(es, index=dedup_index(alias), query=query, size=1000, _source=False):
        yield hit["_id"]


def touch(es: Elasticsearch, alias: str, ids: Iterable[str]) -> None:
    """Mark entries as touched by this run (before their articles are deleted): if the run dies
    before it has settled their groups, a later run finds them by ``touched_since``."""
    store = dedup_index(alias)
    _check_bulk(es, ({"_op_type": "update", "_index": store, "_id": i, "doc": {"updated_at": _now()}}
                     for i in ids), "dedup touch", allow_missing=True)


def ingested_since(es: Elasticsearch, index: str, since: str) -> Iterator[str]:
    """Ids of the articles in ``index`` loaded at or after ``since``."""
    es.indices.refresh(index=index)  # a dead run's loads were never refreshed
    query = {"query": {"range": {"ingested_at": {"gte": since}}}}
    for hit in helpers.scan(es, index=index, query=query, size=1000, _source=False):
        yield hit["_id"]


def article_inputs(es: Elasticsearch, index: str, ids: Iterable[str]) -> dict[str, tuple[str, str | None, str | None]]:
    """``id -> (body, language, published_at)`` of the articles of ``ids`` that exist."""
    fields = ["body", "language", "published_at"]
    return {d["_id"]: (d["_source"].get("body", ""), d["_source"].get("language"), d["_source"].get("published_at"))
            for d in _found(es, index, ids, "dedup recovery", source_includes=fields)}


def missing_articles(es: Elasticsearch, alias: str, index: str) -> Iterator[str]:
    """Ids of document entries whose article ``index`` does not hold (a reindex left the file out)."""
    refresh(es, alias)
    query = {"query": {"term": {"kind": "document"}}}
    ids = (h["_id"] for h in helpers.scan(es, index=dedup_index(alias), query=query, size=1000, _source=False))
    while chunk := [i for _, i in zip(range(1000), ids)]:
        present = {d["_id"] for d in _found(es, index, chunk, "dedup presence", source=False)}
        yield from (i for i in chunk if i not in present)
