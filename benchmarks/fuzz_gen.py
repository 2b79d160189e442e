"""Hostile input files for benchmarks/fuzz.py: deterministic from (seed, index).

``case(seed, i)`` returns a ``Case`` (file name, bytes, family). Families (``FAMILIES``, with their
weights): malformed and truncated HTML, mixed and lying charsets, NUL bytes, compressed bombs,
10^5-deep nesting, megabyte attributes and single lines, every Unicode plane, bidi and zero-width
controls, script/style/attribute injection, byte-level mutations of a real seed article, random
binary. Every piece of markup or script the generator writes carries the canary ``CANARY`` in a
place no text extractor may keep (inside ``<script>``, ``<style>``, an attribute, a comment, a
``javascript:`` URL) of a page a browser parses the same way as any HTML5 parser: the canary in an
output is a leak. In random tag soup (``malformed-html``: unclosed quotes and tags), what is script
depends on the parser, so the payloads there carry another marker, not checked; the output is still
checked for tags and ``javascript:``. Article text comes from the repo's seeds
(``seeds/*.txt``) and from the words below, in many scripts.
"""

from __future__ import annotations

import codecs
import gzip
import random
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CANARY = "qzxcanary"  # never in real text; must never reach an output
WORDS = ["council", "budget", "Stadtrat", "Haushalt", "conseil", "député", "Москва", "правительство", "市场",
         "政府", "東京都", "発表", "서울시", "발표", "الحكومة", "ממשלה", "κυβέρνηση", "hükümet", "rząd",
         "vláda", "Việt", "ประเทศ", "सरकार", "அரசு", "ქალაქი", "Երևան", "people", "said", "on", "Monday",
         "the", "and", "of", "year", "report", "police", "school", "water", "€", "—", "“quoted”", "2024"]
BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
CHARSETS = ["utf-8", "cp1252", "cp1250", "cp1251", "koi8-r", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
            "shift_jis", "euc_jp", "gb18030", "big5", "euc_kr", "iso8859-2", "utf-16-le", "utf-16-be", "cp437"]
DECLARED = [*CHARSETS, "x-user-defined", "bogus-charset", "utf-7", "utf-32", "", "utf8\x00", "ébc", "a" * 300]
INJECTIONS = [
    "<script>document.write('{c}')</script>",
    "<script type=module>import '{c}'</script>",
    "<SCRIPT SRC=//x/{c}.js></SCRIPT>",
    "<script><!--\nalert('{c}')\n--></script>",
    "<style>body::after{{content:'{c}'}}</style>",
    "<img src=x onerror=\"alert('{c}')\">",
    "<a href=\"javascript:alert('{c}')\">link</a>",
    "<svg onload=alert('{c}')><script>alert('{c}')</script></svg>",
    "<!-- {c} -->",
    "<![CDATA[ {c} ]]>",
    "<iframe srcdoc=\"<p>{c}</p>\"></iframe>",
    "<template><script>alert('{c}')</script></template>",
    "<noscript><style>{c}</style></noscript>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",  # no canary: browsers show "ipt>alert(1)ipt>" as text
    "<math><mi xlink:href=\"javascript:{c}\">x</mi></math>",
    "<object data=\"javascript:{c}\"></object>",
    "<meta http-equiv=refresh content=\"0;url=javascript:{c}\">",
    "<div style=\"background:url(javascript:{c})\">styled</div>",
    "<input value=\"{c}\" onfocus=\"{c}\" autofocus>",
    "<script>",  # unclosed: everything after it is script
]


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    family: str


@lru_cache(maxsize=1)
def seed_texts() -> tuple[str, ...]:
    paths = sorted((REPO / "seeds").glob("*.txt"))[:40]
    return tuple(p.read_text(encoding="utf-8", errors="replace") for p in paths) or ("The council met on Monday.",)


def sentence(rng: random.Random, n: int = 30) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def article(rng: random.Random) -> str:
    text = rng.choice(seed_texts())[: rng.choice([200, 600, 2000])]
    if rng.random() < 0.5:
        text = "\n\n".join(sentence(rng, rng.randint(5, 40)) for _ in range(rng.randint(1, 5)))
    return text


def html_page(rng: random.Random, body: str, head: str = "") -> str:
    paras = "".join(f"<p>{p}</p>\n" for p in body.split("\n") if p.strip())
    return (f"<!DOCTYPE html><html><head>{head}<title>{sentence(rng, 4)}</title></head><body>"
            f"<article><h1>{sentence(rng, 5)}</h1>{paras}</article></body></html>")


def injection(rng: random.Random, canary: str = CANARY) -> str:
    return rng.choice(INJECTIONS).format(c=canary)


# ----------------------------------------------------------------------------- families

def malformed_html(rng: random.Random) -> bytes:
    tags = ["p", "div", "span", "b", "i", "table", "tr", "td", "ul", "li", "a", "h1", "article", "section",
            "figure", "figcaption", "nav", "header", "footer", "br", "hr", "img", "form", "select", "option"]
    out = []
    for _ in range(rng.randint(5, 200)):
        r = rng.random()
        if r < 0.3:
            out.append(f"<{rng.choice(tags)}" + (" x=" + '"' * rng.randint(0, 3) + "y" if rng.random() < 0.3 else "")
                       + (">" if rng.random() < 0.8 else ""))
        elif r < 0.45:
            out.append(f"</{rng.choice(tags)}>")
        elif r < 0.55:  # inside tag soup, what is script is up to the parser: a canary that is not checked
            out.append(injection(rng, "qzxsoft"))
        elif r < 0.6:
            out.append(rng.choice(["<", ">", "&", "&amp", "&#", "&#x110000;", "&#0;", "&#xD800;", "<!--", "-->",
                                   "<!", "<?", "?>", "]]>", "</", "<p <p <p", "&nbsp;&nbsp"]))
        else:
            out.append(sentence(rng, rng.randint(1, 40)))
    return "".join(out).encode("utf-8", "surrogatepass")


def truncated_html(rng: random.Random) -> bytes:
    page = html_page(rng, article(rng), injection(rng)).encode()
    return page[: rng.randint(0, len(page))]


def mixed_charsets(rng: random.Random) -> bytes:
    parts = []
    for _ in range(rng.randint(2, 8)):
        text = sentence(rng, rng.randint(3, 30))
        parts.append(text.encode(rng.choice(CHARSETS[:-3]), errors="replace"))
    return b"\n".join(parts)


def lying_charset(rng: random.Random) -> bytes:
    declared = rng.choice(DECLARED)
    real = rng.choice(CHARSETS)
    head = rng.choice([f'<meta charset="{declared}">', f'<meta http-equiv="Content-Type" content="text/html; '
                       f'charset={declared}">', ""])
    page = html_page(rng, article(rng), head)
    if rng.random() < 0.3:
        page = f'<?xml version="1.0" encoding="{rng.choice(DECLARED)}"?>' + page
    if rng.random() < 0.2:
        page = f"Content-Type: text/html; charset={rng.choice(DECLARED)}\r\n\r\n" + page
    data = page.encode(real, errors="replace")
    if rng.random() < 0.2:
        data = rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]) + data
    return data


def nul_bytes(rng: random.Random) -> bytes:
    data = bytearray(rng.choice([html_page(rng, article(rng)), article(rng)]).encode())
    for _ in range(rng.randint(1, 50)):
        data.insert(rng.randint(0, len(data)), 0)
    if rng.random() < 0.2:
        data = bytearray(b"\x00" * rng.randint(1, 5000)) + data
    return bytes(data)


@lru_cache(maxsize=4)
def _bomb_member(size: int) -> bytes:
    """One gzip member expanding to ``size`` bytes of repeated markup (built once per size)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"<p>aaaa aaaa aaaa</p>" * 50_000
    out = [comp.compress(chunk) for _ in range(size // len(chunk) + 1)]
    return b"".join(out) + comp.flush()


def gzip_bomb(rng: random.Random) -> bytes:
    # a small valid member with varying text, then the (cached) bomb member: gzip allows concatenated members
    lead = gzip.compress(html_page(rng, sentence(rng, 20)).encode()[: rng.randint(10, 400)])
    size = rng.choice([30_000_000, 100_000_000])
    if rng.random() < 0.2:  # a bomb cut short: corrupt stream
        bomb = _bomb_member(size)
        return lead + bomb[: rng.randint(10, len(bomb))]
    return lead + _bomb_member(size)


def deep_nesting(rng: random.Random) -> bytes:
    depth = rng.choice([1_000, 10_000, 100_000])
    tag = rng.choice(["div", "span", "b", "table", "ul><li", "blockquote", "a", "font"])
    close = "" if rng.random() < 0.5 else f"</{tag.split('><')[0]}>" * depth
    text = f"<p>{sentence(rng, 60)}</p>"
    return ("<html><body>" + f"<{tag}>" * depth + text + close + "</body></html>").encode()


def huge_attribute(rng: random.Random) -> bytes:
    size = rng.choice([100_000, 1_000_000, 3_000_000])
    value = rng.choice(["a", "&amp;", "\"'", "é", " ", CANARY])
    attr = (value * (size // len(value)))[:size]
    quote = rng.choice(['"', "'", ""])
    body = article(rng)
    return (f'<html><body><div data-x={quote}{attr}{quote} title="{CANARY}"><p>{body}</p></div>'
            "</body></html>").encode()


def huge_line(rng: random.Random) -> bytes:
    size = rng.choice([100_000, 1_000_000, 3_000_000])
    unit = rng.choice(["word ", "a", "слово ", "字", ". ", "<b>x</b>", "\u200b", "https://x.example/"])
    line = (unit * (size // len(unit.encode()) + 1))
    return line.encode()[:size]


def unicode_planes(rng: random.Random) -> bytes:
    chars = []
    for _ in range(rng.randint(10, 3000)):
        plane = rng.randint(0, 16)
        cp = plane * 0x10000 + rng.randint(0, 0xFFFF)
        chars.append(chr(cp))
        if rng.random() < 0.3:
            chars.append(" ")
    text = "".join(chars)
    body = text if rng.random() < 0.5 else sentence(rng, 40) + "\n" + text + "\n" + sentence(rng, 40)
    data = body if rng.random() < 0.5 else html_page(rng, body)
    return data.encode("utf-8", "surrogatepass")  # lone surrogates: invalid UTF-8 on purpose


def bidi_zero_width(rng: random.Random) -> bytes:
    out = []
    for word in article(rng).split(" "):
        out.append(word)
        if rng.random() < 0.5:
            out.append("".join(rng.choice(BIDI + ZERO_WIDTH) for _ in range(rng.randint(1, 20))))
    text = " ".join(out)
    return (text if rng.random() < 0.5 else html_page(rng, text)).encode()


def injection_page(rng: random.Random) -> bytes:
    body = article(rng)
    paras = body.split("\n")
    for _ in range(rng.randint(1, 12)):
        paras.insert(rng.randint(0, len(paras)), injection(rng))
    head = "".join(injection(rng) for _ in range(rng.randint(0, 3)))
    return html_page(rng, "\n".join(paras), head).encode()


def mutated_seed(rng: random.Random) -> bytes:
    data = bytearray((html_page(rng, article(rng)) if rng.random() < 0.5 else article(rng)).encode())
    for _ in range(rng.randint(1, 100)):
        op = rng.random()
        pos = rng.randint(0, max(0, len(data) - 1))
        if op < 0.4 and data:
            data[pos] = rng.randint(0, 255)
        elif op < 0.7:
            data[pos:pos] = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 8)))
        elif data:
            del data[pos:pos + rng.randint(1, 50)]
    return bytes(data)


def random_binary(rng: random.Random) -> bytes:
    return rng.randbytes(rng.randint(0, 20_000))


def empty_or_blank(rng: random.Random) -> bytes:
    return rng.choice([b"", b" ", b"\n\n\n", b"\t \r\n", "\u3000\u00a0".encode(), b"<html></html>",
                       b"<html><body><script>x</script></body></html>", codecs.BOM_UTF8, b"\xef\xbb\xbf   "])


# (name, generator, weight, extensions). The heavy families (megabytes, deep trees, bombs) are under one
# per cent, so 100,000 files run in bounded time; each still occurs a hundred times or more.
FAMILIES = [
    ("malformed-html", malformed_html, 16, [".html"]),
    ("truncated-html", truncated_html, 10, [".html", ".htm"]),
    ("mixed-charsets", mixed_charsets, 9, [".txt", ".html"]),
    ("lying-charset", lying_charset, 10, [".html"]),
    ("nul-bytes", nul_bytes, 6, [".txt", ".html"]),
    ("gzip-bomb", gzip_bomb, 0.3, [".html.gz", ".txt.gz"]),
    ("deep-nesting", deep_nesting, 0.15, [".html"]),
    ("huge-attribute", huge_attribute, 0.15, [".html"]),
    ("huge-line", huge_line, 0.15, [".txt", ".html"]),
    ("unicode-planes", unicode_planes, 10, [".txt", ".html"]),
    ("bidi-zero-width", bidi_zero_width, 10, [".txt", ".html"]),
    ("injection", injection_page, 12, [".html", ".htm", ".txt"]),
    ("mutated-seed", mutated_seed, 10, [".txt", ".html"]),
    ("random-binary", random_binary, 3, [".txt", ".bin", ".html"]),
    ("empty-or-blank", empty_or_blank, 1.8, [".txt", ".html"]),
]


def family_of(seed: int, i: int) -> str:
    """The family of file ``i`` (without building it)."""
    return random.Random(seed * 1_000_003 + i).choices(FAMILIES, weights=[f[2] for f in FAMILIES])[0][0]


def case(seed: int, i: int) -> Case:
    rng = random.Random(seed * 1_000_003 + i)
    name, gen, _, exts = rng.choices(FAMILIES, weights=[f[2] for f in FAMILIES])[0]
    return Case(f"{i:06d}-{name}{rng.choice(exts)}", gen(rng), name)
