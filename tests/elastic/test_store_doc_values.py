"""The store's band keys have no doc values (nothing reads them there; ``benchmarks/store_writes.py``), and a
store made before, with them, still takes the mapping update of every run (``indices._as_made``): a live index
cannot change a field's doc values, and the old store keeps working as it is."""

from __future__ import annotations

import copy

import pytest

from pipeline.elastic import dedup_store as store
from pipeline.elastic.indices import _support_template
from tests.run.test_dedup import fields, run, syndicate


def _band_keys(es, index: str) -> dict:
    return es.indices.get_mapping(index=index)[index]["mappings"]["properties"]["band_keys"]


@pytest.mark.es
def test_a_new_store_has_no_doc_values_on_the_band_keys(es_client, alias, tmp_path):
    src = tmp_path / "src"
    syndicate(src, 3, "story")
    assert run(es_client, src, alias, tmp_path).indexed == 4
    assert _band_keys(es_client, store.dedup_index(alias)) == {"type": "keyword", "doc_values": False}
    assert len({f["duplicate_group"] for f in fields(es_client, alias).values()}) == 1


@pytest.mark.es
def test_a_store_made_with_doc_values_keeps_them_and_groups_as_before(es_client, alias, tmp_path):
    body = _support_template("dedup_template.json")
    older = copy.deepcopy(body["mappings"])
    older["properties"]["band_keys"].pop("doc_values")
    index = store.dedup_index(alias)
    es_client.indices.create(index=index, mappings=older, settings={"number_of_shards": 1, "number_of_replicas": 0})
    src = tmp_path / "src"
    syndicate(src, 4, "story")
    assert run(es_client, src, alias, tmp_path).indexed == 4  # the run's mapping update is taken
    assert _band_keys(es_client, index) == {"type": "keyword"}  # doc values as it was made (the default)
    got = fields(es_client, alias)
    assert len({f["duplicate_group"] for f in got.values()}) == 1
    assert sorted(f["duplicate_count"] for f in got.values()) == [4] * 4
