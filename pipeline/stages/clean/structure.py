"""Language-free signals of text mode (issue 24): what a line *is* from its place and shape.

* **captions by form** (:mod:`pipeline.stages.clean.captions_by_form`): label + separator opening,
  closing credit, credit line under its caption;
* **repetition**: a line that repeats another line of the document with a short addition (an image's
  alt text, then the caption ``<alt text> (Photo: …)``): both are the caption;
* **related blocks by structure**: in a dump whose paragraphs are separated by blank lines, a short
  heading line (no sentence end) followed, without a blank line, by a run of two or more items, the
  block standing on its own: related / recommended lists, comments sections, whatever the items'
  punctuation, between paragraphs or at the end;
* **end of article**: an end mark by its form (a short token in brackets of any script, ``-X-``,
  ``-- X --``, ``///``, ``###``) after most of the article ends the body; what follows is classified
  (related, comments, share lines) and removed, never kept as body, unless it holds paragraphs of its
  own (then it stays: nothing of an article is lost to this signal).

Every removal is counted in ``signals`` (the clean stage adds them to its counters: ``clean/<name>``).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from pipeline.stages.clean import captions_by_form as _cbf
from pipeline.stages.clean.captions_by_form import (
    Lexicon,
    caption_by_shape,
    closing_of_short,
    credit_by_shape,
    credit_line,
    load_lexicon,
    opening_of_short,
    short_enough,
)
from pipeline.stages.clean.lines import Line, is_prose
from pipeline.stages.clean.rules import TextRules
from pipeline.stages.clean.script import DENSE, WORD, ends_sentence, line_memo

END_FORM = re.compile(
    r"^(?:[\[(（【<《〈«＜]\s*[^\s\[\]()（）【】<>《》〈〉«»＜＞]{1,14}(?:[\s/][^\s\[\]()（）【】<>]{1,14})?\s*[\])）】>》〉»＞]"
    r"|[-–—=＝]{1,3}\s*[^\s\-–—=＝]{1,12}\s*[-–—=＝]{1,3}|/{2,}|#{3,}|/\.|\*{3})$")
_TRAILING_END = re.compile(r"(?<=[.!?。！？\"”’»])\s*(?P<mark>[\[(（【<《]\s*[^\s\[\]()（）【】<>《》]{1,12}\s*[\])）】>》]"
                           r"|[-–—]{1,2}\s*[^\s\-–—]{1,8}\s*[-–—]{1,2}|/{2,}|#{3,})\s*$")
_TRAILING_END_LAST = frozenset("])）】>》-–—/#")  # the last character of each of its marks


def _trailing_end(t: str) -> re.Match[str] | None:
    """``_TRAILING_END.search(t)``, not run on a line (a prose line, mostly ending ``.``) whose last
    non-space character cannot close a mark: only white space follows a mark (``\\s`` is ``str.isspace``)."""
    return _TRAILING_END.search(t) if t.rstrip()[-1:] in _TRAILING_END_LAST else None


HEADING_MAX_WORDS = 6
HEADING_MAX_CHARS = 50
HEADING_MAX_DENSE = 16
END_AFTER_SHARE = 0.5  # an end mark ends the body once this share of the document's prose is above it
LAYOUT_PARAGRAPHS = 2  # blank-line layout: this many prose lines stand between blank lines
ALT_MIN_CHARS = 12  # a repeated alt-text line is at least this long
ALT_TAIL_CHARS = 100  # ... and the caption adds at most this much to it
_ADDED_CREDIT = re.compile(r"^\s*(?:[(\[（【|/｜·•©ⓒ]|[-–—]\s|[.。]\s*\S)")  # "... (Photo: X)", "... | X", "... - X"


def blank_line_layout(lines: list[Line], r: TextRules) -> bool:
    """Paragraphs are separated by blank lines (so a run of lines without one is a block): at least
    ``LAYOUT_PARAGRAPHS`` prose lines stand alone, a blank line before and after them."""
    alone = 0
    floor = r.prose_floor  # (a shorter line is never prose: not asked)
    for i, ln in enumerate(lines):
        nxt_gap = lines[i + 1].gap if i + 1 < len(lines) else 1
        if ln.gap >= 1 and nxt_gap >= 1 and len(ln.text) >= floor and is_prose(ln.text, r):
            alone += 1
            if alone >= LAYOUT_PARAGRAPHS:
                return True
    return False


def _short_heading(t: str) -> bool:
    if not t or len(t) > HEADING_MAX_CHARS or ends_sentence(t.rstrip(":：")) or t[-1] in ",;，、-–—(" or t[0].islower():
        return False
    if DENSE.search(t):
        return len(t) <= HEADING_MAX_DENSE
    return len(t) >= 4 and 1 <= len(WORD.findall(t)) <= HEADING_MAX_WORDS


_CONTINUES = re.compile(r"^(?:[^\w\s\[(（【「『\"“«'‘¿¡#@*•·-]|[a-zß-ÿ\d$€£])")


def _one_text(block: list[Line]) -> bool:
    """Lines of one paragraph that a page dump broke at its links: a line without a sentence end
    followed by one that continues it (lower case, a digit, a currency sign, punctuation)."""
    if any(m.group(1).isupper() for x in block[1:] for m in _INNER_SENTENCE.finditer(x.text)):
        return True  # an item of two sentences (spaced, cased scripts) is a paragraph
    return any(not ends_sentence(a.text) and _CONTINUES.match(b.text) for a, b in zip(block, block[1:]))


_INNER_SENTENCE = re.compile(r"\w[.!?]\s+[\"“«]?(\w)")


CREDIT, OPENING, CLOSING, CREDIT_SHAPE, CAPTION_SHAPE = 1, 2, 3, 4, 5


# Every caption form needs, in the line, a separator of ``_OPENING`` (``credit_line``, the openings, the label
# of ``caption_by_shape``), a ``:``, ``=`` or ``/`` (the closing credits; ``_SLASH_LINE``, ``_SLASH_TRAILER``
# and ``_DOT_TRAILER`` need ``:``, ``_PIPE_TRAILER`` ``|``), or an opening bracket as its first character
# (``_BRACKETED``): a line with none of them has no form. The caption-form functions and patterns this was
# read from are fingerprinted (sha256 of their source and pattern texts): another version asks them all.
_FORM_CHAR = re.compile(r"[:：,，、=＝|｜\-–—/]")
_FORM_READ = (_cbf.credit_line, _cbf.short_enough, _cbf.opening_of_short, _cbf.closing_of_short, _cbf.credit_by_shape,
              _cbf.caption_by_shape, _cbf._ends_sentence, _cbf._phrase_has_label)
_FORM_PATTERNS = (_cbf._OPENING, _cbf._BRACKETED, _cbf._TRAILING, _cbf._SLASH_TRAILER, _cbf._PIPE_TRAILER,
                  _cbf._DOT_TRAILER, _cbf._SLASH_LINE, _cbf._SENTENCE_END)
_FORM_WRITTEN_FROM = "7d855f13d6daeea4"


def form_fingerprint() -> str | None:
    """sha256 (16 hex digits) of the caption-form functions' source and patterns :func:`caption_form`'s
    shortcut was read from; None without their source."""
    from inspect import getsource

    try:
        text = "\n".join([getsource(f) for f in _FORM_READ] + [p.pattern for p in _FORM_PATTERNS] + [_cbf._OPEN])
    except (OSError, TypeError):
        return None
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_FORM_SHORTCUT = form_fingerprint() == _FORM_WRITTEN_FROM


def caption_form(t: str, lex: Lexicon) -> int:
    """The first caption form ``t`` has, in the order :func:`mark_caption_forms` asks them (0: none)."""
    if _FORM_SHORTCUT and t[:1] not in _cbf._OPEN and not _FORM_CHAR.search(t):  # ("" is in every str)
        return 0
    if credit_line(t, lex):
        return CREDIT
    short = short_enough(t)
    if short and opening_of_short(t, lex):
        return OPENING
    if short and closing_of_short(t, lex):
        return CLOSING
    if credit_by_shape(t):
        return CREDIT_SHAPE
    if caption_by_shape(t):
        return CAPTION_SHAPE
    return 0


@line_memo
def _form_by_default_lexicon(t: str) -> int:
    """:func:`caption_form` with the lexicon of ``config/`` (text mode's), remembered: the fixpoint pass
    and repeated lines ask again."""
    return caption_form(t, load_lexicon())


def mark_caption_forms(lines: list[Line], lex: Lexicon, r: TextRules, signals: Counter) -> None:
    form_of = _form_by_default_lexicon if lex is load_lexicon() else (lambda t: caption_form(t, lex))
    for i, ln in enumerate(lines):
        if ln.kind:
            if ln.kind != "caption" or not credit_line(ln.text, lex):
                continue
            form = CREDIT
        else:
            form = form_of(ln.text)
            if not form:
                continue
        if form == CREDIT:
            if not ln.kind:
                ln.kind = "caption"
                signals["caption_credit"] += 1
            prev = lines[i - 1] if i > 0 else None
            if (prev is not None and not prev.kind and ln.gap == 0 and len(prev.text) <= r.caption_max
                    and not paragraph_above_credit(lines, i, r)):
                prev.kind = "caption"  # the caption the credit line is under
                signals["caption_credit"] += 1
        elif form == OPENING or form == CLOSING:
            ln.kind = "caption"
            signals["caption_form"] += 1
        elif form == CREDIT_SHAPE:  # no label known: the shape of a credit line, the caption above it
            ln.kind = "caption"
            signals["caption_shape"] += 1
            prev = lines[i - 1] if i > 0 else None
            if (prev is not None and not prev.kind and ln.gap == 0 and len(prev.text) <= r.caption_max
                    and not paragraph_above_credit(lines, i, r)):
                prev.kind = "caption"
                signals["caption_shape"] += 1
        elif _next_to_prose(lines, i, r):  # CAPTION_SHAPE
            ln.kind = "caption"
            signals["caption_shape"] += 1


# a sentence end inside a line, another sentence after it: ". X" (a capital, or a letter of a script without
# case: Cyrillic and Latin lower case is a continuation, "z. B. die", "3.5 million"), "。X" in a dense script
_INNER_END = re.compile(r"(?<=\w\w)[.!?؟।]\s+[\"“«(]?(\w)|[。！？](?=[^\s\"”’)\]」』）》】])")


def two_sentences(t: str) -> bool:
    """``t`` holds at least two sentences (a sentence end followed by the start of another)."""
    for m in _INNER_END.finditer(t):
        c = m.group(1)
        if c is None or c.isupper() or (c.isalpha() and not c.islower()):
            return True
    return False


def paragraph_above_credit(lines: list[Line], i: int, r: TextRules) -> bool:
    """Line ``i`` is a credit line right under line ``i - 1`` (no blank line between): is that line a
    paragraph of the article, not the caption the credit is under? A credit also stands alone under an
    image without a caption (``사진=게티이미지뱅크``) or closes the article (``© dpa-infocom, …``); taking a
    paragraph out of the body is a loss, leaving a caption in it a small miss. No word list: the layout,
    then the line's shape against the document's.

    * In a blank-line layout (:func:`blank_line_layout`), a blank line above the caption and none
      between it and the credit make the two one block: the caption (False).
    * Otherwise the line is a paragraph when it holds two sentences, or is a prose line ending a sentence
      at least as long as the document's median prose line (a caption is one short statement), or ends a
      sentence with no prose line left after the credit (the credit closes the article: the line above
      is its last paragraph)."""
    prev = lines[i - 1]
    t = prev.text
    if prev.gap >= 1 and blank_line_layout(lines, r):
        return False
    if two_sentences(t):
        return True
    if not ends_sentence(t):
        return False  # a label, an alt text, a headline-like caption
    floor = r.prose_floor
    if not any(not ln.kind and len(ln.text) >= floor and is_prose(ln.text, r) for ln in lines[i + 1:]):
        return True
    if len(t) < floor or not is_prose(t, r):
        return False
    prose = sorted(len(ln.text) for ln in lines if not ln.kind and len(ln.text) >= floor and is_prose(ln.text, r))
    return len(t) >= prose[len(prose) // 2]


def _next_to_prose(lines: list[Line], i: int, r: TextRules) -> bool:
    """The line before or after line ``i`` is a prose paragraph (or a caption next to one)."""
    return any(0 <= j < len(lines) and lines[j].kind in ("", "caption") and is_prose(lines[j].text, r)
               for j in (i - 1, i + 1))


def mark_line_repeats(lines: list[Line], r: TextRules, signals: Counter) -> None:
    """A line that another line repeats with a short addition: the alt text and its caption."""
    live = [ln for ln in lines if ln.kind in ("", "caption") and ALT_MIN_CHARS <= len(ln.text) <= r.caption_max]
    by_start: dict[str, list[Line]] = {}
    for ln in live:
        by_start.setdefault(ln.text[:ALT_MIN_CHARS], []).append(ln)
    for group in by_start.values():
        if len(group) < 2:
            continue
        for a in group:
            for b in group:
                if a is b or (a.kind and b.kind):
                    continue
                if (b.text.startswith(a.text) and 0 < len(b.text) - len(a.text) <= ALT_TAIL_CHARS
                        and _ADDED_CREDIT.match(b.text[len(a.text):])):
                    for x in (a, b):
                        if not x.kind:
                            x.kind = "caption"
                            signals["caption_repeat"] += 1


def mark_blocks(lines: list[Line], r: TextRules, signals: Counter) -> None:
    """Short heading + a run of >= 2 items without a blank line, standing on its own: a related list
    or a comments section. Only in a blank-line layout (elsewhere every line is in one run)."""
    if not blank_line_layout(lines, r):
        return
    n, i = len(lines), 0
    while i < n:
        head = lines[i]
        # a block needs two items right under its heading (checked first: most lines of such a layout
        # have a blank line after them, and then it does not matter whether this one is a heading)
        if (head.kind == "title" or (i > 0 and head.gap == 0) or i + 2 >= n or lines[i + 1].gap or lines[i + 2].gap
                or not _short_heading(head.text)):
            i += 1
            continue
        j = i + 1
        while j < n and lines[j].gap == 0:
            j += 1
        items = lines[i + 1: j]
        if len(items) >= 2 and sum(not x.kind for x in items) >= 1 and not _one_text(lines[i:j]):
            for x in (head, *items):
                if not x.kind:
                    x.kind = "related"
                    signals["related_lines"] += 1
            signals["related_blocks"] += 1
            i = j
            continue
        i += 1


def mark_end_of_article(lines: list[Line], r: TextRules, signals: Counter, metadata: dict) -> None:
    """An end mark (by form) after most of the article: it and everything after it leave the body,
    unless what follows holds paragraphs of its own (two standalone prose lines)."""
    floor = r.prose_floor  # (a shorter line is never prose: not asked; no line changes before the return below)
    prose = [not ln.kind and len(ln.text) >= floor and is_prose(ln.text, r) for ln in lines]
    total = sum(len(ln.text) for ln, p in zip(lines, prose) if p)  # the kept prose's characters
    if not total:
        return
    seen = 0
    for i, ln in enumerate(lines):
        if ln.kind == "title":
            continue
        if prose[i]:
            seen += len(ln.text)
            m = _trailing_end(ln.text) if seen >= END_AFTER_SHARE * total else None
            if m and _tail_is_junk(lines[i + 1:], r):
                metadata.setdefault("end_mark", m.group("mark"))
                ln.text = ln.text[: m.start()].rstrip()
                ln.raw = ln.text
                signals["end_marks"] += 1
                _cut_tail(lines[i + 1:], signals)
                return
            continue
        if seen >= END_AFTER_SHARE * total and (ln.kind == "end" or END_FORM.match(ln.text)) and _tail_is_junk(lines[i + 1:], r):
            metadata.setdefault("end_mark", ln.text)
            if not ln.kind:
                ln.kind = "end"
            signals["end_marks"] += 1
            _cut_tail(lines[i + 1:], signals)
            return


def _tail_is_junk(tail: list[Line], r: TextRules) -> bool:
    standalone = 0
    for k, ln in enumerate(tail):
        if ln.kind or not is_prose(ln.text, r):
            continue
        nxt_gap = tail[k + 1].gap if k + 1 < len(tail) else 1
        if ln.gap >= 1 and nxt_gap >= 1:
            standalone += 1
    return standalone < 2


def _cut_tail(tail: list[Line], signals: Counter) -> None:
    gone = [ln for ln in tail if not ln.kind]
    for ln in gone:
        ln.kind = "tail"
    if gone:
        signals["end_blocks"] += 1
        signals["end_lines"] += len(gone)
        signals["end_chars"] += sum(len(ln.text) for ln in gone)
