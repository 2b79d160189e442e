"""Build the probe JSON (dev.json / measure.json) from items_text.txt and items_html.txt.

Each item: id, lang, format (text|html), template, input (the dump or page), title,
segments: ordered list of {type, text, value, inline} — the hand-labelled truth.
type: para (must be kept) | title | caption | alt | byline | dateline | related | share | editor |
footer | nav.  inline=prefix/suffix means the boilerplate sits inside a paragraph line.
The split is decided here, before anything is run: items sorted by (format, lang, id), then
alternately assigned measure / dev.
"""
import html as H
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODES = {"T": "title", "P": "para", "C": "caption", "A": "alt", "B": "byline", "D": "dateline",
         "R": "related", "S": "share", "E": "editor", "F": "footer", "N": "nav"}
TOK = re.compile(r"\{([A-Z]):([^{}]*)\}")
NOSPACE = {"zh", "ja"}


def split_value(s):
    if " @@ " in s:
        t, v = s.split(" @@ ", 1)
        return t.strip(), v.strip()
    return s.strip(), None


def parse(path):
    items, cur = [], None
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        if raw.startswith("=== "):
            f = raw[4:].split()
            cur = {"id": f[0], "lang": f[1], "format": f[2], "template": f[3] if len(f) > 3 else None,
                   "rows": []}
            items.append(cur)
            continue
        code, rest = raw.split("|", 1)
        typ = CODES[code]
        if typ == "para":
            pre, suf = [], []
            while (m := TOK.match(rest)):
                pre.append((CODES[m.group(1)],) + split_value(m.group(2)))
                rest = rest[m.end():]
            while (m := re.search(r"\{([A-Z]):([^{}]*)\}$", rest)):
                suf.insert(0, (CODES[m.group(1)],) + split_value(m.group(2)))
                rest = rest[:m.start()]
            cur["rows"].append({"type": "para", "text": rest.strip(), "pre": pre, "suf": suf})
        else:
            t, v = split_value(rest)
            cur["rows"].append({"type": typ, "text": t, "value": v})
    return items


def para_line(row, lang):
    sep = "" if lang in NOSPACE else " "
    s = row["text"]
    if row["pre"]:
        s = sep.join(p[1] for p in row["pre"]) + sep + s
        s = s.replace("  ", " ")
    if row["suf"]:
        s = s + "".join(p[1] for p in row["suf"])
    return s


def segments(item):
    segs = []
    for r in item["rows"]:
        if r["type"] == "para":
            for t, txt, v in r["pre"]:
                segs.append({"type": t, "text": txt, "value": v, "inline": "prefix"})
            segs.append({"type": "para", "text": r["text"], "value": None, "inline": None})
            for t, txt, v in r["suf"]:
                segs.append({"type": t, "text": txt, "value": v, "inline": "suffix"})
        else:
            segs.append({"type": r["type"], "text": r["text"], "value": r["value"], "inline": None})
    return segs


def render_text(item, idx):
    sep = "\n" if idx % 2 == 0 else "\n\n"
    return sep.join(para_line(r, item["lang"]) if r["type"] == "para" else r["text"]
                    for r in item["rows"]) + "\n"


def e(s):
    return H.escape(s, quote=False)


def render_html(item):
    lang, tpl, rows = item["lang"], item["template"], item["rows"]
    title = next(r["text"] for r in rows if r["type"] == "title")
    pidx = [i for i, r in enumerate(rows) if r["type"] == "para"]
    first, last = pidx[0], pidx[-1]
    # trailing footer run goes to the page footer
    k = len(rows)
    while k > 0 and rows[k - 1]["type"] == "footer":
        k -= 1
    foot = [r["text"] for r in rows[k:]]
    head = [r for r in rows[:first] if r["type"] != "title"]
    mid = rows[first:last + 1]
    tail = rows[last + 1:k]
    navs = [r["text"] for r in head if r["type"] == "nav"]
    meta = [r for r in head if r["type"] in ("byline", "dateline", "editor")]
    headcap = [r for r in head if r["type"] == "caption"]
    img = 0

    def fig(text):
        nonlocal img
        img += 1
        src = f"/uploads/2024/03/{item['id']}-{img}.jpg"
        if tpl == "wp":
            return (f'<figure class="wp-block-image size-large"><img src="{src}" alt="{H.escape(text)}">'
                    f"<figcaption>{e(text)}</figcaption></figure>")
        if tpl == "cn":
            return (f'<p style="text-align: center;"><img src="{src}" alt="{H.escape(title)}"></p>\n'
                    f'<p style="text-align: center;">{e(text)}</p>')
        return f'<div class="c4"><img src="{src}" alt="{H.escape(title)}"></div><span class="c5">{e(text)}</span>'

    def para(r):
        s = e(para_line(r, lang))
        if tpl == "cn":
            s = "\u3000\u3000" + s
        return f"<p>{s}</p>"

    def body_rows(rs):
        out, i = [], 0
        while i < len(rs):
            r = rs[i]
            t = r["type"]
            if t == "para":
                out.append(para(r))
            elif t == "caption":
                out.append(fig(r["text"]))
            elif t == "related":
                out.append(f'<p><strong><a href="/news/{i}.html">{e(r["text"])}</a></strong></p>')
            elif t == "nav":
                out.append(f'<div class="{"ad-label" if tpl == "wp" else "c10"}">{e(r["text"])}</div>')
            elif t in ("byline", "editor", "dateline", "footer"):
                cls = {"wp": f'class="{"author-name" if t == "byline" else "post-" + t}"', "cn": 'class="left_name"',
                       "plain": ""}[tpl]
                out.append(f"<p {cls}>{e(r['text'])}</p>".replace("<p >", "<p>"))
            elif t == "share":
                out.append(f'<div class="{"share-buttons" if tpl == "wp" else "c6"}">{e(r["text"])}</div>')
            i += 1
        return out

    # tail: split into in-article rows and trailing share/related blocks
    tail_in, tail_out = [], []
    for r in tail:
        (tail_out if (tail_out or r["type"] in ("share", "related")) else tail_in).append(r)
    blocks, i = [], 0
    while i < len(tail_out):
        r = tail_out[i]
        if r["type"] == "related":
            grp = [r["text"]]
            while i + 1 < len(tail_out) and tail_out[i + 1]["type"] == "related":
                i += 1
                grp.append(tail_out[i]["text"])
            links = grp[1:]
            if tpl == "wp":
                lis = "".join(f'<li><a href="/news/r{j}.html">{e(x)}</a></li>' for j, x in enumerate(links))
                blocks.append(f'<section class="related-posts"><h3>{e(grp[0])}</h3><ul>{lis}</ul></section>')
            elif tpl == "cn":
                lis = "".join(f'<li><a href="/gn/2024/r{j}.shtml">{e(x)}</a></li>' for j, x in enumerate(links))
                blocks.append(f'<div class="xwzxdd-dbt">{e(grp[0])}</div><div class="xwzxdd"><ul>{lis}</ul></div>')
            else:
                lis = "<br>".join(f'<a href="/a/r{j}.html">{e(x)}</a>' for j, x in enumerate(links))
                blocks.append(f'<div class="c7"><div class="c8">{e(grp[0])}</div>{lis}</div>')
        elif r["type"] == "share":
            blocks.append(f'<div class="{"share-buttons" if tpl == "wp" else "c6"}">{e(r["text"])}</div>')
        else:
            blocks.append(f"<div>{e(r['text'])}</div>")
        i += 1

    if tpl == "wp":
        nav = "<ul>" + "".join(f'<li><a href="/c/{j}/">{e(n)}</a></li>' for j, n in enumerate(navs)) + "</ul>"
        nav = f'<header class="site-header"><nav class="main-navigation">{nav}</nav></header>'
        h1 = f'<h1 class="entry-title">{e(title)}</h1>'
        metas = " ".join(f'<span class="{"byline author" if r["type"] == "byline" else "posted-on" if r["type"] == "dateline" else "editor"}">{e(r["text"])}</span>' for r in meta)
        metas = f'<div class="entry-meta">{metas}</div>' if metas else ""
        foot_html = "".join(f"<p>{e(f)}</p>" for f in foot)
        foot_html = f'<footer class="site-footer">{foot_html}</footer>' if foot else ""
        body = (f'{nav}<main id="main"><article class="post">{h1}{metas}'
                + "".join(fig(r["text"]) for r in headcap)
                + '<div class="entry-content">' + "\n".join(body_rows(mid) + body_rows(tail_in)) + "</div>"
                + "\n".join(blocks) + f"</article></main>{foot_html}")
    elif tpl == "cn":
        nav = '<div class="nav">' + " &gt; ".join(f'<a href="/c{j}/">{e(n)}</a>' for j, n in enumerate(navs)) + "</div>"
        metas = "\u3000".join(e(r["text"]) for r in meta)
        body = (f'{nav}<div class="content"><h1>{e(title)}</h1><div class="left-t">{metas}</div>'
                + "".join(fig(r["text"]) for r in headcap)
                + '<div class="left_zw">' + "\n".join(body_rows(mid) + body_rows(tail_in)) + "</div>"
                + "\n".join(blocks) + "</div>"
                + '<div id="bottom">' + "".join(f"<p>{e(f)}</p>" for f in foot) + "</div>")
    else:
        nav = '<div class="top">' + " ".join(f'<a href="/{j}/">{e(n)}</a>' for j, n in enumerate(navs)) + "</div>"
        metas = "".join(f'<div class="c3">{e(r["text"])}</div>' for r in meta)
        body = (f'{nav}<div class="c1"><div class="t1"><b>{e(title)}</b></div>{metas}'
                + "".join(fig(r["text"]) for r in headcap)
                + '<div class="c2">' + "\n".join(body_rows(mid) + body_rows(tail_in)) + "</div>"
                + "\n".join(blocks) + "</div>"
                + '<div class="c9">' + "<br>".join(e(f) for f in foot) + "</div>")
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{e(title)} - News</title></head>\n<body>\n{body}\n</body></html>\n")


def main():
    items = parse(HERE / "items_text.txt") + parse(HERE / "items_html.txt")
    out = []
    for idx, it in enumerate(items):
        inp = render_text(it, idx) if it["format"] == "text" else render_html(it)
        out.append({"id": it["id"], "lang": it["lang"], "format": it["format"], "template": it["template"],
                    "title": next((r["text"] for r in it["rows"] if r["type"] == "title"), None),
                    "input": inp, "segments": segments(it)})
    out.sort(key=lambda x: (x["format"], x["lang"], x["id"]))
    for i, it in enumerate(out):
        it["split"] = "measure" if i % 2 == 0 else "dev"
    for name in ("dev", "measure"):
        sub = [x for x in out if x["split"] == name]
        (HERE / f"{name}.json").write_text(json.dumps(sub, ensure_ascii=False, indent=1), encoding="utf-8")
    langs = sorted({x["lang"] for x in out})
    print(len(out), "items;", sum(x["format"] == "text" for x in out), "text,",
          sum(x["format"] == "html" for x in out), "html;", len(langs), "langs", langs, file=sys.stderr)
    for name in ("dev", "measure"):
        sub = [x for x in out if x["split"] == name]
        print(name, len(sub), "items", sum(x["format"] == "html" for x in sub), "html", file=sys.stderr)


if __name__ == "__main__":
    main()
