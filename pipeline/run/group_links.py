"""Which copies link: store candidates worth a check, the containment check on the cleaned
bodies, matches inside one batch, labels for new groups, and the repair of groups whose members
changed; ``join_groups`` (documents into the groups of their copies) and ``leave_groups``
(articles that are gone). The grouping step (``pipeline.run.grouping``) and the recovery after a
run that died (``pipeline.run.group_recovery``) call these."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import uuid
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.run.group_memory import RUN_KEYS_PAIRS, keep_run_keys, run_keys
from pipeline.stages.dedup import DedupConfig, Fingerprint, canonical_key, compare, shingle_set, worth_checking

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PER_GROUP_TRIES = 2  # members of one stored group checked per round before giving up on it
OWNERS_PER_KEY = 16  # batch documents remembered per key (bounds the in-batch work on common phrases)


class WrittenShingles:
    """The shingle sets of the entries this process wrote in this run, newest kept within
    ``max_bytes`` (uint32, as the store keeps them): a later batch's pair checks read a candidate
    from here instead of fetching its set (a get by id and a base64 decode here). The run's
    grouping process keeps one (``pipeline.run.overlap``), and so does a process that groups its
    batch in a thread of its own (``pipeline.run.batch.in_chunks``: an Airflow mapped task).
    Either way what it keeps is what this process wrote for this run: a document is in one batch
    of a run, so no other process rewrites those sets, and deletes come after the grouping (one
    writer per alias). What it returns equals the stored field (``decode_shingles``)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self.owner: tuple[str, str] | None = None  # (alias, run_id) the sets belong to
        self.sets: OrderedDict[str, np.ndarray] = OrderedDict()

    def add(self, alias: str, run_id: str, fps: Sequence[Fingerprint]) -> None:
        if self.owner != (alias, run_id):
            self.owner, self.size = (alias, run_id), 0
            self.sets.clear()
        for fp in fps:
            kept = fp.shingles.astype(np.uint32)
            if (old := self.sets.pop(fp.doc_id, None)) is not None:
                self.size -= old.nbytes
            self.sets[fp.doc_id] = kept
            self.size += kept.nbytes
        while self.size > self.max_bytes and self.sets:
            self.size -= self.sets.popitem(last=False)[1].nbytes

    def get(self, alias: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
        if self.owner is None or self.owner[0] != alias:
            return {}
        return {i: self.sets[i].astype(np.uint64) for i in ids if i in self.sets}


# set in the processes that group (``keep_written_shingles``): the CLI run's grouping process, and a
# process that groups a batch in its own grouping thread (an Airflow mapped task, a one-batch run)
_WRITTEN: WrittenShingles | None = None


def keep_written_shingles(max_bytes: int) -> None:
    """From now on this process remembers the shingle sets it writes (``WrittenShingles``) and their store
    keys (``group_memory.RunKeys``); a process that already does keeps what it has (``airflow dags test``
    runs every task in one process)."""
    global _WRITTEN
    if _WRITTEN is None or _WRITTEN.max_bytes != max_bytes:
        _WRITTEN = WrittenShingles(max_bytes)
    keep_run_keys(RUN_KEYS_PAIRS)


def verify(fps: Sequence[Fingerprint], proposed: dict[str, list[tuple[str, str]]], es: Elasticsearch, alias: str,
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
        if _WRITTEN is not None:  # written by this process in this run: no read
            remote.update(_WRITTEN.get(alias, missing))
            missing -= set(remote)
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


def worth(fps: Sequence[Fingerprint], found: dict[str, list[dict[str, Any]]], cfg: DedupConfig,
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


def local_labels(fps: Sequence[Fingerprint], links: dict[str, set[str]],
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


def within_batch(fps: Sequence[Fingerprint], cfg: DedupConfig, counters: Counter[str]) -> dict[str, set[str]]:
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


def repair(es: Elasticsearch, alias: str, index: str, members: set[str], cfg: DedupConfig,
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


def former_members(es: Elasticsearch, alias: str, ids: Sequence[str], max_size: int) -> set[str]:
    from pipeline.elastic.dedup_groups import components
    from pipeline.elastic.dedup_store import refresh

    refresh(es, alias)
    return {m for comp in components(es, alias, ids, max_size) for m in comp.members} - set(ids)


_GROUPING_CODE = ("stages/dedup.py", "run/group_links.py", "run/group_candidates.py")  # what decides the links


@functools.cache
def _rules_digest(cfg: DedupConfig) -> bytes:
    """The grouping code's and settings' part of ``grouping_inputs``, once per process and settings."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=16)
    for name in _GROUPING_CODE:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes())
    digest.update(json.dumps(dataclasses.asdict(cfg), sort_keys=True).encode())
    return digest.digest()


def grouping_inputs(fp: Fingerprint, cfg: DedupConfig) -> str:
    """A digest of what a document's links were decided on: its shingle set, band and passage keys, length,
    date and language (the canonical rule's inputs too), the grouping settings and the grouping code. A
    document re-processed with the same digest as its stored entry has the copies it had: the entry and
    its links are kept (``join_groups``, ``keep_unchanged``)."""
    digest = hashlib.blake2b(_rules_digest(cfg), digest_size=16)
    digest.update("\x1f".join(fp.band_keys).encode())
    digest.update(fp.shingles.astype(np.uint32).tobytes())
    digest.update(json.dumps([fp.body_length, fp.published, fp.language]).encode())
    return digest.hexdigest()


def join_groups(es: Elasticsearch, alias: str, index: str, run_id: str, fps: Sequence[Fingerprint],
                cfg: DedupConfig, counters: Counter[str], *, keep_unchanged: bool = False) -> set[str]:
    """Join documents to the groups of their copies; returns the other documents whose groups
    changed and were settled. A document the store already holds (changed, re-processed by a
    full refresh or a reindex, or left half-grouped by a run that died) first leaves its old
    group: its links go and the rest of that group is re-linked, whatever its change says.

    ``keep_unchanged`` (a run's batches, not the recovery after a run that died): a document whose settled
    entry was written from the same grouping inputs (``grouping_inputs``: same shingles, keys, length, date,
    language, settings and code) keeps its entry and links; the entry is only marked unsettled, so that the
    end of the run writes its group to the article the run re-indexed (``dedup/kept``). Re-processing a
    whole index after a rule change then re-groups only the documents whose grouping inputs changed, instead
    of taking every copy out of its group and re-linking the rest, batch after batch."""
    from pipeline.elastic import dedup_store as store
    from pipeline.elastic.dedup_groups import settle
    from pipeline.run.group_candidates import store_candidates

    inputs = {fp.doc_id: grouping_inputs(fp, cfg) for fp in fps}
    if keep_unchanged:
        stored = store.entry_inputs(es, alias, inputs)
        kept = {d for d, (digest, count) in stored.items()
                if count is not None and digest is not None and digest == inputs[d]}
        before = sorted(set(stored) - kept)
        if kept:
            store.mark_unsettled(es, alias, kept, run_id)
            counters["dedup/kept"] += len(kept)
            fps = [fp for fp in fps if fp.doc_id not in kept]
            if not fps:
                return set()
    else:
        before = sorted(store.entry_ids(es, alias, inputs))
    affected: set[str] = set()
    if before:
        affected = former_members(es, alias, before, cfg.max_group_size)
        store.forget(es, alias, before, delete=False)
        repair(es, alias, index, affected, cfg, counters)
    seen = store.visible_checkpoint(es, alias)
    keys = run_keys()
    memory = keys.answering(alias, run_id, lambda: store.document_count(es, alias)) if keys is not None else None
    proposed = worth(fps, store_candidates(es, alias, fps, cfg, counters, memory), cfg, counters)
    # The stored labels of the documents being grouped here, and of what is left of their old
    # groups, no longer say who is linked with whom (their links were just cut): each counts as
    # its own group, so a link to one of them does not stand for a link to the others.
    unsure = {fp.doc_id for fp in fps} | affected
    proposed = {d: [(o, o if o in unsure else g) for o, g in cands] for d, cands in proposed.items()}
    links = verify(fps, proposed, es, alias, index, cfg, counters)
    for doc_id, mates in within_batch(fps, cfg, counters).items():
        links.setdefault(doc_id, set()).update(mates)
    labels = local_labels(fps, links, {o: g for cands in proposed.values() for o, g in cands})
    batch = f"{run_id}:{uuid.uuid4().hex[:12]}"
    written = store.write_entries(es, alias, [
        store.entry_source(fp, group=labels.get(fp.doc_id, fp.doc_id), links=sorted(links.get(fp.doc_id, ())),
                           run_id=run_id, batch=batch, seen_seq=seen, alone=fp.doc_id not in labels,
                           inputs=inputs[fp.doc_id])
        for fp in fps])
    if _WRITTEN is not None:
        _WRITTEN.add(alias, run_id, fps)
    if keys is not None:
        keys.add(alias, run_id, fps, labels)
    store.write_batch_marker(es, alias, run_id=run_id, batch=batch, seen_seq=seen, written_seq=written)
    if affected:
        settle(es, alias, index, affected, max_size=cfg.max_group_size)
    return affected


def leave_groups(es: Elasticsearch, alias: str, index: str, gone: Sequence[str], cfg: DedupConfig,
                 counters: Counter[str]) -> set[str]:
    """Entries of articles that are gone are deleted and the rest of their groups re-linked;
    returns those other members (to settle)."""
    from pipeline.elastic import dedup_store as store

    if not gone:
        return set()
    members = former_members(es, alias, gone, cfg.max_group_size)
    store.forget(es, alias, list(gone), delete=True)
    repair(es, alias, index, members, cfg, counters)
    return members
