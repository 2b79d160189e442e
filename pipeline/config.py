"""Settings: declarative files in ``config/`` plus environment overrides.

Secrets (ES credentials) are never in files: they come from the environment or, under
Airflow, from the ``elasticsearch_default`` connection (the DAG passes them in).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(os.environ.get("PIPELINE_CONFIG_DIR", REPO_ROOT / "config"))


def load_yaml(name: str) -> Any:
    """Read ``config/<name>``; a missing or malformed file is a startup error, not a silent default."""
    with open(CONFIG_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def resolve_path(value: str | os.PathLike[str]) -> Path:
    """Relative paths in config are relative to the repository root, not the CWD."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


@dataclass(frozen=True)
class ESConnection:
    """How to reach Elasticsearch. ``repr`` hides the secrets so they never reach a log."""

    url: str
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    ca_certs: str | None = None
    verify_certs: bool = True
    request_timeout: float = 30.0
    explicit: bool = False  # True when configured by ES_URL / a connection, not the local default

    @classmethod
    def from_env(cls, default_url: str, request_timeout: float = 30.0) -> "ESConnection":
        url = os.environ.get("ES_URL")
        return cls(
            url=(url or default_url).rstrip("/"),
            username=os.environ.get("ES_USERNAME") or None,
            password=os.environ.get("ES_PASSWORD") or None,
            api_key=os.environ.get("ES_API_KEY") or None,
            ca_certs=os.environ.get("ES_CA_CERTS") or None,
            verify_certs=os.environ.get("ES_VERIFY_CERTS", "true").lower() not in {"0", "false", "no"},
            request_timeout=request_timeout,
            explicit=bool(url),
        )


    @classmethod
    def from_connection_fields(cls, *, host: str | None, port: int | None = None, schema: str | None = None,
                               login: str | None = None, password: str | None = None,
                               extra: dict[str, Any] | None = None,
                               request_timeout: float = 30.0) -> "ESConnection":
        """Build from the fields of an Airflow connection (``elasticsearch_default``).

        ``host`` may carry a scheme (``https://es:9200``); otherwise ``schema`` or the
        extra ``use_ssl``/``scheme`` picks http or https. ``api_key``, ``ca_certs`` and
        ``verify_certs`` come from the extra.
        """
        extra = extra or {}
        if not host:
            raise ValueError("the Elasticsearch connection has no host")
        if "://" in host:
            # a port in the connection applies unless the host URL names one already
            url = host if port is None or re.search(r"://[^/]*:\d+", host) else f"{host.rstrip('/')}:{port}"
        else:
            scheme = str(extra.get("scheme") or "").lower()
            if scheme not in {"http", "https"}:
                use_ssl = str(extra.get("use_ssl", "")).lower() in {"1", "true", "yes"}
                scheme = "https" if use_ssl or (schema or "").lower() == "https" else "http"
            url = f"{scheme}://{host}" + (f":{port}" if port else "")
        return cls(
            url=url.rstrip("/"),
            username=login or None,
            password=password or None,
            api_key=extra.get("api_key") or None,
            ca_certs=extra.get("ca_certs") or None,
            verify_certs=str(extra.get("verify_certs", "true")).lower() not in {"0", "false", "no"},
            request_timeout=request_timeout,
            explicit=True,
        )


@dataclass(frozen=True)
class LocalNodeSettings:
    version: str
    port: int
    heap: str
    home: Path


@dataclass(frozen=True)
class Settings:
    source_dir: Path
    schedule: str
    batch_size: int
    max_file_bytes: int
    index_alias: str
    number_of_shards: int
    number_of_replicas: int
    es: ESConnection
    local_node: LocalNodeSettings
    runs_dir: Path
    es_connection_id: str
    max_failure_ratio: float
    allowed_source_roots: tuple[Path, ...]

    def with_overrides(self, **changes: Any) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


@lru_cache(maxsize=1)
def _raw_settings() -> dict[str, Any]:
    return load_yaml("pipeline.yaml")


def load_settings() -> Settings:
    raw = _raw_settings()
    env = os.environ
    local = raw.get("local_node", {})
    es = raw.get("elasticsearch", {})
    index = raw.get("index", {})
    local_port = int(env.get("ES_LOCAL_PORT") or local.get("port", 9200))
    # Without ES_URL / a connection, everything talks to the local development node.
    default_url = str(es.get("url") or f"http://127.0.0.1:{local_port}")
    return Settings(
        source_dir=resolve_path(env.get("ETL_SOURCE_DIR") or raw.get("source_dir", "seeds")),
        schedule=str(raw.get("schedule", "@hourly")),
        batch_size=int(raw.get("batch_size", 200)),
        max_file_bytes=int(raw.get("max_file_bytes", 20_000_000)),
        index_alias=str(index.get("alias", "articles")),
        number_of_shards=int(index.get("number_of_shards", 1)),
        number_of_replicas=int(index.get("number_of_replicas", 0)),
        es=ESConnection.from_env(default_url, float(es.get("request_timeout", 30))),
        local_node=LocalNodeSettings(
            version=str(env.get("ES_LOCAL_VERSION") or local.get("version", "9.5.4")),
            port=local_port,
            heap=str(local.get("heap", "512m")),
            home=resolve_path(env.get("ES_LOCAL_HOME") or local.get("home", ".local/elasticsearch")),
        ),
        runs_dir=resolve_path(env.get("ETL_RUNS_DIR") or raw.get("runs_dir", "runs")),
        es_connection_id=str(raw.get("airflow", {}).get("es_connection_id", "elasticsearch_default")),
        max_failure_ratio=float(env.get("ETL_MAX_FAILURE_RATIO") or raw.get("max_failure_ratio", 0.5)),
        allowed_source_roots=tuple(
            resolve_path(p) for p in (env["ETL_ALLOWED_SOURCE_ROOTS"].split(os.pathsep)
                                      if env.get("ETL_ALLOWED_SOURCE_ROOTS") else raw.get("allowed_source_roots", []))
            if p
        ) + (resolve_path(env.get("ETL_SOURCE_DIR") or raw.get("source_dir", "seeds")),),
    )


class UnsafeSourceDir(ValueError):
    """A source folder outside the allowed roots (e.g. from a manual DAG trigger)."""


def check_source_dir(path: Path, allowed_roots: tuple[Path, ...]) -> Path:
    """Resolve ``path`` (symlinks too) and insist it lies under one of ``allowed_roots``."""
    resolved = Path(path).resolve()
    for root in allowed_roots:
        if resolved == root.resolve() or resolved.is_relative_to(root.resolve()):
            return resolved
    roots = ", ".join(str(r) for r in allowed_roots)
    raise UnsafeSourceDir(f"source_dir {resolved} is outside the allowed roots ({roots}); "
                          "add it to allowed_source_roots in config/pipeline.yaml or ETL_ALLOWED_SOURCE_ROOTS")
