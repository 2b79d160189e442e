"""Can one document keep C code busy past the document time limit? (issue 26, part 3)

    python benchmarks/c_bound.py [--limit 1.0] [--scale 1.0]
    python benchmarks/c_bound.py --pipeline [--limit 3]      # through the run's stages, in process and isolated
    python benchmarks/c_bound.py --overhead 600              # the isolated worker's extra run time

``--pipeline``: pages with a ``<div>`` of 5,000 / 15,000 / 100,000 attributes through the run's
per-document stages, in this process (SIGALRM only) and through ``pipeline.run.isolated`` (the stages
in a worker process killed and replaced when a stage overruns): when each fails, against 2 x the limit.

``--overhead N``: N documents of the throughput corpus (``benchmarks/corpus.py``: real pages and text
dumps) through the same stages in this process and through the isolated worker, alternating chunks
of 25 documents between the two so that a busy machine slows both alike; prints the extra run time
of the isolated path (target: at most 5 %). Both are warmed first.

The time limit (``pipeline.stages.base.time_limit``) is a SIGALRM timer: Python code and the ``re``
engine are interrupted, a long call inside a C extension is not (the signal handler runs only when
the call returns to the interpreter). For each C library the stages call, this builds inputs meant to
keep it busy in one call, times the call alone, then runs it under ``time_limit(--limit)`` and
reports when the timeout landed: within 2 x the limit ("bounded") or not ("OVERRUN": the call could
only be stopped by killing the process it runs in).

Libraries and inputs:
* lxml / libxml2 (``lxml.html.fromstring``, what trafilatura and the cleaner parse with): nesting
  10^5 / 10^6 deep, one element with 10^5 attributes, a 50 MB attribute, 10^6 siblings;
* trafilatura's extraction (XPath over the tree, in libxml2): a page of 10^5 / 3x10^5 paragraphs
  with the classes its XPath expressions test;
* the charset detector (chardetng, Rust): 20 MB of non-ASCII bytes in one call;
* the language models (langdetect in Python, py3langid with numpy): 10 MB of text in one call.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def cases(scale: float) -> list[tuple[str, Callable[[], object]]]:
    import chardetng_py
    import lxml.html
    import trafilatura

    def n(x: float) -> int:
        return max(1, int(x * scale))

    deep5 = "<html><body>" + "<div>" * n(1e5) + "<p>text</p></body></html>"
    deep6 = "<html><body>" + "<div>" * n(1e6) + "<p>text</p></body></html>"
    attrs = "<html><body><div " + " ".join(f"a{i}='{i}'" for i in range(n(1e5))) + ">x</div></body></html>"
    big_attr = "<html><body><div title='" + "a" * n(50e6) + "'>x</div></body></html>"
    siblings = "<html><body>" + "<p>w</p>" * n(1e6) + "</body></html>"
    para = "<div class='content entry-content post-body article-body'><p class='text'>Some words of text here, " \
           "and more words.</p></div>"
    page5 = "<html><body><article>" + para * n(1e5) + "</article></body></html>"
    page3 = "<html><body><article>" + para * n(3e5) + "</article></body></html>"
    legacy = bytes(range(0x80, 0x100)) * n(20e6 / 128)
    text = ("Le conseil municipal a adopté le budget mardi après un long débat sur les écoles. " * n(125_000))

    def langdetect_call() -> object:
        from langdetect import DetectorFactory, detect

        DetectorFactory.seed = 0
        return detect(text)

    def langid_call() -> object:
        import py3langid

        return py3langid.classify(text)

    return [
        ("lxml parse, nesting 1e5", lambda: lxml.html.fromstring(deep5)),
        ("lxml parse, nesting 1e6", lambda: lxml.html.fromstring(deep6)),
        ("lxml parse, 1e5 attributes", lambda: lxml.html.fromstring(attrs)),
        ("lxml parse, 50 MB attribute", lambda: lxml.html.fromstring(big_attr)),
        ("lxml parse, 1e6 siblings", lambda: lxml.html.fromstring(siblings)),
        ("trafilatura extract, 1e5 paragraphs", lambda: trafilatura.extract(page5)),
        ("trafilatura extract, 3e5 paragraphs", lambda: trafilatura.extract(page3)),
        ("chardetng, 20 MB non-ASCII", lambda: chardetng_py.detect(legacy, allow_utf8=False)),
        ("langdetect, 10 MB text", langdetect_call),
        ("py3langid, 10 MB text", langid_call),
    ]


def run_one(fn: Callable[[], object], limit: float | None) -> tuple[float, str]:
    from pipeline.stages.base import DocumentTimeout, time_limit

    t0 = time.perf_counter()
    try:
        with time_limit(limit):
            fn()
        outcome = "returned"
    except DocumentTimeout:
        outcome = "timeout"
    except Exception as exc:  # noqa: BLE001 - the library's own failure is an outcome too
        outcome = f"{type(exc).__name__}: {str(exc)[:60]}"
    return time.perf_counter() - t0, outcome


def attribute_page(attributes: int) -> bytes:
    attrs = " ".join(f"a{i}='{i}'" for i in range(attributes))
    return f"<html><body><div {attrs}>x</div><p>The council met on Monday.</p></body></html>".encode()


def _paths(stages_or_step: list, folder: Path, names: list[str]) -> list:
    from pipeline.run.batch import new_document, run_steps

    return list(run_steps(stages_or_step, (new_document(folder, "bench", n) for n in names)))


def through_pipeline(limit: float) -> int:
    """The attribute pages through the run's stages, in process and isolated."""
    import tempfile
    from dataclasses import replace
    from functools import partial

    from pipeline.config import load_settings
    from pipeline.run.batch import document_stages
    from pipeline.run.isolated import Isolated, stage_worker, warm_up

    run = replace(load_settings().run, document_time_limit_seconds=limit)
    build = partial(document_stages, run)
    in_process = build()
    warm_up(in_process)
    step = Isolated(build(), build)
    overruns = 0
    with tempfile.TemporaryDirectory(prefix="c-bound-") as tmp:
        folder = Path(tmp)
        for n in (5_000, 15_000, 100_000):
            name = f"attrs-{n}.html"
            (folder / name).write_bytes(attribute_page(n))
            size = (folder / name).stat().st_size
            for label, steps in (("in process", in_process), ("isolated", [step])):
                if label == "in process" and n > 20_000:
                    print(f"{n:>7} attributes ({size / 1e3:.0f} kB), {label:<10}: not run (minutes in one C call)")
                    continue
                if label == "isolated":
                    stage_worker().wait_ready(build)
                t0 = time.perf_counter()
                doc = _paths(steps, folder, [name])[0]
                wall = time.perf_counter() - t0
                verdict = "within 2 x the limit" if wall <= 2 * limit else "OVERRUN"
                overruns += verdict == "OVERRUN" and label == "isolated"
                print(f"{n:>7} attributes ({size / 1e3:.0f} kB), {label:<10}: {wall:6.2f} s, "
                      f"{[e.key for e in doc.errors] or 'no error'}: {verdict}", flush=True)
    print(f"{overruns} isolated case(s) past 2 x the limit of {limit:g} s")
    return 1 if overruns else 0


def overhead(docs: int, chunk: int = 25) -> int:
    """Extra run time of the isolated stages against the same stages in this process."""
    import tempfile
    from functools import partial

    from benchmarks.corpus import build as build_corpus
    from pipeline.config import load_settings
    from pipeline.run.batch import document_stages
    from pipeline.run.isolated import Isolated, stage_worker, warm_up

    corpus = Path(tempfile.gettempdir()) / "news-etl-c-bound-corpus"
    build_corpus(corpus, docs)
    names = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*") if p.is_file() and p.name[0] != ".")
    build = partial(document_stages, load_settings().run)
    in_process = build()
    warm_up(in_process)
    step = Isolated(build(), build)
    stage_worker().wait_ready(build)
    _paths([step], corpus, names[:chunk])  # both paths have seen documents before timing
    _paths(in_process, corpus, names[:chunk])
    seconds = {"in process": 0.0, "isolated": 0.0}
    failed = {"in process": 0, "isolated": 0}
    for k in range(0, len(names), chunk):
        part = names[k:k + chunk]
        order = [("in process", in_process), ("isolated", [step])]
        if (k // chunk) % 2:
            order.reverse()
        for label, steps in order:
            t0 = time.perf_counter()
            out = _paths(steps, corpus, part)
            seconds[label] += time.perf_counter() - t0
            failed[label] += sum(1 for d in out if d.errors)
    base, iso = seconds["in process"], seconds["isolated"]
    extra = 100 * (iso / base - 1)
    print(f"{len(names)} documents: in process {base:.2f} s ({len(names) / base:.1f} docs/s, {failed['in process']} "
          f"failed), isolated worker {iso:.2f} s ({len(names) / iso:.1f} docs/s, {failed['isolated']} failed)")
    print(f"isolated / in process = {iso / base:.3f}: {extra:+.1f} % run time (target <= 5 %): "
          f"{'met' if extra <= 5 else 'NOT MET'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=1.0, help="time limit for the bounded run, seconds")
    parser.add_argument("--scale", type=float, default=1.0, help="input sizes times this")
    parser.add_argument("--only", help="cases whose name holds this")
    parser.add_argument("--pipeline", action="store_true", help="attribute pages through the run's stages")
    parser.add_argument("--overhead", type=int, metavar="N", help="the isolated worker's extra time on N documents")
    args = parser.parse_args()
    if args.overhead:
        return overhead(args.overhead)
    if args.pipeline:
        return through_pipeline(args.limit)
    import resource

    print(f"pid {os.getpid()}, limit {args.limit:g} s, scale {args.scale:g}")
    overruns = 0
    for name, fn in cases(args.scale):
        if args.only and args.only not in name:
            continue
        alone, out_alone = run_one(fn, None)
        bounded, out_bounded = run_one(fn, args.limit)
        verdict = ("bounded" if out_bounded != "timeout" and bounded <= 2 * args.limit else
                   "bounded" if bounded <= 2 * args.limit else "OVERRUN")
        overruns += verdict == "OVERRUN"
        print(f"{name:<38} alone {alone:7.2f} s ({out_alone[:40]}); under the limit {bounded:7.2f} s "
              f"({out_bounded[:40]}): {verdict}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB; {overruns} case(s) overran 2 x the limit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
