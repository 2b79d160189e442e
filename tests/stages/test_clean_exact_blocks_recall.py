"""The HTML path's shortcuts (issue 27, eighth session) answer exactly as the code they replace: the whitespace collapse without
the regex, the elements found by their text through one flat text of the page, ..."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean.blocks import TextBlocks, flat_text, text_of
from pipeline.stages.clean.parse import parse_html
from pipeline.stages.clean.spaces import collapse, norm

_WS = re.compile(r"\s+")
WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
ODD = list("ab1_,.-|é中文字ไทยภาษา한국어مرحبا\u0301\u200b\u00ad") + WHITESPACE + ["  ", "\n\n", " \t "]


def _strings(seed: int, n: int = 3000, longest: int = 12) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(ODD) for _ in range(rnd.randint(0, longest))) for _ in range(n)]


def test_str_whitespace_is_the_regex_whitespace() -> None:
    """``str.split()`` / ``str.isspace`` and ``\\s`` agree on every code point: the collapse without the regex
    rests on it."""
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        assert ch.isspace() == bool(_WS.fullmatch(ch)), hex(c)


def test_collapse_and_norm_equal_the_regex() -> None:
    for s in [*_strings(1), "", " ", "\u3000", "a\u2028b", " a", "a ", "\x1c\x1dx\x1e\x1f"]:
        assert collapse(s) == _WS.sub(" ", s), repr(s)
        assert norm(s) == _WS.sub(" ", s).strip(), repr(s)


class _Reference:
    """TextBlocks as it was (before the eighth session, `568b4b2`): every element's text gathered and collapsed on its own."""

    def __init__(self, tree: Any) -> None:
        self.by_text: dict[str, Any] = {}
        self.texts: list[tuple[Any, str]] = []
        for el in tree.iter():
            if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
                continue
            t = _WS.sub(" ", el.text_content()).strip()
            if t:
                self.by_text[t] = el
                self.texts.append((el, t))

    def find(self, line: str) -> Any | None:
        n = _WS.sub(" ", line).strip()
        if n.startswith("- "):
            n = n[2:]
        if n.startswith("|"):
            cells = [c.strip() for c in n.strip("|").split("|") if c.strip()]
            el = self.by_text.get(cells[0]) if cells else None
            if el is not None:
                return next((a for a in el.iterancestors("tr")), el)
            return None
        if n in self.by_text:
            return self.by_text[n]
        best = None
        for el, t in self.texts:
            if n in t and (best is None or len(t) < len(best[1])):
                best = (el, t)
        return best[0] if best else None


def _random_page(rnd: random.Random) -> str:
    words = ["Budget", "passed", "the", "council", "中文", "字", "ภาษาไทย", "한국어", "مرحبا", "a", "b", "x"]
    spaces = [" ", "  ", "\n", "\t", "\u00a0", "\u3000", "", " \n ", "\u2028"]
    tags = ["div", "p", "span", "b", "li", "td", "section", "script", "style", "h2", "a"]

    def text() -> str:
        return "".join(rnd.choice(spaces) + rnd.choice(words) for _ in range(rnd.randint(0, 4))) + rnd.choice(spaces)

    def node(depth: int) -> str:
        if depth > 4 or rnd.random() < 0.25:
            return text()
        tag = rnd.choice(tags)
        inner = "".join(node(depth + 1) + (rnd.choice(["<!-- c -->", "<?pi x?>", "<br>", ""]) if rnd.random() < 0.3
                                          else "") for _ in range(rnd.randint(0, 4)))
        return f"{text()}<{tag}>{text()}{inner}</{tag}>{text()}"

    if rnd.random() < 0.3:  # a table row
        cells = "".join(f"<td>{text()}</td>" for _ in range(rnd.randint(1, 3)))
        return f"<html><body><table><tr>{cells}</tr></table>{node(0)}</body></html>"
    return f"<html><head><title>{text()}</title></head><body>{node(0)}{node(0)}</body></html>"


def _trees() -> list[Any]:
    rnd = random.Random(5)
    trees = [lxml.html.document_fromstring(_random_page(rnd)) for _ in range(300)]
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
    trees += [parse_html(f.read_text("utf-8")) for f in sorted(fixtures.rglob("*.html"))]
    with_entity = lxml.html.document_fromstring("<html><body><p>a <b> x </b> c</p><p>a x c</p></body></html>")
    ent = etree.Entity("foo")
    ent.tail = " tail  of it "
    with_entity.find(".//p").insert(1, ent)  # an entity's text is its name; its tail is text
    trees.append(with_entity)
    return trees


def _queries(ref: _Reference, rnd: random.Random) -> list[str]:
    texts = [t for _, t in ref.texts]
    out = ["", " ", "-", "- ", "|", "| |", "zzz-not-there", "a", "x", "中", "ไทย"]
    for t in rnd.sample(texts, min(len(texts), 40)):
        out += [t, f"  {t}\n", f"- {t}", f"| {t} | other |", t[: len(t) // 2], t[len(t) // 3:], t.replace(" ", "\u00a0")]
    return out


def test_text_blocks_find_what_the_per_element_texts_found() -> None:
    rnd = random.Random(7)
    for tree in _trees():
        ref, new = _Reference(tree), TextBlocks(tree)
        assert new.texts() == ref.texts
        for q in _queries(ref, rnd):
            assert new.find(q) is ref.find(q), repr(q)


def test_flat_text_is_the_trees_text_collapsed() -> None:
    for tree in _trees()[:100]:
        flat, spans = flat_text(tree)
        assert flat == _WS.sub(" ", text_of(tree))
        for el, a, b in spans:
            if isinstance(el.tag, str):
                assert flat[a:b].strip() == _WS.sub(" ", el.text_content()).strip()


def test_shared_text_blocks_are_read_once_and_only_when_asked() -> None:
    tree = lxml.html.document_fromstring("<html><body><div><p>One line here.</p><p>Two</p></div></body></html>")
    blocks = TextBlocks(tree)
    assert blocks._flat is None  # nothing read yet
    assert blocks.find("Two") is tree.findall(".//p")[1]
    flat = blocks._flat
    assert blocks.find("One line") is tree.findall(".//p")[0]
    assert blocks._flat is flat


def test_word_counts_read_only_as_far_as_needed_equal_the_whole_counts() -> None:
    from pipeline.stages.clean.script import WORD, has_words, word_count, word_count_at_least

    rnd = random.Random(11)
    pieces = ["word", "mot", "слово", "كلمة", "中文", "字", "ภาษาไทย", "ひらがな", "カタ", "한국어", "x中", "中x", "1",
              "_", "฿", "・", "。", " ", "  ", "\n", "-", "é", "a\u0301", "\u3000", "ผม", "ကို", "ខ្មែរ"]
    texts = ["", " ", "中", "a"] + ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 60))) for _ in range(3000)]
    for t in texts:
        for n in (-1, 0, 1, 2, 3, 5, 10, 17, 50):
            assert has_words(t, n) == (len(WORD.findall(t)) >= n), (t, n)
            assert word_count_at_least(t, n) == (word_count(t) >= n), (t, n)


def test_own_chars_equal_the_own_texts_length() -> None:
    from pipeline.stages.clean.recall import own_chars, own_text

    for tree in _trees():
        known: dict[Any, int] = {}
        for el in tree.iter():
            if isinstance(el.tag, str):
                assert own_chars(el) == own_chars(el, known) == len(own_text(el).strip())
                assert known[el] == own_chars(el, known)


def test_a_texts_key_from_its_lines_keys_equals_the_whole_texts_key() -> None:
    from pipeline.stages.clean.recall import text_key, word_key

    rnd = random.Random(13)
    pieces = ["Word", "ΣΟΦΟΣ", "ς", "Σ", "ß", "İstanbul", "ﬁ", "中文", "ไทย", "-", "\n", "\n\n", " ", "'", "1_2", "ǅ",
              "\u0301", "Ⅻ", "ﬀ", "\u00a0", "\r"]
    for _ in range(3000):
        t = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        assert text_key(t) == word_key.__wrapped__(t), repr(t)


def test_page_blocks_remember_what_the_last_text_holds() -> None:
    from pipeline.stages.clean.recall import page_blocks, word_key

    para = "The council approved the budget on Tuesday after a long debate"
    tree = lxml.html.document_fromstring(f"<html><body><p>{para}</p><p>{para} again today</p><h2>Short</h2>"
                                         "<div>held by no one of the texts here, forty characters at least</div>"
                                         "</body></html>")
    page = page_blocks(tree)
    blocks, keys = page
    assert [el.tag for el in blocks] == ["p", "p", "h2"] and keys == [word_key(t) for t in (para, para + " again today", "Short")]
    for text in (para, f"{para} again today", "nothing", para, "", "Short\n" + para):
        flat, held, holds = page.held(text)
        assert flat == word_key.__wrapped__(text)
        assert held == [i for i, k in enumerate(keys) if len(k) >= 20 and k in flat] and holds == set(held)


def test_the_lead_search_skips_only_leaves_too_short_to_match() -> None:
    from pipeline.stages.clean import lead
    from pipeline.stages.clean.recall import word_key

    def find_before(key: str, leaves: list[Any], texts: list[str], begin: int = 0) -> int | None:
        for i in range(begin, len(leaves)):
            while len(texts) <= i:
                texts.append(_WS.sub(" ", lead._text(leaves[len(texts)])).strip())
            k = word_key(texts[i])
            if k and (key in k or (len(k) >= 20 and k in key and leaves[i].tag != "h1")):
                return i
        return None

    rnd = random.Random(17)
    words = ["ß", "ﬁ", "ΐ", "İ", "ab", "Budget", "passed", "中文字", "-", "council", "x"]
    for _ in range(300):
        body = "".join(f"<{rnd.choice(['p', 'h1', 'li', 'div'])}>"
                       + " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 9))) + "</p>" for _ in range(12))
        tree = lxml.html.document_fromstring(f"<html><body>{body}</body></html>")
        leaves = lead._leaf_blocks(tree.find("body"))
        for _ in range(10):
            key = word_key(" ".join(rnd.choice(words) for _ in range(rnd.randint(0, 8))))
            begin = rnd.randint(0, 3)
            a: list[str] = []
            b: list[str] = []
            assert lead._find(key, leaves, a, begin) == find_before(key, leaves, b, begin)
            assert a == b[:len(a)]


def test_lead_block_texts_equal_the_regex_collapse() -> None:
    from pipeline.stages.clean import lead

    for tree in _trees()[:150]:
        for el in tree.iter():
            if isinstance(el.tag, str):
                t = lead._text(el)
                if next(el.iter("script", "style", "noscript", "template", "select", "option", "button", "textarea"),
                        None) is None:
                    assert t == _WS.sub(" ", text_of(el)).strip()
                else:
                    assert t == " ".join(t.split())


def test_paragraph_heads_and_the_covered_text_equal_the_regex() -> None:
    from pipeline.stages.clean.html import HEAD_CHARS, _covered, _head

    for t in _strings(19, n=2000, longest=120) + [" " * 300 + "x", "a" * 59 + "  b", "\u3000" * 250 + "中" * 70]:
        assert _head(t) == _WS.sub(" ", t).strip()[:HEAD_CHARS], repr(t)
    rnd = random.Random(23)
    for t in _strings(29, n=500, longest=200):
        heads = [(_head(t[i:]), 1) for i in range(0, len(t), 7)] + [(_head(s), 1) for s in rnd.sample(ODD, 5)]
        assert _covered(t, heads) == sum(n for h, n in heads if h in _WS.sub(" ", t))


def test_keyword_lines_read_as_far_as_needed_equal_reading_every_item() -> None:
    from pipeline.stages.clean import tail

    def before(line: str, declared: set[str]) -> bool:
        parts = tail._ITEM_SPLIT.split(line)
        items = [k for k in map(tail._key, parts) if k] if len(parts) >= tail.KEYWORD_LINE_MIN_ITEMS else []
        return len(items) >= tail.KEYWORD_LINE_MIN_ITEMS and sum(
            i in declared for i in items) >= tail.KEYWORD_LINE_SHARE * len(items)

    rnd = random.Random(31)
    words = ["stock car", "Brasil", "interlagos", "中文", "标签", "ß", "", " ", "!!", "news"]
    seps = [",", ";", "|", "·", "、", "，", " , ", "\t;\n", ",,", " ", "."]
    declared_sets = [{"stock car", "brasil", "interlagos"}, {"中文", "标签", "news", "ss"}, set()]
    for _ in range(20000):
        line = "".join(rnd.choice(words) + rnd.choice(seps) for _ in range(rnd.randint(0, 12)))
        for declared in declared_sets:
            assert tail._keyword_line(line, declared) == before(line, declared), (line, declared)


def test_same_paragraph_by_the_quick_bounds_first_equals_the_ratio() -> None:
    import difflib

    from pipeline.stages.clean.recall import SAME_RATIO, _same

    def before(a: str, b: str) -> bool:
        if not a or not b:
            return False
        return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio() >= SAME_RATIO

    rnd = random.Random(37)
    words = ["the", "council", "budget", "a", "b", "中文", "ß", "x"]
    for _ in range(20000):
        a = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 12)))
        if rnd.random() < 0.5:  # a near copy: a few words dropped or added
            b = " ".join([w for w in a.split() if rnd.random() > 0.15] + rnd.choices(words, k=rnd.randint(0, 2)))
        else:
            b = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 12)))
        assert _same(a, b) == before(a, b), (a, b)
        assert _same(b, a) == before(b, a), (a, b)
