"""How to reach Elasticsearch: from the environment or from an Airflow connection's fields.

Secrets (ES credentials) are never in files: they come from the environment or, under
Airflow, from the ``elasticsearch_default`` connection (the DAG passes them in).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.checks import parse_bool


@dataclass(frozen=True)
class ESConnection:
    """How to reach Elasticsearch. ``repr`` hides the secrets so they never reach a log."""

    url: str  # the first node; a comma-separated list is split into ``hosts``
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    ca_certs: str | None = None
    verify_certs: bool = True
    request_timeout: float = 30.0
    explicit: bool = False  # True when configured by ES_URL / a connection, not the local default
    # Every node URL the client may use (``url`` is the first): a request that fails on one node
    # (connection refused, reset, timeout) is retried on the others.
    hosts: tuple[str, ...] = ()
    sniff: bool = False  # also discover the cluster's other HTTP nodes (before the first request, on a failure)

    def __post_init__(self) -> None:
        hosts = tuple(dict.fromkeys(split_urls(",".join(self.hosts) if self.hosts else self.url)))
        if not hosts:
            raise ValueError("no Elasticsearch URL given")
        object.__setattr__(self, "hosts", hosts)
        object.__setattr__(self, "url", hosts[0])

    @classmethod
    def from_env(cls, default_url: str, request_timeout: float = 30.0, sniff: bool = False,
                 env: Mapping[str, str] | None = None) -> "ESConnection":
        env = os.environ if env is None else env
        url = env.get("ES_URL")
        return cls(
            url=(url or default_url),
            sniff=sniff,
            username=env.get("ES_USERNAME") or None,
            password=env.get("ES_PASSWORD") or None,
            api_key=env.get("ES_API_KEY") or None,
            ca_certs=env.get("ES_CA_CERTS") or None,
            verify_certs=parse_bool(env.get("ES_VERIFY_CERTS"), "ES_VERIFY_CERTS", default=True),
            request_timeout=request_timeout,
            explicit=bool(url),
        )


    @classmethod
    def from_connection_fields(cls, *, host: str | None, port: int | None = None, schema: str | None = None,
                               login: str | None = None, password: str | None = None,
                               extra: dict[str, Any] | None = None,
                               request_timeout: float = 30.0, sniff: bool = False) -> "ESConnection":
        """Build from the fields of an Airflow connection (``elasticsearch_default``).

        ``host`` may carry a scheme (``https://es:9200``); otherwise ``schema`` or the
        extra ``use_ssl``/``scheme`` picks http or https. ``api_key``, ``ca_certs`` and
        ``verify_certs`` come from the extra; so do ``hosts`` (more node URLs, a list or a
        comma-separated string, used after ``host``) and ``sniff``.
        """
        extra = extra or {}
        more = extra.get("hosts") or ()
        more_hosts = split_urls(more if isinstance(more, str) else ",".join(str(h) for h in more))
        if not host:
            if not more_hosts:
                raise ValueError("the Elasticsearch connection has no host (nor extra hosts)")
            host = more_hosts[0]
        if "://" in host:
            # a port in the connection applies unless the host URL names one already
            url = host if port is None or re.search(r"://[^/]*:\d+", host) else f"{host.rstrip('/')}:{port}"
        else:
            scheme = str(extra.get("scheme") or "").lower()
            if scheme not in {"http", "https"}:
                use_ssl = parse_bool(extra.get("use_ssl"), "connection extra use_ssl", default=False)
                scheme = "https" if use_ssl or (schema or "").lower() == "https" else "http"
            url = f"{scheme}://{host}" + (f":{port}" if port else "")
        return cls(
            url=url.rstrip("/"),
            username=login or None,
            password=password or None,
            api_key=extra.get("api_key") or None,
            ca_certs=extra.get("ca_certs") or None,
            verify_certs=parse_bool(extra.get("verify_certs"), "connection extra verify_certs", default=True),
            request_timeout=request_timeout,
            explicit=True,
            hosts=(url, *more_hosts),
            sniff=parse_bool(extra.get("sniff"), "connection extra sniff", default=sniff),
        )


def split_urls(value: str) -> tuple[str, ...]:
    """``"http://a:9200, http://b:9200/"`` -> ``("http://a:9200", "http://b:9200")``."""
    return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
