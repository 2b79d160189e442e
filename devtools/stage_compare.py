"""Byte-for-byte comparison of the per-document stages' output between two checkouts.

    python -m devtools.stage_compare dump OUT.jsonl [--corpus-dir DIR] [--limit N]
    python -m devtools.stage_compare diff A.jsonl B.jsonl

``dump`` runs ``pipeline.run.batch.document_stages`` (extract -> clean -> language -> enrich -> places,
in this process, in a run's order) of the checkout it is run from over every file of a throughput corpus
(``--corpus-dir``, default ``/tmp/news-etl-throughput/docs-2000``: HTML, gzipped HTML, text dumps), the
shared pages (``--shared``, default ``../shared/benchmarks``: ``article-extraction`` and ``trafilatura-eval``,
as the gzipped files they are) and the test fixtures (``--fixtures``: the same folder for both), each document made as a run makes it (``batch.new_document``), and
writes one JSON line per document: its ``to_dict()`` without ``ingested_at`` (the clock). The last line
per folder holds the stages' counters. Run it once on each checkout (``cd`` there, ``.venv/bin/python -m
devtools.stage_compare dump``), then ``diff`` the two files: it prints the documents and fields that
differ and exits 1 when any does. Nothing is timed here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
CORPUS = Path("/tmp/news-etl-throughput/docs-2000")


def folders(corpus: Path, shared: Path, fixtures: Path) -> list[tuple[str, Path]]:
    return [("corpus", corpus), ("article", shared / "article-extraction" / "html"),
            ("eval", shared / "trafilatura-eval" / "pages"), ("fixtures", fixtures)]


def dump(out: Path, corpus: Path, limit: int | None, shared: Path = SHARED, fixtures: Path = FIXTURES) -> int:
    import pipeline
    from pipeline.config import load_settings
    from pipeline.run.batch import document_stages, new_document
    from pipeline.stages.extract import discover

    print(f"stages of {Path(pipeline.__file__).parent}", file=sys.stderr)
    run = load_settings().run
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for name, root in folders(corpus, shared, fixtures):
            if not root.is_dir():
                print(f"skipped {name}: no folder {root}", file=sys.stderr)
                continue
            stages = document_stages(run, fingerprint="compare", source_root=root)
            for path in list(discover(root))[:limit]:
                doc = new_document(root, name, str(path.relative_to(root)))
                for stage in stages:
                    doc = stage(doc)
                record: dict[str, Any] = doc.to_dict()
                record.pop("ingested_at")
                fh.write(json.dumps({"id": f"{name}/{doc.source}", **record}, ensure_ascii=False, sort_keys=True,
                                    default=str) + "\n")
                n += 1
            counters = {s.name: dict(sorted(s.counters.items())) for s in stages}
            fh.write(json.dumps({"id": f"{name}/#counters", "counters": counters}, sort_keys=True) + "\n")
    print(f"{n} documents -> {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.stage_compare", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--corpus-dir", type=Path, default=CORPUS)
    d.add_argument("--limit", type=int, default=None, help="at most N files per folder")
    d.add_argument("--shared", type=Path, default=SHARED, help="the shared benchmarks folder")
    d.add_argument("--fixtures", type=Path, default=FIXTURES, help="the test fixtures (give both checkouts the same)")
    c = sub.add_parser("diff")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.out, args.corpus_dir, args.limit, args.shared, args.fixtures)
    from devtools.clean_compare import diff

    return diff(args.a, args.b, noun="records")


if __name__ == "__main__":
    sys.exit(main())
