"""The index mapping: one base file plus per-language subfields generated from one table.

A full Elasticsearch (the official image) offers the language analyzers (``english``,
``german``, ``cjk`` …); the minimal integ-test node from Maven Central offers none.
``available_analyzers`` asks the cluster which ones exist, so the same code yields
``body.en``/``title.en``… on a full cluster and a clean standard-analyzer-only mapping on
the minimal one. The physical index name carries a hash of the mapping, so a mapping
change means a new index behind the same alias.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from pipeline.config import CONFIG_DIR, load_yaml

LANGUAGE_FIELDS = ("title", "body")


@lru_cache(maxsize=1)
def analyzer_candidates() -> dict[str, list[str]]:
    """ISO 639-1 code -> analyzers in order of preference (config/languages.yaml; a plugin such as
    smartcn before the built-in ``cjk``)."""
    table = load_yaml("languages.yaml")["analyzers"]
    return {str(code): [str(a) for a in (v if isinstance(v, list) else [v])] for code, v in table.items()}


@lru_cache(maxsize=1)
def language_analyzers() -> dict[str, str]:
    """ISO 639-1 code -> the fallback analyzer (last of its preferences: the built-in one where any)."""
    return {code: names[-1] for code, names in analyzer_candidates().items()}


def base_template() -> dict[str, Any]:
    with open(CONFIG_DIR / "index_template.json", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    data.pop("_comment", None)
    return data


def available_analyzers(es: Any, candidates: Iterable[str] | None = None, index: str | None = None) -> set[str]:
    """Analyzers from ``candidates`` that the cluster can actually run (probed with _analyze).

    Only the cluster's "no such analyzer" answer (HTTP 400) means "not offered": anything
    else (unreachable, TLS, 401, 429, 5xx) is raised. Swallowing those would build a mapping
    without language subfields from a hiccup, and hide an auth/TLS error behind one failed,
    retried probe per analyzer. With ``index`` the probe goes through that index (any index
    resolves the built-in analyzers): it then needs only index privileges, not cluster ``manage``.
    """
    from elasticsearch import ApiError

    every = {a for names in analyzer_candidates().values() for a in names}
    names = sorted(set(candidates if candidates is not None else every))
    found: set[str] = set()
    for name in names:
        try:
            es.indices.analyze(analyzer=name, text="probe", index=index)
        except ApiError as exc:
            if exc.meta.status == 400:  # illegal_argument_exception: failed to find analyzer
                continue
            raise
        found.add(name)
    return found


def supported_languages(analyzers_offered: Iterable[str]) -> dict[str, str]:
    """Languages whose analyzer the cluster offers: the subfields the mapping will have."""
    offered = set(analyzers_offered)
    out: dict[str, str] = {}
    for code, names in sorted(analyzer_candidates().items()):
        chosen = next((a for a in names if a in offered), None)
        if chosen:
            out[code] = chosen
    return out


def build_mappings(analyzers_offered: Iterable[str]) -> dict[str, Any]:
    mappings: dict[str, Any] = copy.deepcopy(base_template()["mappings"])
    languages = supported_languages(analyzers_offered)
    for field in LANGUAGE_FIELDS:
        sub = mappings["properties"][field].setdefault("fields", {})
        for code, analyzer in languages.items():
            sub[code] = {"type": "text", "analyzer": analyzer}
    meta = mappings.setdefault("_meta", {})
    meta["languages"] = sorted(languages)
    return mappings


_REPLICAS = re.compile(r"^\d+-(\d+|all)$")
# Dynamic settings: changed on the live index in place, so not part of the layout's version.
DYNAMIC_SETTINGS = ("number_of_replicas", "auto_expand_replicas")


def replica_settings(replicas: int | str) -> dict[str, Any]:
    """``2`` -> a fixed replica count; ``"0-2"``/``"0-all"`` -> ``auto_expand_replicas``, so a
    single node stays green with none and a cluster gets copies as nodes join."""
    value = str(replicas).strip()
    if value.isdigit():
        return {"number_of_replicas": int(value), "auto_expand_replicas": "false"}
    if _REPLICAS.match(value):
        return {"auto_expand_replicas": value}
    raise ValueError(f"replicas must be a number or a range like 0-2 / 0-all, not {replicas!r}")


def build_index_settings(number_of_shards: int, number_of_replicas: int | str) -> dict[str, Any]:
    return {"number_of_shards": int(number_of_shards), **replica_settings(number_of_replicas)}


def mapping_version(mappings: Mapping[str, Any], settings: Mapping[str, Any]) -> str:
    """Short stable hash of what defines the index layout (not of the data, nor of the
    replica count, which can change in place)."""
    static = {k: v for k, v in settings.items() if k not in DYNAMIC_SETTINGS}
    blob = json.dumps({"mappings": mappings, "settings": static}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


def index_pattern(alias: str) -> str:
    return f"{alias}-v*"


def physical_index_name(alias: str, version: str) -> str:
    return f"{alias}-v{version}"


def index_template_body(alias: str, mappings: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Composable index template for every physical index behind ``alias``."""
    return {
        "index_patterns": [index_pattern(alias)],
        "priority": 100,
        "template": {"settings": settings, "mappings": mappings},
        "_meta": {"managed_by": "news-etl pipeline", "alias": alias},
    }


def language_subfields(mappings: Mapping[str, Any]) -> list[str]:
    """Language codes with subfields in an existing mapping (used to build searches)."""
    return list(mappings.get("_meta", {}).get("languages", []))
