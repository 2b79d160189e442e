"""Search the ``articles`` alias the way an analyst would in Kibana, from Python or the CLI.

The query searches the language-neutral fields (standard analyzer) everywhere and, for
every language the index has subfields for, the stemmed ``title.<code>``/``body.<code>``
fields only of documents detected in that language: stemming helps where it fits and
cannot distort documents of other languages. Queries in Chinese, Japanese or Korean also work on
a cluster with ``standard`` only (see :func:`neutral_clauses`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.elastic.indices import alias_targets
from pipeline.elastic.mapping import language_subfields

NEUTRAL_FIELDS = ["title^3", "body", "captions^0.5", "author.text^2", "source_name.text", "dateline.text"]
HIGHLIGHT_FIELDS = ("title", "body", "captions")


@dataclass
class Hit:
    id: str
    score: float | None
    title: str | None
    source_path: str | None
    language: str | None
    highlight: dict[str, list[str]] = field(default_factory=dict)
    published_at: str | None = None
    source_name: str | None = None
    explanation: dict[str, Any] | None = None  # Elasticsearch's score explanation (--explain)
    duplicate_group: str | None = None  # near-duplicate group (pipeline/stages/dedup.py)
    duplicate_count: int | None = None  # copies of this story in the index
    is_canonical: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for optional in ("explanation", "duplicate_group", "duplicate_count", "is_canonical"):
            if data[optional] is None:
                data.pop(optional)
        return data


def render_explanation(node: dict[str, Any], depth: int = 0, max_depth: int = 4) -> list[str]:
    """The score explanation as an indented tree, trimmed to what a person reads."""
    lines = [f"{'  ' * depth}{node.get('value', 0):.3f}  {node.get('description', '')}"]
    if depth < max_depth:
        for child in node.get("details", []):
            lines.extend(render_explanation(child, depth + 1, max_depth))
    return lines


def index_languages(es: Elasticsearch, alias: str) -> list[str]:
    """Language subfields present in the index behind ``alias`` (empty on a minimal cluster)."""
    targets = alias_targets(es, alias)
    if not targets:
        return []
    mapping = es.indices.get_mapping(index=targets[0])[targets[0]]["mappings"]
    return language_subfields(mapping)


@dataclass(frozen=True)
class Filters:
    """Exact filters an analyst would click in Kibana; they never change the score."""

    language: str | None = None
    source_name: str | None = None  # agency / site, exact keyword
    since: str | None = None  # published_at >= (ISO date or Elasticsearch date math, e.g. now-7d)
    until: str | None = None  # published_at <=
    country: str | None = None  # ISO 3166-1 code: named in the text or the dateline's country

    def clauses(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.language:
            out.append({"term": {"language": self.language}})
        if self.source_name:
            out.append({"term": {"source_name": self.source_name}})
        if self.since or self.until:
            bounds = {k: v for k, v in (("gte", self.since), ("lte", self.until)) if v}
            out.append({"range": {"published_at": bounds}})
        if self.country:
            code = self.country.upper()
            out.append({"bool": {"should": [{"term": {"countries": code}}, {"term": {"dateline_country": code}}],
                                 "minimum_should_match": 1}})
        return out


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7a3]")


def neutral_clauses(text: str) -> list[dict[str, Any]]:
    """The language-neutral (``standard`` analyzer) part of the query.

    ``standard`` cuts Chinese/Japanese into single characters and keeps Korean words with their
    particles, so an OR of the query's tokens would match any page sharing one character. A query
    in those scripts therefore asks for the characters in sequence (``phrase_prefix``: a substring
    search; the prefix also finds 서울 in 서울에서) and, looser, for all of them anywhere (``and``)."""
    if _CJK.search(text):
        return [
            {"multi_match": {"query": text, "fields": NEUTRAL_FIELDS, "type": "phrase_prefix", "boost": 2.0}},
            {"multi_match": {"query": text, "fields": NEUTRAL_FIELDS, "type": "best_fields", "operator": "and"}},
        ]
    return [{"multi_match": {"query": text, "fields": NEUTRAL_FIELDS, "type": "best_fields", "tie_breaker": 0.3}}]


def build_query(text: str, *, languages: list[str], language: str | None = None,
                filters: Filters | None = None) -> dict[str, Any]:
    should: list[dict[str, Any]] = neutral_clauses(text)
    for code in languages:
        should.append({
            "bool": {
                "filter": [{"term": {"language": code}}],
                "must": [{"multi_match": {"query": text, "fields": [f"title.{code}^3", f"body.{code}"],
                                          "type": "best_fields", "tie_breaker": 0.3}}],
            }
        })
    query: dict[str, Any] = {"bool": {"should": should, "minimum_should_match": 1}}
    clauses = (filters or Filters()).clauses()
    if language and not (filters and filters.language):
        clauses.append({"term": {"language": language}})
    if clauses:
        query["bool"]["filter"] = clauses
    return query


def search(es: Elasticsearch, text: str, *, alias: str = "articles", size: int = 10, offset: int = 0,
           language: str | None = None, filters: Filters | None = None, explain: bool = False,
           collapse: bool = False) -> list[Hit]:
    """Hits for ``text``; ``collapse`` shows each story once (field collapsing on
    ``duplicate_group``: the best-scoring copy stands for the group, with its copy count)."""
    languages = index_languages(es, alias)
    extra: dict[str, Any] = {"collapse": {"field": "duplicate_group"}} if collapse else {}
    response = es.search(
        **extra,
        index=alias,
        query=build_query(text, languages=languages, language=language, filters=filters),
        size=size,
        from_=offset,
        explain=explain,
        source_includes=["title", "source_path", "language", "published_at", "source_name", "duplicate_group",
                         "duplicate_count", "is_canonical"],
        highlight={
            "fields": {name: {} for name in HIGHLIGHT_FIELDS},
            "require_field_match": False,
            "fragment_size": 160,
            "number_of_fragments": 2,
        },
    )
    hits = []
    for raw in response["hits"]["hits"]:
        src = raw.get("_source", {})
        hits.append(Hit(
            id=raw["_id"],
            score=raw.get("_score"),
            title=src.get("title"),
            source_path=src.get("source_path"),
            language=src.get("language"),
            highlight=raw.get("highlight", {}),
            published_at=src.get("published_at"),
            source_name=src.get("source_name"),
            explanation=raw.get("_explanation") if explain else None,
            duplicate_group=src.get("duplicate_group"),
            duplicate_count=src.get("duplicate_count"),
            is_canonical=src.get("is_canonical"),
        ))
    return hits
