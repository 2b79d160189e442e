"""A batch's store candidates: asked by the band keys first, then by the passage fingerprints.

A document's keys are its LSH bands (``bands``, 32) and its first winnowing fingerprints (up to
``max_passage_keys``). A stored document is worth a pair check (``worth_checking``) when it shares at least
``min_shared_keys`` bands, or when the fingerprints it shares cover ``min_key_containment`` of the shorter
text's: one shared band says nothing (two rows of a signature agree by chance between texts that share a
few sentences). Each document asks:

* **the bands alone**, ``min_shared_keys`` of them at least, best ``max_candidates`` first. When that fills
  every place, every place is worth a check and the answer is the one the full question (``dedup_store.
  candidates``, a band outweighing all passages) would give, but for the order among the documents sharing
  exactly the last place's band count (the full question orders them by shared passages, this one leaves
  them in the node's order). Once a story has many copies in the store, most of its next copies are
  answered so, at about a third of the full question's cost (docs/performance.md);
* otherwise **the passage fingerprints alone**, ``min_shared_keys`` of them at least, for the places the
  bands left: every document sharing ``min_shared_keys`` bands is already in (the bands did not fill the
  places), so what is left is worth checking only by its passages, and is ranked by what ``worth_checking``
  asks of them: the share of the shorter text's fingerprints they are (``dedup_store.candidates``,
  ``passages_only``), not their count, which favours long stored texts that share a few stock sentences.

Until the nineteenth session the second question was the full one, every key at once, where a band
outweighs all passages: then the stored documents sharing one band by chance (junk: one band and a
passage or two) took the places before a real copy sharing a dozen passages and no band, and a store of
10,000 documents split stories (``benchmarks/group_recall.py``: 120 of the 263 documents a 1-worker run left
alone had a copy worth checking that the full question did not return; 4 of 147 now, pair recall 0.895 ->
0.919 against every pair checked, precision 1.000). Asked apart, the two questions look up the same keys
once each. What the split gives up: a stored document sharing one band and one
passage with a text of at most ``1 / min_key_containment`` passages (a few sentences), which the full
question's two keys found and the passages alone do not.

While every document entry of the store is one the asking process wrote in this run (a first ingest into
an alias, a backfill), both questions are answered from the keys it kept (``group_memory.RunKeys``), which
give the node's answers without its term lookups, scoring and round trips (``dedup/answered-in-memory``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pipeline.stages.dedup import DedupConfig, Fingerprint

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from pipeline.run.group_memory import RunKeys


def store_candidates(es: Elasticsearch, alias: str, fps: Sequence[Fingerprint], cfg: DedupConfig,
                     counters: Counter[str], memory: RunKeys | None = None) -> dict[str, list[dict[str, Any]]]:
    """Per document of ``fps`` with keys, the stored documents worth asking about, best first, at most
    ``max_candidates``: the bands' answer, then the passages' for the places left (module docstring).
    ``memory``: the store's entries are all in it (``group_memory``), which answers both questions."""
    from functools import partial

    from pipeline.elastic import dedup_store as store

    size, least = cfg.max_candidates, cfg.min_shared_keys
    if cfg.bands < least or size <= 0:  # the bands alone can never answer: every key at once, as before
        return store.candidates(es, alias, fps, size, least)
    ask = memory.candidates if memory is not None else partial(store.candidates, es, alias)
    if memory is not None:
        counters["dedup/answered-in-memory"] += len(fps)
    first = ask(fps, size, least, bands_only=True)
    found = {doc_id: hits for doc_id, hits in first.items() if len(hits) >= size}
    counters["dedup/bands-first-asked"] += len(first)
    counters["dedup/bands-first-answered"] += len(found)
    rest = [fp for fp in fps if fp.doc_id not in found and fp.passage_keys]
    by_passages = ask(rest, size, least, passages_only=True) if rest else {}
    counters["dedup/passages-asked"] += len(by_passages)
    for fp in fps:
        if fp.doc_id in found or (fp.doc_id not in first and fp.doc_id not in by_passages):
            continue
        passages = by_passages.get(fp.doc_id, [])
        shared = {hit["doc_id"]: hit["_passages"] for hit in passages}
        banded = [{**hit, "_passages": shared.get(hit["doc_id"], 0)} for hit in first.get(fp.doc_id, [])]
        taken = {hit["doc_id"] for hit in banded}
        found[fp.doc_id] = (banded + [hit for hit in passages if hit["doc_id"] not in taken])[:size]
    return found
