"""Byte-for-byte comparison of the HTML clean's output between two checkouts (issue 27, plan item 2).

    python -m devtools.clean_compare dump OUT.jsonl [--data DIR] [--eval-data DIR] [--limit N] [--multilingual N]
    python -m devtools.clean_compare dump-text OUT.jsonl [--data DIR] [--eval-data DIR] [--limit N]
                                               [--multilingual N] [--corpus-dir DIR]
    python -m devtools.clean_compare diff A.jsonl B.jsonl
    python -m devtools.clean_compare passes [--data DIR] [--eval-data DIR] [--limit N]

``dump`` runs ``clean_html_string`` (what the benchmarks and the clean stage call) of the checkout it is
run from over the 121 shared pages (``../shared/benchmarks/article-extraction``) and the 990 pages of
``../shared/benchmarks/trafilatura-eval``, and writes one JSON line per page: the body, title, author,
source name, dateline, publication date, captions and the whole metadata dictionary (warnings, cuts,
recalled lines ...). Run it once on each checkout (``cd`` there, ``.venv/bin/python -m
devtools.clean_compare dump``), then ``diff`` the two files: it prints the pages and fields that differ
and exits 1 when any does. ``--multilingual N`` adds N generated pages per language and split of the
multilingual probe (``benchmarks/multilingual_gen.py``: 20 languages, ``dev`` and ``kept``).

``dump-text`` does the same for text mode (``clean_text``, what the clean stage calls on a ``.txt``
document): the visible text of the same pages (BeautifulSoup's ``get_text("\n")``, as a scraper's dump
has it), the multilingual probe's text dumps (``--multilingual N`` per language and split, default 20)
and, with ``--corpus-dir``, the text dumps of a throughput corpus (``benchmarks/corpus.py``).

``passes`` checks the extraction plumbing directly on the same pages: for each page parsed and pruned as
the clean stage does, every pass kind (precise / broad, fast / full) through one shared
:class:`~pipeline.stages.clean.extraction.PageExtraction`, and each through an owned fresh parse (unpruned), against
``trafilatura.extract`` on the same tree; prints the pages that differ, exits 1 when any does. (The one
intended difference: a page that shows an entity as text keeps it, where ``trafilatura.extract`` decodes it
again, ``pipeline/stages/clean/trafilatura_text.py``; none of these pages does.) Nothing is
timed here.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"


def pages(data: Path | None, eval_data: Path | None, limit: int | None) -> list[tuple[str, str]]:
    """(id, html) of the shared article pages then the trafilatura-eval pages, decoded as the benchmarks do."""
    out: list[tuple[str, str]] = []
    art = data or SHARED / "article-extraction"
    for f in sorted((art / "html").glob("*.html.gz"))[:limit]:
        out.append((f"article/{f.name}", gzip.decompress(f.read_bytes()).decode("utf-8")))
    ev = eval_data or SHARED / "trafilatura-eval"
    for f in sorted((ev / "pages").glob("*.html.gz"))[:limit]:
        out.append((f"eval/{f.name}", gzip.decompress(f.read_bytes()).decode("utf-8", errors="replace")))
    return out


def generated(kind: str, per_language: int) -> list[tuple[str, str]]:
    """(id, document) of the multilingual probe's ``kind`` ("html" / "text") documents, ``per_language`` of
    each language and split (seed 0, as ``benchmarks/multilingual.py`` runs it)."""
    from benchmarks.multilingual_gen import LANGUAGES, generate, load_pool

    out: list[tuple[str, str]] = []
    for split in ("dev", "kept"):
        for lang in LANGUAGES:
            pool = load_pool(lang, split)
            out += [(f"multilingual/{split}/{lang}/{i}", generate(lang, split, i, seed=0, content_type=kind, pool=pool).raw)
                    for i in range(per_language)]
    return out


def text_dumps(data: Path | None, eval_data: Path | None, limit: int | None, per_language: int,
               corpus_dir: Path | None) -> list[tuple[str, str]]:
    """(id, text) of text mode's inputs: the pages' visible text, the probe's dumps, a corpus's dumps."""
    import warnings

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)  # a few eval pages are XHTML
    out = [(f"visible/{pid}", BeautifulSoup(html, "lxml").get_text("\n")) for pid, html in pages(data, eval_data, limit)]
    out += generated("text", per_language)
    if corpus_dir is not None:
        out += [(f"corpus/{f.relative_to(corpus_dir)}", f.read_text(encoding="utf-8"))
                for f in sorted(corpus_dir.rglob("*.txt"))[:limit]]
    return out


def _write(out: Path, docs: list[tuple[str, str]], clean: Any) -> int:
    """One JSON line per document: ``clean(document)``'s fields, or the error it raised."""
    with out.open("w", encoding="utf-8") as fh:
        for did, doc in docs:
            try:
                res = clean(doc)
                row = {"id": did, "title": res.title, "body": res.body, "author": res.author,
                       "source_name": res.source_name, "dateline": res.dateline, "published_at": res.published_at,
                       "captions": res.captions, "metadata": res.metadata}
            except Exception as exc:  # noqa: BLE001 - an error is an output too: compared like the rest
                row = {"id": did, "error": f"{type(exc).__name__}: {exc}"}
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str) + "\n")
    return len(docs)


def dump(out: Path, data: Path | None, eval_data: Path | None, limit: int | None, per_language: int = 0) -> int:
    from pipeline.stages.clean import clean_html_string, load_packs

    packs = load_packs()
    n = _write(out, pages(data, eval_data, limit) + generated("html", per_language),
               lambda html: clean_html_string(html, packs))
    print(f"wrote {n} pages to {out}")
    return 0


def dump_text(out: Path, docs: list[tuple[str, str]]) -> int:
    from pipeline.stages.clean import load_packs
    from pipeline.stages.clean.text import clean_text

    packs = load_packs()
    n = _write(out, docs, lambda text: clean_text(text, packs))
    print(f"wrote {n} text documents to {out}")
    return 0


def diff(a: Path, b: Path, noun: str = "pages") -> int:
    """Print the records (JSON lines keyed by ``id``) and fields that differ between ``a`` and ``b``; 1 when any does."""
    rows_a = {r["id"]: r for r in map(json.loads, a.read_text(encoding="utf-8").splitlines())}
    rows_b = {r["id"]: r for r in map(json.loads, b.read_text(encoding="utf-8").splitlines())}
    fields: Counter[str] = Counter()
    pages_differing = 0
    for pid in sorted(rows_a.keys() | rows_b.keys()):
        ra, rb = rows_a.get(pid), rows_b.get(pid)
        if ra == rb:
            continue
        pages_differing += 1
        if ra is None or rb is None:
            print(f"{pid}: only in {'B' if ra is None else 'A'}")
            fields["(missing)"] += 1
            continue
        for key in sorted(ra.keys() | rb.keys()):
            va, vb = ra.get(key), rb.get(key)
            if key == "metadata" and isinstance(va, dict) and isinstance(vb, dict):
                for mk in sorted(va.keys() | vb.keys()):
                    if va.get(mk) != vb.get(mk):
                        fields[f"metadata.{mk}"] += 1
                        print(f"{pid}: metadata.{mk}: {str(va.get(mk))[:200]!r} -> {str(vb.get(mk))[:200]!r}")
            elif va != vb:
                fields[key] += 1
                print(f"{pid}: {key}: {str(va)[:200]!r} -> {str(vb)[:200]!r}")
    print(f"{len(rows_a)} {noun} in A, {len(rows_b)} in B; {pages_differing} differ"
          + (f" ({', '.join(f'{k} {v}' for k, v in fields.most_common())})" if fields else ""))
    return 1 if pages_differing else 0


def passes(data: Path | None, eval_data: Path | None, limit: int | None) -> int:
    from pipeline.stages.clean import load_packs
    from pipeline.stages.clean.extraction import PageExtraction, public_extract
    from pipeline.stages.clean.html import parse_html
    from pipeline.stages.clean.prune import prune, prune_media

    hr = load_packs().for_language(None).html
    kinds = [(True, True), (True, False), (False, True), (False, False)]
    checked = differ = 0
    for pid, html in pages(data, eval_data, limit):
        try:
            tree = parse_html(html)
        except ValueError:
            continue
        prune(tree, hr)
        prune_media(tree)
        page = PageExtraction(tree)
        for precision, fast in kinds:
            pairs = {"shared": (public_extract(tree, precision=precision, fast=fast),
                                page.text(precision=precision, fast=fast)),
                     "owned": (public_extract(parse_html(html), precision=precision, fast=fast),
                               PageExtraction(parse_html(html), owned=True).text(precision=precision, fast=fast))}
            checked += 1
            for how, (want, text) in pairs.items():
                if text != want:
                    differ += 1
                    print(f"{pid}: precision={precision} fast={fast} {how}: {len(want)} -> {len(text)} characters")
    print(f"{checked} page x pass kinds checked, {differ} differ from trafilatura.extract")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--multilingual", type=int, default=0, help="generated pages per language and split")
    t = sub.add_parser("dump-text")
    t.add_argument("out", type=Path)
    t.add_argument("--multilingual", type=int, default=20, help="generated dumps per language and split")
    t.add_argument("--corpus-dir", type=Path, default=None, help="a throughput corpus (benchmarks/corpus.py)")
    pp = sub.add_parser("passes")
    for q in (d, t, pp):
        q.add_argument("--data", type=Path, default=None, help="article-extraction folder")
        q.add_argument("--eval-data", type=Path, default=None, help="trafilatura-eval folder")
        q.add_argument("--limit", type=int, default=None, help="at most N pages of each set (a quick look)")
    c = sub.add_parser("diff")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        return dump(args.out, args.data, args.eval_data, args.limit, args.multilingual)
    if args.cmd == "dump-text":
        return dump_text(args.out, text_dumps(args.data, args.eval_data, args.limit, args.multilingual, args.corpus_dir))
    if args.cmd == "passes":
        return passes(args.data, args.eval_data, args.limit)
    return diff(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
