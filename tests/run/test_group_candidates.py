"""``group_candidates.store_candidates``: a batch's store candidates asked by the band keys first, then by
the passage fingerprints, in the real local Elasticsearch. When the bands fill every place, the answer holds
the same documents as the full question except among those sharing exactly the last place's band count
(ordered by shared passages there, in the node's order here); otherwise the passages fill the places left,
ranked by themselves, where the full question put documents sharing one band by chance first."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from pipeline.config import load_settings
from pipeline.elastic import dedup_store as store
from pipeline.run.group_candidates import store_candidates
from pipeline.stages.dedup import Fingerprint, worth_checking


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
def cfg(es_client, alias):
    """The dedup settings, with an empty store for ``alias``."""
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
    first = store_candidates(es_client, alias, [asking], cfg, counters)["new"]
    assert counters["dedup/bands-first-answered"] == counters["dedup/bands-first-asked"] == 1
    assert not counters["dedup/passages-asked"]  # the bands filled every place
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
def test_fewer_candidates_than_places_are_filled_by_the_passages(es_client, alias, cfg):
    mine = _bands("cc")
    _stored(es_client, alias, [_entry(f"copy-{c}", mine + _passages(0, 20)) for c in range(3)]
            + [_entry("passages-only", _bands("dd") + _passages(0, 20))])
    asking = [_fp("new", mine + _passages(0, 20)), _fp("lonely", _bands("ee") + _passages(900, 20))]
    full = store.candidates(es_client, alias, asking, cfg.max_candidates, cfg.min_shared_keys)

    counters: Counter[str] = Counter()
    got = store_candidates(es_client, alias, asking, cfg, counters)
    assert counters["dedup/bands-first-asked"] == 2 and counters["dedup/bands-first-answered"] == 0
    assert counters["dedup/passages-asked"] == 2
    assert got == full  # the same answer as every key at once here, passages counted
    assert [hit["doc_id"] for hit in got["new"]][-1] == "passages-only"
    assert {hit["doc_id"] for hit in got["new"]} == {"copy-0", "copy-1", "copy-2", "passages-only"}
    assert got["lonely"] == []


@pytest.mark.es
def test_documents_sharing_one_band_by_chance_do_not_take_a_real_copys_place(es_client, alias, cfg):
    """The full question ranks a band above every passage: 25 stored documents that share one band and two of
    their 42 passages (boilerplate, a chance agreement of two signature rows) filled its 20 places before a copy
    that shares 20 of its 50 passages and no band. Asked apart, the passages rank by the share of the shorter
    text's fingerprints (what ``worth_checking`` asks): the copy first, then the rest by their share."""
    mine, other = _bands("ff"), _bands("gg")
    _stored(es_client, alias, [_entry(f"junk-{c:02d}", mine[c % 32:c % 32 + 1] + other[1:] + _passages(c * 2, 2)
                                      + _passages(10_000 + 100 * c, 40)) for c in range(25)]
            + [_entry("copy", other + _passages(100, 20) + _passages(5000, 30))])
    asking = _fp("new", mine + _passages(100, 20) + _passages(0, 42))
    full = store.candidates(es_client, alias, [asking], cfg.max_candidates, cfg.min_shared_keys)["new"]
    assert len(full) == cfg.max_candidates and "copy" not in {hit["doc_id"] for hit in full}
    assert all(hit["_bands"] == 1 and hit["_passages"] == 2 for hit in full)

    got = store_candidates(es_client, alias, [asking], cfg, Counter())["new"]
    assert got[0]["doc_id"] == "copy" and got[0]["_passages"] == 20 and got[0]["_bands"] == 0
    assert len(got) == cfg.max_candidates and all(hit["_passages"] == 2 for hit in got[1:])
    assert worth_checking(0, 20, 62, 50, cfg) and not worth_checking(1, 2, 62, 42, cfg)
