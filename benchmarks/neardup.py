"""Near-duplicate grouping: pair precision/recall on a probe of syndicated copies, the anchor, and cost.

    ES_URL=http://127.0.0.1:9200 python benchmarks/neardup.py [--data DIR] [--seed 0] [--timing-docs 2000]
        [--cost-repeats 3] [--cost-workers 1] [--copies 1-4]

The probe is built at run time from the shared article pages (``../shared/benchmarks/article-
extraction``: ``html/*.html.gz`` pages, ``ground-truth.json`` their article bodies), never copied
into the repo. Per story it keeps the real page as the original and writes syndicated copies the
way outlets reprint wire copy: the article body in another outlet's page (own menus, sidebars,
footer, headline format), a rewritten headline, and some of: an edited lead (dateline prefix, a
trimmed first sentence), a dropped paragraph, an added paragraph (the outlet's note or a context
paragraph), a truncation ("read the full story"), an excerpt (the first paragraphs). Hard
negatives are distinct stories in the same outlet's page that share one background paragraph
(a real paragraph from a page outside the probe) and the outlet's boilerplate note.

``--copies 60-80`` gives each syndicated story that many copies instead of 1-4: groups large enough that in
the second run most copies' best store candidates all share LSH bands, the case
``pipeline/run/group_candidates.py`` answers from the band keys alone (at 25-40 almost none do: the probe's
copies are edited, and a story has ~16 stored copies when the second run starts).

Two probes: ``main`` (even pages, ``--seed``) and ``kept-aside`` (odd pages, ``--seed + 1``),
each fed through the real pipeline into the real Elasticsearch in two runs (a seeded half of
the files, then all). Pairs = two files in one ``duplicate_group``. The anchor is datasketch
MinHashLSH (128 permutations) at thresholds 0.5 / 0.7 / 0.9 over 5-word shingles of the raw
files' text (tags stripped), on the same files in the same process. The cost is measured on
``benchmarks/corpus.py``'s throughput corpus: ``pipeline run`` with dedup off and on in
``--cost-repeats`` alternating pairs (fresh alias each), the ratio of the median wall times, and
peak RSS at ``--timing-docs`` and twice that.
"""

from __future__ import annotations

import argparse
import gzip
import html as html_lib
import itertools
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.corpus import DEFAULT_DATA  # noqa: E402

_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_WORD = re.compile(r"\w+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)

# Fictional outlets: each wraps a story in its own page furniture.
OUTLETS = [
    ("Morning Ledger", ["World", "Business", "Markets", "Opinion", "Sport"], "{title} | Morning Ledger",
     "This story was republished by Morning Ledger under a content-sharing agreement with its original publisher."),
    ("City Courier", ["Home", "Local", "Politics", "Culture", "Weather", "Jobs"], "City Courier - {title}",
     "Sign up for the City Courier newsletter to get the day's most important stories in your inbox every morning."),
    ("Valley Post", ["News", "Tech", "Science", "Health"], "{title} – Valley Post",
     "Valley Post readers can send tips and corrections to our newsroom through the contact page at any time."),
    ("Harbor Times", ["Top stories", "Region", "Nation", "World", "Video", "Podcasts"], "{title} :: Harbor Times",
     "Harbor Times is an independent, reader-funded newsroom; support our journalism by becoming a member today."),
    ("Northern Wire", ["Latest", "Economy", "Energy", "Climate"], "{title} (Northern Wire)",
     "Northern Wire distributes this report to partner outlets; reproduction requires a current licence agreement."),
    ("Daily Digest", ["Headlines", "Entertainment", "Lifestyle", "Travel", "Food"], "{title} — Daily Digest",
     "Daily Digest curates stories from across the web; the views expressed belong to the original authors."),
]
DATELINES = ["LONDON", "NEW YORK", "PARIS", "BERLIN", "TOKYO", "SYDNEY", "TORONTO", "MADRID"]


@dataclass
class Page:
    name: str
    html: str
    body: list[str]  # ground-truth paragraphs
    title: str


@dataclass
class ProbeFile:
    rel: str
    data: bytes
    story: str  # files of one story are its copies; every other story is distinct


def load_pages(data: Path) -> list[Page]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((data / "html").glob("*.html.gz")):
        name = path.name.split(".")[0]
        body = [p.strip() for p in (truth.get(name, {}).get("articleBody") or "").split("\n") if p.strip()]
        if not body:
            continue
        page = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        match = _TITLE.search(page)
        title = html_lib.unescape(_TAG.sub("", match.group(1))).strip() if match else body[0][:80]
        pages.append(Page(name, page, body, title or body[0][:80]))
    if len(pages) < 40:
        raise FileNotFoundError(f"too few annotated pages under {data} (use --data DIR)")
    return pages


def outlet_page(outlet: tuple, title: str, paragraphs: list[str], published: str | None, rng: random.Random) -> str:
    name, menu, title_fmt, _note = outlet
    nav = "".join(f'<li><a href="/{m.lower().replace(" ", "-")}">{m}</a></li>' for m in menu)
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "\n".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs)
    related = "".join(f'<li><a href="/story/{rng.randrange(10**6)}">{m} update {rng.randrange(100)}</a></li>'
                      for m in rng.sample(menu, min(3, len(menu))))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html_lib.escape(title_fmt.format(title=title))}"
            f"</title>{meta}</head><body><header><div class='brand'>{name}</div><nav><ul>{nav}</ul></nav></header>"
            f"<main><article><h1>{html_lib.escape(title)}</h1>\n{body}\n</article>"
            f"<aside><h3>More from {name}</h3><ul>{related}</ul></aside></main>"
            f"<footer><p>© {name}. All rights reserved.</p><ul>{nav}</ul></footer></body></html>")


def rewrite_headline(title: str, rng: random.Random) -> str:
    words = title.split()
    style = rng.randrange(4)
    if style == 0 and len(words) > 5:
        return " ".join(words[: max(4, len(words) * 2 // 3)])
    if style == 1:
        return f"{rng.choice(['Update', 'Analysis', 'Explainer', 'Report'])}: {title}"
    if style == 2:
        return title.upper() if len(title) < 60 else title.title()
    return f"{title} ({rng.choice(['video', 'live', 'photos', 'updated'])})"


def edit_lead(paras: list[str], rng: random.Random, outlet: str) -> list[str]:
    first = paras[0]
    sentences = re.split(r"(?<=[.!?])\s+", first)
    if len(sentences) > 1 and rng.random() < 0.5:
        first = " ".join(sentences[:-1])  # the last sentence of the lead is cut
    words = first.split()
    if len(words) > 12 and rng.random() < 0.5:
        cut = rng.randrange(len(words) // 2, len(words) - 2)
        words = words[:cut] + words[cut + 2:]  # two words edited out
    return [f"{rng.choice(DATELINES)} ({outlet}) — " + " ".join(words)] + paras[1:]


def copy_of(page: Page, rng: random.Random, filler: list[str], published: str | None) -> tuple[str, str]:
    """(page HTML, the kind of change) of one syndicated copy."""
    outlet = rng.choice(OUTLETS)
    paras = list(page.body)
    if rng.random() < 0.6:
        paras = edit_lead(paras, rng, outlet[0])
    change = rng.choices(["none", "drop", "add", "truncate", "excerpt"], weights=[2, 2, 2, 2, 2])[0]
    if change == "drop" and len(paras) >= 4:
        del paras[rng.randrange(1, len(paras) - 1)]
    elif change == "add":
        paras.insert(rng.randrange(1, len(paras) + 1), rng.choice([outlet[3], rng.choice(filler)]))
    elif change == "truncate" and len(paras) >= 3:
        paras = paras[: max(2, int(len(paras) * rng.uniform(0.4, 0.8)))] + [
            f"Read the full story on the {outlet[0]} website."]
    elif change == "excerpt" and len(paras) >= 3:
        keep, words = [], 0
        for p in paras:
            keep.append(p)
            words += len(p.split())
            if len(keep) >= 2 and words >= 60:
                break
        paras = keep + ["Continue reading…"]
    return outlet_page(outlet, rewrite_headline(page.title, rng), paras, published, rng), change


def build_probe(pages: list[Page], filler_pages: list[Page], seed: int,
                copies: tuple[int, int] = (1, 4)) -> list[ProbeFile]:
    """Syndicated stories (the original and ``copies`` copies each, 1-4 by default), stories seen once, and
    hard-negative pairs."""
    rng = random.Random(seed)
    usable = [p for p in pages if len(p.body) >= 3 and sum(map(len, p.body)) >= 600]
    rng.shuffle(usable)
    filler = [p for fp in filler_pages for p in fp.body if 250 <= len(p) <= 900]
    n_negative = max(4, len(usable) // 8)
    n_single = len(usable) // 4
    negatives, singles, syndicated = (usable[:2 * n_negative], usable[2 * n_negative:2 * n_negative + n_single],
                                      usable[2 * n_negative + n_single:])
    files: list[ProbeFile] = []
    base = 1_700_000_000
    for i, page in enumerate(syndicated):
        story = f"s{i}"
        files.append(ProbeFile(f"{story}/original.html.gz", gzip.compress(page.html.encode(), mtime=0), story))
        for k in range(rng.randint(*copies)):
            stamp = None if rng.random() < 0.1 else time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + i * 86_400 + (k + 1) * rng.randint(600, 86_400)))
            text, change = copy_of(page, rng, filler, stamp)
            files.append(ProbeFile(f"{story}/copy{k}-{change}.html", text.encode(), story))
    for i, page in enumerate(singles):
        files.append(ProbeFile(f"single/{i}.html.gz", gzip.compress(page.html.encode(), mtime=0), f"single{i}"))
    for i in range(n_negative):  # two distinct stories, one background paragraph and one outlet note shared
        background, outlet = rng.choice(filler), rng.choice(OUTLETS)
        for j, page in enumerate(negatives[2 * i:2 * i + 2]):
            paras = list(page.body)
            paras.insert(min(2, len(paras)), background)
            paras.append(outlet[3])
            text = outlet_page(outlet, page.title, paras, "2024-01-02T08:00:00Z", rng)
            files.append(ProbeFile(f"negative/{i}-{j}.html", text.encode(), f"neg{i}-{j}"))
    return files


def truth_pairs(files: list[ProbeFile]) -> set[tuple[str, str]]:
    by_story: dict[str, list[str]] = {}
    for f in files:
        by_story.setdefault(f.story, []).append(f.rel)
    return {tuple(sorted(p)) for rels in by_story.values() for p in itertools.combinations(rels, 2)}


def scores(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float, int]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    return precision, recall, len(predicted - truth)


def anchor_pairs(folder: Path, files: list[ProbeFile], threshold: float) -> set[tuple[str, str]]:
    """datasketch MinHashLSH over 5-word shingles of the raw files' text (tags stripped)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    hashes = {}
    for f in files:
        data = f.data
        if f.rel.endswith(".gz"):
            data = gzip.decompress(data)
        text = _SCRIPT.sub(" ", data.decode("utf-8", errors="replace"))
        words = _WORD.findall(_TAG.sub(" ", text).lower())
        m = MinHash(num_perm=128)
        for i in range(max(1, len(words) - 4)):
            m.update(" ".join(words[i:i + 5]).encode())
        hashes[f.rel] = m
        lsh.insert(f.rel, m)
    return {tuple(sorted((rel, other))) for rel, m in hashes.items() for other in lsh.query(m) if other != rel}


def grouped_pairs(es, alias: str) -> tuple[set[tuple[str, str]], int]:
    from elasticsearch import helpers

    es.indices.refresh(index=alias)
    groups: dict[str, list[str]] = {}
    missing = 0
    for hit in helpers.scan(es, index=alias, _source=["source", "duplicate_group"]):
        src = hit["_source"]
        if not src.get("duplicate_group"):
            missing += 1
            continue
        groups.setdefault(src["duplicate_group"], []).append(src["source"])
    return {tuple(sorted(p)) for rels in groups.values() for p in itertools.combinations(rels, 2)}, missing


def margins(es, alias: str, files: list[ProbeFile], truth: set[tuple[str, str]]) -> None:
    """How far the decisions are from the threshold: containment on the indexed (cleaned) bodies."""
    from elasticsearch import helpers

    from pipeline.stages.dedup import compare, load_dedup_config, shingle_set

    cfg = load_dedup_config()
    sets = {h["_source"]["source"]: shingle_set(h["_source"].get("body", ""), h["_source"].get("language"), cfg)
            for h in helpers.scan(es, index=alias, _source=["source", "body", "language"])}
    scored = sorted((compare(sets[a], sets[b], cfg).containment, a, b) for a, b in truth if a in sets and b in sets)
    true_c = [c for c, _, _ in scored]
    negatives = sorted(f.rel for f in files if f.rel.startswith("negative/"))
    neg_c = [compare(sets[a], sets[b], cfg).containment for a, b in itertools.combinations(negatives, 2)
             if a.split("-")[0] == b.split("-")[0]]
    print(f"  containment (threshold {cfg.min_containment}): copy pairs min {true_c[0]:.2f}, 5th percentile "
          f"{true_c[len(true_c) // 20]:.2f}; hard-negative pairs max {max(neg_c):.2f}; lowest copy pairs: "
          + "; ".join(f"{a} ~ {b} {c:.2f}" for c, a, b in scored[:2]))


def run_probe(label: str, pages: list[Page], filler: list[Page], seed: int, es, workdir: Path,
              copies_per_story: tuple[int, int] = (1, 4)) -> bool:
    from pipeline.config import load_settings
    from pipeline.run import run_ingest

    files = build_probe(pages, filler, seed, copies_per_story)
    truth = truth_pairs(files)
    stories = {f.story for f in files}
    copies = sum(1 for s in stories if sum(1 for f in files if f.story == s) > 1)
    print(f"\n[{label}] seed {seed}: {len(files)} files, {len(stories)} stories ({copies} syndicated), "
          f"{len(truth)} copy pairs, {sum(1 for f in files if f.rel.startswith('negative/'))} hard negatives")
    source = workdir / label
    shutil.rmtree(source, ignore_errors=True)
    order = list(files)
    random.Random(seed + 99).shuffle(order)
    half = len(order) // 2
    alias = f"bench-neardup-{label}-{os.getpid()}"
    settings = load_settings()
    timings = []
    for part in (order[:half], order[half:]):
        for f in part:
            path = source / f.rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.data)
        started = time.perf_counter()
        report = run_ingest(settings, es=es, source_dir=source, alias=alias, runs_dir=workdir / "runs")
        timings.append(time.perf_counter() - started)
        print(f"  run {len(timings)}: {report.counts()['indexed']} indexed in {timings[-1]:.1f} s, dedup "
              f"{report.timings.get('dedup', 0):.2f} s; " + ", ".join(
                  f"{k.split('/')[1]}={v}" for k, v in sorted(report.counters.items()) if k.startswith("dedup/")))
    predicted, missing = grouped_pairs(es, alias)
    precision, recall, false = scores(predicted, truth)
    ok = precision >= 0.98 and recall >= 0.98 and missing == 0
    print(f"  pipeline (two runs)        pair precision {precision:.3f}  recall {recall:.3f}  "
          f"({len(predicted & truth)}/{len(truth)} found, {false} false)")
    for threshold in (0.5, 0.7, 0.9):
        p, r, fa = scores(anchor_pairs(source, files, threshold), truth)
        print(f"  anchor datasketch LSH {threshold:.1f}  pair precision {p:.3f}  recall {r:.3f}  ({fa} false)")
    margins(es, alias, files, truth)
    missed = sorted(truth - predicted)[:6]
    if missed:
        print("  missed e.g.: " + "; ".join(" ~ ".join(m) for m in missed))
    wrong = sorted(predicted - truth)[:6]
    if wrong:
        print("  false e.g.: " + "; ".join(" ~ ".join(m) for m in wrong))
    from benchmarks.throughput import cleanup

    if not os.environ.get("NEARDUP_KEEP"):
        cleanup(es, alias)
    return ok


def signature_speed(pages: list[Page]) -> None:
    """Own numpy MinHash vs datasketch vs rensa on the same bodies (the configured permutations)."""
    from pipeline.stages.dedup import load_dedup_config, shingle_set, signature

    cfg = load_dedup_config()
    texts = ["\n\n".join(p.body) for p in pages]
    started = time.perf_counter()
    for t in texts:
        signature(shingle_set(t, "en", cfg), cfg)
    own = time.perf_counter() - started
    grams = []
    for t in texts:
        w = _WORD.findall(t.lower())
        grams.append([" ".join(w[i:i + 5]) for i in range(max(1, len(w) - 4))])
    line = f"\nsignatures of {len(texts)} bodies ({cfg.num_perm} perms as configured, shingling included): own numpy {own * 1000:.0f} ms"
    try:
        from datasketch import MinHash

        started = time.perf_counter()
        for g in grams:
            m = MinHash(num_perm=cfg.num_perm)
            m.update_batch([s.encode() for s in g])
        line += f", datasketch {(time.perf_counter() - started) * 1000:.0f} ms"
    except ImportError:
        line += ", datasketch not installed"
    try:
        from rensa import RMinHash

        started = time.perf_counter()
        for g in grams:
            RMinHash(num_perm=cfg.num_perm, seed=1).update(g)
        line += f", rensa {(time.perf_counter() - started) * 1000:.0f} ms"
    except ImportError:
        line += ", rensa not installed"
    print(line + " (the shingle split alone is in every figure)")


def cost(es, data: Path, docs: int, workdir: Path, es_url: str, repeats: int, workers: int = 1) -> bool:
    """Run time with the step on / off, as the median of ``repeats`` alternating pairs (a pair's
    two runs are seconds apart, so machine noise hits both alike); memory at twice the corpus."""
    from statistics import median

    from benchmarks import corpus
    from benchmarks.throughput import cleanup, pipeline_run

    print(f"\ncost on benchmarks/corpus.py's throughput corpus ({docs} and {2 * docs} documents, "
          f"pipeline run --workers {workers}, fresh alias each, {repeats} off/on pairs):")
    small = corpus.build(workdir / f"corpus-{docs}", docs, data=data, log=lambda *_: None)
    big = corpus.build(workdir / f"corpus-{2 * docs}", 2 * docs, data=data, log=lambda *_: None)
    env = {**os.environ, "ES_URL": es_url, "ETL_RUNS_DIR": str(workdir / "runs")}
    results: dict[str, list] = {"off": [], "on": [], "on-2x": []}
    plan = [("off", small, "0"), ("on", small, "1")] * repeats + [("on-2x", big, "1")]
    for i, (name, source, enabled) in enumerate(plan):
        alias = f"bench-neardup-cost-{name}-{i}-{os.getpid()}"
        m = pipeline_run(name, source, alias, workers, {**env, "ETL_DEDUP_ENABLED": enabled})
        cleanup(es, alias)
        if m.returncode != 0:
            print(f"  {name}: failed: {m.stderr[-400:]}")
            return False
        results[name].append(m)
        step = m.extra.get("timings", {}).get("dedup", 0.0)
        print(f"  dedup {name:5s} {m.extra['counts']['indexed']:6d} docs  {m.seconds:7.1f} s  "
              f"(dedup step {step:5.1f} s)  peak RSS {m.peak_rss / 2**20:6.0f} MiB", flush=True)
    pairs = [on.seconds / off.seconds for off, on in zip(results["off"], results["on"])]
    ratio = median(m.seconds for m in results["on"]) / median(m.seconds for m in results["off"])
    share = median(m.extra["timings"].get("dedup", 0.0) / m.seconds for m in results["on"])
    rss = results["on-2x"][0].peak_rss / max(m.peak_rss for m in results["on"])
    print(f"  run time with dedup / without: {ratio:.3f} (medians; pairs {', '.join(f'{r:.3f}' for r in pairs)}; "
          f"the step's own time {share:.1%} of a run, overlapped with cleaning at --workers 1); "
          f"peak RSS at {2 * docs} / at {docs}: {rss:.2f}")
    return ratio <= 1.10 and rss <= 1.25


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None, help="article-extraction folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timing-docs", type=int, default=2000, help="corpus size for the cost runs (0: skip)")
    ap.add_argument("--cost-repeats", type=int, default=3, help="off/on pairs for the run-time ratio")
    ap.add_argument("--cost-workers", type=int, default=1, help="pipeline run --workers for the cost runs")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "news-etl-neardup")
    ap.add_argument("--copies", default="1-4", help="copies per syndicated story, LOW-HIGH (e.g. 60-80: groups large "
                    "enough that a copy's best store candidates all share bands, pipeline/run/group_candidates.py)")
    args = ap.parse_args(argv)
    low, _, high = args.copies.partition("-")
    copies = (int(low), int(high or low))
    data = args.data or next((p for p in (DEFAULT_DATA, REPO.parents[1] / "shared/benchmarks/article-extraction",
                                          Path("/work/shared/benchmarks/article-extraction")) if p.is_dir()),
                             DEFAULT_DATA)
    es_url = os.environ.get("ES_URL")
    if not es_url:
        raise SystemExit("set ES_URL (the local node: http://127.0.0.1:9200)")
    os.environ["ETL_DEDUP_ENABLED"] = "1"
    from pipeline.config import load_settings
    from pipeline.elastic.client import make_client

    es = make_client(load_settings().es)
    pages = load_pages(data)
    args.workdir.mkdir(parents=True, exist_ok=True)
    signature_speed(pages)
    ok_main = run_probe("main", pages[0::2], pages[1::2], args.seed, es, args.workdir, copies)
    ok_kept = run_probe("kept-aside", pages[1::2], pages[0::2], args.seed + 1, es, args.workdir, copies)
    ok_cost = cost(es, data, args.timing_docs, args.workdir, es_url, args.cost_repeats, args.cost_workers) if args.timing_docs else True
    print(f"\ntargets: precision and recall >= 0.98 (main probe): {'met' if ok_main else 'NOT MET'}; "
          f"kept-aside probe: {'met' if ok_kept else 'NOT MET'}; "
          f"run time <= 1.10 x without dedup and memory flat: "
          f"{'met' if ok_cost else 'NOT MET'}{'' if args.timing_docs else ' (skipped)'}")
    return 0 if ok_main and ok_kept and ok_cost else 1


if __name__ == "__main__":
    raise SystemExit(main())
