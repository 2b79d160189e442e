"""Generator of the multilingual probe: news dumps (and HTML pages) with their ground truth.

Body paragraphs are consecutive sentences of ``../shared/benchmarks/language-id/sentences/<lang>.txt``
(read at run time, never copied into the repo); the ``dev`` split uses the even-numbered lines, ``kept``
the odd-numbered ones, and each split draws its junk only from its half of the vocabulary in
``multilingual_forms*.py``. Everything is driven by one ``random.Random(f"{seed}/{split}/{lang}/{i}")``,
so a seed gives the same documents on every machine.
"""

from __future__ import annotations

import html as _html
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.multilingual_forms import FORMS as _F1
from benchmarks.multilingual_forms_eu import FORMS as _F2

REPO = Path(__file__).resolve().parent.parent
FORMS: dict[str, dict] = {**_F1, **_F2}
LANGUAGES = ["en", "zh", "ja", "ko", "vi", "ru", "uk", "ar", "es", "fr", "de", "pt", "it", "tr", "id", "pl",
             "hi", "th", "fa", "nl"]
NO_SPACE = {"zh", "ja"}  # sentences and caption parts join without a space
CHAR_TOKENS = {"zh", "ja", "th"}  # no word spaces: lengths (and the metric) count characters
RTL = {"ar", "fa"}
VOCAB_FIELDS = ["menu", "home", "places", "agencies", "sites", "given", "family", "dateline", "date_line", "byline",
                "caption", "read_also", "related", "share", "comment", "subscribe", "cookie", "copyright", "end",
                "tags"]
_END_PUNCT = re.compile(r"[\s.。!！?？;；:：,，、…]+$")


def sentences_dir(explicit: str | Path | None = None) -> Path:
    """``<repo>/../shared/...``; from a git worktree, also beside the main checkout it belongs to."""
    if explicit:
        return Path(explicit)
    cands = [REPO.parent / "shared" / "benchmarks" / "language-id" / "sentences"]
    git = REPO / ".git"
    if git.is_file():  # worktree: "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(git.read_text(encoding="utf-8").split(":", 1)[1].strip())
        main = gitdir.parent.parent.parent
        cands.append(main.parent / "shared" / "benchmarks" / "language-id" / "sentences")
    for c in cands:
        if c.is_dir():
            return c
    raise FileNotFoundError(f"language-id sentences not found (tried {', '.join(map(str, cands))})")


def load_pool(lang: str, split: str, data: str | Path | None = None) -> list[str]:
    lines = (sentences_dir(data) / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
    half = lines[0::2] if split == "dev" else lines[1::2]
    return [s.strip() for s in half if s.strip()]


def vocab(lang: str, split: str) -> dict[str, list[str]]:
    k = 0 if split == "dev" else 1
    f = FORMS[lang]
    return {name: f[name][k] for name in VOCAB_FIELDS}


@dataclass
class Truth:
    lang: str
    split: str
    doc_id: str
    content_type: str
    title: str
    paragraphs: list[str]
    captions: list[str]  # caption lines as inserted (marker and credit included)
    caption_cores: list[str]  # the describing text of each caption (what must not stay in the body)
    author: str
    place: str
    date: str  # ISO 8601
    agency: str
    boilerplate: list[str] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)  # the junk lines among the body paragraphs (subset)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Sample:
    truth: Truth
    raw: str  # the text dump or the HTML page


def _cut(s: str, lang: str, max_len: int) -> str:
    """A sentence shortened at a word (or, without spaces, a character) boundary, final punctuation off."""
    s = _END_PUNCT.sub("", s.strip())
    if len(s) <= max_len:
        return s
    if lang in CHAR_TOKENS:
        return _END_PUNCT.sub("", s[:max_len])
    cut = s[:max_len].rsplit(" ", 1)[0]
    return _END_PUNCT.sub("", cut)


class _Ctx:
    """One document's random choices (names, place, date) and template filling."""

    def __init__(self, lang: str, split: str, rng: random.Random) -> None:
        self.lang, self.rng, self.v = lang, rng, vocab(lang, split)
        f = FORMS[lang]
        self.f = f
        self.place = rng.choice(self.v["places"])
        self.agency = rng.choice(self.v["agencies"])
        self.site = rng.choice(self.v["sites"])
        self.author = self.person()
        self.y, self.m, self.d = rng.choice([2025, 2026]), rng.randint(1, 12), rng.randint(1, 28)
        self.hh, self.mi = rng.randint(6, 23), rng.randint(0, 59)

    def person(self) -> str:
        return self.f["name"].format(given=self.rng.choice(self.v["given"]), family=self.rng.choice(self.v["family"]))

    def fill(self, template: str, **extra: str) -> str:
        months = self.f.get("months")
        mon = months[self.m - 1] if months else str(self.m)
        values = dict(place=self.place, PLACE=self.place.upper(), Place=self.place.title(), agency=self.agency,
                      AGENCY=self.agency.upper(), site=self.site, name=self.author, NAME=self.author.upper(),
                      name2=self.person(), d=str(self.d), dd=f"{self.d:02d}", m=str(self.m), mm=f"{self.m:02d}",
                      y=str(self.y), by=str(self.y + 543), mon=mon, mon3=mon[:3], Mon3=mon[:3].title(),
                      MON3=mon[:3].upper(), hh=f"{self.hh:02d}", mi=f"{self.mi:02d}", desc="", link="")
        values.update(extra)
        return template.format_map(values).strip()

    def pick(self, name: str) -> str:
        return self.rng.choice(self.v[name]) if self.v[name] else ""


def _paragraphs(pool: list[str], lang: str, rng: random.Random) -> tuple[list[str], set[int]]:
    n_par = rng.randint(4, 7)
    need = sum(rng.randint(2, 4) for _ in range(n_par))
    start = rng.randrange(0, max(1, len(pool) - need))
    sents = list(range(start, min(len(pool), start + need)))
    joiner = "" if lang in NO_SPACE else " "
    paras, i = [], 0
    while i < len(sents):
        k = rng.randint(2, 4)
        paras.append(joiner.join(pool[j] for j in sents[i : i + k]))
        i += k
    return paras, set(sents)


def _other(pool: list[str], used: set[int], rng: random.Random) -> str:
    while True:
        j = rng.randrange(len(pool))
        if j not in used:
            used.add(j)
            return pool[j]


def generate(lang: str, split: str, index: int, *, seed: int, content_type: str = "text",
             data: str | Path | None = None, pool: list[str] | None = None) -> Sample:
    """One probe document (``content_type`` "text": a get_text-style dump; "html": a page)."""
    rng = random.Random(f"{seed}/{split}/{lang}/{content_type}/{index}")
    pool = pool if pool is not None else load_pool(lang, split, data)
    c = _Ctx(lang, split, rng)
    short = lang in CHAR_TOKENS
    paras, used = _paragraphs(pool, lang, rng)
    title = _cut(_other(pool, used, rng), lang, 40 if short else 110)
    links = [_cut(_other(pool, used, rng), lang, 24 if short else 70) for _ in range(rng.randint(4, 6))]
    n_cap = rng.randint(1, 3)
    cores = [_cut(_other(pool, used, rng), lang, 60 if short else 150) for _ in range(n_cap)]
    captions = [c.fill(c.pick("caption"), desc=core, name=c.person()) for core in cores]
    dl_tpl = c.pick("dateline")
    dateline = c.fill(dl_tpl)
    by_tpl = "" if "{name}" in dl_tpl else c.pick("byline")
    by_where, _, by_form = by_tpl.partition(":")
    byline = c.fill(by_form) if by_form else ""
    truth = Truth(lang, split, f"{lang}-{split}-{content_type}-{index}", content_type, title, paras, captions, cores,
                  c.author, c.place, f"{c.y}-{c.m:02d}-{c.d:02d}", c.agency)
    parts = dict(
        menu=rng.sample(c.v["menu"], k=min(len(c.v["menu"]), rng.randint(4, 7))),
        crumbs=[c.pick("home"), rng.choice(c.v["menu"])],
        date_line=c.fill(c.pick("date_line")),
        share=rng.sample(c.v["share"], k=min(len(c.v["share"]), rng.randint(2, 4))),
        read_also=[c.fill(c.pick("read_also"), link=links[0])] + (
            [c.fill(c.pick("read_also"), link=links[1])] if rng.random() < 0.5 else []),
        related=c.pick("related"), links=links[2:] if len(links) > 3 else links,
        comment=c.pick("comment"), subscribe=c.pick("subscribe"), cookie=c.pick("cookie"),
        copyright=c.fill(c.pick("copyright")), end=c.fill(c.pick("end")),
        tags=c.pick("tags") + " " + ", ".join(rng.sample(c.v["menu"], k=2)),
        footer=rng.sample(c.v["menu"], k=3),
    )
    joiner = "" if lang in NO_SPACE else " "
    if content_type == "html":
        raw = _html_page(lang, truth, parts, dateline, byline, by_where, joiner, rng)
    else:
        raw = _text_dump(truth, parts, dateline, byline, by_where, joiner, rng)
    return Sample(truth, raw)


def _text_dump(t: Truth, p: dict, dateline: str, byline: str, by_where: str, joiner: str,
               rng: random.Random) -> str:
    """The page's visible text the way ``BeautifulSoup(html).get_text("\\n")`` gives it."""
    out: list[str] = []

    def junk(*lines: str, inline: bool = False) -> None:
        for line in lines:
            if line.strip():
                out.append(line)
                t.boilerplate.append(line)
                if inline:
                    t.inline.append(line)

    def blank(lo: int = 1, hi: int = 3) -> None:
        out.extend([""] * rng.randint(lo, hi))

    junk(*p["menu"])
    blank()
    junk(p["crumbs"][0], "›", p["crumbs"][1])
    blank()
    out.append(t.title)
    junk(p["date_line"])
    if byline and by_where == "top":
        out.append(byline)
    junk(*p["share"])
    blank()
    if rng.random() < 0.5:
        junk(t.title, inline=True)  # the lead image's alt/title text repeats the headline
    caps = list(zip(t.captions, t.caption_cores))
    first_cap = caps.pop(0)
    out.append(first_cap[0])
    blank(1, 2)
    reads = list(p["read_also"])
    for i, para in enumerate(t.paragraphs):
        out.append((dateline + joiner + para) if i == 0 else para)
        blank(1, 2)
        if i == 1 and reads:
            junk(reads.pop(0), inline=True)
            blank(1, 1)
        if i >= 2 and caps and rng.random() < 0.6:
            out.append(caps.pop(0)[0])
            blank(1, 1)
        if i == len(t.paragraphs) - 2 and reads:
            junk(reads.pop(0), inline=True)
    for cap in caps:
        out.append(cap[0])
    if byline and by_where == "end":
        out.append(byline)
    junk(p["end"], inline=True)
    blank()
    junk(p["tags"])
    junk(*p["share"][:2])
    junk(p["comment"])
    blank(2, 4)
    junk(p["related"])
    for link in p["links"]:
        junk(link)
    blank()
    junk(p["subscribe"], p["cookie"])
    blank()
    junk(*p["footer"], p["copyright"])
    return "\n".join(out) + "\n"


def _html_page(lang: str, t: Truth, p: dict, dateline: str, byline: str, by_where: str, joiner: str,
               rng: random.Random) -> str:
    """An article page: nav, breadcrumb, h1, byline/time markup, figures, related aside, footer."""
    e = _html.escape
    t.inline.extend([*p["read_also"]] + ([p["end"]] if p["end"] else []))
    t.boilerplate.extend([*p["menu"], p["crumbs"][1], p["date_line"], *p["share"], *p["read_also"], p["related"], *p["links"],
                          p["subscribe"], p["cookie"], p["copyright"]] + ([p["end"]] if p["end"] else []))
    nav = "".join(f'<li><a href="/{i}">{e(m)}</a></li>' for i, m in enumerate(p["menu"]))
    figs = [f'<figure class="image"><img src="/img/{i}.jpg" alt="{e(core)}"><figcaption>{e(cap)}</figcaption></figure>'
            for i, (cap, core) in enumerate(zip(t.captions, t.caption_cores))]
    body: list[str] = [figs[0]]
    reads = list(p["read_also"])
    for i, para in enumerate(t.paragraphs):
        text = (dateline + joiner + para) if i == 0 else para
        body.append(f"<p>{e(text)}</p>")
        if i == 1 and reads:
            body.append(f'<p class="read-also"><a href="/r/{i}">{e(reads.pop(0))}</a></p>')
        if i >= 2 and len(figs) > 1:
            body.append(figs.pop(1))
    body.extend(figs[1:])
    body.extend(f'<p class="read-also"><a href="/r/x">{e(r)}</a></p>' for r in reads)
    if byline and by_where == "end":
        body.append(f'<p class="author"><strong>{e(byline)}</strong></p>')
    if p["end"]:
        body.append(f"<p>{e(p['end'])}</p>")
    meta = f'<span class="byline">{e(byline)}</span> ' if byline and by_where == "top" else ""
    share = "".join(f'<a href="#s{i}">{e(s)}</a>' for i, s in enumerate(p["share"]))
    links = "".join(f'<li><a href="/n/{i}">{e(link)}</a></li>' for i, link in enumerate(p["links"]))
    direction = ' dir="rtl"' if lang in RTL else ""
    return (f'<!DOCTYPE html><html lang="{lang}"{direction}><head><meta charset="utf-8">'
            f"<title>{e(t.title)} - {e(p['copyright'][:20])}</title></head><body>"
            f'<header><nav class="menu"><ul>{nav}</ul></nav></header>'
            f'<div class="breadcrumb"><a href="/">{e(p["crumbs"][0])}</a> › <a href="/s">{e(p["crumbs"][1])}</a></div>'
            f'<main><article><h1>{e(t.title)}</h1>'
            f'<div class="article-meta">{meta}<time datetime="{t.date}T{rng.randint(6, 23):02d}:00:00">'
            f'{e(p["date_line"])}</time></div><div class="share-bar">{share}</div>'
            f'<div class="article-body">{"".join(body)}</div></article>'
            f'<aside class="related"><h3>{e(p["related"])}</h3><ul>{links}</ul></aside></main>'
            f'<div class="newsletter">{e(p["subscribe"])}</div><div class="cookie-banner">{e(p["cookie"])}</div>'
            f'<footer><p>{e(p["copyright"])}</p></footer></body></html>')
