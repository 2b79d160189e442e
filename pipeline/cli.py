"""``python -m pipeline``: the stages from the command line, without Airflow.

The output of ``clean``, ``detect-language`` and ``search --format jsonl`` is a contract
(other tools parse it): add keys if needed, never rename or drop them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from pipeline.config import Settings, load_settings, resolve_path

CLEAN_KEYS = ("source", "title", "body", "captions", "author", "author_source", "source_name", "dateline",
              "published_at", "published_at_source", "modified_at", "modified_at_source",
              "language", "language_confidence", "errors", "warnings")


def _emit(obj: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def cmd_clean(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.run.batch import document_stages, run_steps
    from pipeline.stages.extract import Extract

    settings = load_settings()
    stages = document_stages(settings.run, encoding=args.encoding)
    extract = stages[0]
    assert isinstance(extract, Extract)
    for name in args.files:
        doc = next(run_steps(stages, [extract.new_document(name, source=name)]))
        record = {key: getattr(doc, key) for key in CLEAN_KEYS}
        record["errors"] = [str(e) for e in doc.errors]  # the contract: "stage: message" strings
        record["error_codes"] = [e.key for e in doc.errors]
        record["warnings"] = [str(w) for w in doc.warnings]  # the same shape as errors
        record["warning_codes"] = [w.key for w in doc.warnings]
        if args.format == "json":
            out.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        else:
            _emit(record, out)
    return 0


def cmd_detect_language(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.stages.language import detect_lines

    for result in detect_lines(line.rstrip("\n") for line in sys.stdin):
        _emit(result, out)
    return 0


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.elastic.client import make_client
    from pipeline.errors import RunFailed
    from pipeline.run.flow import Ingest, run_flow

    settings = _writer_settings(args)
    if args.runs_dir:
        settings = settings.with_overrides(runs_dir=resolve_path(args.runs_dir))
    flow = Ingest(settings)
    request = _run_request(args, "ingest")
    report = run_flow(flow, make_client(settings.es), request, workers=args.workers)
    if args.format == "json":
        out.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report.render_text() + "\n")
    try:
        flow.check(report)
    except RunFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_setup(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.elastic.client import make_client
    from pipeline.elastic.indices import prepare_index
    from pipeline.elastic.security import SecuritySetupError, ensure_roles_and_users, roles_file

    settings = load_settings()
    alias = args.index_alias or settings.index_alias
    if args.roles_file:
        out.write(roles_file(alias, settings.security))
        return 0
    settings = _writer_settings(args)
    es = make_client(settings.es)
    try:
        for line in ([] if args.no_security else ensure_roles_and_users(es, alias, settings.security)):
            out.write(line + "\n")
    except SecuritySetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    target = prepare_index(es, alias, shards=settings.number_of_shards, replicas=settings.number_of_replicas,
                           support=settings.support_indices)
    state = "created" if target.created else "exists"
    langs = ", ".join(target.languages) or "none (cluster offers no language analyzers)"
    out.write(f"index template + alias ready: {target.alias} -> {target.index} ({state}); language subfields: {langs}\n")
    return 0


def cmd_reindex(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.elastic.client import make_client
    from pipeline.run.flow import run_reindex

    settings = _writer_settings(args)
    if args.runs_dir:
        settings = settings.with_overrides(runs_dir=resolve_path(args.runs_dir))
    request = _run_request(args, "reindex")
    result = run_reindex(make_client(settings.es), settings,
                         source_dir=resolve_path(request.source_dir) if request.source_dir else None,
                         alias=request.index_alias, source_id=request.source_id, allow_shrink=request.allow_shrink)
    out.write(result.report.render_text() + "\n")
    out.write(f"alias {result.alias}: {result.previous_index or '(none)'} -> {result.new_index} "
              f"({result.actual} documents verified); kept for rollback: {result.previous_index or 'nothing'}; "
              f"pruned: {', '.join(result.pruned) or 'nothing'}\n")
    return 0


def cmd_rollback(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.elastic import lease
    from pipeline.elastic.client import make_client
    from pipeline.elastic.indices import RollbackRefused, rollback
    from pipeline.run.context import new_run_id

    settings = _writer_settings(args)
    alias = args.index_alias or settings.index_alias
    es = make_client(settings.es)
    # Moving the alias under a running ingest would leave it writing into the retired index.
    holder = f"rollback-{new_run_id()}"
    lease.acquire(es, alias, holder, ttl=settings.run.lease_ttl_seconds, wait=settings.run.lease_wait_seconds,
                  support=settings.support_indices, process_bound=True)
    try:
        old, new = rollback(es, alias, forward=args.forward, to=args.to)
    except RollbackRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        lease.release(es, alias, holder)
    out.write(f"alias {alias}: {old} -> {new}\n" if old != new else f"alias {alias}: already on {new}\n")
    return 0


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.elastic.client import make_client
    from pipeline.elastic.status import collect_status
    from pipeline.fingerprint import processing_fingerprint

    settings = load_settings()
    status = collect_status(make_client(settings.es), args.index_alias or settings.index_alias, runs=args.runs,
                            fingerprint=processing_fingerprint(settings.run))
    if args.format == "json":
        out.write(json.dumps(status.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(status.render_text() + "\n")
    return 0


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.run import load_report

    settings = load_settings()
    runs_dir = resolve_path(args.runs_dir) if args.runs_dir else settings.runs_dir
    report = load_report(runs_dir, args.run_id)
    if args.format == "json":
        out.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report.render_text() + "\n")
    return 0


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.elastic.client import make_client
    from pipeline.elastic.search import Filters, render_explanation, search

    settings = load_settings()
    es = make_client(settings.es)
    filters = Filters(language=args.language, source_name=args.source_name, since=args.since, until=args.until,
                      country=args.country)
    hits = search(es, args.query, alias=args.index_alias or settings.index_alias, size=args.size,
                  offset=args.offset, filters=filters, explain=args.explain, collapse=args.collapse)
    for rank, hit in enumerate(hits, start=args.offset + 1):
        if args.format == "jsonl":
            _emit(hit.to_dict(), out)
            continue
        copies = f"  [{hit.duplicate_count} copies]" if args.collapse and (hit.duplicate_count or 1) > 1 else ""
        out.write(f"{rank:>3}. [{hit.score:.2f}] {hit.title}  ({hit.language}){copies}\n     {hit.source_path}\n")
        for fragment in (hit.highlight.get("body") or hit.highlight.get("title") or [])[:2]:
            out.write(f"     … {' '.join(fragment.split())} …\n")  # one line, whatever the text's line breaks
        if hit.explanation:
            out.write("\n".join("     " + line for line in render_explanation(hit.explanation)) + "\n")
    if not hits and args.format == "text":
        out.write("no hits\n")
    return 0


def _writer_settings(args: argparse.Namespace) -> Settings:
    """Settings for a command that writes: a configured cluster (ES_URL), or --local-es. Never a silent
    fall-back to the development node, which would put production's writes where nobody looks."""
    settings = load_settings()
    if getattr(args, "local_es", False):
        return _start_local_node(settings)
    if not settings.es.explicit:
        raise SystemExit(f"error: no Elasticsearch configured for `{args.command}`: set ES_URL (a comma-separated "
                         "list for several nodes), or pass --local-es to use the local development node")
    return settings


def _start_local_node(settings: Settings) -> Settings:
    """``--local-es``: start the development node (devtools, a separate program) and use it.

    A subprocess, not an import: ``devtools`` is not part of the runtime package, and a
    deployment without it fails here with a clear message instead of indexing into nowhere.
    """
    import subprocess
    from dataclasses import replace

    result = subprocess.run([sys.executable, "-m", "devtools.es_local", "start"], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"error: could not start the local node: {(result.stderr or result.stdout).strip()}")
    return replace(settings, es=replace(settings.es, explicit=True))


def _add_run_params(p: argparse.ArgumentParser, flow: str) -> None:
    from pipeline.run.params import add_cli_flags

    add_cli_flags(p, flow, types={"encoding": _encoding})


def _run_request(args: argparse.Namespace, flow: str) -> Any:
    from pipeline.errors import BadParameter
    from pipeline.run.flow import RunRequest

    try:
        return RunRequest.from_flags(args, flow)
    except BadParameter as exc:
        raise SystemExit(f"error: {exc}") from None


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def _encoding(value: str) -> str:
    from pipeline.config import check_encoding

    try:
        return check_encoding(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_ENCODING_HELP = ("charset hint for files that are not UTF-8, e.g. cp1251; a BOM, valid UTF-8, a declared "
                  "charset that fits or clearly better-reading text still overrule it (docs/encodings.md)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("clean", help="clean files and print one JSON object per file")
    p.add_argument("--format", choices=["jsonl", "json"], default="jsonl")
    p.add_argument("--encoding", type=_encoding, help=_ENCODING_HELP)
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("detect-language", help="one text per stdin line -> one JSON object per line")
    p.set_defaults(func=cmd_detect_language)

    p = sub.add_parser("run", help="run the whole ingestion in-process (what the DAG does)")
    _add_run_params(p, "ingest")
    p.add_argument("--runs-dir", help="where run reports are written (default: config runs_dir)")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="worker processes sharing the batches (default: run.workers in config/pipeline.yaml)")
    p.add_argument("--local-es", action="store_true",
                   help="start the local development node (devtools/es_local.py) and index into it")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("setup", help="roles/users (security on), index template, alias (idempotent)")
    p.add_argument("--index-alias", help="default: config index.alias")
    p.add_argument("--roles-file", action="store_true",
                   help="print the pipeline's roles as roles.yml (file-based roles) and exit")
    p.add_argument("--no-security", action="store_true",
                   help="leave roles and users alone (managed elsewhere, e.g. roles.yml); index setup only")
    p.add_argument("--local-es", action="store_true",
                   help="start the local development node (devtools/es_local.py) and write into it")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("reindex", help="rebuild the index behind the alias from every recorded source, then swap")
    _add_run_params(p, "reindex")  # every other source recorded for the alias is rebuilt too
    p.add_argument("--runs-dir", help="where run reports are written (default: config runs_dir)")
    p.add_argument("--local-es", action="store_true",
                   help="start the local development node (devtools/es_local.py) and write into it")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("rollback", help="point the alias back at the previous physical index (or forward again)")
    p.add_argument("--index-alias", help="default: config index.alias")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--forward", action="store_true",
                       help="roll forward: the next newer physical index (undoes a rollback)")
    where.add_argument("--to", metavar="INDEX", help="any physical index of the alias (`status` lists them)")
    p.add_argument("--local-es", action="store_true",
                   help="start the local development node (devtools/es_local.py) and write into it")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("status", help="cluster health, alias -> index, document count, last runs")
    p.add_argument("--index-alias", help="default: config index.alias")
    p.add_argument("--runs", type=int, default=5, help="how many recent runs to show")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("report", help="print a run report (the latest by default)")
    p.add_argument("run_id", nargs="?", help="run id (folder name under the runs dir)")
    p.add_argument("--last", action="store_true", help="the latest run (the default)")
    p.add_argument("--runs-dir", help="default: config runs_dir")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("search", help="search the articles alias")
    p.add_argument("query")
    p.add_argument("--size", type=int, default=10)
    p.add_argument("--offset", type=int, default=0, help="skip this many hits (pagination)")
    p.add_argument("--language", help="only documents detected in this ISO 639-1 language")
    p.add_argument("--source-name", help="only documents from this source / agency (exact)")
    p.add_argument("--country", help="only documents naming this country (ISO 3166-1 code, e.g. PL) in their text "
                                     "or datelined there")
    p.add_argument("--since", help="published_at on or after (ISO date or date math, e.g. now-7d)")
    p.add_argument("--until", help="published_at on or before")
    p.add_argument("--explain", action="store_true", help="show how each score was computed")
    p.add_argument("--collapse", action="store_true",
                   help="each story once (field collapsing on duplicate_group), with its copy count")
    p.add_argument("--index-alias", help="alias to search (default: config index.alias)")
    p.add_argument("--format", choices=["text", "jsonl"], default="text")
    p.set_defaults(func=cmd_search)

    from pipeline.elastic.kibana import add_subparser as add_kibana_subparser

    add_kibana_subparser(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    transport_log = logging.getLogger("elastic_transport")
    level = transport_log.level
    # -v: one INFO line per request; else the client's per-attempt warnings are left out too, the one
    # error line below says it all
    transport_log.setLevel(logging.INFO if args.verbose else logging.ERROR)
    request_log = logging.getLogger("elastic_transport.transport")  # pipeline.elastic.client: WARNING
    request_level = request_log.level
    request_log.setLevel(logging.INFO if args.verbose else logging.ERROR)
    try:
        return int(args.func(args, out or sys.stdout))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `... | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return 0
    except Exception as exc:  # noqa: BLE001 - one clear line for operators; -v shows the traceback
        if args.verbose:
            raise
        from pipeline.operator_errors import describe_error  # the Elasticsearch client only on this path

        print(f"error: {describe_error(exc)} (-v shows the traceback)", file=sys.stderr)
        return 1
    finally:
        transport_log.setLevel(level)  # main() may run in-process (tests, other tools)
        request_log.setLevel(request_level)
