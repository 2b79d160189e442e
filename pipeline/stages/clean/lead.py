"""The standfirst between the headline and the body, found by position and no phrase list.

Many sites write the article's lead (standfirst, deck, teaser, abstract) in a block of its own under the
headline, outside the element that holds the body paragraphs: ``<p class="lead">``, ``<div
class="intro__copy">``, ``<h2 class="deck">``. Both of trafilatura's modes leave it out. Whether it is
body text is a convention: trafilatura's evaluation set counts it as main text, the Zyte article
benchmark's ``articleBody`` does not (measured: README, quality section). The clean stage records it as
``metadata["standfirst"]`` and puts it in front of the body only where the HTML rules say so
(``html.standfirst_in_body``). A block is a standfirst when, walking back in reading order from the
article's first kept block, it comes before the page's headline (the nearest ``<h1>`` above) is reached:

- it is a leaf text block (no block-level element inside) of at least ``LEAD_MIN_CHARS`` characters
  (``LEAD_MIN_CHARS_DENSE`` in scripts without spaces) with a sentence in it, mostly not link text;
- the walk crosses at most ``MAX_SKIPPED_CHARS`` of other text on the way (a date, a byline, a reading
  time, a share bar) and stops at a link-heavy block of prose size (navigation, a teaser list);
- the headline is reached within ``MAX_BLOCKS`` leaf blocks: no headline, no lead.

In the body, the lines still go through the line filters of the clean stage.
"""

from __future__ import annotations

from typing import Any

from pipeline.stages.clean.blocks import TextBlocks
from pipeline.stages.clean.recall import MAX_LINK_SHARE, link_share, text_of, word_key
from pipeline.stages.clean.script import SENT_PUNCT, is_dense
from pipeline.stages.clean.spaces import norm

LEAD_MIN_CHARS = 80  # a lead block: prose of at least this many characters ...
LEAD_MIN_CHARS_DENSE = 30  # ... in Han / kana / Thai (no spaces between words)
LEAD_MAX_CHARS = 1500  # longer: not a standfirst (a whole text the extractor judged elsewhere)
MAX_SKIPPED_CHARS = 300  # other text the walk may cross between the headline and the body
MAX_BLOCKS = 12  # leaf blocks the walk looks at before giving up on finding the headline
_BLOCK_TAGS = frozenset(("p", "div", "section", "article", "header", "main", "aside", "li", "ul", "ol", "dl",
                         "dd", "dt", "table", "tr", "td", "th", "blockquote", "figure", "form", "footer", "nav",
                         "h1", "h2", "h3", "h4", "h5", "h6", "pre", "address", "fieldset", "details"))
_SKIP = frozenset(("script", "style", "noscript", "template", "select", "option", "button", "textarea"))
LINK_SHARE_LEAD = 0.2  # a lead is prose: at most this share of it is link text ...
MAX_DIGIT_SHARE = 0.2  # ... and of it digits (a date line, a score table)


def _leaf_blocks(root: Any) -> list[Any]:
    """Block elements with no block-level element inside (outside scripts and form controls), in reading
    order. One pass: each block marks its ancestors as containers, stopping at one already marked."""
    return _leaves(root)[0]


def _leaves(root: Any) -> tuple[list[Any], set[Any]]:
    """(:func:`_leaf_blocks`, the elements that hold a script or a form control: every ancestor of one under
    ``root``, for :func:`_text`), the skipped elements read once for both."""
    blocks = [el for el in root.iter(*_BLOCK_TAGS)]
    # The sets hold the elements, not their id()s: lxml makes a Python object for an element when it is
    # asked for and frees it when nothing refers to it, so an id() of an ancestor seen here could come
    # back as another element's (the leaves then depended on what else happened to be referenced).
    containers: set[Any] = set()
    for el in blocks:
        for a in el.iterancestors():
            if a in containers:
                break
            containers.add(a)
    skipped: set[Any] = set()
    holding: set[Any] = set()  # each walk up stops at an element marked already: its ancestors are marked too
    for s in root.iter(*_SKIP):
        skipped.update(s.iterdescendants())
        for a in s.iterancestors():
            if a in holding:
                break
            holding.add(a)
    leaves = [el for el in blocks if el not in containers and el not in skipped
              and el.tag not in ("ul", "ol", "dl", "table", "tr")]
    return leaves, holding


def _text(el: Any, holding: set[Any] | None = None) -> str:
    """The block's visible text (a ``<div>`` holding only an ad slot's ``<script>`` has none). ``holding``:
    the elements holding a script or a form control (:func:`_leaves` of a root ``el`` is under), if known:
    then ``el`` holds none when it is not one of them and not one itself (as ``el.iter(*_SKIP)`` asks)."""
    if (next(el.iter(*_SKIP), None) is None if holding is None
            else el not in holding and not (isinstance(el.tag, str) and el.tag in _SKIP)):
        return norm(text_of(el))
    parts = [el.text or ""]
    for d in el.iterdescendants():
        if not (isinstance(d.tag, str) and d.tag in _SKIP) and not any(
                isinstance(a.tag, str) and a.tag in _SKIP for a in d.iterancestors() if a is not el):
            parts.append(d.text or "")
        parts.append(d.tail or "")
    return norm(" ".join(parts))


def _is_lead(t: str, el: Any) -> bool:
    """Prose: long enough, a sentence mark in it, mostly not links, not mostly figures, no ``<time>``
    (a date-and-byline block of the page's metadata)."""
    n = len(t)
    if n > LEAD_MAX_CHARS or n < (LEAD_MIN_CHARS_DENSE if is_dense(t) else LEAD_MIN_CHARS):
        return False
    if sum(c.isdigit() for c in t) > n * MAX_DIGIT_SHARE or next(el.iter("time"), None) is not None:
        return False
    return bool(SENT_PUNCT.search(t)) and link_share(el) <= LINK_SHARE_LEAD


def with_leads(text: str, tree: Any, blocks: TextBlocks | None = None) -> tuple[str, list[str]]:
    """(``text`` with the missing lead blocks put in front of its first body line, those blocks).
    ``blocks``: the tree's :class:`TextBlocks` when the caller shares them with other passes."""
    lines = text.split("\n")
    keys = [word_key(ln) for ln in lines]
    body = tree.find("body") if tree.find("body") is not None else tree
    leaves, holding = _leaves(body)
    texts: list[str] = []  # visible text of leaves[:len(texts)], computed as far as the search goes
    at, start = -1, None
    for _ in range(2):  # the first body line; the next one when the first is the headline (an <h1>)
        at = next((i for i in range(at + 1, len(lines)) if len(keys[i]) >= 20), -1)
        if at < 0:
            return text, []
        start = _find(keys[at], leaves, texts, 0 if start is None else start + 1, holding)
        if start is None:  # text of a container that also holds blocks: placed by its element
            start = _place(lines[at], tree, leaves, texts, blocks, holding)
        if start is None or start >= len(leaves) or leaves[start].tag != "h1":
            break
    if start is None:
        return text, []
    found = _walk_back(leaves[:start], texts[:start], " ".join(keys))
    if not found:
        return text, []
    return "\n".join([*lines[:at], *found, *lines[at:]]), found


def _find(key: str, leaves: list[Any], texts: list[str], begin: int = 0, holding: set[Any] | None = None) -> int | None:
    """Index of the first leaf block from ``begin`` holding the line with word key ``key`` (or held by it;
    not a headline whose words the line merely repeats: "Budget passed" in "The council has budget passed ...")."""
    for i in range(begin, len(leaves)):
        while len(texts) <= i:
            texts.append(_text(leaves[len(texts)], holding))
        t = texts[i]
        if len(t) < 20 and (not t or len(t.casefold()) < min(20, len(key) or 1)):
            continue  # its key is no longer than its casefolded text: too short to hold ``key`` or to be held
        k = word_key(t)
        if k and (key in k or (len(k) >= 20 and k in key and leaves[i].tag != "h1")):
            return i
    return None


def _place(line: str, tree: Any, leaves: list[Any], texts: list[str], blocks: TextBlocks | None = None,
           holding: set[Any] | None = None) -> int | None:
    """Number of leaf blocks before the element holding ``line`` (found by its text, as recall does)."""
    el = (blocks or TextBlocks(tree)).find(line)
    if el is None:
        return None
    order = {e: i for i, e in enumerate(tree.iter())}  # by element (see _leaf_blocks), not id()
    pos, above = order.get(el, -1), set(el.iterancestors())
    n = sum(1 for leaf in leaves if order.get(leaf, pos) < pos and leaf not in above)
    texts.extend(_text(leaf, holding) for leaf in leaves[len(texts):n])
    return n


def _walk_back(before: list[Any], texts: list[str], flat: str) -> list[str]:
    """The lead blocks (reading order) among ``before``, walking back to the headline."""
    found: list[str] = []
    skipped = seen = 0
    for el, t in zip(reversed(before), reversed(texts)):
        if not t:
            continue
        seen += 1
        if el.tag == "h1":
            return list(reversed(found))
        if seen > MAX_BLOCKS:
            return []
        k = word_key(t)
        if k and k in flat:
            continue
        if _is_lead(t, el):
            found.append(t)
            continue
        if len(t) >= LEAD_MIN_CHARS and link_share(el) > MAX_LINK_SHARE:
            return []
        skipped += len(t)
        if skipped > MAX_SKIPPED_CHARS:
            return []
    return []
