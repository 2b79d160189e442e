"""The dedup step of a run: fingerprint while transforming, group after each batch's load,
reconcile at the end of the run, re-settle groups after deletes.

Per batch (after the documents are loaded): candidates from the store (band keys) and from
the batch itself, the containment check on the cleaned bodies, the store entries with the
verified links, then ``settle`` on the touched groups. At the end of a run only batches whose
store windows overlapped (concurrent batches or runs, which may have missed each other's
copies) are checked against each other again, and their groups settled.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from pipeline.document import Document
from pipeline.run.context import RunContext
from pipeline.run.report import DocumentOutcome, Status
from pipeline.stages.dedup import (
    DedupConfig,
    Fingerprint,
    FingerprintStage,
    canonical_key,
    compare,
    load_dedup_config,
    shingle_set,
    worth_checking,
)

log = logging.getLogger(__name__)

MARKER_DAYS = 2  # batch windows older than this can no longer overlap a running batch: pruned


def dedup_config() -> DedupConfig | None:
    cfg = load_dedup_config()
    return cfg if cfg.enabled else None


def _support() -> Any:
    from pipeline.config import load_settings

    return load_settings().support_indices  # the run context does not carry it (yet)


def prepare(es: Any, alias: str, *, full_refresh: bool) -> None:
    """At run start: the store exists; a full refresh empties it (every document is re-fingerprinted)."""
    from pipeline.elastic.dedup_store import ensure_store

    if dedup_config() is not None:
        ensure_store(es, alias, _support(), rebuild=full_refresh)


def ungrouped(es: Any, alias: str, indexed: Iterable[str]) -> set[str]:
    """Indexed documents with no store entry: a run died between their load and their grouping
    (or they were indexed while grouping was off). Processed again rather than skipped as
    unchanged, so they get grouped."""
    from pipeline.elastic.dedup_store import entry_ids

    indexed = set(indexed)
    return indexed - entry_ids(es, alias, indexed) if indexed else set()


PER_GROUP_TRIES = 2  # members of one stored group checked per round before giving up on it
OWNERS_PER_KEY = 16  # batch documents remembered per key (bounds the in-batch work on common phrases)


def _verify(fps: Sequence[Fingerprint], proposed: dict[str, list[tuple[str, str]]], es: Any, alias: str,
            index: str, cfg: DedupConfig, counters: Counter[str]) -> dict[str, set[str]]:
    """Keep proposed pairs whose cleaned bodies pass the containment check.

    ``proposed`` lists ``(candidate, its group)`` best first. One verified link joins a whole
    group, so once a document is linked to a group no other member of it is checked, and a
    group gets ``PER_GROUP_TRIES`` members per round (an excerpt may fail against another
    excerpt yet pass against the original): bodies fetched stay near one per group."""
    from pipeline.elastic.dedup_store import fetch_bodies, fetch_shingles

    own = {fp.doc_id: fp.shingles for fp in fps}
    remote: dict[str, np.ndarray | None] = {}
    links: dict[str, set[str]] = defaultdict(set)
    linked_groups: dict[str, set[str]] = defaultdict(set)
    offset = {doc_id: 0 for doc_id in proposed}
    for _ in range(3):
        wanted: dict[str, list[str]] = {}
        for doc_id, cands in proposed.items():
            tries: Counter[str] = Counter()
            picked = []
            for other, group in cands[offset[doc_id]:]:
                if group in linked_groups[doc_id]:
                    continue
                if tries[group] >= PER_GROUP_TRIES:
                    continue
                tries[group] += 1
                picked.append(other)
            wanted[doc_id] = picked
        if not any(wanted.values()):
            break
        missing = {o for picked in wanted.values() for o in picked} - set(own) - set(remote)
        remote.update(fetch_shingles(es, alias, missing))  # stored with the entry: no body re-read
        fetched = fetch_bodies(es, index, missing - set(remote))  # entries written before shingles were kept
        remote.update({i: shingle_set(body, language, cfg) for i, (body, language) in fetched.items()})
        remote.update({i: None for i in missing - set(remote)})  # gone meanwhile: nothing to join
        for doc_id, picked in wanted.items():
            group_of = dict(proposed[doc_id])
            for other in picked:
                theirs = own.get(other, remote.get(other))
                if theirs is None or group_of[other] in linked_groups[doc_id]:
                    continue
                counters["dedup/checked"] += 1
                if compare(own[doc_id], theirs, cfg).duplicate:
                    links[doc_id].add(other)
                    linked_groups[doc_id].add(group_of[other])
                    counters["dedup/linked"] += 1
            # next round: the candidates after the ones looked at, in groups still unlinked
            done = set(picked)
            proposed[doc_id] = [(o, g) for o, g in proposed[doc_id] if o not in done]
    return links


def _worth(fps: Sequence[Fingerprint], found: dict[str, list[dict[str, Any]]], cfg: DedupConfig,
           counters: Counter[str]) -> dict[str, list[tuple[str, str]]]:
    """Store candidates whose shared keys justify a check, as ``(id, group)`` best first."""
    own = {fp.doc_id: fp.passage_count for fp in fps}
    out: dict[str, list[tuple[str, str]]] = {}
    for doc_id, cands in found.items():
        kept = [(c["doc_id"], c.get("group") or c["doc_id"]) for c in cands
                if worth_checking(c["_bands"], c["_passages"], own[doc_id], int(c.get("passage_count") or 0), cfg)]
        counters["dedup/candidates-skipped"] += len(cands) - len(kept)
        out[doc_id] = kept
    return out


def _local_labels(fps: Sequence[Fingerprint], links: dict[str, set[str]],
                  stored_group: dict[str, str]) -> dict[str, str]:
    """Group labels for the batch's documents that found copies, from what the batch knows: a
    cluster (by links) joining one stored group takes its label; a new group takes its
    canonical copy's id; a cluster touching several stored groups takes the smallest label and
    the end-of-run ``settle`` merges them. Articles are written once, at the end of the run."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, mates in links.items():
        for other in mates:
            parent[root(other)] = root(doc_id)
    clusters: dict[str, list[str]] = defaultdict(list)
    for node in list(parent):
        clusters[root(node)].append(node)
    own = {fp.doc_id: fp for fp in fps}
    labels: dict[str, str] = {}
    for members in clusters.values():
        stored = sorted({stored_group[m] for m in members if m not in own and m in stored_group})
        mine = [m for m in members if m in own]
        label = stored[0] if stored else min(mine, key=lambda m: canonical_key(own[m].published,
                                                                               own[m].body_length, m))
        labels.update({m: label for m in mine})
    return labels


def _within_batch(fps: Sequence[Fingerprint], cfg: DedupConfig, counters: Counter[str]) -> dict[str, set[str]]:
    """Copies inside one batch: each document is checked against earlier ones sharing keys, one
    cluster at a time (union-find), so a story printed 50 times costs ~50 checks, not 50²/2."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, list[str]] = defaultdict(list)
    by_id = {fp.doc_id: fp for fp in fps}
    links: dict[str, set[str]] = defaultdict(set)
    for fp in fps:  # the later document links to the earlier
        parent[fp.doc_id] = fp.doc_id
        bands = Counter(o for key in fp.lsh_keys for o in owner.get(key, ()))
        passages = Counter(o for key in fp.passage_keys for o in owner.get(key, ()))
        tries: Counter[str] = Counter()
        joined: set[str] = set()
        mine = fp.passage_count
        ranked = sorted(set(bands) | set(passages), key=lambda o: (-bands[o], -passages[o], o))
        for other in ranked:
            r = root(other)
            if r in joined or tries[r] >= PER_GROUP_TRIES:
                continue
            if not worth_checking(bands[other], passages[other], mine, by_id[other].passage_count, cfg):
                counters["dedup/candidates-skipped"] += 1
                continue
            tries[r] += 1
            counters["dedup/checked"] += 1
            if compare(fp.shingles, by_id[other].shingles, cfg).duplicate:
                links[fp.doc_id].add(other)
                counters["dedup/linked"] += 1
                joined.add(r)
        for r in joined:
            parent[root(r)] = root(fp.doc_id)
        for key in fp.band_keys:  # a key many documents share is a common phrase: its first owners suffice
            if len(owner[key]) < OWNERS_PER_KEY:
                owner[key].append(fp.doc_id)
    return links


def _repair(es: Any, alias: str, index: str, members: set[str], cfg: DedupConfig,
            counters: Counter[str]) -> None:
    """Re-link what is left of groups a document left (deleted or changed): a group is joined by
    one link per copy, so the copy that left may have been the only path between the others.
    Greedy, in canonical order: each copy joins the first cluster one of whose first members
    it matches, so it costs a few checks per cluster, not all pairs."""
    from pipeline.elastic import dedup_store as store

    if len(members) < 2:
        return
    entries = store.get_entries(es, alias, members)
    bodies = store.fetch_bodies(es, index, entries)
    order = sorted(bodies, key=lambda i: canonical_key(entries[i].get("published"),
                                                       int(entries[i].get("body_length") or 0), i))
    sets = {i: shingle_set(bodies[i][0], bodies[i][1], cfg) for i in order}
    clusters: list[list[str]] = []
    links: dict[str, set[str]] = defaultdict(set)
    for doc_id in order:
        for cluster in clusters:
            match = next((m for m in cluster[:PER_GROUP_TRIES + 1]
                          if compare(sets[doc_id], sets[m], cfg).duplicate), None)
            counters["dedup/checked"] += 1
            if match is not None:
                links[doc_id].add(match)
                cluster.append(doc_id)
                break
        else:
            clusters.append([doc_id])
    store.add_links(es, alias, links)
    counters["dedup/relinked"] += sum(map(len, links.values()))


def _former_members(es: Any, alias: str, ids: Sequence[str], max_size: int) -> set[str]:
    from pipeline.elastic import dedup_store as store

    store.refresh(es, alias)
    return {m for comp in store.components(es, alias, ids, max_size) for m in comp.members} - set(ids)


class BatchDedup:
    """One batch's share of the step; ``observe`` runs after enrich, ``finish`` after the load.
    ``later``: ``observe`` only keeps what fingerprinting needs, ``finish`` fingerprints it
    (so both can run in another process, see ``pipeline.run.overlap``)."""

    def __init__(self, cfg: DedupConfig, *, later: bool = False) -> None:
        self.cfg = cfg
        self.stage = FingerprintStage(cfg, later=later)

    @classmethod
    def start(cls, *, later: bool = False) -> "BatchDedup | None":
        cfg = dedup_config()
        return cls(cfg, later=later) if cfg is not None else None

    def observe(self, doc: Document) -> Document:
        return self.stage(doc)

    def finish(self, es: Any, ctx: RunContext, outcomes: Sequence[DocumentOutcome]) -> dict[str, int]:
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
        store.ensure_store(es, ctx.alias, _support())
        changed = [fp.doc_id for fp in fps if loaded[fp.doc_id].change == "changed"]
        affected: set[str] = set()
        if changed:  # re-processed files: their old links go, the rest of their groups is re-linked
            affected = _former_members(es, ctx.alias, changed, self.cfg.max_group_size)
            store.forget(es, ctx.alias, changed, delete=False)
            _repair(es, ctx.alias, ctx.index, affected, self.cfg, counters)
        seen = store.visible_checkpoint(es, ctx.alias)
        proposed = _worth(fps, store.candidates(es, ctx.alias, fps, self.cfg.max_candidates,
                                                self.cfg.min_shared_keys), self.cfg, counters)
        links = _verify(fps, proposed, es, ctx.alias, ctx.index, self.cfg, counters)
        for doc_id, mates in _within_batch(fps, self.cfg, counters).items():
            links.setdefault(doc_id, set()).update(mates)
        labels = _local_labels(fps, links, {o: g for cands in proposed.values() for o, g in cands})
        batch = f"{ctx.run_id}:{uuid.uuid4().hex[:12]}"
        written = store.write_entries(es, ctx.alias, [
            store.entry_source(fp, group=labels.get(fp.doc_id, fp.doc_id), links=sorted(links.get(fp.doc_id, ())),
                               run_id=ctx.run_id, batch=batch, seen_seq=seen, alone=fp.doc_id not in labels)
            for fp in fps])
        store.write_batch_marker(es, ctx.alias, run_id=ctx.run_id, batch=batch, seen_seq=seen, written_seq=written)
        if affected:
            store.settle(es, ctx.alias, ctx.index, affected, max_size=self.cfg.max_group_size)
        counters["dedup/fingerprinted"] += len(fps)
        counters["dedup/too-short"] += self.stage.counters.pop("too-short", 0)
        return dict(counters)


def reconcile(es: Any, ctx: RunContext, run_doc_ids: Iterable[str]) -> dict[str, int]:
    """End of run: re-check batches that overlapped another batch's window, settle their
    groups, and count this run's groups (``dedup/groups``, ``dedup/new_groups``, ``dedup/copies``)."""
    from elasticsearch import helpers

    from pipeline.elastic import dedup_store as store

    cfg = dedup_config()
    if cfg is None:
        return {}
    counters: Counter[str] = Counter()
    store.ensure_store(es, ctx.alias, _support())
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
            entries = [h["_source"] for h in helpers.scan(es, index=store.dedup_index(ctx.alias), query=query,
                                                           size=500, _source_includes=["doc_id", "band_keys", "links"])]
            bodies = store.fetch_bodies(es, ctx.index, [e["doc_id"] for e in entries])
            fps = [Fingerprint(e["doc_id"], e.get("band_keys", []), np.zeros(0, np.uint32),
                               shingle_set(bodies[e["doc_id"]][0], bodies[e["doc_id"]][1], cfg))
                   for e in entries if e["doc_id"] in bodies]
            found = store.candidates(es, ctx.alias, fps, cfg.max_candidates, cfg.min_shared_keys,
                                     only_batch=other_batch, with_links=True)
            known = {e["doc_id"]: set(e.get("links", [])) for e in entries}
            found = {d: [c for c in cs if d not in c.get("links", []) and c["doc_id"] not in known[d]]
                     for d, cs in found.items()}
            proposed = _worth(fps, found, cfg, counters)
            links = _verify(fps, proposed, es, ctx.alias, ctx.index, cfg, counters)
            store.add_links(es, ctx.alias, links)
            counters["dedup/reconciled"] += sum(map(len, links.values()))
            seeds |= {d for d, ls in links.items() if ls} | {o for ls in links.values() for o in ls}
    run_ids = set(run_doc_ids)
    # this run's documents that found copies: their groups are written to the articles now
    seeds |= {d for d, e in store.get_entries(es, ctx.alias, run_ids).items() if e.get("duplicate_count") is None}
    if seeds:
        store.settle(es, ctx.alias, ctx.index, seeds, max_size=cfg.max_group_size)
    store.refresh(es, ctx.alias)
    entries = store.get_entries(es, ctx.alias, run_ids)
    grouped = {d: e for d, e in entries.items() if int(e.get("duplicate_count") or 1) > 1}
    per_group: Counter[str] = Counter(e["group"] for e in grouped.values())
    counters["dedup/copies"] = len(grouped)
    counters["dedup/groups"] = len(per_group)
    # a group is new when every member arrived in this run
    sizes = {e["group"]: int(e["duplicate_count"]) for e in grouped.values()}
    counters["dedup/new_groups"] = sum(1 for g, n in per_group.items() if n == sizes[g])
    _prune_markers(es, ctx.alias)
    return dict(counters)


def after_deletes(es: Any, alias: str, index: str, gone: Sequence[str]) -> dict[str, int]:
    """Deleted articles leave their groups; the remaining copies are settled (a new canonical)."""
    from pipeline.elastic import dedup_store as store

    cfg = dedup_config()
    if cfg is None or not gone:
        return {}
    store.ensure_store(es, alias, _support())
    counters: Counter[str] = Counter()
    members = _former_members(es, alias, gone, cfg.max_group_size)
    store.forget(es, alias, list(gone), delete=True)
    _repair(es, alias, index, members, cfg, counters)
    store.settle(es, alias, index, members, max_size=cfg.max_group_size)
    counters["dedup/regrouped"] = len(members)
    return dict(counters)


def _prune_markers(es: Any, alias: str) -> None:
    """Scan + bulk delete, not ``_delete_by_query``: the minimal distribution has no reindex module."""
    from elasticsearch import helpers

    from pipeline.elastic.dedup_store import dedup_index

    index = dedup_index(alias)
    cutoff = (datetime.now(timezone.utc) - timedelta(days=MARKER_DAYS)).isoformat(timespec="seconds")
    old = [h["_id"] for h in helpers.scan(es, index=index, _source=False, query={"query": {"bool": {"filter": [
        {"term": {"kind": "batch"}}, {"range": {"updated_at": {"lt": cutoff}}}]}}})]
    if old:
        helpers.bulk(es, ({"_op_type": "delete", "_index": index, "_id": i} for i in old), raise_on_error=False)
