"""A batch's store candidates, asked by the band keys first when that gives the same answer.

``dedup_store.candidates`` ranks stored documents by ``_BAND_WEIGHT`` × shared LSH bands + shared
passage fingerprints and keeps the best ``max_candidates``. A document asks about 90 keys, 32 of them
bands, and the node's time follows the keys asked more than the documents that match (on a 10,000-document
store, 2.0–2.3 ms a question with every key, 0.55–0.65 ms with the bands alone: docs/performance.md).
Once a story has many copies in the store, its next copy's best candidates all share several bands, and
the band keys alone name the same candidates:

* ask the bands alone, ``min_shared_keys`` of them at least, best ``max_candidates`` first;
* when that fills all ``max_candidates`` places, every place went to a document sharing at least B
  bands (B, the last place's count), and in the full ranking any document sharing more than B bands
  ranks above every document sharing B or fewer (a band outweighs all passages), so both answers hold
  the same documents except among those sharing exactly B bands, which the full ranking orders by
  shared passages and this one leaves in the node's order; every place is worth a check
  (``worth_checking``: B ≥ ``min_shared_keys``);
* otherwise (fewer copies, or none) the document asks all its keys, as before.

The first question is wasted where stories have few copies (most documents of a typical feed, every
document at the start of a run), so a process asks bands first only after a chunk in which at least
``MIN_FILLED`` of the documents were, or would have been, answered by their bands. A full answer tells
that at no cost: the bands alone fill every place exactly when the full answer's last place shares at
least ``min_shared_keys`` bands (then at least ``max_candidates`` documents share that many, and the
converse holds by the ranking above).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.stages.dedup import DedupConfig, Fingerprint

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

MIN_FILLED = 0.3  # share of a chunk's documents answered by their bands that makes the next chunk ask bands first


@dataclass
class BandsFirst:
    """Whether the next chunk asks bands first: from the last chunk's share of documents that were, or
    would have been, answered by their bands (none seen yet: the full question)."""

    filled: float = 0.0

    def wanted(self) -> bool:
        return self.filled >= MIN_FILLED

    def saw(self, asked: int, answered: int) -> None:
        if asked:  # a chunk with nothing to ask (texts too short to fingerprint) says nothing
            self.filled = answered / asked


_LOCK = threading.Lock()
_TRACKERS: dict[str, BandsFirst] = {}  # per alias, in this process


def tracker(alias: str) -> BandsFirst:
    with _LOCK:
        return _TRACKERS.setdefault(alias, BandsFirst())


def store_candidates(es: Elasticsearch, alias: str, fps: Sequence[Fingerprint], cfg: DedupConfig,
                     counters: Counter[str]) -> dict[str, list[dict[str, Any]]]:
    """``dedup_store.candidates`` for ``fps`` (best ``max_candidates`` sharing ``min_shared_keys``
    keys), asked by the band keys first where the tracker says it pays (module docstring)."""
    from pipeline.elastic import dedup_store as store

    size, least = cfg.max_candidates, cfg.min_shared_keys
    track = tracker(alias)
    usable = cfg.bands >= least and size > 0
    if not (usable and track.wanted()):
        full = store.candidates(es, alias, fps, size, least)
        if usable:  # what the bands alone would have answered (module docstring)
            track.saw(len(full), sum(1 for hits in full.values() if len(hits) >= size and hits[-1]["_bands"] >= least))
        return full
    first = store.candidates(es, alias, fps, size, least, bands_only=True)
    found = {doc_id: hits for doc_id, hits in first.items() if len(hits) >= size}
    track.saw(len(first), len(found))
    counters["dedup/bands-first-asked"] += len(first)
    counters["dedup/bands-first-answered"] += len(found)
    rest = [fp for fp in fps if fp.doc_id not in found]
    if rest:
        found.update(store.candidates(es, alias, rest, size, least))
    return found
