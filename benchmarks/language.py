"""Language detection benchmark: the pipeline's two paths against plain langdetect, in the same run.

    python benchmarks/language.py [--data DIR] [--part held-out|dev] [--per-language N]
                                  [--corpus-docs N] [--corpus-dir DIR] [--articles DIR] [--passes N]

Paths: the *new* path (``fast_pass: true`` in config/language_detection.yaml: fastText's lid.176 first,
langdetect + py3langid only where it is unsure) and the *old* one (the same configuration with
``fast_pass`` off: langdetect first, py3langid as second opinion, py3langid for paragraphs and titles).

Accuracy over the languages langdetect supports (51 of the 75 in the shared set; its "no" is the set's
"nb"): single sentences and documents of 3 consecutive sentences. Each language file is split in two: the
first half of its lines is the development part (the fast pass's threshold was chosen there; ``--part
dev``), the second half is kept aside and is what this prints by default (``--part held-out``). Note: the
thresholds older than the fast pass (fallback_below, the script guards) were set on whole files, so for
the old path the second half is not strictly unseen.

Also, for the 24 languages of the shared set that langdetect has no profile for, how often the new path
names them, with and without ``extra_languages`` (the first pass's answers beyond langdetect's set).

Speed: (1) mean milliseconds per document of the language stage (``detect_language``: body, per-paragraph
shares, title) over the first ``--corpus-docs`` documents of the throughput corpus (``benchmarks/corpus.py``,
the corpus ``benchmarks/throughput.py`` uses; each read, extracted and cleaned by the pipeline first),
old path vs new path; (2) article-length documents per CPU-second (the seeds plus the shared article pages
as BeautifulSoup's get_text gives them). Times are CPU time of this single-threaded process
(time.process_time), so other load on the machine skews them less. Prints each target on a line ending
in "met" or "NOT MET"; exits 1 when a target is not met.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # numpy on one thread
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "benchmarks"

TARGET_SENTENCES = 0.987  # issue 27: held-out single sentences
TARGET_DOCS3 = 0.999
TARGET_SPEED = 200.0  # article-length documents per CPU-second (issue 9)
TARGET_MS = 1.0  # issue 27: mean ms per document of the language stage over the throughput corpus
CODE_FOR_FILE = {"nb": "no"}  # the data's Norwegian Bokmål is langdetect's "no"


def load_sets(data: Path, per_language: int, langs: list[str], part: str = "held-out"):
    """{iso: (sentences, 3-sentence docs)} of one part of each file (dev: the first half of its lines,
    held-out: the second half); evenly spaced deterministic samples when capped."""
    out = {}
    for path in sorted(data.glob("*.txt")):
        code = CODE_FOR_FILE.get(path.stem, path.stem)
        if code not in langs:
            continue
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        half = len(lines) // 2
        lines = lines[:half] if part == "dev" else lines[half:]
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


def corpus_docs(corpus_dir: Path, n: int, data: Path | None):
    """The first ``n`` documents of the throughput corpus, read, extracted and cleaned by the pipeline
    (the language stage's input), in document order; documents that fail before it are left out (counted)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import corpus

    from pipeline.run.single import clean, read_document

    folder = corpus.build(corpus_dir / f"docs-{n}", n, data=data, log=lambda *_: None)
    files = sorted((p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")),
                   key=lambda p: int(p.name.split(".")[0]))
    docs, failed = [], 0
    for path in files:
        doc = clean(read_document(path, source_root=folder))
        if doc.errors:
            failed += 1
        else:
            docs.append(doc)
    return folder, docs, failed


def unprofiled(args: argparse.Namespace, L, cfg, langs: list[str]) -> None:
    """Accuracy on the shared set's languages langdetect has no profile for (24 of 75), which the
    configuration's ``extra_languages`` lets the first pass name: the new path with and without them."""
    codes = sorted(p.stem for p in args.data.glob("*.txt") if CODE_FOR_FILE.get(p.stem, p.stem) not in langs)
    sets = load_sets(args.data, args.per_language, codes, args.part)
    without = dataclasses.replace(cfg, extra_languages=())
    print(f"languages langdetect has no profile for ({len(sets)}; extra_languages: {', '.join(cfg.extra_languages)}; "
          f"{args.part} part), right answers, new path with / without extra_languages:")
    for kind, idx in (("sentences", 0), ("3-sentence docs", 1)):
        per: list[str] = []
        totals = [0, 0, 0]
        for code, pair in sets.items():
            texts = pair[idx]
            with_ = sum(L.detect_text(t, cfg).language == code for t in texts)
            before = sum(L.detect_text(t, without).language == code for t in texts)
            totals[0] += with_
            totals[1] += before
            totals[2] += len(texts)
            per.append(f"{code} {with_ / max(1, len(texts)):.0%}/{before / max(1, len(texts)):.0%}")
        print(f"  {kind:16s} {totals[0] / max(1, totals[2]):.2%} / {totals[1] / max(1, totals[2]):.2%} "
              f"({totals[0]} / {totals[1]} of {totals[2]}): {', '.join(per)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=SHARED / "language-id" / "sentences")
    ap.add_argument("--part", choices=("held-out", "dev"), default="held-out",
                    help="which half of each language file to measure (default: the kept-aside one)")
    ap.add_argument("--articles", type=Path, default=SHARED / "article-extraction" / "html")
    ap.add_argument("--per-language", type=int, default=0, help="cap per language (0 = all)")
    ap.add_argument("--corpus-docs", type=int, default=2000, help="throughput-corpus documents timed (0: skip)")
    ap.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "news-etl-throughput")
    ap.add_argument("--passes", type=int, default=3, help="timing passes over the articles (best is kept)")
    ap.add_argument("--pin", action="store_true", help="also pin the process to one CPU")
    args = ap.parse_args(argv)
    if args.pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    import langdetect
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    from pipeline.document import Document
    from pipeline.stages import language as L

    DetectorFactory.seed = 0
    new_cfg = L.load_language_config()
    if not new_cfg.fast_pass:
        raise SystemExit("config/language_detection.yaml has fast_pass off: nothing new to compare")
    old_cfg = dataclasses.replace(new_cfg, fast_pass=False)
    paths = {"old path": old_cfg, "new path": new_cfg}

    def plain(text: str) -> str:
        try:
            code = langdetect.detect(text)
        except LangDetectException:
            return "und"
        return {"zh-cn": "zh", "zh-tw": "zh"}.get(code, code)

    t0 = time.perf_counter()
    stages = {name: L.DetectLanguage(cfg) for name, cfg in paths.items()}  # each loads what it needs
    for cfg in paths.values():
        L.detect_text("warm up: load the profiles and models once", cfg)
    plain("warm up")
    load_s = time.perf_counter() - t0
    langs = L.supported_languages()
    sets = load_sets(args.data, args.per_language, langs, args.part)
    n_sent = sum(len(s) for s, _ in sets.values())
    n_docs = sum(len(d) for _, d in sets.values())
    print(f"data: {args.data}  languages: {len(sets)} (of {len(langs)} langdetect codes)")
    print(f"part: {args.part} ({'second' if args.part == 'held-out' else 'first'} half of each language file); "
          f"{n_sent} sentences, {n_docs} 3-sentence documents "
          f"(per language: {'all' if args.per_language <= 0 else f'up to {args.per_language}'})")
    print(f"model loading (plain langdetect + both paths, once per process): {load_s:.2f} s")

    results = {}
    for kind, idx in (("sentences", 0), ("3-sentence docs", 1)):
        for name in ("plain langdetect", *paths):
            ok = und = 0
            by_detector: Counter[str] = Counter()
            errors: Counter[tuple[str, str]] = Counter()
            t = time.process_time()
            for code, pair in sets.items():
                for text in pair[idx]:
                    if name in paths:
                        det = L.detect_text(text, paths[name])
                        got = det.language
                        by_detector[det.detector or det.reason or "?"] += 1
                    else:
                        got = plain(text)
                    ok += got == code
                    und += got == "und"
                    if got != code:
                        errors[(code, got)] += 1
            n = sum(len(p[idx]) for p in sets.values())
            results[(kind, name)] = ok / n
            extra = f"; by {dict(by_detector)}" if by_detector else ""
            print(f"  {kind:16s} {name:17s} {ok / n:8.4%}  ({ok}/{n}, und {und}, "
                  f"{n / (time.process_time() - t):.0f}/s{extra})")
            if name == "new path":
                print("    most frequent errors (true->got):",
                      ", ".join(f"{a}->{b} {c}" for (a, b), c in errors.most_common(8)))

    unprofiled(args, L, new_cfg, langs)

    def copy(d: Document) -> Document:
        return Document(source=d.source, source_path=d.source_path, title=d.title, body=d.body)

    def stage_ms(docs: list[Document], name: str) -> tuple[float, list[Document]]:
        stage, out = stages[name], []
        t = time.process_time()
        for d in docs:
            out.append(stage(copy(d)))
        return 1000 * (time.process_time() - t) / max(1, len(docs)), out

    ms: dict[str, float] = {}
    if args.corpus_docs > 0:
        t = time.perf_counter()
        folder, cdocs, failed = corpus_docs(args.corpus_dir, args.corpus_docs, None)
        sizes = [len(d.body or "") for d in cdocs]
        print(f"throughput corpus: first {args.corpus_docs} documents of {folder} read + extracted + cleaned in "
              f"{time.perf_counter() - t:.0f} s ({failed} failed before language; body chars mean "
              f"{statistics.mean(sizes):.0f}, median {statistics.median(sizes):.0f})")
        outs = {}
        for name in paths:
            ms[name], outs[name] = stage_ms(cdocs, name)
        old, new = outs["old path"], outs["new path"]
        print(f"  language stage ms/doc (CPU): old path {ms['old path']:.3f}, new path {ms['new path']:.3f} "
              f"({ms['old path'] / max(1e-9, ms['new path']):.1f}x faster)")
        same = sum(a.language == b.language for a, b in zip(old, new))
        same_title = sum(a.title_language == b.title_language for a, b in zip(old, new))
        share_gap = [sum(abs(a.languages.get(k, 0) - b.languages.get(k, 0)) for k in {*a.languages, *b.languages}) / 2
                     for a, b in zip(old, new)]
        print(f"  same language old vs new: {same}/{len(old)}; same title_language: {same_title}/{len(old)}; "
              f"paragraph shares differ by > 0.1 in {sum(g > 0.1 for g in share_gap)}/{len(old)} "
              f"(mean total-variation {statistics.mean(share_gap):.4f})")
        print("  languages (new path):", dict(Counter(d.language for d in new).most_common(12)))

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

    speed_plain = rate(lambda d: plain(d.body))
    speeds = {name: rate(lambda d, name=name: stages[name](copy(d))) for name in paths}
    for name, speed in speeds.items():
        agree = sum(L.detect_text(d.body, paths[name]).language == plain(d.body) for d in docs)
        print(f"  docs per CPU-second, detect_language(doc), {name}: {speed:7.1f} ({speed / speed_plain:.1f}x plain "
              f"langdetect's {speed_plain:.1f} on the whole text); same language as plain: {agree}/{len(docs)}")
    mixed = [d for d in (stages["new path"](copy(d)) for d in docs) if len(d.languages) > 1]
    print(f"  documents with more than one language in `languages` (new path): {len(mixed)}/{len(docs)}")

    s_plain, d_plain = results[("sentences", "plain langdetect")], results[("3-sentence docs", "plain langdetect")]
    s_old, d_old = results[("sentences", "old path")], results[("3-sentence docs", "old path")]
    s_new, d_new = results[("sentences", "new path")], results[("3-sentence docs", "new path")]
    print(f"ratios: sentence errors new {(1 - s_new) / max(1e-9, 1 - s_old):.2f}x of old path's; 3-sentence errors "
          f"{(1 - d_new) / max(1e-9, 1 - d_old):.2f}x" + (f"; ms/doc {ms['new path'] / ms['old path']:.3f}x" if ms else ""))
    targets = [
        (f"{args.part} single sentences >= {TARGET_SENTENCES:.1%}: {s_new:.2%} (old path {s_old:.2%}, plain {s_plain:.2%})",
         s_new >= TARGET_SENTENCES),
        (f"{args.part} 3-sentence documents >= {TARGET_DOCS3:.1%}: {d_new:.2%} (old path {d_old:.2%}, plain {d_plain:.2%})",
         d_new >= TARGET_DOCS3),
        (f"article-length documents >= {TARGET_SPEED:.0f}/s on one core: {speeds['new path']:.0f}/s "
         f"(old path {speeds['old path']:.0f}/s)", speeds["new path"] >= TARGET_SPEED),
    ]
    if ms:
        targets.append((f"language stage <= {TARGET_MS:.1f} ms/doc over the throughput corpus: {ms['new path']:.3f} ms "
                        f"(old path {ms['old path']:.3f} ms)", ms["new path"] <= TARGET_MS))
    print("targets:")
    for text, met in targets:
        print(f"  {text} {'met' if met else 'NOT MET'}")
    return 0 if all(m for _, m in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
