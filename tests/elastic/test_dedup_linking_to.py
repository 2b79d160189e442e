"""``dedup_store.linking_to`` in the real local Elasticsearch: the entries whose links name the ids
asked about, each once, whatever the number of ids per query (a story's copies all link to each other,
so small chunks fetch the same entries again and again)."""

from __future__ import annotations

import pytest

from pipeline.config import load_settings
from pipeline.elastic import dedup_store as store

pytestmark = pytest.mark.es


def test_the_entries_linking_to_ids_are_the_same_in_one_query_or_many(es_client, alias, monkeypatch):
    store.ensure_store(es_client, alias, load_settings().support_indices)
    stories = {f"s{s}": [f"s{s}-c{c}" for c in range(4)] for s in range(3)}
    entries = [{"kind": "document", "doc_id": doc, "batch": "b1", "group": copies[0], "run_id": "r",
                "links": [other for other in copies if other != doc], "updated_at": store._now()}
               for copies in stories.values() for doc in copies]
    entries.append({"kind": "document", "doc_id": "alone", "batch": "b1", "group": "alone", "run_id": "r",
                    "links": [], "updated_at": store._now()})
    store.write_entries(es_client, alias, entries)
    store.refresh(es_client, alias)
    asked = [copies[0] for copies in stories.values()] + ["s1-c2", "alone"]

    one_query = store.linking_to(es_client, alias, asked)
    monkeypatch.setattr(store, "_LINKS_CHUNK", 2)
    in_chunks = store.linking_to(es_client, alias, asked)
    assert in_chunks == one_query
    # every other copy of a story links to its first copy; s1-c0 links to the asked s1-c2; nobody links to
    # "alone", and no entry links to itself
    assert set(one_query) == {doc for copies in stories.values() for doc in copies} - {"s0-c0", "s2-c0"}
    assert one_query["s1-c0"]["links"] == ["s1-c1", "s1-c2", "s1-c3"]
