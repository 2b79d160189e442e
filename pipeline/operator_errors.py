"""Errors in an operator's words: what went wrong and what to do, not the exception class
(the CLI's one error line; ``-v`` shows the traceback instead)."""

from __future__ import annotations

import re

from pipeline.config import load_settings
from pipeline.elastic.client import explain_red, red_index


def describe_error(exc: BaseException) -> str:
    """What went wrong, in the operator's words: the problem, not the exception class."""
    kind = type(exc)
    module = kind.__module__.split(".")[0]
    if module in ("elastic_transport", "elasticsearch"):
        status = getattr(getattr(exc, "meta", None), "status", None)
        if kind.__name__ in ("ConnectionError", "ConnectionTimeout", "TransportError", "TlsError") and not status:
            nodes = ", ".join(re.sub(r"//[^/@]*@", "//", url) for url in load_settings().es.hosts)  # no userinfo
            tls = re.search(r"\[SSL: [A-Z_]+\][^'\")]*", str(exc))
            if kind.__name__ == "TlsError" or tls:
                return (f"TLS with Elasticsearch at {nodes} failed: {tls.group(0).strip() if tls else exc} "
                        "(ES_CA_CERTS, ES_VERIFY_CERTS)")
            return f"cannot reach Elasticsearch at {nodes} (is it running? ES_URL, or make es-start)"
        if (index := red_index(exc)) is not None:
            return explain_red(index, "Elasticsearch answered 503")
        body = getattr(exc, "body", None)
        error = body.get("error") if isinstance(body, dict) else None
        reason = (error.get("reason") or error.get("type")) if isinstance(error, dict) else getattr(exc, "message", "")
        if status == 404 and "no such index" in str(reason):
            return f"Elasticsearch: {reason} (nothing indexed there yet? make run, or make demo)"
        if status in (401, 403):
            return f"Elasticsearch refused the credentials ({status}): {reason} (ES_USERNAME/ES_PASSWORD or ES_API_KEY)"
        return f"Elasticsearch answered {status}: {reason}"
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or exc}: {exc.filename}"
    return str(exc) or kind.__name__
