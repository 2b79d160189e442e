"""The HTML clean's own steps, made cheaper (issue 27, session 20), answer exactly as the code they replace:
a text holder's own characters counted without joining its pieces; the lead search told which leaves hold a
script or a form control by one walk up from each of those instead of a tag search in every leaf; the
article guard reading the paragraphs' prose it was given; the majority guard reading the doomed blocks'
text holders only when the paragraphs leave the question open; a block's link share asked once by the
recall passes."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from pipeline.stages.clean import class_names, lead, prune
from pipeline.stages.clean.parse import parse_html
from pipeline.stages.clean.recall import TEXT_HOLDERS, link_share, own_chars, own_text, page_blocks, word_key

SPACES = [" ", "  ", "\n", "\t", "\u00a0", "\u3000", "", " \n ", "\u2028", "\x1c"]
WORDS = ["The council passed the budget on Tuesday after a long debate", "share", "Read more", "中文字", "x",
         "Subscribe to our newsletter", "and then it rained for a week in the valley", "ß", "İ"]
OPEN = ["<p>", '<p class="caption">', '<div class="share">', "<div>", "<nav>", "<aside>", "<footer>",
        '<div class="related">', "<section>", "<article>", "<main>", "<span hidden>", "<b>", '<a href="x">',
        "<form>", '<div style="display:none">', "<figcaption>", "<li>", "<td>", "<blockquote>", "<h1>", "<h2>",
        "<script>", "<select>", "<option>", "<button>", "<ul>", "<table>", "<tr>", "<noscript>"]


def _text(rnd: random.Random) -> str:
    return "".join(rnd.choice(SPACES) + rnd.choice(WORDS) for _ in range(rnd.randint(0, 3))) + rnd.choice(SPACES)


def _random_page(rnd: random.Random) -> str:
    def node(depth: int) -> str:
        if depth > 5 or rnd.random() < 0.2:
            return _text(rnd)
        tag = rnd.choice(OPEN)
        name = tag.strip("<>").split()[0]
        inner = "".join(node(depth + 1) + rnd.choice(["", "", "<br>", "<!-- c -->", _text(rnd)])
                        for _ in range(rnd.randint(0, 5)))
        return f"{_text(rnd)}{tag}{inner}</{name}>{_text(rnd)}"

    return f"<html><head><title>t</title></head><body>{''.join(node(0) for _ in range(4))}</body></html>"


def _pages() -> list[str]:
    rnd = random.Random(2020)
    pages = [_random_page(rnd) for _ in range(300)]
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
    pages += [f.read_text("utf-8") for f in sorted(fixtures.rglob("*.html"))]
    return pages


def _trees() -> list[Any]:
    trees = [parse_html(p) for p in _pages()]
    trees += [lxml.html.document_fromstring(p) for p in _pages()[:100]]  # comments kept (lxml's own parser)
    with_entity = lxml.html.document_fromstring("<html><body><div> a <b> x </b> c<p>y</p> </div></body></html>")
    ent = etree.Entity("foo")
    ent.tail = " tail  of it "
    with_entity.find(".//div").insert(1, ent)
    trees.append(with_entity)
    return trees


def _body(tree: Any) -> Any:
    return tree.find("body") if tree.find("body") is not None else tree


def test_own_chars_counted_without_the_join_equal_the_joined_texts_length() -> None:
    checked = 0
    for tree in _trees():
        for el in tree.iter():
            assert own_chars(el) == len(own_text(el).strip()), etree.tostring(el)
            checked += len(el) > 1
    assert checked > 1000


def _leaf_blocks_before(root: Any) -> list[Any]:
    """``lead._leaf_blocks`` as it was (f870cc4)."""
    blocks = [el for el in root.iter(*lead._BLOCK_TAGS)]
    containers: set[Any] = set()
    for el in blocks:
        for a in el.iterancestors():
            if a in containers:
                break
            containers.add(a)
    skipped = {d for s in root.iter(*lead._SKIP) for d in s.iterdescendants()}
    return [el for el in blocks if el not in containers and el not in skipped
            and el.tag not in ("ul", "ol", "dl", "table", "tr")]


def test_lead_texts_told_which_elements_hold_a_script_equal_the_tag_search() -> None:
    holders = 0
    for tree in _trees():
        root = _body(tree)
        leaves, holding = lead._leaves(root)
        assert leaves == _leaf_blocks_before(root) == lead._leaf_blocks(root)
        for el in root.iter():  # every element under the root, not only the leaves
            assert lead._text(el, holding) == lead._text(el)
            if next(el.iter(*lead._SKIP), None) is not None:
                holders += 1
                assert el in holding or el.tag in lead._SKIP
    assert holders > 500


def test_the_lead_search_with_the_holders_finds_what_it_found() -> None:
    rnd = random.Random(21)
    for tree in _trees()[:200]:
        leaves, holding = lead._leaves(_body(tree))
        texts = [lead._text(leaf) for leaf in leaves]
        for _ in range(5):
            key = word_key(rnd.choice(texts)) if texts and rnd.random() < 0.7 else word_key(_text(rnd))
            begin = rnd.randint(0, 3)
            a: list[str] = []
            b: list[str] = []
            assert lead._find(key, leaves, a, begin, holding) == lead._find(key, leaves, b, begin)
            assert a == b


def _majority_lost_before(root: Any, doomed: list[Any], known: dict[Any, int] | None = None,
                          doomed_chars: int | None = None) -> str | None:
    """``prune._majority_lost`` as it was (f870cc4): the doomed blocks' paragraphs and text holders in one set."""
    inside = {x for el in doomed for x in el.iter("p", *TEXT_HOLDERS)}
    paragraphs = prune.prose_paragraphs(root, known)
    chars = sum(n for _, n in paragraphs)
    lost = sum(n for x, n in paragraphs if x in inside) if chars else 0
    if lost * 2 > chars:
        return prune._lost_warning(lost, chars, "paragraphs")
    if doomed_chars is not None and lost * 2 + 2 * doomed_chars <= chars:
        return None
    held = sum(prune._holder_chars(x) for x in inside if x.tag != "p")
    if lost * 2 + held <= chars:
        return None
    blocks = prune.prose_blocks(root, paragraphs)
    chars = sum(n for _, n in blocks)
    lost = sum(n for x, n in blocks if x in inside) if chars else 0
    return prune._lost_warning(lost, chars, "blocks") if lost * 2 > chars else None


def test_the_guards_answer_as_before() -> None:
    rnd = random.Random(23)
    warned = spared = 0
    for page in _pages():
        tree = parse_html(page)
        root = _body(tree)
        known = prune.prose_chars(tree)
        elements = [el for el in root.iter(etree.Element) if el.tag not in ("html", "body")]
        for _ in range(6):
            doomed = rnd.sample(elements, min(len(elements), rnd.randint(1, 8)))
            chars = sum(len(prune.text_of(el)) for el in doomed)
            for given in (None, chars):
                got = prune._majority_lost(root, doomed, known, given)
                assert got == _majority_lost_before(root, doomed, known, given)
                warned += got is not None
            guard = prune._article_guard(root, doomed)
            assert prune._article_guard(root, doomed, known) == guard
            spared += bool(guard)
    assert warned > 50 and spared > 20


def test_the_recall_passes_link_shares_are_the_blocks_link_shares() -> None:
    for tree in _trees()[:150]:
        page = page_blocks(tree)
        for i, el in enumerate(page.elements):
            assert page.link_share(i) == link_share(el)
            assert page.link_share(i) == link_share(el)  # remembered


def test_casefold_keeps_white_space_and_the_item_separators() -> None:
    """What the keyword-line check's needles rest on (``tail._keyword_line``)."""
    import sys

    from pipeline.stages.clean.tail import _ITEM_SEPARATORS

    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        if ch.isspace():
            assert ch.casefold() == ch, hex(c)
    for ch in _ITEM_SEPARATORS:
        assert ch.casefold() == ch and not ch.isalnum() and ch != "_"


def test_keyword_lines_found_through_the_needles_are_the_lines_found_before() -> None:
    from pipeline.stages.clean.tail import _key, _keyword_line, _needles, cut_keyword_lines

    rnd = random.Random(29)
    pieces = ["stock car", "Stock-Car", "STRASSE", "straße", "ß", "ǅ", "\u0345", "ι", "İ", "i̇", "ﬁ", "fi", "EA",
              "e.a.", "news", "China", "Trump", "x", "中文", "字", "_", "1", "a\u0301", "á", "tariffs"]
    seps = [", ", ",", " ; ", "|", " · ", "、", "，", " ", "  ", "-", " and "]
    checked = found = 0
    for _ in range(3000):
        keywords = [" ".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 2))) for _ in range(rnd.randint(0, 7))]
        declared = {k for k in map(_key, keywords) if k}
        needles = _needles(declared) if declared else None
        for _ in range(5):
            items = keywords if keywords and rnd.random() < 0.5 else pieces  # lines of the keywords themselves too
            line = "".join(rnd.choice(items) + rnd.choice(seps) for _ in range(rnd.randint(0, 9)))
            got = _keyword_line(line, declared, needles)
            assert got == _keyword_line(line, declared), (line, declared)
            checked += 1
            found += got
        kept = [rnd.choice(["Tags", "Read this sentence.", "x"])] + [", ".join(rnd.sample(keywords, len(keywords)))] * 2
        a: list[dict[str, object]] = []
        assert cut_keyword_lines(kept, keywords, a) == _cut_keyword_lines_before(kept, keywords, b := [])
        assert a == b
    assert found > 500 and checked == 15000


def _cut_keyword_lines_before(kept: list[str], keywords: list[str] | None, cuts: list[dict[str, object]]) -> list[str]:
    """``tail.cut_keyword_lines`` as it was (f870cc4): each line split when it has enough separators."""
    from pipeline.stages.clean.script import word_count
    from pipeline.stages.clean.tail import (
        KEYWORD_LABEL_MAX_WORDS,
        KEYWORD_LINE_MIN_ITEMS,
        _key,
        _keyword_line,
        is_orphan_heading,
    )

    declared = {_key(k) for k in keywords or [] if _key(k)}
    if len(declared) < KEYWORD_LINE_MIN_ITEMS:
        return kept
    out: list[str] = []
    for line in kept:
        if _keyword_line(line, declared):
            gone = [line]
            if out and word_count(out[-1]) <= KEYWORD_LABEL_MAX_WORDS and is_orphan_heading(out[-1]):
                gone.insert(0, out.pop())
            cuts.append({"at": gone[0], "lines": len(gone), "chars": sum(len(t) for t in gone)})
            continue
        out.append(line)
    return out


def test_named_captions_and_the_pruning_read_the_remembered_verdicts_as_the_calls_gave_them(monkeypatch: Any) -> None:
    """The verdicts' dictionaries read in place of ``by_class`` / ``by_id``, with the dictionaries filling up and
    being cleared as they go (a small ``_VERDICTS_MAX``), answer as the uncached checks."""
    from pipeline.stages.clean.packs import load_packs

    monkeypatch.setattr(prune, "_VERDICTS_MAX", 7)
    prune._verdicts.cache_clear()
    hr = load_packs().for_language(None).html
    tokens = frozenset({"caption", "share", "related", "x"})
    named_found = doomed_found = 0
    try:
        for page in _pages()[:200]:
            a, b = parse_html(page), parse_html(page)
            named = prune.attributed(_body(a))
            found = prune.named_captions(_body(a), tokens, named)
            want: list[Any] = []
            for el, cls, id_, _, _ in named:
                if ((cls and prune._named_boiler(cls, tokens)) or (id_ and prune._named_boiler(id_, tokens))) and not any(
                        x in want for x in el.iterancestors()):
                    want.append(el)
            assert found == want
            # the pruning's doomed elements, as _doomed_by_attributes names them (some elements gone already)
            gone = set(list(_body(a).iter(etree.Element))[::7])
            want = [el for el, cls, id_, style, hidden in named
                    if class_names._doomed_by_attributes(cls, id_, style, hidden, hr.tokens, hr.hidden_classes)
                    and el.tag not in ("html", "body", "article", "main") and el not in gone]
            assert prune._doomed(named, prune._verdicts(hr.tokens, hr.hidden_classes), gone) == want
            named_found += len(found)
            doomed_found += len(want)
            assert prune.prune(a, hr, named) == prune.prune(b, hr)
            assert lxml.html.tostring(a) == lxml.html.tostring(b)
    finally:
        prune._verdicts.cache_clear()
    assert named_found > 100 and doomed_found > 100



def test_paragraph_texts_read_before_the_pruning_are_their_texts_while_the_paragraphs_stay_known() -> None:
    """``html.clean_html`` reads each ``<p>``'s text once (``prune.prose_chars(tree, texts)``) and gives it to the
    article container check and to ``recall.page_blocks`` for the paragraphs the pruning left in ``known``."""
    from pipeline.stages.clean.blocks import text_of
    from pipeline.stages.clean.html import _article_container
    from pipeline.stages.clean.packs import load_packs

    hr = load_packs().for_language(None).html
    kept = changed = 0
    for page in _pages():
        tree = parse_html(page)
        texts: dict[Any, str] = {}
        known = prune.prose_chars(tree, texts)
        assert known == prune.prose_chars(tree) and texts == {p: text_of(p) for p in tree.iter("p")}
        assert _article_container(tree, known, texts) == _article_container(tree, known) == _article_container(tree)
        prune.prune(tree, hr, prune.attributed(_body(tree)), known)
        prune.prune_media(_body(tree), known)
        for p in tree.iter("p"):
            if p in known:
                assert texts[p] == text_of(p)
                kept += 1
            else:
                changed += texts.get(p) != text_of(p)
        valid = {p: texts[p] for p in known}
        assert list(page_blocks(tree, None, valid)) == list(page_blocks(tree))
    assert kept > 1000 and changed > 20
