"""The search query: neutral fields everywhere, stemmed subfields only for the document's language."""

from __future__ import annotations

from pipeline.elastic.search import Filters, build_query


def test_full_cluster_query_favours_each_documents_language():
    query = build_query("running treaties", languages=["de", "en"])
    should = query["bool"]["should"]
    assert should[0]["multi_match"]["fields"][0] == "title^3" and "body" in should[0]["multi_match"]["fields"]
    per_language = {clause["bool"]["filter"][0]["term"]["language"]: clause["bool"]["must"][0]["multi_match"]["fields"]
                    for clause in should[1:]}
    assert per_language == {"de": ["title.de^3", "body.de"], "en": ["title.en^3", "body.en"]}
    assert query["bool"]["minimum_should_match"] == 1 and "filter" not in query["bool"]


def test_minimal_cluster_query_uses_neutral_fields_only():
    query = build_query("treaty", languages=[])
    assert len(query["bool"]["should"]) == 1


def test_filters_do_not_score():
    query = build_query("x", languages=[], filters=Filters(language="en", source_name="AP", since="now-7d"))
    assert query["bool"]["filter"] == [
        {"term": {"language": "en"}},
        {"term": {"source_name": "AP"}},
        {"range": {"published_at": {"gte": "now-7d"}}},
    ]
