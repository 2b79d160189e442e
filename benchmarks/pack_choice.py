"""Which rule pack the clean stage picks, and what picking costs: fastText first against py3langid alone.

    python benchmarks/pack_choice.py [--data DIR] [--part held-out|dev] [--corpus-dir DIR] [--corpus-docs N]

The clean stage picks a language's rule pack (``RulePacks.detect``) from a sample of the text's prose lines.
With the language settings' ``fast_pass`` (the default) fastText's lid.176 answers when it is at least
``fast_min_prob`` sure; otherwise, and always with ``fast_pass`` off (the path before issue 27's change),
py3langid decides, and langdetect where py3langid is unsure. Both paths run in this process, on the same
texts.

**Accuracy.** The shared language-id sentences (``../shared/benchmarks/language-id/sentences``, 75
languages; never copied here), one sentence per line of text and three consecutive sentences as three lines.
The right pack is the sentence's language's pack, or the common pack when the language has none (an
Azerbaijani text with the Turkish pack is wrong). Texts with no prose line to sample are left out (both
paths give the undetermined pack), and counted. Each language file is split as ``benchmarks/language.py``
splits it: the first half of its lines is the development part (``--part dev``; the threshold was read
there), the second half is kept aside and is what this prints by default.

**Cost.** Milliseconds per document of ``RulePacks.detect`` over the text dumps and HTML pages of the
throughput corpus (``benchmarks/corpus.py``; the pages' visible text, as a dump), both paths interleaved
document by document in this process, CPU time (``time.process_time``); and how many documents the two
paths give a different pack. Nothing is asserted; the figures feed ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "benchmarks"


def sentence_texts(data: Path, part: str) -> list[tuple[str, str, int]]:
    """(language, text, sentences) for every sentence and every run of three of one half of each file."""
    from pipeline.stages.language_models import _FOLD

    out = []
    for path in sorted(data.glob("*.txt")):
        lang = _FOLD.get(path.stem, path.stem)
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        half = len(lines) // 2
        lines = lines[:half] if part == "dev" else lines[half:]
        out += [(lang, ln, 1) for ln in lines]
        out += [(lang, "\n".join(lines[i:i + 3]), 3) for i in range(0, len(lines) - 2, 3)]
    return out


def corpus_texts(corpus_dir: Path, n: int) -> list[str]:
    """The first ``n`` documents of a throughput corpus as text: dumps as they are, pages' visible text."""
    from pipeline.stages.clean.html import parse_html, visible_text

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import corpus

    folder = corpus.build(corpus_dir / f"docs-{n}", n, log=lambda *_: None)
    out = []
    for path in sorted((p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")),
                       key=lambda p: int(p.name.split(".")[0])):
        raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        text = raw.decode("utf-8")
        out.append(text if path.suffix == ".txt" else visible_text(parse_html(text)))
    return out


def main(argv: list[str] | None = None) -> int:
    from pipeline.stages.clean.packs import PACK_DIR, RulePacks
    from pipeline.stages.language import load_language_config

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=SHARED / "language-id" / "sentences")
    ap.add_argument("--part", choices=("held-out", "dev"), default="held-out")
    ap.add_argument("--corpus-dir", type=Path, default=Path("/tmp/pack-choice-corpus"))
    ap.add_argument("--corpus-docs", type=int, default=1000)
    args = ap.parse_args(argv)

    cfg = load_language_config()
    paths = {"fastText first": RulePacks(PACK_DIR, cfg),
             "py3langid (fast_pass off)": RulePacks(PACK_DIR, dataclasses.replace(cfg, fast_pass=False))}
    some = next(iter(paths.values()))

    def pack(code: str) -> str:
        return code if code in some.available else "common"

    texts = sentence_texts(args.data, args.part)
    right: Counter[tuple[str, int]] = Counter()
    counted: Counter[int] = Counter()
    unsampled: Counter[int] = Counter()
    for lang, text, n in texts:
        if not some.prose_sample(text):  # nothing to sample: both paths give the undetermined pack
            unsampled[n] += 1
            continue
        answers = {name: packs.detect(text) for name, packs in paths.items()}
        counted[n] += 1
        for name, answer in answers.items():
            right[(name, n)] += pack(answer) == pack(lang)
    print(f"accuracy: the right pack, {args.part} part of {len(list(args.data.glob('*.txt')))} language files "
          f"({'second' if args.part == 'held-out' else 'first'} half of each)")
    for n, what in ((1, "single sentences"), (3, "3-sentence texts")):
        print(f"  {what}: {counted[n]} with a prose line to sample ({unsampled[n]} without, left out)")
        for name in paths:
            print(f"    {name:28s} {right[(name, n)]:6d}  {right[(name, n)] / max(1, counted[n]):.4f}")

    docs = corpus_texts(args.corpus_dir, args.corpus_docs)
    times: dict[str, list[float]] = {name: [] for name in paths}
    differ = 0
    for packs in paths.values():  # models loaded and packs compiled before the timing
        packs.detect(docs[0])
    for i, text in enumerate(docs):
        order = list(paths.items()) if i % 2 == 0 else list(reversed(paths.items()))
        got = {}
        for name, packs in order:
            t = time.process_time()
            got[name] = packs.detect(text)
            times[name].append(time.process_time() - t)
        differ += len({pack(a) for a in got.values()}) > 1
    print(f"cost: RulePacks.detect on the first {len(docs)} throughput-corpus documents, CPU ms per document")
    for name, values in times.items():
        print(f"    {name:28s} {1000 * statistics.fmean(values):7.3f} ms")
    new, old = (statistics.fmean(v) for v in times.values())
    print(f"  fastText first / py3langid alone, same run: {new / old:.3f}; documents given another pack: {differ}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
