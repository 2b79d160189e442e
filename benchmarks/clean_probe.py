"""Score the news-ETL cleaner against the hand-labelled probe.

Usage:
    .venv/bin/python benchmarks/clean_probe.py [dev|measure|all] [--misses] [--json OUT]

An independent probe (benchmarks/data/clean-probe/README.md): 55 hand-labelled text dumps and pages in 14
languages, written by someone who had not seen the rule packs, split into ``dev`` (look at it) and ``measure``
(quote it, never tune to it) before its first run.

For each item it runs clean_text (format=text) or clean_html (format=html) with default rules and checks:
  para      kept fully in .body (ok) / partly (cut: >=50 % of its character trigrams in one body line) / lost
  boilerplate (caption, alt, byline, dateline, related, share, editor, footer, nav; incl. inline
            prefixes/suffixes of paragraphs) removed from .body? (checked against the body with the
            kept paragraphs and the title taken out, so a short label cannot match inside article text)
  caption   found in .captions (>=60 % trigram coverage or substring)
  spur.cap  entries of .captions matching no labelled caption/alt line (e.g. a paragraph or the title)
  value     (author / agency / dateline place, @date) found in .author/.source_name/.dateline/
            .published_at/.metadata (removed_lines, cuts, signals and other counters are ignored);
            the per-language column counts byline/dateline values only, editors are shown per type
"""
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = REPO / "benchmarks" / "data" / "clean-probe"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from pipeline.stages.clean.html import clean_html  # noqa: E402
from pipeline.stages.clean.text import clean_text  # noqa: E402

BOILER = ["caption", "alt", "byline", "dateline", "related", "share", "editor", "footer", "nav"]
IGNORE_META = {"removed_lines", "cuts", "cut_chars", "signals", "recalled_lines", "rules_language",
               "pruned_blocks", "warnings"}


def norm(s):
    s = unicodedata.normalize("NFKC", s or "")
    return " ".join(s.split())


def tri(s):
    s = norm(s).replace(" ", "")
    return {s[i:i + 3] for i in range(max(0, len(s) - 2))} or {s}


def cover(seg, text_tris):
    t = tri(seg)
    return len(t & text_tris) / len(t)


def run(item):
    fn = clean_text if item["format"] == "text" else clean_html
    return fn(item["input"])


def meta_blob(r):
    parts = {"author": r.author, "source_name": r.source_name, "dateline": r.dateline,
             "published_at": str(r.published_at) if r.published_at else None}
    for k, v in (r.metadata or {}).items():
        if k not in IGNORE_META:
            parts["metadata." + k] = json.dumps(v, ensure_ascii=False, default=str)
    return {k: norm(v).casefold() for k, v in parts.items() if v}


def score_item(item):
    r = run(item)
    body = norm(r.body)
    residue = body
    segs = item["segments"]
    out = []
    for s in segs:
        if s["type"] == "para":
            p = norm(s["text"])
            if p in body:
                st = "ok"
                residue = residue.replace(p, " ", 1)
            else:
                # partly present: >= 50 % of its character trigrams inside one body line
                c = max((cover(p, tri(ln)) for ln in r.body.splitlines() if ln.strip()), default=0.0)
                st = "cut" if c >= 0.5 else "lost"
            out.append({**s, "status": st})
    if item.get("title"):
        residue = residue.replace(norm(item["title"]), " ", 1)
    res_tris = tri(residue) if residue.strip() else set()
    caps = norm("\n".join(r.captions or []))
    cap_tris = tri(caps) if caps else set()
    meta = meta_blob(r)
    labelled = [norm(x["text"]) for x in segs if x["type"] in ("caption", "alt")]
    spurious = [c for c in (r.captions or []) if not any(
        norm(c) in l or l in norm(c) or cover(l, tri(c)) >= 0.6 for l in labelled)]
    res = []
    pi = 0
    for s in segs:
        if s["type"] == "para":
            res.append(out[pi])
            pi += 1
            continue
        if s["type"] == "title":
            res.append({**s, "status": "title-ok" if norm(r.title) == norm(s["text"]) else "title-diff",
                        "got": r.title})
            continue
        t = norm(s["text"])
        kept = t in residue or (len(t) >= 12 and res_tris and cover(t, res_tris) >= 0.6)
        d = {**s, "status": "kept" if kept else "removed"}
        if s["type"] == "caption":
            d["in_captions"] = bool(caps) and (t in caps or cover(t, cap_tris) >= 0.6)
        if s.get("value"):
            v = s["value"]
            if v == "@date":
                d["meta_found"] = bool(r.published_at)
                d["meta_field"] = "published_at" if r.published_at else None
            else:
                vv = norm(v).casefold()
                fields = [k for k, blob in meta.items() if vv in blob]
                d["meta_found"] = bool(fields)
                d["meta_field"] = fields[0] if fields else None
        res.append(d)
    return r, res, spurious


def load_items(split):
    """The probe's items of ``split`` (``dev``, ``measure`` or ``all``: both)."""
    names = ("dev", "measure") if split == "all" else (split,)
    return [it for n in names for it in json.loads((HERE / f"{n}.json").read_text(encoding="utf-8"))]


def pct(a, b):
    return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "    -"


def main():
    args = sys.argv[1:]
    split = next((a for a in args if a in ("dev", "measure", "all")), "measure")
    items = load_items(split)
    per_lang = defaultdict(lambda: defaultdict(int))
    per_type = defaultdict(lambda: defaultdict(int))
    per_fmt = defaultdict(lambda: defaultdict(int))
    details = []
    for it in items:
        r, res, spurious = score_item(it)
        for agg in (per_lang[it["lang"]], per_fmt[it["format"]], per_lang["ALL"]):
            agg["spurious"] += len(spurious)
        details.append({"id": it["id"], "lang": it["lang"], "format": it["format"], "body": r.body,
                        "title": r.title, "captions": r.captions, "author": r.author,
                        "source_name": r.source_name, "dateline": r.dateline,
                        "published_at": str(r.published_at) if r.published_at else None,
                        "metadata": r.metadata, "spurious_captions": spurious, "segments": res})
        for d in res:
            for agg in (per_lang[it["lang"]], per_fmt[it["format"]], per_lang["ALL"]):
                if d["type"] == "para":
                    agg["para"] += 1
                    agg["para_" + d["status"]] += 1
                elif d["type"] in BOILER:
                    agg["bp"] += 1
                    agg["bp_removed"] += d["status"] == "removed"
                    if "in_captions" in d:
                        agg["cap"] += 1
                        agg["cap_found"] += d["in_captions"]
                    if "meta_found" in d and d["type"] != "editor":
                        agg["meta"] += 1
                        agg["meta_found"] += d["meta_found"]
                elif d["type"] == "title":
                    agg["title"] += 1
                    agg["title_ok"] += d["status"] == "title-ok"
            if d["type"] in BOILER:
                key = d["type"] + ("(inline)" if d.get("inline") else "")
                pt = per_type[key]
                pt["n"] += 1
                pt["removed"] += d["status"] == "removed"
                if "in_captions" in d:
                    pt["cap"] += 1
                    pt["cap_found"] += d["in_captions"]
                if "meta_found" in d:
                    pt["meta"] += 1
                    pt["meta_found"] += d["meta_found"]
    print(f"== split: {split}  ({len(items)} items: {sum(i['format'] == 'text' for i in items)} text, "
          f"{sum(i['format'] == 'html' for i in items)} html)")
    hdr = f"{'lang':6} {'paras ok':>16} {'cut':>4} {'lost':>4} {'boilerplate removed':>22} {'caption->.captions':>20} {'value->metadata':>18} {'title':>12} {'spur.cap':>8}"
    for title, table in (("per language", per_lang), ("per format", per_fmt)):
        print(f"\n-- {title}\n{hdr}")
        for k in sorted(table, key=lambda x: (x == "ALL", x)):
            a = table[k]
            print(f"{k:6} {pct(a['para_ok'], a['para']):>16} {a['para_cut']:>4} {a['para_lost']:>4} "
                  f"{pct(a['bp_removed'], a['bp']):>22} {pct(a['cap_found'], a['cap']):>20} "
                  f"{pct(a['meta_found'], a['meta']):>18} {pct(a['title_ok'], a['title']):>12} {a['spurious']:>8}")
    print(f"\n-- per boilerplate type\n{'type':18} {'removed from body':>20} {'in .captions':>16} {'value in metadata':>18}")
    for k in sorted(per_type):
        a = per_type[k]
        print(f"{k:18} {pct(a['removed'], a['n']):>20} {pct(a['cap_found'], a['cap']):>16} {pct(a['meta_found'], a['meta']):>18}")
    if "--misses" in args:
        print("\n-- misses")
        for d in details:
            for s in d["segments"]:
                bad = (s["type"] == "para" and s["status"] != "ok") or \
                      (s["type"] in BOILER and (s["status"] == "kept" or s.get("in_captions") is False
                                                 or s.get("meta_found") is False))
                if bad:
                    extra = "" if s["type"] == "para" else \
                        f" caps={s.get('in_captions')} meta={s.get('meta_found')}({s.get('meta_field')})"
                    print(f"{d['id']:7} {s['type']:9} {s.get('inline') or '':6} {s['status']:8}{extra} | {s['text'][:90]}")
            for c in d["spurious_captions"]:
                print(f"{d['id']:7} SPURIOUS-CAPTION | {c[:90]}")
    if "--json" in args:
        outp = Path(args[args.index("--json") + 1])
        outp.write_text(json.dumps(details, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
