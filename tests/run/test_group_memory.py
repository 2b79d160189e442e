"""``group_memory.RunKeys``: a run's store candidates answered in the grouping process while every document
entry of the store is one it wrote in this run. Its answers are the real local Elasticsearch's to the same
questions (same documents, shared counts, labels and passage counts; ties in the order written); a run into
a fresh alias is answered in memory and groups as a run asking the store does; the keys are dropped, and the
store asked, once the store holds an entry the process did not write or the keys pass their budget."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from pipeline.config import load_settings
from pipeline.elastic import dedup_store as store
from pipeline.run.flow import run_ingest
from pipeline.run.group_candidates import store_candidates
from pipeline.run.group_memory import RunKeys, band_codes, passage_codes
from pipeline.stages.dedup import Fingerprint
from tests.run.test_dedup import fields, partition, story, syndicate, write


def _fp(doc: str, keys: list[str]) -> Fingerprint:
    return Fingerprint(doc, keys, np.zeros(0, np.uint32), np.zeros(0, np.uint64))


def _keys(rng: random.Random, story: int) -> list[str]:
    """Bands and passages drawn from a story's small pools (copies share many, stories a few)."""
    bands = [f"{i:02x}{story % 4:02x}{rng.randrange(3):014x}" for i in range(32)]
    passages = sorted({f"p{story % 5:04x}{rng.randrange(40):04x}" for _ in range(rng.randrange(1, 64))})
    return bands + passages


def _entry(fp: Fingerprint, group: str) -> dict:
    return {"kind": "document", "doc_id": fp.doc_id, "batch": "b1", "group": group, "links": [],
            "band_keys": fp.band_keys, "passage_count": fp.passage_count, "run_id": "r", "updated_at": store._now()}


def _as_set(hits: list[dict]) -> set[tuple]:
    return {(h["doc_id"], h["group"], int(h["passage_count"]), h["_bands"], h["_passages"]) for h in hits}


@pytest.mark.es
def test_memory_answers_both_questions_as_the_store_does(es_client, alias):
    settings = load_settings()
    store.ensure_store(es_client, alias, settings.support_indices)
    rng = random.Random(7)
    written = [_fp(f"d{n:03d}", _keys(rng, n % 9)) for n in range(150)]
    groups = {fp.doc_id: f"g{int(fp.doc_id[1:]) % 9}" for fp in written}
    memory = RunKeys(max_pairs=10**6)
    for start in range(0, len(written), 50):  # three batches: three runs of keys, merged as they come
        part = written[start:start + 50]
        store.write_entries(es_client, alias, [_entry(fp, groups[fp.doc_id]) for fp in part])
        memory.add(alias, "r", part, groups)
    store.refresh(es_client, alias)
    assert memory.answering(alias, "r", lambda: store.document_count(es_client, alias)) is memory

    asking = [_fp(f"new{n}", _keys(rng, n)) for n in range(9)] + [written[3]]  # a stored one: not itself
    for kind in ({"bands_only": True}, {"passages_only": True}):
        node = store.candidates(es_client, alias, asking, 1000, 2, **kind)
        here = memory.candidates(asking, 1000, 2, **kind)
        assert set(here) == set(node)
        for doc_id in node:
            assert _as_set(here[doc_id]) == _as_set(node[doc_id]), (kind, doc_id)
            assert doc_id not in {h["doc_id"] for h in here[doc_id]}
        assert sum(len(hits) for hits in here.values()) > 100  # the questions found many
        # the best 5: the same ranking values (shared bands; shared fingerprints / the smaller count), and the
        # same documents above the fifth's
        node, here = store.candidates(es_client, alias, asking, 5, 2, **kind), memory.candidates(asking, 5, 2, **kind)
        own = {fp.doc_id: fp.passage_count for fp in asking}
        for doc_id in node:
            def value(hit: dict) -> float:
                return hit["_bands"] or hit["_passages"] / max(1, min(own[doc_id], int(hit["passage_count"])))
            values = [round(value(h), 6) for h in here[doc_id]]
            assert values == [round(value(h), 6) for h in node[doc_id]], (kind, doc_id)
            if values:
                assert {h["doc_id"] for h in node[doc_id] if round(value(h), 6) > values[-1]} == \
                    {h["doc_id"] for h in here[doc_id] if round(value(h), 6) > values[-1]}

    counters: Counter[str] = Counter()
    cfg = settings.dedup
    from_node = store_candidates(es_client, alias, asking, cfg, Counter())
    from_memory = store_candidates(es_client, alias, asking, cfg, counters, memory)
    assert counters["dedup/answered-in-memory"] == len(asking)
    assert {d: len(h) for d, h in from_memory.items()} == {d: len(h) for d, h in from_node.items()}


def test_the_keys_are_dropped_when_the_store_holds_others_or_past_their_budget():
    rng = random.Random(3)
    fps = [_fp(f"d{n}", _keys(rng, n)) for n in range(4)]
    memory = RunKeys(max_pairs=10**6)
    assert memory.answering("a", "r", lambda: 0) is memory  # an empty store: its own from the start
    memory.add("a", "r", fps[:2], {})
    assert memory.answering("a", "r", lambda: 2) is memory
    assert memory.answering("a", "r", lambda: 3) is None  # an entry it did not write: the store is asked
    memory.add("a", "r", fps[2:], {})
    assert memory.answering("a", "r", lambda: 2) is None and not memory.ids  # for the rest of the run
    assert memory.answering("a", "next-run", lambda: 0) is memory  # a new run starts afresh

    small = RunKeys(max_pairs=len(fps[0].band_keys) + 1)
    small.add("a", "r", fps[:1], {})
    assert small.answering("a", "r", lambda: 1) is small
    small.add("a", "r", fps[1:2], {})  # past the budget
    assert small.answering("a", "r", lambda: 2) is None
    again = RunKeys(max_pairs=10**6)
    again.add("a", "r", fps[:1], {})
    again.add("a", "r", fps[:1], {})  # an entry written twice in one run: not counted as another
    assert again.answering("a", "r", lambda: 1) is None


def test_keys_as_numbers_keep_their_band_and_value():
    digest = "0123456789abcdef"
    codes = band_codes([f"{i:02x}{digest}" for i in range(32)])
    assert len(set(codes.tolist())) == 32 and codes.dtype == np.uint64
    assert [int(c) ^ (i << 59) for i, c in enumerate(codes)] == [int(digest, 16)] * 32
    assert passage_codes(["p00000000", "pffffffff", "p0000abcd"]).tolist() == [0, 2**32 - 1, 0xabcd]
    assert len(band_codes([])) == len(passage_codes([])) == 0


@pytest.mark.es
def test_a_fresh_alias_is_answered_in_memory_and_groups_as_the_store_would(es_client, alias, tmp_path):
    src = tmp_path / "src"
    for seed in (31, 32, 33):
        syndicate(src, seed, f"story{seed}")
    other = tmp_path / "other"
    write(other, "unrelated.txt", "\n\n".join(story(40)))  # another source's document, long enough to be kept
    settings = load_settings().with_overrides(runs_dir=tmp_path / "runs", batch_size=3)
    fresh = run_ingest(settings, es=es_client, source_dir=src, alias=f"{alias}-fresh", workers=1)
    assert fresh.counters.get("dedup/answered-in-memory", 0) == fresh.counters["dedup/fingerprinted"] == 12
    # an alias whose store already holds another source's entry: the store is asked, as before
    run_ingest(settings, es=es_client, source_dir=other, alias=f"{alias}-asked", workers=1)
    asked = run_ingest(settings, es=es_client, source_dir=src, alias=f"{alias}-asked", workers=1)
    assert asked.counters["dedup/fingerprinted"] == 12 and not asked.counters.get("dedup/answered-in-memory")
    in_memory, from_store = fields(es_client, f"{alias}-fresh"), fields(es_client, f"{alias}-asked")
    from_store = {source: d for source, d in from_store.items() if source in in_memory}
    assert partition(in_memory) == partition(from_store) and len(partition(in_memory)) == 3
    assert {s: (d["is_canonical"], d["duplicate_count"]) for s, d in in_memory.items()} == \
        {s: (d["is_canonical"], d["duplicate_count"]) for s, d in from_store.items()}
