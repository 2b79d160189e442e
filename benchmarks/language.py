"""Language detection benchmark: pipeline.language against plain langdetect, in the same run.

    python benchmarks/language.py [--data DIR] [--articles DIR] [--per-language N] [--passes N]

Accuracy over the languages langdetect supports (51 of the 75 in the shared set; its "no" is the
set's "nb"): single sentences and documents of 3 consecutive sentences. Speed: article-length
documents per second on one core: the seeds plus the shared
article pages as BeautifulSoup's get_text gives them. Speed is documents per CPU-second of this
single-threaded process (time.process_time), so other load on the machine does not skew it. Prints each target on a line ending in
"met" or "NOT MET"; exits 1 when a target is not met.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # numpy on one thread
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "benchmarks"

TARGET_SENTENCES = 0.985
TARGET_DOCS3 = 0.999
TARGET_SPEED = 200.0
CODE_FOR_FILE = {"nb": "no"}  # the data's Norwegian Bokmål is langdetect's "no"


def load_sets(data: Path, per_language: int, langs: list[str]):
    """{iso: (sentences, 3-sentence docs)}; evenly spaced deterministic samples when capped."""
    out = {}
    for path in sorted(data.glob("*.txt")):
        code = CODE_FOR_FILE.get(path.stem, path.stem)
        if code not in langs:
            continue
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        docs = [" ".join(lines[i : i + 3]) for i in range(0, len(lines) - 2, 3)]
        out[code] = (_spread(lines, per_language), _spread(docs, per_language))
    return out


def _spread(items: list[str], n: int) -> list[str]:
    if n <= 0 or len(items) <= n:
        return items
    return [items[i * len(items) // n] for i in range(n)]


def article_docs(articles: Path):
    from bs4 import BeautifulSoup

    from pipeline.document import Document

    docs = []
    for path in sorted((REPO / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        title = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
        docs.append(Document(source=path.name, source_path=str(path), title=title, body=text))
    for path in sorted(articles.glob("*.html.gz")):
        soup = BeautifulSoup(gzip.decompress(path.read_bytes()), "lxml")
        title = soup.title.get_text(" ", strip=True) if soup.title else None
        docs.append(Document(source=path.name, source_path=str(path), title=title, body=soup.get_text("\n")))
    return docs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=SHARED / "language-id" / "sentences")
    ap.add_argument("--articles", type=Path, default=SHARED / "article-extraction" / "html")
    ap.add_argument("--per-language", type=int, default=300, help="cap per language (0 = all)")
    ap.add_argument("--passes", type=int, default=3, help="timing passes over the articles (best is kept)")
    ap.add_argument("--pin", action="store_true", help="also pin the process to one CPU")
    args = ap.parse_args(argv)
    if args.pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    import langdetect
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    from pipeline.run.single import detect_language
    from pipeline.stages import language as L

    DetectorFactory.seed = 0

    def plain(text: str) -> str:
        try:
            code = langdetect.detect(text)
        except LangDetectException:
            return "und"
        return {"zh-cn": "zh", "zh-tw": "zh"}.get(code, code)

    t0 = time.perf_counter()
    L.detect_text("warm up: load the profiles and models once")
    plain("warm up")
    load_s = time.perf_counter() - t0
    langs = L.supported_languages()
    sets = load_sets(args.data, args.per_language, langs)
    n_sent = sum(len(s) for s, _ in sets.values())
    n_docs = sum(len(d) for _, d in sets.values())
    print(f"data: {args.data}  languages: {len(sets)} (of {len(langs)} langdetect codes)")
    print(f"samples: {n_sent} sentences, {n_docs} 3-sentence documents "
          f"(per language: {'all' if args.per_language <= 0 else f'up to {args.per_language}'}, evenly spaced)")
    print(f"model loading (langdetect + py3langid, once per process): {load_s:.2f} s")

    results = {}
    for kind, idx in (("sentences", 0), ("3-sentence docs", 1)):
        for name, fn in (("plain langdetect", plain), ("pipeline", None)):
            ok = und = 0
            by_detector: Counter[str] = Counter()
            errors: Counter[tuple[str, str]] = Counter()
            t = time.process_time()
            for code, pair in sets.items():
                for text in pair[idx]:
                    if fn is None:
                        det = L.detect_text(text)
                        got = det.language
                        by_detector[det.detector or det.reason or "?"] += 1
                    else:
                        got = fn(text)
                    ok += got == code
                    und += got == "und"
                    if got != code:
                        errors[(code, got)] += 1
            n = sum(len(p[idx]) for p in sets.values())
            results[(kind, name)] = ok / n
            extra = f"; by {dict(by_detector)}" if by_detector else ""
            print(f"  {kind:16s} {name:17s} {ok / n:8.4%}  ({ok}/{n}, und {und}, "
                  f"{n / (time.process_time() - t):.0f}/s{extra})")
            if fn is None:
                print("    most frequent errors (true->got):",
                      ", ".join(f"{a}->{b} {c}" for (a, b), c in errors.most_common(8)))

    docs = article_docs(args.articles)
    sizes = [len(d.body) for d in docs]
    print(f"articles: {len(docs)} ({len(list((REPO / 'seeds').glob('*.txt')))} seeds + pages), "
          f"body chars mean {statistics.mean(sizes):.0f}, median {statistics.median(sizes):.0f}")

    def rate(fn) -> float:
        best = 0.0
        for _ in range(max(1, args.passes)):
            t = time.process_time()
            for d in docs:
                fn(d)
            best = max(best, len(docs) / (time.process_time() - t))
        return best

    from pipeline.document import Document

    def stage(d):
        return detect_language(Document(source=d.source, source_path=d.source_path, title=d.title, body=d.body))

    speed_plain = rate(lambda d: plain(d.body))
    speed_text = rate(lambda d: L.detect_text(d.body))
    speed_stage = rate(stage)
    agree = sum(L.detect_text(d.body).language == plain(d.body) for d in docs)
    print(f"  docs per CPU-second: plain langdetect (whole text)        {speed_plain:7.1f}")
    print(f"  docs per CPU-second: pipeline detect_text(body)           {speed_text:7.1f}  ({speed_text / speed_plain:.1f}x)")
    print(f"  docs per CPU-second: pipeline detect_language(doc)        {speed_stage:7.1f}  ({speed_stage / speed_plain:.1f}x)"
          "  [body + per-paragraph shares + title]")
    print(f"  same language as plain langdetect on the whole text: {agree}/{len(docs)}")
    mixed = [d for d in map(stage, docs) if len(d.languages) > 1]
    print(f"  documents with more than one language in `languages`: {len(mixed)}/{len(docs)}")

    s_plain, s_ours = results[("sentences", "plain langdetect")], results[("sentences", "pipeline")]
    d_plain, d_ours = results[("3-sentence docs", "plain langdetect")], results[("3-sentence docs", "pipeline")]
    print(f"ratios: sentence errors {(1 - s_ours) / max(1e-9, 1 - s_plain):.2f}x of plain; "
          f"3-sentence errors {(1 - d_ours) / max(1e-9, 1 - d_plain):.2f}x of plain; "
          f"speed {speed_stage / speed_plain:.1f}x")

    targets = [
        (f"single sentences >= {TARGET_SENTENCES:.1%}: {s_ours:.2%} (plain {s_plain:.2%})", s_ours >= TARGET_SENTENCES),
        (f"3-sentence documents >= {TARGET_DOCS3:.1%}: {d_ours:.2%} (plain {d_plain:.2%})", d_ours >= TARGET_DOCS3),
        (f"article-length documents >= {TARGET_SPEED:.0f}/s on one core: {speed_stage:.0f}/s "
         f"(plain {speed_plain:.0f}/s)", speed_stage >= TARGET_SPEED),
    ]
    print("targets:")
    for text, met in targets:
        print(f"  {text} {'met' if met else 'NOT MET'}")
    return 0 if all(m for _, m in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
