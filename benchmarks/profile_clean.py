"""Where a document's time goes: per-document cost of each step against the floor, in one process.

    python benchmarks/profile_clean.py [--data DIR] [--corpus-dir DIR] [--limit N] [--pages N] [--rounds R] [--top K]

Inputs: the 121 shared article pages (``../shared/benchmarks/article-extraction``, never copied here)
and, with ``--corpus-dir``, HTML files of the throughput corpus (``benchmarks/corpus.py`` builds it).
For every page, interleaved page by page and round by round (so machine load hits all alike):

- **floor**: ``lxml.html.document_fromstring`` of the page (parsing once is the least any extractor does);
- **trafilatura**: ``trafilatura.extract(html)`` with its defaults (what the bare-library baseline of
  ``benchmarks/throughput.py`` calls), and ``fast=True`` (no fallback extractors);
- **clean**: the project's ``clean_html`` (parse, metadata, pruning, trafilatura, rule packs); and the
  same with every trafilatura pass a plain ``trafilatura.extract`` call (``per_pass_extract``: the
  tree copied and prepared again for each pass, as before plan item 2) -- same output; and the same
  with no line answer remembered (``script.line_memo`` off, as before plan item 5) -- same output;
- **language**: the language stage on the cleaned document;
- **langdetect**: plain ``langdetect.detect`` on the cleaned body (the baseline's language call);
- with ``--corpus-dir``, **text mode** too: ``clean_text`` on the corpus's text dumps, with and without
  the remembered line answers.

Prints mean ms per page and the ratio to the floor for each, then a cProfile of ``clean_html`` over
the same pages with its own time grouped by where the code lives (trafilatura and its fallbacks,
lxml, the project's clean modules ...) and the trees built and copied per page (parses, copies), and
``clean_html`` over ``trafilatura.extract`` in the same run. The figures feed ``docs/performance.md``;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def corpus_pages(corpus_dir: Path, limit: int) -> list[str]:
    """Up to ``limit`` HTML documents of a throughput corpus (``.html`` and ``.html.gz``)."""
    out: list[str] = []
    for f in sorted(corpus_dir.rglob("*")):
        if len(out) >= limit:
            break
        if f.name.endswith(".html"):
            out.append(f.read_text(encoding="utf-8", errors="strict"))
        elif f.name.endswith(".html.gz"):
            out.append(gzip.decompress(f.read_bytes()).decode("utf-8"))
    return out


def steps(pages: list[str]) -> dict[str, Callable[[str], object]]:
    """name -> a call on one page's HTML; each does the whole of its work on every call (the language
    steps get the page's cleaned body, cleaned once beforehand, outside the timing)."""
    import langdetect
    import lxml.html
    import trafilatura

    from pipeline.document import Document
    from pipeline.stages.clean import load_packs, script
    from pipeline.stages.clean.extraction import per_pass_extract
    from pipeline.stages.clean.html import clean_html
    from pipeline.stages.language import DetectLanguage, load_language_config

    packs = load_packs()
    detect = DetectLanguage(load_language_config(), time_limit_seconds=None)
    cleaned: dict[int, str] = {}

    def body_of(html: str) -> str:
        key = id(html)
        if key not in cleaned:
            cleaned[key] = clean_html(html, packs).body or ""
        return cleaned[key]

    for html in pages:
        body_of(html)

    def language(html: str) -> object:
        doc = Document(source="p.html", source_path="p.html", content_type="html", body=body_of(html))
        return detect(doc)

    def clean_per_pass(html: str) -> object:
        """The clean stage before plan item 2: each trafilatura pass copies and prepares the tree itself."""
        with per_pass_extract():
            return clean_html(html, packs)

    def clean_unremembered(html: str) -> object:
        """The clean stage with nothing remembered (``script.line_memo`` asks every line afresh): same output."""
        kept = script.LINE_MEMO_MAX_CHARS
        script.LINE_MEMO_MAX_CHARS = -1
        try:
            return clean_html(html, packs)
        finally:
            script.LINE_MEMO_MAX_CHARS = kept

    def plain_langdetect(html: str) -> object:
        body = body_of(html)
        try:
            return langdetect.detect(body)
        except langdetect.LangDetectException:
            return None

    return {
        "floor: lxml parse": lambda html: lxml.html.document_fromstring(html),
        "trafilatura.extract (defaults)": lambda html: trafilatura.extract(html),
        "trafilatura.extract (fast=True)": lambda html: trafilatura.extract(html, fast=True),
        "clean_html (ours)": lambda html: clean_html(html, packs),
        "clean_html, extract per pass": clean_per_pass,
        "clean_html, nothing remembered": clean_unremembered,
        "language stage (ours)": language,
        "langdetect.detect (baseline)": plain_langdetect,
    }


def time_steps(pages: list[str], rounds: int) -> dict[str, list[float]]:
    calls = steps(pages)
    for html in pages[:3]:  # warm every model and cache once, outside the timing
        for call in calls.values():
            call(html)
    per_page: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for html in pages:
            for name, call in calls.items():
                t = time.perf_counter()
                call(html)
                per_page[name].append(time.perf_counter() - t)
    return per_page


def area_of(filename: str) -> str:
    """Where a profiled function lives, at the granularity the plan needs."""
    f = filename.replace("\\", "/")
    for lib in ("trafilatura", "justext", "readability", "htmldate", "courlan", "langdetect", "py3langid",
                "lxml", "numpy", "charset_normalizer", "regex"):
        if f"/{lib}/" in f or f"site-packages/{lib}" in f:
            return lib
    if "/pipeline/" in f:
        return "pipeline/" + f.split("/pipeline/", 1)[1]
    if f.startswith("~") or f.startswith("<"):
        return "builtins (re, str, C calls)"
    return "python stdlib"


def tree_calls(stats: pstats.Stats, pages: int) -> str:
    """Parses (``lxml.html.document_fromstring``, whoever calls it: ours, readability's re-parse of its
    summary) and whole-tree copies (``copy.copy`` / ``copy.deepcopy``: lxml copies a subtree either way)
    per page, with the callers of each."""
    wanted = {("document_fromstring", "lxml"): "parses", ("copy", "copy.py"): "copies",
              ("deepcopy", "copy.py"): "deep copies"}
    parts = []
    for (filename, _line, name), (_cc, ncalls, _tt, _ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        label = next((v for (n, where), v in wanted.items() if n == name and where in filename), None)
        if label is None:
            continue
        by = sorted(((c[2], v[1] if isinstance(v, tuple) else v) for c, v in callers.items()), key=lambda kv: -kv[1])
        parts.append(f"{label} {ncalls / pages:.2f} (" + ", ".join(f"{n} {k / pages:.2f}" for n, k in by[:4]) + ")")
    return "; ".join(sorted(parts))


def profile_clean(pages: list[str], top: int) -> None:
    from pipeline.stages.clean import load_packs
    from pipeline.stages.clean.html import clean_html

    packs = load_packs()
    profiler = cProfile.Profile()
    profiler.enable()
    for html in pages:
        clean_html(html, packs)
    profiler.disable()
    stats = pstats.Stats(profiler)
    own: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        own[area_of(filename)] += tottime
        total += tottime
    print(f"\ncProfile of clean_html over {len(pages)} pages: own time by where the code lives "
          f"(total {total:.2f} s, profiler overhead included)")
    for area, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {100 * seconds / total:5.1f} %  {seconds:7.3f} s  {area}")
    print(f"trees built and copied per page (calls seen by cProfile): {tree_calls(stats, len(pages))}")
    print(f"the {top} functions with most own time:")
    ranked = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]  # type: ignore[attr-defined]
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in ranked:
        where = area_of(filename)
        print(f"  {100 * tottime / total:5.1f} %  {tottime:7.3f} s  {ncalls:8d} calls  {where}: {name} ({line})")


def time_text_dumps(corpus_dir: Path, limit: int, rounds: int) -> None:
    """Text mode: ``clean_text`` on up to ``limit`` text dumps of the corpus, with and without the
    remembered line answers (``script.line_memo``), interleaved document by document."""
    from pipeline.stages.clean import load_packs, script
    from pipeline.stages.clean.text import clean_text

    packs = load_packs()
    dumps = [f.read_text(encoding="utf-8") for f in sorted(corpus_dir.rglob("*.txt"))[:limit]]
    kept = script.LINE_MEMO_MAX_CHARS
    times: dict[str, list[float]] = defaultdict(list)
    for text in dumps[:3]:
        clean_text(text, packs)
    for _ in range(rounds):
        for text in dumps:
            for name, limit_chars in (("clean_text (ours)", kept), ("clean_text, nothing remembered", -1)):
                script.LINE_MEMO_MAX_CHARS = limit_chars
                t = time.perf_counter()
                clean_text(text, packs)
                times[name].append(time.perf_counter() - t)
    script.LINE_MEMO_MAX_CHARS = kept
    print(f"\nthroughput corpus (text dumps): {len(dumps)} dumps x {rounds} rounds, mean ms per dump")
    for name, values in times.items():
        print(f"  {name:34s} {1000 * statistics.fmean(values):8.2f} ms   median {1000 * statistics.median(values):7.2f} ms")
    ratio = statistics.fmean(times["clean_text (ours)"]) / statistics.fmean(times["clean_text, nothing remembered"])
    print(f"  clean_text / the same with no line answer remembered (before plan item 5): {ratio:.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=None, help="article-extraction folder (default ../shared/...)")
    ap.add_argument("--corpus-dir", type=Path, default=None, help="a throughput corpus: time its HTML too")
    ap.add_argument("--limit", type=int, default=300, help="at most this many corpus pages")
    ap.add_argument("--pages", type=int, default=None, help="only the first N shared pages (a quick look)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--top", type=int, default=14)
    args = ap.parse_args(argv)

    from benchmarks.extraction import load_pages

    sets = {"shared pages": [p.html for p in load_pages(args.data, limit=args.pages)]}
    if args.corpus_dir:
        sets["throughput corpus (HTML)"] = corpus_pages(args.corpus_dir, args.limit)
    for label, pages in sets.items():
        per_page = time_steps(pages, args.rounds)
        floor = statistics.fmean(per_page["floor: lxml parse"])
        print(f"\n{label}: {len(pages)} pages x {args.rounds} rounds, mean ms per page (ratio to the floor)")
        for name, times in per_page.items():
            mean = statistics.fmean(times)
            print(f"  {name:34s} {1000 * mean:8.2f} ms   {mean / floor:6.1f} x   median {1000 * statistics.median(times):7.2f} ms")
        clean = statistics.fmean(per_page["clean_html (ours)"])
        ratio = clean / statistics.fmean(per_page["trafilatura.extract (defaults)"])
        print(f"  clean_html / trafilatura.extract (defaults), same run: {ratio:.3f}")
        shared = clean / statistics.fmean(per_page["clean_html, extract per pass"])
        print(f"  clean_html / the same with trafilatura.extract per pass (before plan item 2): {shared:.3f}")
        fresh = clean / statistics.fmean(per_page["clean_html, nothing remembered"])
        print(f"  clean_html / the same with no line answer remembered (before plan item 5): {fresh:.3f}")
        profile_clean(pages, args.top)
    if args.corpus_dir:
        time_text_dumps(args.corpus_dir, args.limit, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
