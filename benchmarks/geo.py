"""Places benchmark (issue 28): datelines on the map, confident wrong places, cost and memory.

1. Datelines: the multilingual probe (``benchmarks/multilingual_gen.py``: 20 languages, dev and kept
   vocabulary splits) through the real stages; a document is right when ``dateline_location`` lies
   within 50 km of the probe place's true position (``benchmarks/geo_truth.py``, written independently
   of GeoNames). Rates over documents whose dateline the clean stage found, and over all documents.
2. Datelines that name no place: every probe agency, outlet and full person name of the split, and the
   section labels / time words of ``geo_truth.NOT_PLACES``: a resolved place there is a confident wrong.
3. Cost: the same documents through clean -> language -> enrich with places on and off, alternating
   rounds in this process. The target ratio is each places-on round against itself without the places
   work (``locate`` timed inside that round): on a shared machine two rounds differ by more than the
   places cost, so the wall-clock on/off ratios (fastest rounds, medians) are printed beside it. Memory: RSS before and after the gazetteer and every
   language's country matcher load (and the peak), in a fresh interpreter.

    .venv/bin/python -m benchmarks.geo [--docs 12] [--html-docs 4] [--rounds 5]
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.geo_truth import NOT_PLACES, PLACES  # noqa: E402
from benchmarks.multilingual_gen import FORMS, LANGUAGES, generate, load_pool, vocab  # noqa: E402

TARGET_RESOLVED = 0.98
TARGET_COST = 1.05
TARGET_RSS_MIB = 150.0


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def probe_docs(split: str, docs: int, html_docs: int, seed: int) -> list[tuple[str, object, str, str]]:
    out = []
    for lang in LANGUAGES:
        pool = load_pool(lang, split)
        for ctype, n in (("text", docs), ("html", html_docs)):
            for i in range(n):
                s = generate(lang, split, i, seed=seed, content_type=ctype, pool=pool)
                out.append((lang, s.truth, s.raw, ctype))
    return out


def datelines(split: str, docs: int, html_docs: int, seed: int) -> dict[str, object]:
    from pipeline.config import load_settings
    from pipeline.document import Document
    from pipeline.run.batch import document_stages, run_steps

    stages = document_stages(load_settings().run)[1:]  # the text is given: no file to read
    rows: dict[str, dict[str, int]] = {}
    misses: list[str] = []
    for lang, truth, raw, ctype in probe_docs(split, docs, html_docs, seed):
        r = rows.setdefault(lang, {"docs": 0, "found": 0, "right": 0, "wrong": 0, "unresolved": 0})
        doc = next(run_steps(stages, [Document(source="p", source_path="/p", raw_text=raw, content_type=ctype)]))
        r["docs"] += 1
        if not doc.dateline:
            continue
        r["found"] += 1
        lat, lon, _cc = PLACES[truth.place]
        loc = doc.dateline_location
        if loc and km(lat, lon, loc["lat"], loc["lon"]) <= 50:
            r["right"] += 1
        elif loc:
            r["wrong"] += 1
            misses.append(f"{lang}: {doc.dateline!r} -> {doc.dateline_place} ({doc.dateline_country})")
        else:
            r["unresolved"] += 1
            misses.append(f"{lang}: {doc.dateline!r} unresolved (truth {truth.place})")
    return {"rows": rows, "misses": misses}


def not_places(split: str) -> tuple[int, list[str]]:
    from pipeline.stages.geo.dateline import resolve_dateline
    from pipeline.stages.geo.gazetteer import load_gazetteer
    from pipeline.stages.geo.rules import load_geo_rules

    gaz, rules = load_gazetteer(), load_geo_rules()
    cases: list[tuple[str, str]] = []
    for lang in LANGUAGES:
        v = vocab(lang, split)
        cases += [(lang, x) for x in v["agencies"] + v["sites"]]
        cases += [(lang, FORMS[lang]["name"].format(given=g, family=f)) for g in v["given"] for f in v["family"]]
        cases += [(lang, x) for x in NOT_PLACES.get(lang, [])]
    wrong = []
    for lang, text in cases:
        place = resolve_dateline(text, gaz, rules, language=lang)
        if place:
            wrong.append(f"{lang}: {text!r} -> {place.name} ({place.country})")
    return len(cases), wrong


def cost(rounds: int, docs: int, seed: int) -> dict[str, float]:
    import pipeline.stages.geo as geo_module
    from pipeline.config import load_settings
    from pipeline.document import Document
    from pipeline.run.batch import document_stages, run_steps
    from pipeline.stages.geo import Geo

    run = load_settings().run
    on = document_stages(run)[1:]
    off = [s for s in document_stages(run)[1:] if not isinstance(s, Geo)]  # the same list without the places step
    sample = probe_docs("dev", docs, docs // 3, seed) + probe_docs("kept", docs, docs // 3, seed)
    spent = [0.0]
    plain = geo_module.locate

    def timed(doc, counters=None):  # the places work, timed inside the very rounds it belongs to
        started = time.perf_counter()
        try:
            return plain(doc, counters)
        finally:
            spent[0] += time.perf_counter() - started

    geo_module.locate = timed

    def one(stages) -> float:
        started = time.perf_counter()
        docs = [Document(source="c", source_path="/c", raw_text=raw, content_type=ctype)
                for _lang, _t, raw, ctype in sample]
        for _doc in run_steps(stages, docs):
            pass
        return time.perf_counter() - started

    try:
        one(on), one(off)  # warm-up: packs compiled, gazetteer and matchers loaded
        t_on, t_off, share = [], [], []
        for _ in range(rounds):
            t_off.append(one(off))
            spent[0] = 0.0
            t_on.append(one(on))
            share.append(t_on[-1] / (t_on[-1] - spent[0]))
    finally:
        geo_module.locate = plain
    return {"docs": len(sample), "off": min(t_off), "on": min(t_on), "wall_min": min(t_on) / min(t_off),
            "wall_median": statistics.median(t_on) / statistics.median(t_off), "ratio": statistics.median(share)}


_RSS_SCRIPT = """
import resource, json
def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
import pipeline.stages.enrich  # everything but the data
from pipeline.stages.geo.gazetteer import load_gazetteer
from pipeline.stages.geo.mentions import matcher_for
from pipeline.stages.geo.dateline import date_words
before, peak_before = rss(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
load_gazetteer()
for lang in %r: matcher_for(lang); date_words(lang)
print(json.dumps({"before": before, "after": rss(), "peak_before": peak_before,
                  "peak_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def rss() -> dict[str, float]:
    import json

    out = subprocess.run([sys.executable, "-c", _RSS_SCRIPT % (LANGUAGES,)], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=12, help="text dumps per language and split")
    ap.add_argument("--html-docs", type=int, default=4, help="HTML pages per language and split")
    ap.add_argument("--rounds", type=int, default=7, help="alternating on/off rounds for the cost")
    ap.add_argument("--cost-docs", type=int, default=6, help="text dumps per language and split in the cost run")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    mem = rss()  # first: a child keeps its parent's peak RSS across exec, so the parent must still be small
    ok = True
    for split in ("dev", "kept"):
        res = datelines(split, args.docs, args.html_docs, args.seed)
        rows = res["rows"]
        tot = {k: sum(r[k] for r in rows.values()) for k in ("docs", "found", "right", "wrong", "unresolved")}
        rate = tot["right"] / max(tot["found"], 1)
        print(f"\n== datelines, {split} split: {len(rows)} languages, {tot['docs']} documents ==")
        print(f"{'lang':5} {'docs':>5} {'dateline':>9} {'right':>6} {'wrong':>6} {'unresolved':>10}")
        for lang, r in rows.items():
            print(f"{lang:5} {r['docs']:>5} {r['found']:>9} {r['right']:>6} {r['wrong']:>6} {r['unresolved']:>10}")
        print(f"resolved within 50 km: {tot['right']}/{tot['found']} = {rate:.2%} of found datelines "
              f"(target >= {TARGET_RESOLVED:.0%}); {tot['right']}/{tot['docs']} = {tot['right'] / tot['docs']:.2%} "
              f"of all documents; wrong places: {tot['wrong']}")
        for m in res["misses"][:15]:
            print("   ", m)
        n, wrong = not_places(split)
        print(f"datelines naming no place ({split}): {n} strings, confident wrong places: {len(wrong)} (target 0)")
        for w in wrong[:10]:
            print("   ", w)
        ok &= rate >= TARGET_RESOLVED and not wrong
    c = cost(args.rounds, args.cost_docs, args.seed)
    print(f"\n== cost: {c['docs']} documents, clean -> language -> enrich, {args.rounds} alternating rounds ==")
    print(f"places' own time within the same rounds: on / (on - places) = {c['ratio']:.3f} (median of rounds; "
          f"target <= {TARGET_COST})")
    print(f"wall clock, on against off rounds: fastest {c['on']:.3f} / {c['off']:.3f} s = {c['wall_min']:.3f}, "
          f"medians {c['wall_median']:.3f} (the machine is shared: alternating rounds differ by more than that)")
    growth = mem["after"] - mem["before"]
    peak = mem["peak_after"] - mem["before"]
    print(f"== memory: RSS {mem['before']:.0f} -> {mem['after']:.0f} MiB: growth {growth:.0f} MiB, peak growth "
          f"{peak:.0f} MiB (target <= {TARGET_RSS_MIB:.0f}) ==")
    ok &= c["ratio"] <= TARGET_COST and max(growth, peak) <= TARGET_RSS_MIB
    print("\ntargets met" if ok else "\ntargets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
