"""Load (and export) the Kibana saved objects (``config/kibana/*.ndjson``) through the Saved Objects API.

``python -m pipeline kibana import [--url URL] [--wait SECONDS]`` uploads the NDJSON as one
multipart file to ``POST /api/saved_objects/_import?overwrite=true`` (header ``kbn-xsrf``),
so re-running it updates the objects in place (they have fixed ids). ``--wait`` first polls
``GET /api/status`` until Kibana reports itself available — what compose's init service needs.
``kibana export [--out FILE]`` is the way back: ``POST /api/saved_objects/_export`` of every object the
checked-in files name (and what they reference), one NDJSON line per object in the files' order, so a
dashboard edited in Kibana becomes a reviewable diff of ``config/kibana/saved_objects.ndjson``.

Connection from the environment (secrets never from files, never printed):

* ``KIBANA_URL`` (default ``http://127.0.0.1:5601``; ``--url`` wins), ``KIBANA_SPACE`` (``--space``);
* auth: ``KIBANA_API_KEY``, else ``KIBANA_USERNAME`` + ``KIBANA_PASSWORD``, else ``ES_USERNAME`` +
  ``ES_PASSWORD`` (the ``elastic`` user in compose), else ``ES_API_KEY``, else none.
  ``KIBANA_PASSWORD`` alone is ignored: in ``.env`` it is the ``kibana_system`` password,
  a user that may not import saved objects;
* TLS: ``KIBANA_CA_CERTS``, ``KIBANA_VERIFY_CERTS=false``.

Only the standard library (urllib), so it runs in the Airflow image as is.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline.config import parse_bool
from pipeline.elastic.kibana_objects import (
    KibanaError,
    multipart_body,
    read_saved_objects,
    saved_object_files,
)

DEFAULT_URL = "http://127.0.0.1:5601"
IMPORT_PATH = "/api/saved_objects/_import"
STATUS_PATH = "/api/status"


@dataclass(frozen=True)
class KibanaConnection:
    """How to reach Kibana. ``repr`` hides the secrets so they never reach a log."""

    url: str = DEFAULT_URL
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    space: str | None = None
    ca_certs: str | None = None
    verify_certs: bool = True
    timeout: float = 60.0

    @classmethod
    def from_env(cls, url: str | None = None, space: str | None = None,
                 env: dict[str, str] | None = None) -> "KibanaConnection":
        env = dict(os.environ if env is None else env)
        raw_url = (url or env.get("KIBANA_URL") or DEFAULT_URL).strip()
        clean_url, url_user, url_password = _split_userinfo(raw_url)
        username = password = api_key = None
        if env.get("KIBANA_API_KEY"):
            api_key = env["KIBANA_API_KEY"]
        elif env.get("KIBANA_USERNAME"):
            username, password = env["KIBANA_USERNAME"], env.get("KIBANA_PASSWORD") or ""
        elif url_user:
            username, password = url_user, url_password or ""
        elif env.get("ES_USERNAME"):
            username, password = env["ES_USERNAME"], env.get("ES_PASSWORD") or ""
        elif env.get("ES_API_KEY"):
            api_key = env["ES_API_KEY"]
        return cls(
            url=clean_url.rstrip("/"),
            username=username,
            password=password,
            api_key=api_key,
            space=(space or env.get("KIBANA_SPACE") or None),
            ca_certs=env.get("KIBANA_CA_CERTS") or None,
            verify_certs=parse_bool(env.get("KIBANA_VERIFY_CERTS"), "KIBANA_VERIFY_CERTS", default=True),
        )

    def authorization(self) -> str | None:
        if self.api_key:
            return f"ApiKey {self.api_key}"
        if self.username is not None:
            token = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode("ascii")
            return f"Basic {token}"
        return None

    def describe_auth(self) -> str:
        if self.api_key:
            return "API key"
        if self.username is not None:
            return f"user {self.username}"
        return "no credentials"

    def endpoint(self, path: str, query: dict[str, str] | None = None) -> str:
        prefix = f"/s/{urllib.parse.quote(self.space, safe='')}" if self.space and self.space != "default" else ""
        qs = f"?{urllib.parse.urlencode(query)}" if query else ""
        return f"{self.url}{prefix}{path}{qs}"


def _split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``http://user:pw@host`` -> (``http://host``, user, pw): credentials never stay in a printable URL."""
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise KibanaError(f"invalid Kibana URL {redact_url(url)!r}: expected e.g. http://kibana:5601")
    if "@" not in parts.netloc:
        return url, None, None
    host = parts.netloc.rsplit("@", 1)[1]
    clean = urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, urllib.parse.unquote(parts.username or "") or None, (
        urllib.parse.unquote(parts.password) if parts.password is not None else None)


def redact_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit((parts.scheme, "***@" + parts.netloc.rsplit("@", 1)[1], parts.path,
                                    parts.query, parts.fragment))


# --- HTTP ------------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    body: Any  # parsed JSON, or the text when the answer is not JSON


def _ssl_context(conn: KibanaConnection) -> Any:
    if not conn.url.startswith("https:"):
        return None
    import ssl

    ctx = ssl.create_default_context(cafile=conn.ca_certs)
    if not conn.verify_certs:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def request(conn: KibanaConnection, method: str, url: str, *, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float | None = None) -> Response:
    """One HTTP request; HTTP error statuses come back as a ``Response``, network failures raise."""
    import urllib.error
    import urllib.request

    all_headers = {"Accept": "application/json", "kbn-xsrf": "true", **(headers or {})}
    auth = conn.authorization()
    if auth:
        all_headers["Authorization"] = auth
    req = urllib.request.Request(url, data=body, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout or conn.timeout, context=_ssl_context(conn)) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KibanaError(f"cannot reach Kibana at {redact_url(conn.url)}: {reason}") from None
    text = raw.decode("utf-8", errors="replace")
    try:
        return Response(status, json.loads(text) if text.strip() else None)
    except json.JSONDecodeError:
        return Response(status, text)


def describe_http_error(resp: Response) -> str:
    body = resp.body
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or json.dumps(body)[:300]
        error = body.get("error")
        label = f"{resp.status} {error}" if error and error != message else str(resp.status)
        return f"HTTP {label}: {message}"
    text = " ".join(str(body or "").split())[:300]
    return f"HTTP {resp.status}" + (f": {text}" if text else "")


def status_level(body: Any) -> str | None:
    """Overall level from ``/api/status`` (8.x/9.x ``level``, legacy ``state``), or None."""
    if not isinstance(body, dict):
        return None
    overall = (body.get("status") or {}).get("overall") or {}
    if "level" in overall:
        return str(overall["level"])
    state = overall.get("state")
    return {"green": "available", "yellow": "degraded", "red": "unavailable"}.get(str(state)) if state else None


def wait_until_available(conn: KibanaConnection, timeout: float, *, interval: float = 5.0,
                         clock: Callable[[], float] = time.monotonic,
                         sleep: Callable[[float], None] = time.sleep) -> None:
    """Poll ``GET /api/status`` until Kibana is available; rejected credentials fail at once."""
    deadline = clock() + timeout
    last = "no answer yet"
    while True:
        remaining = deadline - clock()
        try:
            resp = request(conn, "GET", conn.endpoint(STATUS_PATH), timeout=max(1.0, min(10.0, remaining)))
        except KibanaError as exc:
            last = str(exc)
        else:
            if resp.status in (401, 403):
                raise KibanaError(f"Kibana at {redact_url(conn.url)} rejected the credentials "
                                  f"({conn.describe_auth()}): {describe_http_error(resp)}")
            level = status_level(resp.body)
            if resp.status == 200 and level == "available":
                return
            last = f"status {level}" if level else describe_http_error(resp)
        if clock() + interval > deadline:
            raise KibanaError(f"Kibana at {redact_url(conn.url)} not available after {timeout:g}s ({last})")
        sleep(interval)


# --- import ----------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    success: bool
    success_count: int
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]

    def error_lines(self) -> list[str]:
        out = []
        for err in self.errors:
            detail = err.get("error") or {}
            kind = detail.get("type", "unknown")
            extra = ""
            if kind == "missing_references":
                extra = " " + ", ".join(f"{r.get('type')}/{r.get('id')}" for r in detail.get("references", []))
            elif detail.get("message"):
                extra = f" ({detail['message']})"
            out.append(f"{err.get('type')}/{err.get('id')}: {kind}{extra}")
        return out


def import_saved_objects(conn: KibanaConnection, ndjson: bytes, *, overwrite: bool = True,
                         filename: str = "saved_objects.ndjson") -> ImportResult:
    body, content_type = multipart_body("file", filename, ndjson)
    url = conn.endpoint(IMPORT_PATH, {"overwrite": "true" if overwrite else "false"})
    resp = request(conn, "POST", url, body=body, headers={"Content-Type": content_type})
    if resp.status != 200 or not isinstance(resp.body, dict):
        hint = ""
        if resp.status in (401, 403):
            hint = f" (credentials: {conn.describe_auth()}; the kibana_system user cannot import objects)"
        raise KibanaError(f"Kibana refused the import: {describe_http_error(resp)}{hint}")
    return ImportResult(success=bool(resp.body.get("success")),
                        success_count=int(resp.body.get("successCount", 0)),
                        errors=list(resp.body.get("errors") or []),
                        warnings=list(resp.body.get("warnings") or []))


EXPORT_PATH = "/api/saved_objects/_export"


def export_saved_objects(conn: KibanaConnection, wanted: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The objects ``wanted`` ((type, id) pairs) and what they reference, in ``wanted``'s order."""
    body = json.dumps({"objects": [{"type": t, "id": i} for t, i in wanted], "includeReferencesDeep": True,
                       "excludeExportDetails": True}).encode()
    resp = request(conn, "POST", conn.endpoint(EXPORT_PATH), body=body, headers={"Content-Type": "application/json"})
    if resp.status != 200:
        raise KibanaError(f"Kibana refused the export: {describe_http_error(resp)}")
    text = resp.body if isinstance(resp.body, str) else json.dumps(resp.body)
    objects = [json.loads(line) for line in text.splitlines() if line.strip()]
    objects = [o for o in objects if isinstance(o, dict) and "id" in o and "type" in o]
    order = {key: n for n, key in enumerate(wanted)}
    missing = sorted(set(wanted) - {(o["type"], o["id"]) for o in objects})
    if missing:
        raise KibanaError("Kibana does not have " + ", ".join(f"{t} {i}" for t, i in missing)
                          + " (import them first: python -m pipeline kibana import)")
    return sorted(objects, key=lambda o: order.get((o["type"], o["id"]), len(order)))


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    try:
        conn = KibanaConnection.from_env(url=args.url, space=args.space)
        files = [Path(f) for f in args.file] if args.file else saved_object_files()
        wanted = [(o["type"], o["id"]) for o in map(json.loads, read_saved_objects(files).decode().splitlines())
                  if "id" in o]
        objects = export_saved_objects(conn, wanted)
    except KibanaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = "".join(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n" for o in objects)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"kibana export: {len(objects)} objects from {redact_url(conn.url)} -> {args.out}", file=sys.stderr)
    else:
        out.write(text)
    return 0


def summary_line(result: ImportResult, conn: KibanaConnection) -> str:
    where = redact_url(conn.url) + (f" (space {conn.space})" if conn.space else "")
    line = (f"kibana import: successCount={result.success_count} errors={len(result.errors)} "
            f"warnings={len(result.warnings)} into {where}")
    if result.errors:
        line += ": " + "; ".join(result.error_lines())
    return line


# --- command line ----------------------------------------------------------------------------------

def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    try:
        conn = KibanaConnection.from_env(url=args.url, space=args.space)
        files = [Path(f) for f in args.file] if args.file else saved_object_files()
        ndjson = read_saved_objects(files)
        if args.wait:
            print(f"waiting up to {args.wait:g}s for Kibana at {redact_url(conn.url)} ...", file=sys.stderr)
            wait_until_available(conn, args.wait)
        result = import_saved_objects(conn, ndjson)
    except KibanaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    ok = result.success and not result.errors
    print(summary_line(result, conn), file=out if ok else sys.stderr)
    return 0 if ok else 1


def add_subparser(sub: Any) -> argparse.ArgumentParser:
    """Register ``kibana import|export`` on the CLI's subparsers (``set_defaults(func=...)`` like the others)."""
    p: argparse.ArgumentParser = sub.add_parser("kibana", help="Kibana saved objects (data views, searches, dashboard)")
    actions = p.add_subparsers(dest="kibana_command", required=True)
    imp = actions.add_parser("import", help="import config/kibana/*.ndjson via the Saved Objects API (overwrite)")
    imp.add_argument("--url", help=f"Kibana base URL (default: $KIBANA_URL or {DEFAULT_URL})")
    imp.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                     help="first wait up to SECONDS for GET /api/status to report Kibana available")
    imp.add_argument("--space", help="Kibana space id (default: $KIBANA_SPACE or the default space)")
    imp.add_argument("--file", action="append", metavar="NDJSON",
                     help="import this file instead of config/kibana/*.ndjson (repeatable)")
    imp.set_defaults(func=cmd_import)
    exp = actions.add_parser("export", help="export the objects config/kibana/*.ndjson names, as they are in Kibana")
    exp.add_argument("--url", help=f"Kibana base URL (default: $KIBANA_URL or {DEFAULT_URL})")
    exp.add_argument("--space", help="Kibana space id (default: $KIBANA_SPACE or the default space)")
    exp.add_argument("--file", action="append", metavar="NDJSON",
                     help="export the objects this file names instead of config/kibana/*.ndjson's (repeatable)")
    exp.add_argument("--out", metavar="FILE", help="write the NDJSON here (default: stdout), e.g. "
                                                   "config/kibana/saved_objects.ndjson")
    exp.set_defaults(func=cmd_export)
    return p


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    add_subparser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["kibana", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args, out or sys.stdout))


if __name__ == "__main__":
    sys.exit(main())
