"""The unchanged check's read of what the index holds (``indexed_fingerprints``): from doc values by a search,
with a real-time ``mget`` of the ids the search does not find, against the real local node. It gives what the
``mget`` of every id gave: for refreshed documents, for documents created since the last refresh, for absent
ids and for a document indexed before fingerprints existed."""

from __future__ import annotations

import pytest

from pipeline.config import load_settings
from pipeline.elastic.bulk import indexed_fingerprints
from pipeline.elastic.indices import prepare_index

pytestmark = pytest.mark.es


def _mget_all(es, index: str, ids: list[str]) -> dict[str, tuple[str, str]]:
    """What the check read before: one real-time ``mget`` of every id."""
    got = es.mget(index=index, ids=ids, source_includes=["file_sha256", "processing_fingerprint"])
    return {d["_id"]: (d["_source"].get("file_sha256", ""), d["_source"].get("processing_fingerprint", ""))
            for d in got["docs"] if d.get("found")}


def _doc(n: int, **fields: str) -> dict[str, str]:
    return {"source_path": f"/src/{n}.txt", "body": f"body {n}", **fields}


def test_the_fingerprints_are_those_a_real_time_mget_reads(es_client, alias) -> None:
    settings = load_settings()
    index = prepare_index(es_client, alias, shards=settings.number_of_shards, replicas=settings.number_of_replicas,
                          support=settings.support_indices).index
    for n in range(5):
        es_client.index(index=index, id=f"old-{n}", document=_doc(n, file_sha256=f"sha{n}",
                                                                     processing_fingerprint="fp1"))
    es_client.index(index=index, id="before-fingerprints", document=_doc(9))
    es_client.indices.refresh(index=index)
    # created since the last refresh: a search does not see them yet, the real-time mget does
    es_client.index(index=index, id="new-1", document=_doc(10, file_sha256="sha10", processing_fingerprint="fp2"),
                    refresh=False)
    es_client.index(index=index, id="new-2", document=_doc(11, file_sha256="sha11"), refresh=False)
    ids = ["old-0", "old-3", "before-fingerprints", "new-1", "new-2", "absent", "old-4", "old-0"]
    got = indexed_fingerprints(es_client, index, ids)
    assert got == _mget_all(es_client, index, list(dict.fromkeys(ids)))
    assert got["old-3"] == ("sha3", "fp1") and got["new-1"] == ("sha10", "fp2") and got["new-2"] == ("sha11", "")
    assert got["before-fingerprints"] == ("", "") and "absent" not in got
    assert indexed_fingerprints(es_client, index, []) == {}
