"""Near-duplicate grouping in a run: fingerprint while transforming, group after each batch's load,
reconcile at the end of the run, re-settle groups after deletes.

Per batch (after the documents are loaded): candidates from the store (band keys) and from
the batch itself, the containment check on the cleaned bodies, the store entries with the
verified links, then ``settle`` on the touched groups. At the end of a run only batches whose
store windows overlapped (concurrent batches or runs, which may have missed each other's
copies) are checked against each other again, and their groups settled.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from pipeline.document import Document
from pipeline.run.context import RunContext
from pipeline.run.group_links import join_groups, leave_groups, verify, worth
from pipeline.run.report import DocumentOutcome, Status
from pipeline.stages.base import Step
from pipeline.stages.dedup import (
    Fingerprint,
    FingerprintStage,
    shingle_set,
)

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from pipeline.elastic.dedup_groups import Settled

log = logging.getLogger(__name__)

MARKER_DAYS = 2  # batch windows older than this can no longer overlap a running batch: pruned


def prepare(es: Elasticsearch, ctx: RunContext) -> dict[str, int]:
    """At run start (under the writer lease): the store exists, the run's marker is written, and
    what runs that died left half-grouped is grouped again (``group_recovery``). The store is kept
    whatever the run: it holds every source of the alias, and a full refresh of one source
    re-groups that source's documents whose grouping inputs changed (their old links go, see
    ``join_groups``; the others keep their entries), not the other sources'."""
    from pipeline.elastic.dedup_groups import open_run
    from pipeline.elastic.dedup_store import ensure_store
    from pipeline.run.group_recovery import recover

    if ctx.dedup is None:
        return {}
    ensure_store(es, ctx.alias, ctx.support_sizes)
    open_run(es, ctx.alias, ctx.run_id)
    return recover(es, ctx)


def ungrouped(es: Elasticsearch, alias: str, indexed: Iterable[str]) -> set[str]:
    """Indexed documents with no store entry: a run died between their load and their grouping
    (or they were indexed while grouping was off). Processed again rather than skipped as
    unchanged, so they get grouped."""
    from pipeline.elastic.dedup_store import entry_ids

    indexed = set(indexed)
    return indexed - entry_ids(es, alias, indexed) if indexed else set()


class GroupCopies(Step):
    """The grouping step, after the load: the batch's loaded documents joined to the groups of
    their copies (store candidates, containment check, store entries, ``settle``). Documents pass
    on as they come; the grouping runs once the batch is through, here or, given ``defer`` (one
    worker process, ``pipeline.run.overlap``), there while the next batch is transformed:
    ``pending`` then holds its ``(counters, seconds)``."""

    name: ClassVar[str] = "dedup"

    def __init__(self, es: Elasticsearch, ctx: RunContext, fingerprints: FingerprintStage, *,
                 defer: Executor | None = None) -> None:
        super().__init__()
        self.es, self.ctx, self.defer = es, ctx, defer
        self.work = BatchGrouping(fingerprints)
        self.pending: Future[tuple[dict[str, int], float]] | None = None

    def ungrouped(self, indexed: Iterable[str]) -> set[str]:
        """Of ``indexed``, the ids with no store entry (for the unchanged check: processed again)."""
        found = ungrouped(self.es, self.ctx.alias, indexed)
        if found:
            self.counters["ungrouped"] += len(found)
        return found

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        from pipeline.run.load import outcome_of

        loaded: list[DocumentOutcome] = []
        for doc in docs:
            if not doc.failed and not doc.unchanged:
                loaded.append(outcome_of(doc))
            yield doc
        if self.defer is not None and loaded:  # nothing loaded (all unchanged): nothing to hand over
            # a grouping thread of this process (``batch.InThread``) shares our client; a process makes its own
            self.pending = self.defer.submit(group_copies, self.work, getattr(self.defer, "es", None), self.ctx,
                                             loaded)
        else:
            counters, seconds = group_copies(self.work, self.es, self.ctx, loaded)
            self.counters.update({k.removeprefix("dedup/"): v for k, v in counters.items()})
            self.seconds += seconds


def group_copies(work: "BatchGrouping", es: Elasticsearch | None, ctx: RunContext,
                 loaded: Sequence[DocumentOutcome]) -> tuple[dict[str, int], float]:
    """A batch's grouping, here (``es``) or in a worker process (its own client)."""
    from pipeline.run.worker import worker_client

    started = time.perf_counter()
    counters = work.finish(es if es is not None else worker_client(), ctx, loaded)
    return counters, time.perf_counter() - started


class BatchGrouping:
    """One batch's grouping work, picklable (it may run in another process): the fingerprints the
    ``FingerprintStage`` computed, or the inputs it kept to fingerprint ``later``."""

    def __init__(self, stage: FingerprintStage) -> None:
        self.cfg = stage.cfg
        self.stage = stage

    def finish(self, es: Elasticsearch, ctx: RunContext, outcomes: Sequence[DocumentOutcome]) -> dict[str, int]:
        from pipeline.elastic import dedup_store as store

        counters: Counter[str] = Counter()
        loaded = {o.id: o for o in outcomes if o.status == Status.INDEXED}
        self.stage.waiting = [item for item in self.stage.waiting if item.doc_id in loaded]
        for doc_id, problem in self.stage.fingerprint_waiting().items():
            log.warning("%s (%s): %s", loaded[doc_id].source, doc_id, problem)
        if not_grouped := self.stage.counters.pop("not-grouped", 0):
            counters["dedup/not-grouped"] += not_grouped  # indexed alone, each with a logged reason
        fps = [fp for fp in self.stage.pending if fp.doc_id in loaded]
        self.stage.pending = []
        if not fps:
            return dict(counters)
        store.ensure_store(es, ctx.alias, ctx.support_sizes)
        join_groups(es, ctx.alias, ctx.index, ctx.run_id, fps, self.cfg, counters, keep_unchanged=True)
        counters["dedup/fingerprinted"] += len(fps)
        counters["dedup/too-short"] += self.stage.counters.pop("too-short", 0)
        return dict(counters)


def reconcile(es: Elasticsearch, ctx: RunContext, run_doc_ids: Iterable[str]) -> dict[str, int]:
    """End of run: re-check batches that overlapped another batch's window, settle their
    groups, and count this run's groups (``dedup/groups``, ``dedup/new_groups``, ``dedup/copies``)."""
    from elasticsearch import helpers

    from pipeline.elastic import dedup_store as store
    from pipeline.elastic.dedup_groups import article_fields, close_run, missing_articles, settle_proven

    cfg = ctx.dedup
    if cfg is None:
        return {}
    counters: Counter[str] = Counter()
    store.ensure_store(es, ctx.alias, ctx.support_sizes)
    store.refresh(es, ctx.alias)
    mine = store.batch_markers(es, ctx.alias, run_id=ctx.run_id)
    seeds: set[str] = set()
    if mine:
        others = store.batch_markers(es, ctx.alias, written_after=min(int(m["seen_seq"]) for m in mine))
        pairs = {(m["batch"], o["batch"]) for m in mine for o in others
                 if o["batch"] != m["batch"] and int(o["written_seq"]) > int(m["seen_seq"])
                 and int(m["written_seq"]) > int(o["seen_seq"])}
        for mine_batch, other_batch in sorted(pairs):
            if (other_batch, mine_batch) in pairs and other_batch < mine_batch:
                continue  # both batches are this run's: check the pair once
            counters["dedup/overlapping-batches"] += 1
            query = {"query": {"bool": {"filter": [{"term": {"kind": "document"}}, {"term": {"batch": mine_batch}}]}}}
            entries = [h["_source"] for h in helpers.scan(es, index=store.dedup_index(ctx.alias), query=query, size=500,
                                                           _source_includes=["doc_id", "band_keys", "links"])]
            # the shingles the entry was written with (its article's body, this run), of articles still there;
            # the body only without them
            present = set(article_fields(es, ctx.index, [e["doc_id"] for e in entries]))
            entries = [e for e in entries if e["doc_id"] in present]
            sets = store.fetch_shingles(es, ctx.alias, [e["doc_id"] for e in entries])
            bodies = store.fetch_bodies(es, ctx.index, [e["doc_id"] for e in entries if e["doc_id"] not in sets])
            sets.update({d: shingle_set(body, language, cfg) for d, (body, language) in bodies.items()})
            fps = [Fingerprint(e["doc_id"], e.get("band_keys", []), np.zeros(0, np.uint32), sets[e["doc_id"]])
                   for e in entries if e["doc_id"] in sets]
            found = store.candidates(es, ctx.alias, fps, cfg.max_candidates, cfg.min_shared_keys,
                                     only_batch=other_batch, with_links=True)
            known = {e["doc_id"]: set(e.get("links", [])) for e in entries}
            found = {d: [c for c in cs if d not in c.get("links", []) and c["doc_id"] not in known[d]]
                     for d, cs in found.items()}
            proposed = worth(fps, found, cfg, counters)
            links = verify(fps, proposed, es, ctx.alias, ctx.index, cfg, counters)
            store.add_links(es, ctx.alias, links)
            counters["dedup/reconciled"] += sum(map(len, links.values()))
            seeds |= {d for d, ls in links.items() if ls} | {o for ls in links.values() for o in ls}
    if ctx.flow == "reindex":  # entries of documents the rebuilt index does not hold (files gone) leave
        ghosts = sorted(missing_articles(es, ctx.alias, ctx.index))
        seeds |= leave_groups(es, ctx.alias, ctx.index, ghosts, cfg, counters)
        counters["dedup/forgotten"] += len(ghosts)
    run_ids = set(run_doc_ids)
    # this run's documents that found copies: their groups are written to the articles now
    read = store.seq_nos(es, ctx.alias)  # before the refresh: every write up to it is then visible
    store.refresh(es, ctx.alias)
    stored = store.group_sizes(es, ctx.alias, run_ids)
    seeds |= {d for d, (_, count) in stored.items() if count is None}
    settled = settle_proven(es, ctx.alias, ctx.index, seeds, max_size=cfg.max_group_size) if seeds else None
    if not _unchanged_since(es, ctx.alias, read, settled):
        store.refresh(es, ctx.alias)
        stored = store.group_sizes(es, ctx.alias, run_ids)
    elif settled is not None:  # read above, with settle's writes (``_unchanged_since``)
        stored.update({d: (comp.group, len(comp.members)) for comp in settled.components for d in comp.members
                      if d in stored})
    grouped = {d: (str(group), count) for d, (group, count) in stored.items() if count is not None and count > 1}
    per_group: Counter[str] = Counter(group for group, _ in grouped.values())
    counters["dedup/copies"] = len(grouped)
    counters["dedup/groups"] = len(per_group)
    # a group is new when every member arrived in this run
    sizes = dict(grouped.values())
    counters["dedup/new_groups"] = sum(1 for g, n in per_group.items() if n == sizes[g])
    _prune_markers(es, ctx.alias)
    if ctx.flow != "reindex":  # a reindex is done with its groups once the alias points at them
        close_run(es, ctx.alias, ctx.run_id)
    return dict(counters)


def before_deletes(es: Elasticsearch, ctx: RunContext, doomed: Sequence[str]) -> None:
    """The entries of articles about to be deleted are marked touched by this run: if it dies
    between the deletes and ``after_deletes``, a later run finds and settles their groups."""
    from pipeline.elastic.dedup_groups import touch

    if ctx.dedup is not None and doomed:
        touch(es, ctx.alias, doomed)


def after_deletes(es: Elasticsearch, ctx: RunContext, gone: Sequence[str]) -> dict[str, int]:
    """Deleted articles leave their groups; the remaining copies are settled (a new canonical)."""
    from pipeline.elastic import dedup_store as store
    from pipeline.elastic.dedup_groups import settle

    cfg, alias, index = ctx.dedup, ctx.alias, ctx.index
    if cfg is None or not gone:
        return {}
    store.ensure_store(es, alias, ctx.support_sizes)
    counters: Counter[str] = Counter()
    members = leave_groups(es, alias, index, gone, cfg, counters)
    settle(es, alias, index, members, max_size=cfg.max_group_size)
    counters["dedup/regrouped"] = len(members)
    return dict(counters)


def _unchanged_since(es: Elasticsearch, alias: str, read: tuple[int, int] | None, settled: Settled | None) -> bool:
    """Whether the store is, now, the state a search saw after ``read`` (its sequence numbers, taken before
    the refresh) plus ``settle``'s own writes (``settled``): no write at all (no settle, or one that wrote
    nothing), or settle's read was of that same state and nothing but its writes came after
    (``Settled.read_at``). Then the group sizes read then, with the settled components', are the ones
    a refresh and a re-read would find now."""
    from pipeline.elastic.dedup_store import seq_nos

    if read is None or read[0] != read[1]:
        return False
    if settled is None:
        now = seq_nos(es, alias)
        return now is not None and now[1] == read[1]
    return settled.read_at == read[1]


def _prune_markers(es: Elasticsearch, alias: str) -> None:
    """Scan + bulk delete, not ``_delete_by_query``: the minimal distribution has no reindex module."""
    from elasticsearch import helpers

    from pipeline.elastic.dedup_store import dedup_index

    index = dedup_index(alias)
    cutoff = (datetime.now(timezone.utc) - timedelta(days=MARKER_DAYS)).isoformat(timespec="seconds")
    old = [h["_id"] for h in helpers.scan(es, index=index, _source=False, query={"query": {"bool": {"filter": [
        {"term": {"kind": "batch"}}, {"range": {"updated_at": {"lt": cutoff}}}]}}})]
    if old:
        helpers.bulk(es, ({"_op_type": "delete", "_index": index, "_id": i} for i in old), raise_on_error=False)
