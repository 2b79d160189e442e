"""Language stage speed over the throughput corpus, against baselines timed in the same process.

    python benchmarks/language_speed.py [--corpus-docs N] [--corpus-dir DIR] [--inputs FILE]
                                        [--rounds N] [--profile]

The documents are the first ``--corpus-docs`` of the throughput corpus (``benchmarks/corpus.py``, as
``benchmarks/throughput.py`` and ``benchmarks/language.py`` use it), read, extracted and cleaned by the
pipeline: the language stage's input. ``--inputs FILE`` keeps those cleaned titles and bodies as JSON
lines (written when missing, read when present: cleaning 1,000 documents takes a minute or two).

Paths, each over the same documents, in turns (every round runs each path once, in rotated order, so
the machine's load hits them alike); times are CPU time of this single-threaded process, and the median
round is printed per path with its ratio to the stage. The first pass's memo of answers
(``language_models.FAST_ANSWERS``) is emptied before every path's round, so each round sees its documents
for the first time, as the first ``--corpus-docs`` documents of a run do:

* **stage**: ``DetectLanguage`` with config/language_detection.yaml as it is;
* **previous settings**: the same code with the settings before issue 27's third part (``PREVIOUS``:
  langdetect wherever fastText is unsure, paragraphs on 16 representatives of 100 characters);
* **langdetect**: plain ``langdetect.detect`` on the body (seed 0), the call of the bare baseline in
  ``benchmarks/throughput.py``.

Then, for the stage: how many times each model runs per document and which detector decided the
bodies and titles (why the accurate detectors still run), agreement with the previous settings
(language, title language, paragraph shares), and with ``--profile`` the functions that take the most
time in a cProfile run. Prints the issue 27 target (<= 1 ms per document) as "met" / "NOT MET".
Accuracy is ``benchmarks/language.py``'s job (held-out sentences and 3-sentence documents).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # numpy on one thread
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_MS = 1.0  # issue 27: mean ms per document of the language stage over the throughput corpus
# config/language_detection.yaml's settings before issue 27 part 3 (commit 6cc4359)
PREVIOUS = {"agree_pass": False, "max_paragraphs": 16, "fast_paragraph_chars": 100}


def load_inputs(corpus_dir: Path, n: int, inputs: Path | None) -> list[tuple[str, str | None, str]]:
    """(source, title, body) of the first ``n`` corpus documents after clean, from ``inputs`` if it holds them."""
    if inputs is not None and inputs.is_file():
        rows = [json.loads(line) for line in inputs.read_text(encoding="utf-8").splitlines()]
        if len(rows) >= n:
            print(f"inputs: {inputs} (first {n} of {len(rows)} cleaned documents)")
            return [(r["source"], r["title"], r["body"]) for r in rows[:n]]
    import language as bench_language  # benchmarks/language.py: builds and cleans the corpus documents

    t = time.perf_counter()
    folder, docs, failed = bench_language.corpus_docs(corpus_dir, n, None)
    print(f"inputs: first {n} documents of {folder}, cleaned in {time.perf_counter() - t:.0f} s "
          f"({failed} failed before language)")
    rows = [(d.source, d.title, d.body or "") for d in docs]
    if inputs is not None:
        inputs.write_text("".join(json.dumps({"source": s, "title": t, "body": b}, ensure_ascii=False) + "\n"
                                  for s, t, b in rows), encoding="utf-8")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus-docs", type=int, default=1000, help="throughput-corpus documents timed")
    ap.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "news-etl-throughput")
    ap.add_argument("--inputs", type=Path, default=None, help="JSON-lines cache of the cleaned documents")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; each path runs once per round")
    ap.add_argument("--profile", action="store_true", help="also print a cProfile of the stage")
    args = ap.parse_args(argv)

    import langdetect
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    from pipeline.document import Document
    from pipeline.stages import language as L
    from pipeline.stages.language_models import FAST_ANSWERS

    DetectorFactory.seed = 0
    cfg = L.load_language_config()
    previous = dataclasses.replace(cfg, **PREVIOUS)
    stages = {"stage": L.DetectLanguage(cfg), "previous settings": L.DetectLanguage(previous)}
    for name in ("langdetect", "py3langid", "fasttext"):  # every model loaded before any timing
        L.detect_text("warm up: every model is loaded before the timing starts", dataclasses.replace(
            cfg, fast_pass=name == "fasttext", fallback_below=1.01 if name == "py3langid" else cfg.fallback_below))
    rows = load_inputs(args.corpus_dir, args.corpus_docs, args.inputs)
    sizes = [len(b) for _, _, b in rows]
    print(f"documents: {len(rows)}; body characters mean {statistics.mean(sizes):.0f}, "
          f"median {statistics.median(sizes):.0f}; paragraphs mean "
          f"{statistics.mean(len(L.paragraphs(b)) for _, _, b in rows):.1f}")

    def docs() -> list[Document]:
        return [Document(source=s, source_path=s, title=t, body=b) for s, t, b in rows]

    def plain(doc: Document) -> None:
        try:
            langdetect.detect(doc.body or "")
        except LangDetectException:
            pass

    paths: dict[str, Callable[[Document], Any]] = {**stages, "langdetect": plain}
    times: dict[str, list[float]] = {name: [] for name in paths}
    names = list(paths)
    for r in range(max(1, args.rounds)):
        for name in names[r % len(names):] + names[: r % len(names)]:
            batch = docs()
            fn = paths[name]
            FAST_ANSWERS.clear()  # each round sees its documents for the first time, as a run does
            t = time.process_time()
            for d in batch:
                fn(d)
            times[name].append(1000 * (time.process_time() - t) / len(batch))
    ms = {name: statistics.median(v) for name, v in times.items()}
    print(f"ms per document (CPU, median of {args.rounds} rounds; every round in brackets):")
    for name in names:
        print(f"  {name:18s} {ms[name]:8.3f}  ({', '.join(f'{x:.3f}' for x in times[name])})"
              f"  = {ms[name] / ms['stage']:.2f} x the stage")

    # why the detectors run: model calls per document, deciding detector of bodies and titles
    calls: Counter[str] = Counter()
    wrapped = {"fast_classify": "fastText texts", "py3langid_classify": "py3langid", "langdetect_probabilities": "langdetect"}
    originals = {attr: getattr(L, attr) for attr in wrapped}

    def counting(attr: str) -> Callable[..., Any]:
        original = originals[attr]

        def call(*a: Any, **k: Any) -> Any:
            calls[wrapped[attr]] += len(a[0]) if attr == "fast_classify" else 1
            return original(*a, **k)
        return call

    deciders: Counter[str] = Counter()
    original_detect = L.detect_text

    def detect(text: str | None, *args: Any, **kwargs: Any) -> Any:
        det = original_detect(text, *args, **kwargs)
        deciders[f"{'body' if text == body[0] else 'title'}: {det.detector or det.reason}"] += 1
        return det

    body = [""]
    for attr in wrapped:
        setattr(L, attr, counting(attr))
    L.detect_text = detect
    try:
        new = []
        for d in docs():
            body[0] = d.body or ""
            new.append(stages["stage"](d))
            if d.errors:
                raise SystemExit(f"the stage failed on {d.source}: {d.errors}")
    finally:
        for attr, fn in originals.items():
            setattr(L, attr, fn)
        L.detect_text = original_detect
    n = len(rows)
    print("stage, model runs per document (in all): "
          + ", ".join(f"{k} {v / n:.2f} ({v})" for k, v in calls.most_common()))
    print("stage, which detector decided (detect_text calls; titles the fast check settles are not counted): "
          + ", ".join(f"{k} {v}" for k, v in sorted(deciders.items())))
    old = [stages["previous settings"](d) for d in docs()]
    gap = [sum(abs(a.languages.get(k, 0) - b.languages.get(k, 0)) for k in {*a.languages, *b.languages}) / 2
           for a, b in zip(old, new)]
    print(f"stage vs previous settings: same language {sum(a.language == b.language for a, b in zip(old, new))}/{n}, "
          f"same title_language {sum(a.title_language == b.title_language for a, b in zip(old, new))}/{n}, "
          f"paragraph shares differ by > 0.1 in {sum(g > 0.1 for g in gap)}/{n} (mean total variation "
          f"{statistics.mean(gap):.4f}); documents with more than one language: "
          f"{sum(len(d.languages) > 1 for d in new)} (previous {sum(len(d.languages) > 1 for d in old)})")
    if args.profile:
        prof = cProfile.Profile()
        batch = docs()
        prof.enable()
        for d in batch:
            stages["stage"](d)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)
    met = ms["stage"] <= TARGET_MS
    print(f"target: language stage <= {TARGET_MS:.1f} ms/doc: {ms['stage']:.3f} ms "
          f"({ms['previous settings'] / ms['stage']:.2f} x faster than the previous settings, "
          f"{ms['langdetect'] / ms['stage']:.1f} x faster than plain langdetect) {'met' if met else 'NOT MET'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
