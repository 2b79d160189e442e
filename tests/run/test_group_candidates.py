"""``group_candidates.store_candidates``: a batch's store candidates asked by the band keys first, in the
real local Elasticsearch. When the bands fill every place, the answer holds the same documents as the
full question except among those sharing exactly the last place's band count (ordered by shared
passages there, in the node's order here); otherwise the full question is asked, as before."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from pipeline.config import load_settings
from pipeline.elastic import dedup_store as store
from pipeline.run import group_candidates
from pipeline.run.group_candidates import MIN_FILLED, BandsFirst, store_candidates
from pipeline.stages.dedup import Fingerprint


def test_bands_first_is_asked_after_a_chunk_where_it_answered_or_would_have():
    track = BandsFirst()
    assert not track.wanted()  # nothing seen yet: the full question
    track.saw(100, 29)
    assert not track.wanted()
    track.saw(100, 30)
    assert track.wanted()
    track.saw(0, 0)  # nothing asked (texts too short to fingerprint): no evidence either way
    assert track.wanted()
    track.saw(10, 0)
    assert not track.wanted()


def _bands(prefix: str, n: int = 32) -> list[str]:
    return [f"{i:02x}{prefix}{i:014x}"[:18] for i in range(n)]


def _passages(start: int, n: int) -> list[str]:
    return [f"p{v:08x}" for v in range(start, start + n)]


def _entry(doc: str, keys: list[str]) -> dict:
    return {"kind": "document", "doc_id": doc, "batch": "b1", "group": "story", "links": [], "band_keys": keys,
            "passage_count": sum(1 for k in keys if k.startswith("p")), "run_id": "r", "updated_at": store._now()}


def _fp(doc: str, keys: list[str]) -> Fingerprint:
    return Fingerprint(doc, keys, np.zeros(0, np.uint32), np.zeros(0, np.uint64))


@pytest.fixture
def cfg(es_client, alias, monkeypatch):
    """The dedup settings, with an empty store for ``alias`` and no tracker left by another test."""
    monkeypatch.setattr(group_candidates, "_TRACKERS", {})
    store.ensure_store(es_client, alias, load_settings().support_indices)
    return load_settings().dedup


def _stored(es, alias: str, entries: list[dict]) -> None:
    store.write_entries(es, alias, entries)
    store.refresh(es, alias)


@pytest.mark.es
def test_bands_first_names_the_full_answers_documents_but_the_last_places_ties(es_client, alias, cfg):
    mine = _bands("aa")
    other = _bands("bb")
    entries = (
        # 8 copies share every band, 30 share 12 (and more or fewer passages), 5 share 2 bands
        [_entry(f"all-{c}", mine + _passages(0, 40)) for c in range(8)]
        + [_entry(f"twelve-{c:02d}", mine[:12] + other[12:] + _passages(0, c)) for c in range(30)]
        + [_entry(f"two-{c}", mine[:2] + other[2:] + _passages(0, 40)) for c in range(5)]
        + [_entry("passages-only", other + _passages(0, 40))])
    _stored(es_client, alias, entries)
    asking = _fp("new", mine + _passages(0, 40))
    full = store.candidates(es_client, alias, [asking], cfg.max_candidates, cfg.min_shared_keys)["new"]

    counters: Counter[str] = Counter()
    # the first chunk asks the full question, and its answer says the bands alone would have filled it
    assert store_candidates(es_client, alias, [asking], cfg, counters)["new"] == full
    assert not counters and group_candidates.tracker(alias).wanted()
    first = store_candidates(es_client, alias, [asking], cfg, counters)["new"]
    assert counters["dedup/bands-first-answered"] == counters["dedup/bands-first-asked"] == 1
    assert len(first) == len(full) == cfg.max_candidates
    last = min(hit["_bands"] for hit in first)
    assert last == min(hit["_bands"] for hit in full) == 12
    above = {hit["doc_id"] for hit in full if hit["_bands"] > last}
    assert above == {f"all-{c}" for c in range(8)} == {hit["doc_id"] for hit in first if hit["_bands"] > last}
    assert all(hit["_bands"] == last and hit["doc_id"].startswith("twelve-") for hit in first
               if hit["doc_id"] not in above)
    # the full question orders the ties by shared passages: the twelve with the most
    assert {hit["doc_id"] for hit in full if hit["_bands"] == last} == {f"twelve-{c:02d}" for c in range(18, 30)}


@pytest.mark.es
def test_fewer_candidates_than_places_ask_the_full_question(es_client, alias, cfg):
    mine = _bands("cc")
    _stored(es_client, alias, [_entry(f"copy-{c}", mine + _passages(0, 20)) for c in range(3)]
            + [_entry("passages-only", _bands("dd") + _passages(0, 20))])
    asking = [_fp("new", mine + _passages(0, 20)), _fp("lonely", _bands("ee") + _passages(900, 20))]
    full = store.candidates(es_client, alias, asking, cfg.max_candidates, cfg.min_shared_keys)

    counters: Counter[str] = Counter()
    group_candidates.tracker(alias).saw(10, 10)  # an earlier chunk was answered by its bands
    got = store_candidates(es_client, alias, asking, cfg, counters)
    assert counters["dedup/bands-first-asked"] == 2 and counters["dedup/bands-first-answered"] == 0
    assert got == full  # asked again in full: the same answer, passages counted
    assert {hit["doc_id"] for hit in got["new"]} == {"copy-0", "copy-1", "copy-2", "passages-only"}
    assert got["lonely"] == []
    # the tracker saw nothing answered: the next chunk asks the full question straight away, and learns
    # from its answer that the bands would still not have filled it
    assert not group_candidates.tracker(alias).wanted()
    assert store_candidates(es_client, alias, asking, cfg, counters) == full
    assert counters["dedup/bands-first-asked"] == 2 and not group_candidates.tracker(alias).wanted()
    assert group_candidates.tracker(alias).filled < MIN_FILLED
