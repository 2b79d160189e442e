"""Load and search against the real local Elasticsearch (no mocks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.document import Document
from pipeline.elastic.bulk import bulk_load
from pipeline.elastic.indices import alias_targets, prepare_index
from pipeline.elastic.mapping import available_analyzers, supported_languages
from pipeline.elastic.search import search
from pipeline.run import run_ingest
from pipeline.stages.enrich import enrich

pytestmark = pytest.mark.es

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def ingest(es_client, alias: str, source: Path, **kwargs):
    return run_ingest(load_settings(), es=es_client, source_dir=source, alias=alias, **kwargs)


def sizes() -> dict:
    """The configured index sizes, as ``prepare_index`` takes them."""
    settings = load_settings()
    return {"shards": settings.number_of_shards, "replicas": settings.number_of_replicas,
            "support": settings.support_indices}


def test_prepare_index_is_idempotent_and_matches_the_cluster(es_client, alias):
    first = prepare_index(es_client, alias, **sizes())
    second = prepare_index(es_client, alias, **sizes())
    assert first.created and not second.created and first.index == second.index
    assert alias_targets(es_client, alias) == [first.index]
    assert es_client.indices.exists_index_template(name=alias)
    mapping = es_client.indices.get_mapping(index=first.index)[first.index]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["properties"]["language"]["type"] == "keyword"
    # The subfields are exactly the languages whose analyzer this cluster runs: on the
    # minimal Maven Central node that is none, and the mapping still installs cleanly.
    offered = supported_languages(available_analyzers(es_client))
    assert list(first.languages) == sorted(offered)
    body_fields = set(mapping["properties"]["body"].get("fields", {}))
    assert body_fields == set(offered)


def test_seeds_load_once_and_rerun_never_duplicates(es_client, alias, source):
    first = ingest(es_client, alias, source)
    assert first.counts() == {"seen": 2, "new": 2, "changed": 0, "reprocessed": 0, "unchanged": 0, "deleted": 0, "cleaned": 2,
                              "failed": 0, "indexed": 2}
    assert es_client.count(index=alias)["count"] == 2

    second = ingest(es_client, alias, source)
    assert second.counts() == {"seen": 2, "new": 0, "changed": 0, "reprocessed": 0, "unchanged": 2, "deleted": 0, "cleaned": 0,
                               "failed": 0, "indexed": 0}

    (source / "000_258accba25f326a9.txt").write_text(
        (source / "000_258accba25f326a9.txt").read_text() + "\n\nOne more paragraph added by an editor.\n")
    third = ingest(es_client, alias, source)
    assert (third.indexed, third.unchanged, third.counts()["changed"]) == (1, 1, 1)

    refreshed = ingest(es_client, alias, source, full_refresh=True)
    assert refreshed.indexed == 2
    es_client.indices.refresh(index=alias)
    assert es_client.count(index=alias)["count"] == 2


def test_relevance_and_captions(es_client, alias, source):
    ingest(es_client, alias, source)
    top = search(es_client, "New START treaty extension", alias=alias)
    assert top and top[0].source_path.endswith("002_d215e7a18fdb7f06.txt")
    assert top[0].highlight, "hits carry highlighted fragments"
    killer = search(es_client, "killer", alias=alias)
    assert killer and killer[0].source_path.endswith("000_258accba25f326a9.txt")

    docs = es_client.search(index=alias, query={"match_all": {}})["hits"]["hits"]
    by_name = {Path(h["_source"]["source_path"]).name: h["_source"] for h in docs}
    seed0 = by_name["000_258accba25f326a9.txt"]
    assert any(c.startswith("Data map:") for c in seed0["captions"])
    assert any(c.startswith("The picture shows") for c in seed0["captions"])
    for source_doc in by_name.values():
        assert source_doc["captions"], "each seed has captions"
        for caption in source_doc["captions"]:
            assert caption not in source_doc["body"]
        assert "Related Posts" not in source_doc["body"]
    # captions are searchable in their own field, not in body
    assert search(es_client, '"Data map"', alias=alias)[0].source_path.endswith("000_258accba25f326a9.txt")
    assert es_client.count(index=alias, query={"match_phrase": {"body": "Data map"}})["count"] == 0


def test_language_filter(es_client, alias, source):
    ingest(es_client, alias, source)
    assert len(search(es_client, "Russia", alias=alias, language="en")) == 2
    assert search(es_client, "Russia", alias=alias, language="de") == []


def test_mapping_error_is_reported_per_document(es_client, alias):
    target = prepare_index(es_client, alias, **sizes())
    good = enrich(Document(source="good.txt", source_path="/x/good.txt", title="Good", body="fine text"))
    bad = enrich(Document(source="bad.txt", source_path="/x/bad.txt", title="Bad", body="text",
                          file_mtime="not a date"))
    result = bulk_load(es_client, target.index, [good, bad])
    assert result.indexed == 1
    assert [f.source for f in result.failures] == ["bad.txt"]
    assert "file_mtime" in result.failures[0].reason


def test_bad_input_is_reported_and_the_rest_lands(es_client, alias, source):
    (source / "empty.txt").write_bytes(b"")
    (source / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (source / "latin1.txt").write_bytes(
        "Le café de la gare a été fermé à Noël, disent les habitants du quartier.".encode("latin-1"))
    (source / "broken.html").write_text(
        "<html><head><title>Broken page</title><body><div><p>Unclosed paragraph about elections"
        "<p>Another <b>bold <i>claim</div></span> text continues here</body")
    report = ingest(es_client, alias, source)
    outcome = {d.source: d for d in report.documents}
    assert report.seen == 6
    assert outcome["empty.txt"].status == "failed" and "empty file" in str(outcome["empty.txt"].errors[0])
    assert outcome["image.png"].status == "failed" and "PNG" in str(outcome["image.png"].errors[0])
    assert outcome["latin1.txt"].status == "indexed" and "not UTF-8" in outcome["latin1.txt"].warnings[0].message
    assert outcome["broken.html"].status == "indexed"
    assert report.indexed == 4 and report.failed == 2
    text = report.render_text()
    assert "FAILED empty.txt" in text and "FAILED image.png" in text
    hits = search(es_client, "café", alias=alias)
    assert hits and hits[0].source_path.endswith("latin1.txt")


def test_search_filters_pagination_and_explain(es_client, alias, source):
    from pipeline.elastic.search import Filters

    ingest(es_client, alias, source)
    both = search(es_client, "Russia", alias=alias, size=10)
    page2 = search(es_client, "Russia", alias=alias, size=1, offset=1)
    assert len(both) == 2 and [h.id for h in page2] == [both[1].id]
    agency = search(es_client, "Russia", alias=alias, filters=Filters(source_name="China News Agency"))
    assert [Path(h.source_path).name for h in agency] == ["000_258accba25f326a9.txt"]
    # the wire agency the dateline names is a field of its own (metadata.agency), not only the source
    es_client.indices.refresh(index=alias)
    wire = es_client.search(index=alias, query={"term": {"metadata.agency": "China News Agency"}})["hits"]["hits"]
    assert [Path(h["_source"]["source_path"]).name for h in wire] == ["000_258accba25f326a9.txt"]
    assert search(es_client, "Russia", alias=alias, filters=Filters(since="2999-01-01")) == []
    explained = search(es_client, "treaty", alias=alias, size=1, explain=True)
    assert explained[0].explanation and explained[0].explanation["value"] > 0
