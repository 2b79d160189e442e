"""Shortcuts of the clean stage (issue 27, round 18a) checked against the computations they replace.

The page parse: trafilatura's repair done on the page's UTF-8 bytes (``pipeline/stages/clean/repair.py``)
and the bytes parsed (``parse.load_html``) instead of the repaired ``str``."""

from __future__ import annotations

import gzip
import random
import re
import sys
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from trafilatura.utils import INVALID_XML_CHARS, is_dubious_html, repair_faulty_html

from pipeline.stages.clean import parse
from pipeline.stages.clean.repair import has_invalid_xml_chars, repaired_utf8

ROOT = Path(__file__).resolve().parents[2]

DOCTYPES = ["<!DOCTYPE html>", "<!doctype html>",
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
            "< ! DOCTYPE a/b>", "<!DOCTYPE/>", "<!DOCTYPE html/ <x>", "<! doctype html SYSTEM 'a/b'>"]
PIECES = ["\n", "\r\n", "\r", "\t", " ", "<html>", "<html/>", "<HTML lang='x' />", "<html\n/>", "<html />x",
          "<body>", "<p>", "</p>", "text ", "é", "þ", "Ω", "Москва", "市场，", "\uff0c", "\ufffd", "\ufeff", "😀",
          "\U0010fffd", "\u2028", "\x85", "\xa0", "\u3000", "\ufffe", "\uffff", "\ufeff", "\u0100", "\u0a01",
          *[chr(c) for c in range(0x20)], "<?xml version='1.0' encoding='utf-8'?>", "<meta charset='cp1251'>"]


def _pages(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out = ["", "\n", "x", "<html/>", "<!DOCTYPE html>", "<!DOCTYPE a/b>", "<!DOCTYPE a/b>\n", "\x00", "\ufffe",
           "a" * 5000 + "<html/>"]
    for _ in range(n):
        parts = [rng.choice(DOCTYPES)] if rng.random() < 0.6 else []
        parts += [rng.choice(PIECES) for _ in range(rng.randrange(0, 40))]
        if rng.random() < 0.1:
            parts.append("y" * rng.choice((4090, 4100, 70_000)))
        out.append("".join(parts))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_repaired_utf8_is_trafilaturas_repair_encoded(seed: int) -> None:
    for html in _pages(seed, 1500):
        beginning = html[:50].lower()
        assert repaired_utf8(html, beginning) == repair_faulty_html(html, beginning).encode("utf-8"), repr(html[:200])


def test_a_lone_surrogate_leaves_the_page_to_the_str_path() -> None:
    for html in ("<html>\ud800</html>", "<!DOCTYPE html>\n<p>\udfff x</p>", "\udc80" * 3):
        assert repaired_utf8(html, html[:50].lower()) is None


def test_the_invalid_character_test_is_the_regex_for_every_character() -> None:
    for code in [*range(0x0, 0x3000), *range(0xD7F0, 0xD800), *range(0xE000, 0x10000), *range(0x10000, 0x110000, 97)]:
        ch = chr(code)
        for text in (ch, f"ab{ch}cd", f"é{ch}", f"😀{ch}x"):
            assert has_invalid_xml_chars(text, text.encode("utf-8")) == bool(INVALID_XML_CHARS.search(text)), hex(code)


def test_the_full_document_test_sees_the_same_white_space_and_letters() -> None:
    # parse._judged_alike relies on str.lstrip() stripping exactly re's \s, and on the letters of
    # "html" / "!doctype" matching only their ASCII cases under re.IGNORECASE
    space = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert bool(space.match(ch)) == ch.isspace() == (ch.lstrip() == ""), hex(code)
        for letter in "htmldocype!<":
            if re.match(re.escape(letter), ch, re.IGNORECASE):
                assert ch.lower() == letter.lower() and ch.isascii(), (letter, hex(code))


def _old_load(html: str) -> lxml.html.HtmlElement | None:
    """parse.load_html before the bytes parse: trafilatura's repair, the str parse, its bytes retry."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    tree = parse._from_text(repair_faulty_html(html, beginning))
    if tree is not None and dubious and len(tree) < 2:
        tree = None
    return tree


def _serialised(tree: lxml.html.HtmlElement | None) -> tuple[object, ...] | None:
    if tree is None:
        return None
    return (etree.tostring(tree, encoding="unicode"), etree.tostring(tree, method="html", encoding="unicode"),
            lxml.html.tostring(tree), etree.tostring(tree.getroottree()), [el.sourceline for el in tree.iter()],
            [type(el) for el in tree.iter()])


def _real_pages() -> list[str]:
    out = []
    for d in (ROOT / "benchmarks" / "data" / "metadata-pages", ROOT / "tests" / "fixtures" / "clean"):
        for f in sorted(d.rglob("*")):
            if f.name.endswith((".html", ".htm")):
                out.append(f.read_text("utf-8"))
            elif f.name.endswith(".html.gz"):
                out.append(gzip.decompress(f.read_bytes()).decode("utf-8"))
    return out


LEADS = ["", " ", "\n\t", "\xa0", "\u3000", "\x85", "\u2028", "\x1c", "\ufeff", " " * 300, "\xa0" * 200, "\u2003 \n"]
BODIES = ["<html><body><p>One é</p></body></html>", "<!DOCTYPE html><html><body><p>Ω</p></body></html>",
          "<p>only one</p>", "<div><p>a</p><p>b 市场</p></div>", "<HTML><p>x</p>", "<!doctype html>\n<p>y</p>",
          "<?xml version='1.0' encoding='utf-8'?><html><body><p>decl</p></body></html>",
          "<html><head><meta charset='iso-8859-1'></head><body><p>Café</p></body></html>",
          "<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-16'></head><p>x</p></html>",
          "Just a sentence.", "<html/>\n<body><p>Text</p></body>", "<html><body><p>A\x00B\x0bC\ufffe</p></body></html>",
          "<html><body><p>😀 \U0001f600 astral</p></body></html>", "<html><body><p>Latin-1 only: þ ÿ ñ</p></body></html>",
          "<html><body><p>lone \ud800 surrogate</p></body></html>", "<html><body><p>\r\nCR\rLF</p></body></html>"]


@pytest.mark.parametrize("lead", LEADS)
def test_the_bytes_parse_builds_the_str_parses_tree(lead: str) -> None:
    for body in BODIES:
        html = lead + body
        assert _serialised(parse.load_html(html)) == _serialised(_old_load(html)), repr(html[:80])


def test_the_bytes_parse_builds_the_str_parses_tree_on_real_and_random_pages() -> None:
    pages = _real_pages()
    assert len(pages) >= 40
    rng = random.Random(7)
    for html in pages:
        cut = rng.randrange(len(html))
        for variant in (html, html[:cut], html.encode("utf-8").decode("latin-1"), html.replace("<", "\x0c<", 3)):
            assert _serialised(parse.load_html(variant)) == _serialised(_old_load(variant))
    for html in _pages(11, 400):
        assert _serialised(parse.load_html(html)) == _serialised(_old_load(html)), repr(html[:200])


def test_has_prose_paragraph_is_whether_there_is_a_prose_paragraph() -> None:
    from pipeline.stages.clean.prune import _has_prose_paragraph, prose_paragraphs

    long = "word " * 30
    made = [f"<div><p>{long}</p></div>", f"<div><p><a>{long}</a></p></div>", f"<div><p>{long}<a>{long}</a></p></div>",
            "<div><p>short</p></div>", "<div></div>", f"<div><p> {'x' * 79} </p><p>{'y' * 80}</p></div>",
            f"<div><p><a>{'z' * 40}</a>{'w' * 41}</p></div>", f"<div><p><a>{'z' * 40}</a>{'w' * 40}</p></div>"]
    roots = [lxml.html.fragment_fromstring(html) for html in made]
    for html in _real_pages()[:20]:
        tree = parse.parse_html(html)
        roots += [el for el in tree.iter() if isinstance(el.tag, str)][::7]
    assert any(_has_prose_paragraph(r) for r in roots) and not all(_has_prose_paragraph(r) for r in roots)
    for root in roots:
        assert _has_prose_paragraph(root) == bool(prose_paragraphs(root))


SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u1680", "\u2000",
          "\u2007", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
NOT_SPACES = ["\u200b", "\ufeff", "\u180e", "\x00", "a", "é", "市", "\u00ad", "-", "😀"]


def test_squash_is_the_regex_collapse_and_strip() -> None:
    from pipeline.stages.clean.spaces import norm as squash

    rng = random.Random(5)
    texts = ["", " ", "a", " a ", "a  b", "\n\tx\u3000y\xa0", "x" * 10_000 + " \n " + "y" * 10_000]
    texts += ["".join(rng.choice(SPACES + NOT_SPACES) for _ in range(rng.randrange(0, 30))) for _ in range(4000)]
    texts += [chr(c) + "a" + chr(c) + chr(c) + "b" + chr(c) for c in range(0x3100)]
    for text in texts:
        assert squash(text) == re.sub(r"\s+", " ", text).strip(), repr(text)
        assert type(squash(lxml.html.fromstring(f"<p>{text}</p>").text_content())) is str


def test_a_json_ld_key_without_a_colon_is_itself() -> None:
    from pipeline.stages.clean import jsonld

    def original(k: str) -> str:
        if k.startswith("@"):
            return k
        k = jsonld._SCHEMA_IRI.sub("", k)
        return k.split(":", 1)[1] if re.match(r"^[A-Za-z][\w-]*:(?!//)\w", k) else k

    keys = ["", "@type", "@id", "datePublished", "schema:datePublished", "http://schema.org/author", "HTTPS://Schema.org/x",
            "https://schema.org/", "a:b", "a://b", "a-b:c", "1a:b", ":x", "x:", "og:title", "dc:creator:x", "名前",
            "schema:", "http://example.com/a:b", "a:ü", "a:-"]
    rng = random.Random(3)
    keys += ["".join(rng.choice("ab:/@-_1.Sé ") for _ in range(rng.randrange(0, 12))) for _ in range(5000)]
    for k in keys:
        assert jsonld._key(k) == original(k), k
