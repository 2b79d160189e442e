"""Countries named in an article: the pipeline's ``countries`` scored against a reading of the text.

Documents (rebuilt from ``../shared/benchmarks`` at run time, never copied into the repo):
- ``<lang>-<k>``: sentences ``10k .. 10k+9`` of ``language-id/sentences/<lang>.txt`` joined as one text,
  k = 0..9, in ten languages (news and web sentences of the Leipzig corpora);
- ``en-news-<id>``: the first 1,200 characters of an article body of ``article-extraction``
  (the first 14 ids in sorted order): real news leads (language as py3langid reads it: two are it, pt).
``benchmarks/data/geo-countries.json`` holds, for each document, the ISO codes of the countries its
text names, written by reading it (a country's name or a standard short name -- "US", "UK", "the
Netherlands" -- in any inflection; not an adjective or demonym -- "Russian", "französisch" -- not a
city, region or continent, and not a name inside another name such as "Bank of America"). Documents
with an even index are the development half, odd ones the kept-aside half: quote the kept figures.

    .venv/bin/python -m benchmarks.geo_countries [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.multilingual_gen import sentences_dir  # noqa: E402

ANNOTATION = Path(__file__).resolve().parent / "data" / "geo-countries.json"
LANGS = ["en", "de", "fr", "es", "it", "pl", "ru", "ar", "zh", "tr"]
DOCS_PER_LANG = 10
SENTENCES_PER_DOC = 10
NEWS_DOCS = 14
NEWS_CHARS = 1200
TARGET_P, TARGET_R = 0.90, 0.75


def documents() -> list[tuple[str, str, str, int]]:
    """``(doc_id, language, text, index)``; ``index`` even: development half."""
    sdir = sentences_dir()
    out = []
    for lang in LANGS:
        lines = [x.strip() for x in (sdir / f"{lang}.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
        for k in range(DOCS_PER_LANG):
            chunk = lines[k * SENTENCES_PER_DOC:(k + 1) * SENTENCES_PER_DOC]
            out.append((f"{lang}-{k}", lang, ("" if lang in ("zh", "ja") else " ").join(chunk), k))
    from pipeline.stages.language import py3langid_classify

    truth = json.loads((sdir.parent.parent / "article-extraction" / "ground-truth.json").read_text(encoding="utf-8"))
    for k, doc_id in enumerate(sorted(truth)[:NEWS_DOCS]):
        body = truth[doc_id]["articleBody"][:NEWS_CHARS]
        out.append((f"en-news-{doc_id}", py3langid_classify(body)[0], body, k))  # two are it / pt
    return out


def score(annotation: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    from pipeline.stages.geo.mentions import countries_in

    res: dict[str, dict[str, float]] = {}
    for half in ("dev", "kept"):
        tp = fp = fn = 0
        langs: set[str] = set()
        n = 0
        errors: list[str] = []
        for doc_id, lang, text, k in documents():
            if (k % 2 == 0) != (half == "dev") or doc_id not in annotation:
                continue
            n += 1
            langs.add(lang)
            gold, pred = set(annotation[doc_id]), set(countries_in(text, lang))
            tp += len(gold & pred)
            fp += len(pred - gold)
            fn += len(gold - pred)
            if pred != gold:
                errors.append(f"{doc_id}: missed {sorted(gold - pred)} extra {sorted(pred - gold)}")
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        res[half] = {"docs": n, "languages": len(langs), "tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r,
                     "errors": errors}  # type: ignore[dict-item]
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", action="store_true", help="print the documents (for annotating) and stop")
    ap.add_argument("--errors", action="store_true", help="list the development half's disagreements")
    args = ap.parse_args(argv)
    if args.show:
        for doc_id, lang, text, _k in documents():
            print(f"### {doc_id} [{lang}]\n{text}\n")
        return 0
    annotation = json.loads(ANNOTATION.read_text(encoding="utf-8"))["countries"]
    res = score(annotation)
    ok = True
    for half in ("dev", "kept"):
        r = res[half]
        print(f"{half:4}: {r['docs']} documents in {r['languages']} languages; mentions: {r['tp'] + r['fn']} annotated, "
              f"tp {r['tp']} fp {r['fp']} fn {r['fn']}; precision {r['precision']:.3f} (target >= {TARGET_P}), "
              f"recall {r['recall']:.3f} (target >= {TARGET_R})")
        if half == "dev" and args.errors:
            for e in r["errors"]:
                print("    ", e)
        ok &= r["precision"] >= TARGET_P and r["recall"] >= TARGET_R
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
