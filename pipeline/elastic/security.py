"""Least privilege: a writer role for the pipeline (only its own indices and aliases) and a
read-only role for analysts, plus their users, created by ``python -m pipeline setup`` when the
cluster has security on.

Role and user names live in ``config/pipeline.yaml`` (``security``); passwords only in the
environment (``ETL_ES_WRITER_PASSWORD``, ``ETL_ES_ANALYST_PASSWORD``): a user whose password is
not set is not created, and no password is ever printed. Clusters without the native realm (the
minimal integ-test distribution cannot create its ``.security`` index) get the same roles from
``roles.yml`` (``python -m pipeline setup --roles-file``) and file-realm users.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import yaml

from pipeline.config import SecurityNames
from pipeline.elastic.indices import DEADLETTER_SUFFIX, RUNS_INDEX

# What the pipeline does to its own indices: create versioned indices, write/delete documents,
# read them back (incremental state, mget), put mappings/settings, swap aliases, refresh, and
# delete old physical indices after a reindex ("manage" covers aliases, mappings, settings, refresh
# and index deletion).
WRITER_INDEX_PRIVILEGES = ["create_index", "write", "read", "view_index_metadata", "manage"]
# Cluster level: health/_analyze probes (monitor) and the index template of the alias.
WRITER_CLUSTER_PRIVILEGES = ["monitor", "manage_index_templates"]
ANALYST_INDEX_PRIVILEGES = ["read", "view_index_metadata"]


class SecuritySetupError(RuntimeError):
    """Roles or users could not be created; the message says why and what to do instead."""


def writer_patterns(alias: str) -> list[str]:
    """Every index and alias the pipeline writes: the alias, its physical indices and dead-letter
    (``<alias>-*``), the default ``articles*``, ``etl-runs``, every ``*-deadletter``, the writer leases
    (``etl-leases``), the sources registry (``etl-sources``) and the learned line statistics
    (``etl-line-stats``)."""
    from pipeline.elastic.lease import LEASES_INDEX
    from pipeline.elastic.line_stats import LINE_STATS_INDEX
    from pipeline.elastic.sources import SOURCES_INDEX

    return list(dict.fromkeys([alias, f"{alias}-*", "articles*", RUNS_INDEX, f"*{DEADLETTER_SUFFIX}", LEASES_INDEX,
                               SOURCES_INDEX, LINE_STATS_INDEX]))


def analyst_patterns(alias: str) -> list[str]:
    """What analysts search and Kibana's views read: the same indices, read-only."""
    return writer_patterns(alias)


def role_definitions(alias: str, names: SecurityNames) -> dict[str, dict[str, Any]]:
    """Role name -> body of ``PUT _security/role/<name>`` (and of a ``roles.yml`` entry);
    ``names``: ``Settings.security``."""
    return {
        names.writer_role: {
            "cluster": list(WRITER_CLUSTER_PRIVILEGES),
            "indices": [{"names": writer_patterns(alias), "privileges": list(WRITER_INDEX_PRIVILEGES)}],
        },
        names.analyst_role: {
            "cluster": [],
            "indices": [{"names": analyst_patterns(alias), "privileges": list(ANALYST_INDEX_PRIVILEGES)}],
        },
    }


def roles_file(alias: str, names: SecurityNames) -> str:
    """The same roles as ``roles.yml`` text (file-based roles, for clusters without the native realm)."""
    return yaml.safe_dump(role_definitions(alias, names), sort_keys=True)


def security_enabled(es: Any) -> bool:
    """True when the cluster authenticates requests. A cluster without security answers the
    security API with "no handler" (400) or "security ... not enabled" (500); a wrong password
    (401) is an error, not "off"."""
    from elasticsearch import ApiError

    try:
        es.security.authenticate()
        return True
    except ApiError as exc:
        text = str(exc).lower()
        if exc.meta.status == 400 and "no handler" in text:
            return False
        if exc.meta.status == 500 and "security" in text and "enabled" in text:
            return False
        raise


def ensure_roles_and_users(es: Any, alias: str, names: SecurityNames,
                           env: Mapping[str, str] | None = None) -> list[str]:
    """Create/update both roles and, for each password set in ``env``, its user (idempotent).
    Returns one human-readable line per action (no secrets)."""
    from elasticsearch import ApiError

    env = os.environ if env is None else env
    if not security_enabled(es):
        return ["security is off on this cluster: no roles or users created"]
    done = []
    try:
        for role, body in role_definitions(alias, names).items():
            es.security.put_role(name=role, cluster=body["cluster"], indices=body["indices"])
            done.append(f"role {role}: {', '.join(body['indices'][0]['names'])}")
        for user, role, variable in ((names.writer_user, names.writer_role, "ETL_ES_WRITER_PASSWORD"),
                                     (names.analyst_user, names.analyst_role, "ETL_ES_ANALYST_PASSWORD")):
            password = env.get(variable)
            if not password:
                done.append(f"user {user}: not created ({variable} is not set)")
                continue
            es.security.put_user(username=user, password=password, roles=[role])
            done.append(f"user {user}: role {role}")
    except ApiError as exc:
        reason = exc.body.get("error", {}).get("reason") if isinstance(exc.body, dict) else None
        raise SecuritySetupError(
            f"the cluster refused the security API (HTTP {exc.meta.status}: {reason or exc.message}). "
            "Without the native realm, install the roles from `python -m pipeline setup --roles-file` "
            "as config/roles.yml on every node and create the users with bin/elasticsearch-users"
        ) from None
    return done
