"""The mapping is generated from one language table and degrades cleanly on a minimal cluster."""

from __future__ import annotations

from pipeline.elastic.mapping import (
    build_mappings,
    index_template_body,
    language_analyzers,
    mapping_version,
    supported_languages,
)


def all_analyzers() -> set[str]:
    return set(language_analyzers().values())


def test_full_cluster_gets_a_subfield_per_language():
    mappings = build_mappings(all_analyzers())
    body = mappings["properties"]["body"]
    title = mappings["properties"]["title"]
    assert body["analyzer"] == "standard"
    assert body["fields"]["en"] == {"type": "text", "analyzer": "english"}
    assert body["fields"]["zh"] == {"type": "text", "analyzer": "cjk"}
    assert title["fields"]["de"]["analyzer"] == "german"
    assert title["fields"]["keyword"]["type"] == "keyword"
    assert set(mappings["_meta"]["languages"]) == set(language_analyzers())


def test_minimal_cluster_gets_language_neutral_fields_only():
    mappings = build_mappings(set())
    assert "fields" not in mappings["properties"]["body"] or mappings["properties"]["body"]["fields"] == {}
    assert set(mappings["properties"]["title"]["fields"]) == {"keyword"}
    assert mappings["_meta"]["languages"] == []


def test_partial_cluster():
    assert supported_languages({"english", "cjk"}) == {"en": "english", "ja": "cjk", "ko": "cjk", "zh": "cjk"}


def test_mapping_is_explicit_and_strict():
    props = build_mappings(set())["properties"]
    assert build_mappings(set())["dynamic"] == "strict"
    assert props["language"]["type"] == "keyword"
    assert props["source_path"]["type"] == "keyword"
    assert props["published_at"]["type"] == props["ingested_at"]["type"] == "date"
    assert props["author"]["type"] == props["source_name"]["type"] == "keyword"
    assert props["captions"]["type"] == "text"
    for name in ("word_count", "content_sha256", "pipeline_version"):
        assert name in props


def test_version_tracks_layout_changes():
    settings = {"number_of_shards": 1, "number_of_replicas": 0}
    minimal, full = build_mappings(set()), build_mappings(all_analyzers())
    assert mapping_version(minimal, settings) == mapping_version(build_mappings(set()), settings)
    assert mapping_version(minimal, settings) != mapping_version(full, settings)
    assert mapping_version(minimal, settings) != mapping_version(minimal, {**settings, "number_of_shards": 2})


def test_template_targets_versioned_indices_of_the_alias():
    body = index_template_body("articles", build_mappings(set()), {"number_of_shards": 1})
    assert body["index_patterns"] == ["articles-v*"]
    assert body["template"]["mappings"]["properties"]["body"]["type"] == "text"
