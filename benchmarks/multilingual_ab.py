"""A/B multilingual cleaning probe (issue 24): does cleaning generalise to phrasing no rule has seen?

Text dumps of news articles in 16 languages with a cleaning pack, English as the control, and three
languages without a pack (sv, el, he: only the language-free signals can work there). Body paragraphs
are consecutive sentences of ``../shared/benchmarks/language-id/sentences/<lang>.txt`` (read at run
time; split A the even lines, split B the odd ones). The junk around them is drawn from
``benchmarks/multilingual_ab_forms.py``, whose every field has two disjoint halves: split **A** is
for development (packs and lexicons may be written from it), split **B** is kept aside and only
measured. The two splits share the *forms* (where captions, related blocks, share bars, end marks and
comments sit, and the separators of a caption: colon, full-width colon, comma, dash, brackets of
several scripts, a credit in parentheses, an alt-text line repeated, a credit line under the caption,
a lead-in phrase with a comma) and differ in every *word* of them.

Each document goes through the clean stage alone (``pipeline.stages.clean.clean``: language picked
from the text, the pack of that language or the common rules). Scoring is the one of
``benchmarks/multilingual.py`` (body F1 over 4-token shingles; captions found in ``doc.captions`` /
their text left in ``doc.body``; junk lines left in the body), plus body recall per language (what the
cleaner lost of the article) and the stage's counters summed over the run (which signal removed what).

    python benchmarks/multilingual_ab.py [--split A|B|both] [--docs-per-language 16] [--languages ...] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.multilingual import LangScore, score_doc  # noqa: E402
from benchmarks.multilingual_ab_forms import AB, NO_PACK  # noqa: E402
from benchmarks.multilingual_gen import FORMS, NO_SPACE, Truth, _cut, load_pool  # noqa: E402

SEEDS = {"A": 2401, "B": 2402}
LANGUAGES = list(AB)
TARGETS = dict(captions_found=0.90, captions_leaked=0.05, junk_left=0.10, f1_mean=0.97, f1_worst=0.93,
               recall_min=0.97, nopack_captions_found=0.70, nopack_junk_left=0.20)
CAPTION_FORMS = [
    "{L}: {C}", "{L}：{C}", "[{L}] {C}", "【{L}】{C}", "({L}) {C}", "{P} {C}", "{L}, {C}", "{L} — {C}",
    "{C} ({L}: {N}/{A})", "{C}. {L}: {A}", "{C} | {L}: {N}", "ALT", "CREDIT",
]


def _words(lang: str, split: str) -> dict[str, list[str]]:
    k = 0 if split == "A" else 1
    return {f: v[k] for f, v in AB[lang].items() if f != "names"}


def _person(lang: str, split: str, rng: random.Random) -> str:
    k = 0 if split == "A" else 1
    if "names" in AB[lang]:
        given, family, tpl = AB[lang]["names"]
        return tpl[0].format(given=rng.choice(given), family=rng.choice(family))
    f = FORMS[lang]
    return f["name"].format(given=rng.choice(f["given"][k]), family=rng.choice(f["family"][k]))


def _sentences_pool(lang: str, split: str) -> list[str]:
    return load_pool(lang, "dev" if split == "A" else "kept")


def _caption(form: str, w: dict[str, list[str]], core: str, lang: str, rng: random.Random,
             name: str) -> list[str]:
    """The line(s) a caption takes in the dump."""
    label, agency = rng.choice(w["cap"]), rng.choice(w["ag"])
    if form == "ALT":  # the image's alt text, then the caption repeating it with a credit
        return [core, f"{core} ({label}: {agency})"]
    if form == "CREDIT":  # the caption, then a credit line under it
        return [core, f"{label}: {name}/{agency}"]
    line = form.format(L=label, C=core, N=name, A=agency, P=rng.choice(w["lead"]))
    if lang in NO_SPACE:
        line = line.replace("： ", "：").replace("】 ", "】").replace("、 ", "、")
    return [line]


def generate(lang: str, split: str, index: int, pool: list[str]) -> tuple[Truth, str]:
    rng = random.Random(f"{SEEDS[split]}/{split}/{lang}/{index}")
    w = _words(lang, split)
    short = lang in NO_SPACE or lang == "th"
    joiner = "" if lang in NO_SPACE else " "
    used: set[int] = set()

    def other() -> str:
        while True:
            j = rng.randrange(len(pool))
            if j not in used:
                used.add(j)
                return pool[j]

    start = rng.randrange(0, max(1, len(pool) - 40))
    paras: list[str] = []
    i = start
    for _ in range(rng.randint(4, 7)):
        k = rng.randint(2, 4)
        paras.append(joiner.join(pool[i:i + k]))
        used.update(range(i, i + k))
        i += k
    title = _cut(other(), lang, 40 if short else 100)
    author = _person(lang, split, rng)
    cores = [_cut(other(), lang, 50 if short else 140) for _ in range(rng.randint(2, 3))]
    forms = rng.sample(CAPTION_FORMS, k=len(cores))
    cap_lines = [_caption(f, w, c, lang, rng, _person(lang, split, rng)) for f, c in zip(forms, cores)]
    truth = Truth(lang, split, f"ab-{lang}-{split}-{index}", "text", title, paras,
                  ["\n".join(c) for c in cap_lines], cores, author, "", "", "")
    out: list[str] = []

    def junk(*lines: str, inline: bool = False) -> None:
        for line in lines:
            out.append(line)
            truth.boilerplate.append(line)
            if inline:
                truth.inline.append(line)

    def related_block(inline: bool) -> None:
        out.append("")
        junk(rng.choice(w["rel"]), inline=inline)
        full = rng.random() < 0.5  # items are whole sentences (with their end punctuation) or headlines
        for _ in range(rng.randint(2, 4)):
            s = other().strip()
            junk(s if full else _cut(s, lang, 30 if short else 90), inline=inline)
        out.append("")

    out += [title, f"{2025 + index % 2}-{1 + index % 12:02d}-{1 + index % 28:02d} {8 + index % 12}:{index % 60:02d}",
            rng.choice(w["by"]).format(name=author)]
    junk(*rng.sample(w["share"], k=2))
    out.append("")
    out += cap_lines[0] + [""]
    caps = cap_lines[1:]
    mid_related = len(paras) >= 5 and rng.random() < 0.4
    for n, para in enumerate(paras):
        last = n == len(paras) - 1
        end_inline = last and rng.random() < 0.3
        mark = rng.choice(w["end"])
        out.append(para + (" " + mark if end_inline else ""))
        if end_inline:
            truth.boilerplate.append(mark)
            truth.inline.append(mark)
        out.append("")
        if n >= 1 and caps and not last and rng.random() < 0.6:
            out += caps.pop(0) + [""]
        if mid_related and n == 2:
            related_block(inline=True)
    for c in caps:
        out += c + [""]
    if not any(mark in out[-3] for mark in w["end"]) and rng.random() < 0.8:
        junk(rng.choice(w["end"]), inline=True)
    out.append("")
    tail = ["share", "related", "comments"]
    rng.shuffle(tail)
    for part in tail:
        if part == "share":
            junk(*rng.sample(w["share"], k=2))
        elif part == "related":
            related_block(inline=False)
        else:
            junk(rng.choice(w["com"]))
            for _ in range(rng.randint(1, 3)):
                junk(_person(lang, split, rng), other().strip())
        out.append("")
    return truth, "\n".join(out) + "\n"


def run(languages: list[str], split: str, docs: int, *, learn: bool = False
        ) -> tuple[dict[str, LangScore], Counter, float]:
    """Clean every document through the clean stage; with ``learn``, each language is one source whose
    line statistics are first counted over the split's own documents (no truth involved) and given to
    ``clean_text`` (what the run does with the statistics kept in Elasticsearch)."""
    from pipeline.document import Document
    from pipeline.stages.clean import Clean, CleanConfig, clean_text, load_packs
    from pipeline.stages.clean.repetition import SourceStats

    packs = load_packs()
    stage = Clean(CleanConfig(packs, 30.0, 5_000_000))
    scores: dict[str, LangScore] = {}
    counters: Counter = Counter()
    seconds = 0.0
    for lang in languages:
        pool = _sentences_pool(lang, split)
        s = scores.setdefault(lang, LangScore(lang))
        samples = [generate(lang, split, i, pool) for i in range(docs)]
        stats = SourceStats()
        if learn:
            for _, raw in samples:
                stats.add(raw)
        for i, (truth, raw) in enumerate(samples):
            t0 = time.perf_counter()
            if learn:
                res = clean_text(raw, packs, stats)
                seconds += time.perf_counter() - t0
                counters.update(res.metadata.get("signals") or {})
                counters["documents"] += 1
                score_doc(s, truth, body=res.body, captions=res.captions, author=res.author, dateline=res.dateline,
                          source_name=res.source_name, baseline=raw, agency=res.metadata.get("agency"))
                continue
            doc = Document(source=f"/ab/{split}/{lang}/{i}.txt", source_path=f"/ab/{split}/{lang}/{i}.txt",
                           raw_text=raw, content_type="text")
            doc = stage(doc)
            seconds += time.perf_counter() - t0
            score_doc(s, truth, body=doc.body or "", captions=list(doc.captions or []), author=doc.author,
                      dateline=doc.dateline, source_name=doc.source_name, baseline=raw, failed=doc.failed,
                      agency=(doc.metadata or {}).get("agency"))
    counters.update(stage.counters)
    return scores, counters, seconds


def cost(languages: list[str], docs: int, repeats: int = 3) -> tuple[float, float]:
    """Clean time of the split-B documents with the issue-24 signals and without them (the four
    ``structure`` passes replaced by no-ops), alternating, in this process: (with, without) seconds."""
    import pipeline.stages.clean.text as text_mode
    from pipeline.stages.clean import clean_text, load_packs

    packs = load_packs()
    raws = [generate(lang, "B", i, _sentences_pool(lang, "B"))[1] for lang in languages for i in range(docs)]
    names = ("mark_caption_forms", "mark_line_repeats", "mark_end_of_article", "mark_blocks")
    real = {n: getattr(text_mode, n) for n in names}
    on = off = 0.0
    for raw in raws:
        clean_text(raw, packs)  # warm: every pack compiled before timing
    for _ in range(repeats):
        for enabled in (True, False):
            for n in names:
                setattr(text_mode, n, real[n] if enabled else (lambda *a, **k: None))
            t0 = time.perf_counter()
            for raw in raws:
                clean_text(raw, packs)
            dt = time.perf_counter() - t0
            on, off = (on + dt, off) if enabled else (on, off + dt)
    for n in names:
        setattr(text_mode, n, real[n])
    return on, off


def rows_of(scores: dict[str, LangScore]) -> dict[str, dict[str, float]]:
    rows = {}
    for lang, s in scores.items():
        r = s.row()
        r["recall"] = sum(y for _, y in s.prs) / max(1, len(s.prs))
        r["junk_left"] = r["boilerplate_left"]
        rows[lang] = r
    return rows


def summary(rows: dict[str, dict[str, float]]) -> dict[str, object]:
    packed = {k: v for k, v in rows.items() if k != "en" and k not in NO_PACK}
    nopack = {k: v for k, v in rows.items() if k in NO_PACK}

    def mean(group: dict, col: str) -> float:
        return sum(r[col] for r in group.values()) / max(1, len(group))

    out: dict[str, object] = {}
    checks = []
    if packed:
        worst = min(packed, key=lambda k: packed[k]["f1"])
        low_recall = min(rows, key=lambda k: rows[k]["recall"])
        checks += [("captions found", mean(packed, "captions_found"), ">=", TARGETS["captions_found"]),
                   ("captions left in body", mean(packed, "captions_leaked"), "<=", TARGETS["captions_leaked"]),
                   ("related/share/end junk left", mean(packed, "junk_left"), "<=", TARGETS["junk_left"]),
                   ("body F1 mean", mean(packed, "f1"), ">=", TARGETS["f1_mean"]),
                   (f"body F1 worst ({worst})", packed[worst]["f1"], ">=", TARGETS["f1_worst"]),
                   (f"body recall lowest, all languages ({low_recall})", rows[low_recall]["recall"], ">=",
                    TARGETS["recall_min"])]
    if nopack:
        checks += [("no-pack captions found", mean(nopack, "captions_found"), ">=", TARGETS["nopack_captions_found"]),
                   ("no-pack junk left", mean(nopack, "junk_left"), "<=", TARGETS["nopack_junk_left"])]
    out["targets"] = [dict(name=n, value=round(v, 4), op=op, target=t, met=(v >= t if op == ">=" else v <= t))
                      for n, v, op, t in checks]
    return out


_COLS = [("f1", "body F1"), ("recall", "body recall"), ("captions_found", "captions found"),
         ("captions_leaked", "captions in body"), ("junk_left", "junk left"), ("inline_left", "of which inline"),
         ("author", "author"), ("author_wrong", "wrong author")]


def _fmt(col: str, v: float) -> str:
    return f"{v:.3f}" if col in ("f1", "recall") else f"{100 * v:.0f} %"


def print_split(split: str, rows: dict[str, dict[str, float]], counters: Counter, seconds: float,
                summ: dict) -> None:
    kept = " (kept aside: only measured)" if split.startswith("B") else " (development)"
    print(f"\n## split {split}{kept}")
    print("| language | docs | " + " | ".join(h for _, h in _COLS) + " |")
    print("|---|---|" + "---|" * len(_COLS))
    for lang, r in rows.items():
        label = lang + (" (control)" if lang == "en" else " (no pack)" if lang in NO_PACK else "")
        print(f"| {label} | {r['docs']} | " + " | ".join(_fmt(c, r[c]) for c, _ in _COLS) + " |")
    signals = {k: v for k, v in sorted(counters.items()) if not k.startswith(("rules_", "seconds"))}
    print(f"clean stage counters: {json.dumps(signals, ensure_ascii=False)}")
    print(f"clean time: {seconds:.2f} s for {sum(int(r['docs']) for r in rows.values())} documents")
    for t in summ["targets"]:  # type: ignore[index]
        v = t["value"]
        shown = f"{v:.3f}" if "F1" in t["name"] or "recall" in t["name"] else f"{100 * v:.1f} %"
        goal = f"{t['target']:.2f}" if "F1" in t["name"] or "recall" in t["name"] else f"{100 * t['target']:.0f} %"
        print(f"split {split}: {t['name']} {shown} {t['op']} {goal} ... {'met' if t['met'] else 'NOT MET'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["A", "B", "both"], default="both")
    ap.add_argument("--languages", default=",".join(LANGUAGES))
    ap.add_argument("--docs-per-language", type=int, default=16)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--learn", action="store_true", help="also run with per-source statistics learned from each "
                    "language's documents of the split (the learned signal of pipeline/stages/clean/repetition.py)")
    ap.add_argument("--cost", action="store_true", help="print clean time with / without the new signals")
    args = ap.parse_args(argv)
    langs = [x.strip() for x in args.languages.split(",") if x.strip()]
    unknown = [x for x in langs if x not in AB]
    if unknown:
        ap.error(f"unknown language(s) {unknown}; known: {','.join(LANGUAGES)}")
    report: dict[str, object] = {}
    for split in (["A", "B"] if args.split == "both" else [args.split]):
        scores, counters, seconds = run(langs, split, args.docs_per_language)
        rows = rows_of(scores)
        summ = summary(rows)
        report[split] = dict(rows=rows, counters=dict(counters), seconds=seconds, **summ)
        if not args.json:
            print_split(split, rows, counters, seconds, summ)
        if args.learn:
            scores, counters, seconds = run(langs, split, args.docs_per_language, learn=True)
            rows = rows_of(scores)
            summ = summary(rows)
            report[f"{split}+learned"] = dict(rows=rows, counters=dict(counters), seconds=seconds, **summ)
            if not args.json:
                print_split(f"{split}+learned", rows, counters, seconds, summ)
    if args.cost:
        on, off = cost(langs, args.docs_per_language)
        report["cost"] = dict(with_signals=on, without=off, ratio=on / off)
        if not args.json:
            print(f"\nclean time, split B text dumps: {on:.2f} s with the issue-24 signals, {off:.2f} s without "
                  f"= {on / off:.3f} x (target <= 1.10 x)")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
