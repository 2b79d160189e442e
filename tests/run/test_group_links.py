"""The grouping process's memory of the shingle sets it wrote (``group_links.WrittenShingles``): what it
hands the pair checks equals what a fetch of the stored entry gives. The groups it leads to are
those of a run without it (tests/run/test_dedup.py: several batches in the grouping process)."""

from __future__ import annotations

import numpy as np

from pipeline.elastic.dedup_store import decode_shingles, entry_source
from pipeline.run.group_links import WrittenShingles
from pipeline.stages.dedup import GroupingInput, fingerprint, load_dedup_config

TEXT = ("the council said on monday that new rules for water supply would start next year after long talks "
        "with farmers and city leaders who had asked for more money to repair old pipes across the region")


def fp(doc_id: str, text: str = TEXT):
    return fingerprint(GroupingInput(doc_id, text, "en", "2025-03-03T08:00:00Z"), load_dedup_config())


def test_remembered_sets_equal_the_stored_field():
    a, b = fp("a"), fp("b", TEXT + " while residents warned that prices could rise")
    kept = WrittenShingles(max_bytes=2**20)
    kept.add("news", "run-1", [a, b])
    got = kept.get("news", ["a", "b", "c"])
    assert set(got) == {"a", "b"}  # "c" was not written here: fetched from the store
    for f in (a, b):
        stored = decode_shingles(entry_source(f, group=f.doc_id, links=[], run_id="run-1", batch="x", seen_seq=0,
                                              alone=True)["shingles"])
        assert got[f.doc_id].dtype == stored.dtype and np.array_equal(got[f.doc_id], stored)


def test_oldest_sets_go_past_the_byte_limit_and_another_run_or_alias_sees_none():
    first, second = fp("a"), fp("b", TEXT + " again")
    kept = WrittenShingles(max_bytes=len(second.shingles) * 4)  # room for one set (uint32)
    kept.add("news", "run-1", [first])
    kept.add("news", "run-1", [second])
    assert set(kept.get("news", ["a", "b"])) == {"b"}
    assert kept.size <= kept.max_bytes
    assert kept.get("other", ["b"]) == {}
    kept.add("news", "run-2", [first])  # a new run starts from nothing
    assert set(kept.get("news", ["a", "b"])) == {"a"}
