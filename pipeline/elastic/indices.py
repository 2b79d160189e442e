"""Index lifecycle: versioned physical indices behind an alias, atomic swaps, rollback.

Readers (searches, Kibana) only ever use the alias. A physical index is named
``<alias>-v<mapping hash>-<UTC timestamp>`` and records its mapping version in
``_meta``, so "is the live index built from the mapping we want?" is a lookup, and a
rebuild (new analyzers, new fields) never touches the index users are reading.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from pipeline.config import CONFIG_DIR, IndexSizes, validate_index_name
from pipeline.elastic.mapping import (
    DYNAMIC_SETTINGS,
    available_analyzers,
    build_index_settings,
    build_mappings,
    index_pattern,
    index_template_body,
    mapping_version,
)

log = logging.getLogger(__name__)

RUNS_INDEX = "etl-runs"
# Indices shared by every alias (their documents are keyed by alias), each with its strict mapping
# in config/. They are made with the run log at a run's start (``ensure_support_indices``), never
# first in the middle of a batch: see COPIES_WAIT for why a new index must not meet a node loss.
LINE_STATS_INDEX, LINE_STATS_TEMPLATE = "etl-line-stats", "etl_line_stats_template.json"
SOURCES_INDEX, SOURCES_TEMPLATE = "etl-sources", "etl_sources_template.json"
LEASES_INDEX, LEASES_TEMPLATE = "etl-leases", "etl_leases_template.json"
DEADLETTER_SUFFIX = "-deadletter"
KEEP_PREVIOUS = 1  # physical indices kept behind the live one, for rollback
# How long index creation waits for every copy of every shard to start. Until a replica has
# finished its first recovery it cannot be promoted: a node lost in that window leaves a new index
# red for good (seen twice in the stack test, etl-line-stats made one second before node 1 was
# killed: once by the creator not waiting, once by a second worker that found it just made and
# wrote at once; now whoever first sees an index younger than this waits as its creator does, and
# the shared indices are made at a run's start).
# On a cluster too small for the replicas asked, creation returns after this wait, unacknowledged.
COPIES_WAIT = "20s"  # below the client's request_timeout (30 s), or the client would retry the create


@dataclass(frozen=True)
class IndexTarget:
    alias: str
    index: str  # the physical index the alias points to (where we write)
    languages: tuple[str, ...]  # language subfields this index has
    created: bool = False
    mapping_outdated: bool = False  # alias points at an index built from another mapping


@dataclass(frozen=True)
class Layout:
    mappings: dict[str, Any]
    settings: dict[str, Any]
    version: str


def desired_layout(es: Elasticsearch, shards: int, replicas: int | str) -> Layout:
    """Mapping + settings wanted for ``articles`` (shards/replicas: ``index`` in config/pipeline.yaml)."""
    # probe through the run log when it exists, so the least-privileged writer can do it
    probe = RUNS_INDEX if index_exists(es, RUNS_INDEX) else None
    mappings = build_mappings(available_analyzers(es, index=probe))
    settings = build_index_settings(shards, replicas)
    version = mapping_version(mappings, settings)
    mappings["_meta"]["mapping_version"] = version
    return Layout(mappings, settings, version)


def new_index_name(alias: str, version: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d%H%M%S%f")[:17]
    return f"{alias}-v{version}-{stamp}"


def alias_targets(es: Elasticsearch, alias: str) -> list[str]:
    try:
        return sorted(es.indices.get_alias(name=alias).keys())
    except NotFoundError:
        return []


def index_meta(es: Elasticsearch, index: str) -> dict[str, Any]:
    meta: dict[str, Any] = es.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})
    return meta


def install_template(es: Elasticsearch, alias: str, layout: Layout) -> None:
    es.indices.put_index_template(name=alias, **index_template_body(alias, layout.mappings, layout.settings))


def create_index(es: Elasticsearch, alias: str, layout: Layout, *, with_alias: bool) -> str:
    index = new_index_name(alias, layout.version)
    aliases = {alias: {"is_write_index": True}} if with_alias else None
    create_with_copies(es, index, mappings=layout.mappings, settings=layout.settings, aliases=aliases)
    return index


def create_with_copies(es: Elasticsearch, index: str, **body: Any) -> bool:
    """Create ``index`` and wait (``COPIES_WAIT``) until every copy of its shards is started, so a node
    lost right after creation leaves a promotable replica; whether all copies started in time."""
    created = es.indices.create(index=index, wait_for_active_shards="all", timeout=COPIES_WAIT, **body)
    if not created.get("shards_acknowledged", True):
        log.warning("index %s: not every shard copy started within %s; continuing", index, COPIES_WAIT)
        return False
    return True


def creation_time(es: Elasticsearch, index: str) -> float | None:
    """When the concrete index ``index`` was made (epoch seconds, the cluster's clock); ``None`` when
    there is no such index."""
    try:
        got = es.indices.get_settings(index=index, name="index.creation_date", flat_settings=True)
    except NotFoundError:
        return None
    return int(got[index]["settings"]["index.creation_date"]) / 1000


def wait_for_young_copies(es: Elasticsearch, index: str, created_at: float) -> bool:
    """An index made less than ``COPIES_WAIT`` ago by someone else: its creator may still be waiting
    for the copies to start, so wait for them as long as it would (a write into a shard whose
    replica is still in its first recovery is lost with a node lost then). An older index is used
    at once, whatever its health. Whether every copy was started (or the index is old)."""
    wait = int(COPIES_WAIT.rstrip("s"))
    left = min(created_at + wait - time.time(), wait)  # never longer than the creator waits (clocks differ)
    if left <= 0:
        return True
    health = es.options(ignore_status=408).cluster.health(index=index, wait_for_status="green",
                                                            timeout=f"{math.ceil(left)}s")
    if health.get("timed_out"):
        log.warning("index %s: not every shard copy started within %s; continuing", index, COPIES_WAIT)
        return False
    return True


def prepare_index(es: Elasticsearch, alias: str, *, shards: int, replicas: int | str,
                  support: IndexSizes) -> IndexTarget:
    """Install the template and make sure ``alias`` points at an index; idempotent.

    When the alias already points at an index built from another mapping we keep writing
    there (no downtime, no surprise) and flag it: rebuilding is the reindex job's call.
    """
    validate_index_name(alias)
    ensure_support_indices(es, alias, support)
    layout = desired_layout(es, shards, replicas)
    install_template(es, alias, layout)
    current = alias_targets(es, alias)
    if current:
        index = current[-1]
        meta = index_meta(es, index)
        outdated = meta.get("mapping_version") != layout.version
        apply_replicas(es, index, layout.settings)
        if outdated:
            add_missing_fields(es, index, layout)
            log.warning("alias %s points at %s, built from another mapping (wanted v%s): run the reindex",
                        alias, index, layout.version)
        return IndexTarget(alias, index, tuple(meta.get("languages", [])), mapping_outdated=outdated)
    index = create_index(es, alias, layout, with_alias=True)
    return IndexTarget(alias, index, tuple(layout.mappings["_meta"]["languages"]), created=True)


def add_missing_fields(es: Elasticsearch, index: str, layout: Layout) -> list[str]:
    """Top-level fields of the wanted mapping that ``index`` lacks, added in place (additive, so
    allowed on a live index): documents of the current code then still fit an older index."""
    have = es.indices.get_mapping(index=index)[index]["mappings"].get("properties", {})
    missing = {k: v for k, v in layout.mappings["properties"].items() if k not in have}
    if missing:
        es.indices.put_mapping(index=index, properties=missing)
        log.warning("added fields %s to %s (built from an older mapping)", ", ".join(sorted(missing)), index)
    return sorted(missing)


def _support_template(name: str) -> dict[str, Any]:
    with open(CONFIG_DIR / name, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    data.pop("_comment", None)
    return data


def deadletter_index(alias: str) -> str:
    return f"{alias}{DEADLETTER_SUFFIX}"


def apply_replicas(es: Elasticsearch, index: str, settings: dict[str, Any]) -> None:
    """Bring an existing index's replica settings to what the settings say (dynamic, in place)."""
    wanted = {k: v for k, v in settings.items() if k in DYNAMIC_SETTINGS}
    current = es.indices.get_settings(index=index, flat_settings=True)[index]["settings"]
    if any(str(current.get(f"index.{k}", "false" if k == "auto_expand_replicas" else "")) != str(v)
           for k, v in wanted.items()):
        es.indices.put_settings(index=index, settings=wanted)


def index_exists(es: Elasticsearch, index: str) -> bool:
    """Like ``indices.exists`` for a concrete index, but a GET (``creation_time``): a HEAD answer has
    no body, so a refused request (401/403) would reach the operator without Elasticsearch's reason."""
    return creation_time(es, index) is not None


def support_settings(support: IndexSizes) -> dict[str, Any]:
    return build_index_settings(support.shards, support.replicas)


def ensure_support_indices(es: Elasticsearch, alias: str, support: IndexSizes) -> None:
    """The run log (``etl-runs``), the dead-letter index, the line statistics, the source registry
    and the leases, created once with strict mappings; ``support``: ``support_indices`` in
    config/pipeline.yaml (``Settings.support_indices``)."""
    index_settings = support_settings(support)
    for index, template in ((RUNS_INDEX, "etl_runs_template.json"),
                            (deadletter_index(alias), "deadletter_template.json"),
                            (LINE_STATS_INDEX, LINE_STATS_TEMPLATE), (SOURCES_INDEX, SOURCES_TEMPLATE),
                            (LEASES_INDEX, LEASES_TEMPLATE)):
        ensure_index(es, index, template, update=True, settings=index_settings)


_ENSURED: set[tuple[int, str]] = set()


def ensure_index(es: Elasticsearch, index: str, template: str, *, settings: dict[str, Any],
                 update: bool = False) -> None:
    """``index`` with the strict mapping of ``config/<template>``, created once (a concurrent creator
    winning the race is fine). ``update`` adds fields introduced since an older release made it
    (and applies the replicas); otherwise an index this process has seen is not asked about again.
    ``settings``: shards/replicas (``support_settings(settings.support_indices)`` for support indices)."""
    if not update and (id(es), index) in _ENSURED:
        return
    body = _support_template(template)
    tuned = body.get("settings", {})  # the template's own (dynamic) settings, e.g. the store's merge policy
    created_at = creation_time(es, index)
    if created_at is None:
        try:
            create_with_copies(es, index, mappings=body["mappings"], settings={**tuned, **settings})
            _ENSURED.add((id(es), index))
            return
        except Exception as exc:  # noqa: BLE001 - a concurrent creator won the race: fine
            if "resource_already_exists" not in str(exc):
                raise
        created_at = creation_time(es, index) or time.time()
    if (id(es), index) not in _ENSURED:  # first sight in this process: maybe just made by another
        wait_for_young_copies(es, index, created_at)
    # An index made by an older release gets the fields added since (additive, so allowed).
    es.indices.put_mapping(index=index, properties=_as_made(es, index, body["mappings"]["properties"]))
    if tuned and (id(es), index) not in _ENSURED:  # and the template's settings, once per process
        es.indices.put_settings(index=index, settings=tuned)
    if update:
        apply_replicas(es, index, settings)
    _ENSURED.add((id(es), index))


def _as_made(es: Elasticsearch, index: str, properties: dict[str, Any]) -> dict[str, Any]:
    """``properties`` for a mapping update of the existing ``index``: a field the template gives a ``doc_values``
    setting (which a live index cannot change) keeps the one the index was made with, so a store made before
    the template dropped its band keys' doc values takes the update. One mapping read, only for a template
    that sets ``doc_values``."""
    fixed = [name for name, spec in properties.items() if "doc_values" in spec]
    if not fixed:
        return properties
    have = es.indices.get_mapping(index=index)[index]["mappings"].get("properties", {})
    return {**properties, **{name: {**properties[name], "doc_values": have[name].get("doc_values", True)}
                             for name in fixed if name in have}}


def physical_indices(es: Elasticsearch, alias: str) -> list[str]:
    """Physical indices of ``alias``, oldest first (names sort by their timestamp)."""
    try:
        found = es.indices.get(index=index_pattern(alias), expand_wildcards="open")
    except NotFoundError:
        return []
    return sorted(found.keys(), key=lambda name: (name.rsplit("-", 1)[-1], name))


def swap_alias(es: Elasticsearch, alias: str, new_index: str) -> str | None:
    """Point ``alias`` at ``new_index`` in one atomic cluster-state update; returns the old index."""
    old = alias_targets(es, alias)
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in old if name != new_index]
    actions.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
    es.indices.update_aliases(actions=actions)
    return old[-1] if old else None


def prune_old_indices(es: Elasticsearch, alias: str, keep_previous: int = KEEP_PREVIOUS) -> list[str]:
    """Delete physical indices older than the live one and its ``keep_previous`` predecessors."""
    live = set(alias_targets(es, alias))
    indices = physical_indices(es, alias)
    if not live:
        return []
    live_pos = max(indices.index(name) for name in live if name in indices)
    doomed = [name for name in indices[: max(0, live_pos - keep_previous)] if name not in live]
    for name in doomed:
        es.indices.delete(index=name)
    return doomed


class RollbackRefused(ValueError):
    """The alias cannot move where asked (no such neighbour, not one of its indices); says why."""


def rollback_targets(indices: list[str], live: str | None) -> tuple[str | None, str | None]:
    """(previous, next) of ``live`` among ``indices`` (oldest first): where rollback / --forward go."""
    if live is None or live not in indices:
        return None, None
    pos = indices.index(live)
    return (indices[pos - 1] if pos > 0 else None), (indices[pos + 1] if pos + 1 < len(indices) else None)


def rollback(es: Elasticsearch, alias: str, *, forward: bool = False, to: str | None = None) -> tuple[str, str]:
    """Point the alias at the physical index before the live one (``forward``: the one after it, e.g.
    to undo a rollback; ``to``: any of its physical indices); returns (from, to)."""
    indices = physical_indices(es, alias)
    live = alias_targets(es, alias)
    if not live:
        raise RollbackRefused(f"alias {alias} does not exist")
    previous, following = rollback_targets(indices, live[-1])
    if to is not None:
        if to not in indices:
            raise RollbackRefused(f"{to} is not a physical index of alias {alias} "
                                  f"(it has: {', '.join(indices) or 'none'})")
        target = to
    elif forward:
        if following is None:
            raise RollbackRefused(f"no newer index to roll forward to: {live[-1]} is the newest of alias {alias}")
        target = following
    else:
        if previous is None:
            raise RollbackRefused(f"no previous index to roll back to: {live[-1]} is the oldest of alias {alias}"
                                  + (f" (roll forward to {following} with --forward)" if following else ""))
        target = previous
    if target != live[-1]:
        swap_alias(es, alias, target)
    return live[-1], target
