"""Recall after a precision-minded extraction, by structure and no phrase list.

The precise pass (trafilatura ``favor_precision``) is trusted for *where* the article is; the broad pass
(its default mode, on a copy of the same pruned tree) for *what* it holds. Lines only the broad pass
kept (in-article headings, a lead or standfirst above the body, list items, a paragraph in a box the
precise pass judged too small) are put back in reading order when their block says they belong:

- the block is not mostly link text (links to ``mailto:`` / ``tel:`` are contact data, not navigation);
- between two lines both passes kept (inside the article): put back;
- before the first kept line (a lead, a standfirst): a prose block (``LEAD_MIN_CHARS``) sitting in the
  same container as the article's first kept block (``NEAR_LEVELS``);
- after the last kept line: only a long prose block (``TAIL_MIN_CHARS``) in that container;
- before or after: a block inside a *twin* of a container of the article (a sibling with the same tag
  and mostly the same class names, ``TWIN_LEVELS`` up at most): one text split over repeated containers --
  the posts of a forum thread, the sections of a page built from modules -- of which the precise pass
  kept one.

Everything put back still goes through the line filters of the clean stage (captions, bylines, share
and related-link lines), and the count is recorded (``metadata["recalled_lines"]``).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pipeline.stages.clean.blocks import TextBlocks, text_of
from pipeline.stages.clean.script import line_memo
from pipeline.stages.clean.spaces import norm as _norm
from pipeline.stages.words import find_words

MAX_LINK_SHARE = 0.5  # a block with more of its text in links is navigation, not article
LEAD_MIN_CHARS = 80  # a line above the first kept one: prose only
TAIL_MIN_CHARS = 150  # a line below the last kept one: long prose only
NEAR_LEVELS = 3  # "same container": the block and the article's block share an ancestor this close
# ... for a lead when the standfirst counts as body text (html.standfirst_in_body): a prose block higher up in
# the article's container is the same kind of text (dev part of trafilatura-eval: 3 -> 4, 5, 7, 10 levels
# put back 2, 3, 7, 8 snippets, 1 unwanted line from 7; the shared pages' articleBody leaves such leads out)
STANDFIRST_LEVELS = 7
SAME_RATIO = 0.8  # word-sequence similarity of one paragraph as the two passes write it
TAIL_LEVELS = 1  # ... below the article: a sibling of its last block
TWIN_LEVELS = 12  # a twin container: a sibling of one of the article block's ancestors this close
TWIN_LINK_SHARE = 0.25  # a twin container whose blocks are put back from the tree: at most this share links
TWIN_MIN_PARAGRAPHS = 3  # ... at least this many prose paragraphs (LEAD_MIN_CHARS) side by side ...
TWIN_MIN_SHARE = 0.25  # ... and at least this share of the kept text's size (word-key characters)
TEXT_HOLDER_CHARS = 80  # a block without <p>: an element holding this much text of its own (a forum post)


@line_memo
def word_key(s: str) -> str:
    """A line's words only: the two passes write the same list item or cell with different marks.
    Remembered for lines (``line_memo``): the merge, the lead search and the twin search ask for the same
    lines' keys (clean 0.97 x its time on the throughput corpus). The words by ``find_words``, which is
    ``re.findall(r"\w+")`` (:mod:`pipeline.stages.words`): a key 0.64-0.76 x its time on the corpus's lines."""
    return " ".join(find_words(s.casefold()))


def link_share(el: Any) -> float:
    text = len(_norm(text_of(el))) or 1
    links = sum(len(_norm(text_of(a))) for a in el.iter("a")
                if not (a.get("href") or "").lower().startswith(("mailto:", "tel:")))
    return links / text


def _near(el: Any, anchor: Any | None, levels: int) -> bool:
    """``el`` and ``anchor`` share an ancestor at most ``levels`` above ``anchor``."""
    if anchor is None:
        return False
    ups = list(anchor.iterancestors())[:levels]
    return any(a is el or any(x is a for x in el.iterancestors()) for a in ups)


def _classes(el: Any) -> set[str]:
    return set((el.get("class") or "").split())


def in_twin(el: Any, anchor: Any | None, levels: int = TWIN_LEVELS) -> bool:
    """``el`` lies inside a twin of a container of ``anchor`` (:func:`twin_of`)."""
    return twin_of(el, anchor, levels) is not None


def twin_of(el: Any, anchor: Any | None, levels: int = TWIN_LEVELS) -> Any | None:
    """The twin of a container of ``anchor`` that holds ``el``: a sibling of one of ``anchor``'s
    ancestors (at most ``levels`` up, below ``<body>``) with the same tag and mostly the same class names
    (more than half of both together: grid columns ``col-md-9`` / ``col-md-3`` are not twins). Form
    controls (a ``<select>``'s options) are never article text."""
    if anchor is None or el is None or el.tag in _CONTROLS or any(x.tag in _CONTROLS for x in el.iterancestors()):
        return None
    # keyed by the parent element itself, not its id(): a parent proxy nothing else holds may be freed and
    # its id taken by another element's proxy (see lead._leaf_blocks)
    on_path = {x.getparent(): x for x in (el, *el.iterancestors()) if x.getparent() is not None}
    for a in (anchor, *anchor.iterancestors())[:levels]:
        if a.tag in ("body", "html"):
            break
        s = on_path.get(a.getparent())
        if s is None:
            continue
        if s is a:  # el is inside this container itself: not a twin (``_near`` decides)
            return None
        ca, cs = _classes(a), _classes(s)
        if s.tag == a.tag and ca and len(ca & cs) * 2 > len(ca | cs):
            return s
    return None


_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_CONTROLS = ("select", "option", "button", "textarea")
TEXT_HOLDERS = ("div", "blockquote", "td", "li", "section", "article")


def own_text(el: Any) -> str:
    return " ".join(t for t in (el.text, *(c.tail for c in el)) if t and t.strip())


def own_chars(el: Any, known: dict[Any, int] | None = None) -> int:
    """``len(own_text(el).strip())``; an element without children holds its text alone. ``known``: the
    answers so far for the elements of a tree that does not change (keyed by element, kept alive there)."""
    if known is not None:
        n = known.get(el)
        if n is None:
            n = known[el] = own_chars(el)
        return n
    t = el.text
    if not len(el):
        return len(t.strip()) if t else 0
    # len(own_text(el).strip()) without the joined string: the pieces that are not blank, joined by one space
    # each, less the white space that strip() takes off the first piece's start and the last piece's end
    size = count = 0
    first = last = ""
    for t in (t, *[c.tail for c in el]):
        if t and not t.isspace():  # ``t.strip()`` is "" exactly for these (both strip what isspace accepts)
            if not count:
                first = t
            last = t
            size += len(t)
            count += 1
    if not count:
        return 0
    if count == 1:
        return len(first.strip())
    return size + count - 1 - (len(first) - len(first.lstrip())) - (len(last) - len(last.rstrip()))


def text_holders(root: Any, limit: int | None = None, known: dict[Any, int] | None = None) -> int:
    """Characters of the block elements (``TEXT_HOLDERS``) holding at least ``TEXT_HOLDER_CHARS`` of text of
    their own, outside any ``<p>``: article text written without paragraphs (a forum post, ``<br>`` lines).
    Counting stops once past ``limit``. ``known``: see :func:`own_chars` (shared with :func:`page_blocks`)."""
    total = 0
    for el in root.iter(*TEXT_HOLDERS):
        n = own_chars(el, known)
        if n >= TEXT_HOLDER_CHARS:
            total += n
            if limit is not None and total > limit:
                break
    return total


def text_key(text: str) -> str:
    """``word_key(text)`` of a text of many lines, from its lines' keys (remembered, ``line_memo``: the
    merge and the lead search ask for the same lines' keys): no word runs over a line break and
    ``casefold`` maps each character alone, so the text's words are its lines' words in turn."""
    return " ".join([k for k in map(word_key, text.split("\n")) if k])


class PageBlocks:
    """The page's text blocks in reading order with their word keys (:func:`page_blocks`; unpacks as
    ``blocks, keys``), and which of them a text holds, remembered for the last text asked about: the
    recall passes ask about the same text (the merge keeps the precise text as it is on most pages)."""

    def __init__(self, elements: list[Any], keys: list[str]) -> None:
        self.elements = elements
        self.keys = keys
        self._last: tuple[str, str, list[int], set[int]] | None = None
        self._shares: dict[int, float] = {}

    def link_share(self, i: int) -> float:
        """``link_share(self.elements[i])``, remembered: :func:`gap` and :func:`from_twins` ask about the same
        blocks of a tree that does not change."""
        share = self._shares.get(i)
        if share is None:
            share = self._shares[i] = link_share(self.elements[i])
        return share

    def __iter__(self) -> Iterator[Any]:
        return iter((self.elements, self.keys))

    def held(self, text: str) -> tuple[str, list[int], set[int]]:
        """(``word_key(text)``, the indices of the blocks of at least 20 key characters it holds, as a set)."""
        last = self._last
        if last is not None and last[0] == text:
            return last[1:]
        flat = text_key(text)
        held = [i for i, k in enumerate(self.keys) if len(k) >= 20 and k in flat]
        self._last = (text, flat, held, set(held))
        return flat, held, self._last[3]


def page_blocks(tree: Any, known: dict[Any, int] | None = None, texts: dict[Any, str] | None = None) -> PageBlocks:
    """The page's text blocks (paragraphs, headings, elements with ``TEXT_HOLDER_CHARS`` of text of their
    own) in reading order, with their word keys: one pass, shared by :func:`gap` and :func:`from_twins`.
    ``known``: see :func:`own_chars` (the holders :func:`text_holders` measured on the same tree); ``texts``:
    ``text_of`` of elements, read once already (their text as it is now)."""
    blocks = [el for el in tree.iter("p", *_HEADINGS, *TEXT_HOLDERS)
              if el.tag not in TEXT_HOLDERS or own_chars(el, known) >= TEXT_HOLDER_CHARS]
    if not texts:
        return PageBlocks(blocks, [word_key(text_of(el)) for el in blocks])
    return PageBlocks(blocks, [word_key(t if (t := texts.get(el)) is not None else text_of(el)) for el in blocks])


def gap(precise: str, tree: Any, page: PageBlocks | None = None) -> str:
    """What the precise text lacks that the broad pass could give back: ``"block"``, a heading or a
    text-bearing paragraph between the page's first and last paragraph the precise text holds, or a prose
    paragraph (``LEAD_MIN_CHARS``) just before them; ``"twin"``, text in a twin container of the
    article's (:func:`in_twin`); ``""``, nothing. Cheap: no extraction, one pass over the page's blocks."""
    page = page or page_blocks(tree)
    blocks, keys = page.elements, page.keys
    flat, held, holds = page.held(precise)
    if not held:
        return ""
    for i in range(max(0, held[0] - 3), held[-1]):
        k = keys[i]
        if (k and (i not in holds if len(k) >= 20 else k not in flat) and (i > held[0] or len(k) >= LEAD_MIN_CHARS)
                and page.link_share(i) <= MAX_LINK_SHARE):
            return "block"
    ends = (blocks[held[0]], blocks[held[-1]])
    for i, (k, el) in enumerate(zip(keys, blocks)):  # a twin container of the article's holds text it lacks
        if (len(k) >= 20 and i not in holds and (i < held[0] or i > held[-1]) and page.link_share(i) <= MAX_LINK_SHARE
                and (in_twin(el, ends[0]) or in_twin(el, ends[1]))):
            return "twin"
    return ""


def merge(precise: str, broad: str, tree: Any, standfirst: bool = False,
          blocks: TextBlocks | None = None) -> tuple[str, int]:
    """(precise text with the broad-only lines that belong put back in reading order, lines put back).
    ``standfirst``: the standfirst counts as body text, a lead may sit higher up (``STANDFIRST_LEVELS``).
    ``blocks``: the tree's :class:`TextBlocks` when the caller shares them with other passes."""
    lead_levels = STANDFIRST_LEVELS if standfirst else NEAR_LEVELS
    if not broad.strip() or not precise.strip():
        return precise, 0
    p, b = precise.split("\n"), broad.split("\n")
    pn, bn = [word_key(x) for x in p], [word_key(x) for x in b]
    have = set(pn)
    if pn == bn:  # the opcodes would all be "equal" (and are exactly then)
        return precise, 0
    ops = difflib.SequenceMatcher(None, pn, bn, autojunk=False).get_opcodes()
    blocks = blocks or TextBlocks(tree)
    kept = [i for i, x in enumerate(pn) if x]
    ends: dict[int, Any] = {}  # the elements of the first and last kept lines, found when a line asks

    def end(k: int) -> Any | None:
        if k not in ends:
            ends[k] = blocks.find(p[kept[k]]) if kept else None
        return ends[k]

    out: list[str] = []
    added = 0
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal" or tag == "delete":
            out.extend(p[i1:i2])
            continue
        where = "lead" if i1 == 0 else "tail" if i2 >= len(p) else "inside"
        olds = {i: pn[i] for i in range(i1, i2)}
        for j in range(j1, j2):
            line, n = b[j], bn[j]
            twin = next((i for i, k in olds.items() if _same(k, n)), None)
            if twin is not None:  # the same paragraph: the precise pass left out some inline (link) text
                for i in [i for i in olds if i < twin]:
                    out.append(p[i])
                    del olds[i]
                del olds[twin]
                out.append(line if len(n) > len(pn[twin]) else p[twin])
                continue
            if not n or n in have:
                continue
            el = blocks.find(line)
            if el is None or link_share(el) > MAX_LINK_SHARE:
                continue
            if where == "lead" and not ((len(line) >= LEAD_MIN_CHARS and _near(el, end(0), lead_levels))
                                        or in_twin(el, end(0))):
                continue
            if where == "tail" and not ((len(line) >= TAIL_MIN_CHARS and _near(el, end(-1), TAIL_LEVELS))
                                        or in_twin(el, end(-1))):
                continue
            out.append(line)
            have.add(n)
            added += 1
        out.extend(p[i] for i in olds)
    return "\n".join(out), added


def _same(a: str, b: str) -> bool:
    """One paragraph written by both passes, one of them without a few inline words."""
    if not a or not b:
        return False
    sa, sb = a.split(), b.split()
    size = len(sa) + len(sb)
    # difflib's upper bounds of the ratio first, as it computes them (the same 2.0 * matches / size, with more
    # matches): the lengths alone (``real_quick_ratio``), the words in common (``quick_ratio``)
    if 2.0 * min(len(sa), len(sb)) / size < SAME_RATIO or 2.0 * sum((Counter(sa) & Counter(sb)).values()) / size < SAME_RATIO:
        return False
    return difflib.SequenceMatcher(None, sa, sb, autojunk=False).ratio() >= SAME_RATIO


def _chunk_like(twin: Any, held_chars: int) -> bool:
    """A twin that holds a chunk of the article, not a teaser list (links), an author box (short), or a post
    list's excerpts (small beside the article): at most ``TWIN_LINK_SHARE`` links, ``TWIN_MIN_PARAGRAPHS``
    prose paragraphs under one parent, and at least ``TWIN_MIN_SHARE`` of the kept text's size."""
    if link_share(twin) > TWIN_LINK_SHARE:
        return False
    by_parent: dict[Any, int] = {}  # keyed by element, not id(): a proxy lxml drops may hand its id on
    chars = 0
    for x in twin.iter("p"):
        n = len(word_key(text_of(x)))
        if n >= LEAD_MIN_CHARS:
            by_parent[x.getparent()] = by_parent.get(x.getparent(), 0) + 1
            chars += n
    return max(by_parent.values(), default=0) >= TWIN_MIN_PARAGRAPHS and chars >= TWIN_MIN_SHARE * held_chars


def from_twins(text: str, tree: Any, page: PageBlocks | None = None) -> tuple[str, int]:
    """(``text`` with the text blocks of the article's twin containers (:func:`in_twin`) that no pass kept:
    those above its first kept block in front, those below its last after it; how many). One article cut
    into chunks of the same container (a long read split by ad slots) of which both passes kept the first."""
    page = page or page_blocks(tree)
    blocks, keys = page.elements, page.keys
    flat, held, holds = page.held(text)
    if not held:
        return text, 0
    ends = (blocks[held[0]], blocks[held[-1]])
    before: list[str] = []
    after: list[str] = []
    taken: set[str] = set()
    prose: dict[Any, bool] = {}  # by element (kept alive here), never by id() of a transient lxml proxy
    for i, (k, el) in enumerate(zip(keys, blocks)):
        if len(k) < 20 or i in holds or k in taken or held[0] <= i <= held[-1]:
            continue
        if page.link_share(i) > MAX_LINK_SHARE:
            continue
        twin = twin_of(el, ends[0])
        twin = twin if twin is not None else twin_of(el, ends[1])
        if twin is None:
            continue
        if twin not in prose:  # a chunk of the article: prose paragraphs side by side, of the article's size
            prose[twin] = _chunk_like(twin, len(flat))
        if not prose[twin]:
            continue
        line = _norm(own_text(el) if el.tag in TEXT_HOLDERS else text_of(el))
        if line:
            (before if i < held[0] else after).append(line)
            taken.add(k)
    if not before and not after:
        return text, 0
    return "\n".join([*before, text, *after]), len(before) + len(after)
