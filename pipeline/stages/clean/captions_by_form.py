"""Captions found by their form, in any language (issue 24).

A photo caption or credit has a shape that does not depend on its words: a short *label* and a
separator at the start of the paragraph (``Photo: …``, ``사진=…``, ``【写真】…``, ``[Foto] …``,
``Στη φωτογραφία, …``: colon, full-width colon, comma, dash, ``=``, ``|`` or the label in brackets of
any script), or a credit closing it (``… (Photo: Name/AGENCY)``, ``… . Foto: AGENCY``,
``… | Bild: Name``), or a credit line right under it (``Foto: Name/AGENCY``). What makes the opening
a *label* is the multilingual lexicon ``config/cleaning/lexicons/caption_labels.yaml`` (photo /
picture / image / illustration / graphic words of 70+ languages, each with its source), applied to
every document whatever its language, with compounds and inflections of a label accepted
(``Archivbild`` ends with ``bild``, ``fotoğrafta`` starts with ``fotoğraf``).

Pure and cheap: one regular expression per line and a look-up of at most four opening words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.config import CONFIG_DIR, ConfigError, read_yaml
from pipeline.stages.clean.script import CJK, DENSE

LEXICON = CONFIG_DIR / "cleaning" / "lexicons" / "caption_labels.yaml"
CAPTION_MAX = 400  # a longer paragraph is never a caption
OPENING_WORDS = 4  # a label phrase has at most this many words ("Στη φωτογραφία", "En la imagen")
AFFIX_SLACK = 3  # an inflection adds at most this many characters to a label ("fotoğraf-ta")

_OPEN, _CLOSE = "[(【（「『〔〈《«<［", "])】）」』〕〉》»>］"
_BRACKETED = re.compile(rf"^[{re.escape(_OPEN)}]\s*(?P<label>[^{re.escape(_OPEN + _CLOSE)}]{{1,30}}?)\s*"
                        rf"[{re.escape(_CLOSE)}]\s*(?P<rest>\S.*)$")
_SEP = r"[:：,，、=＝|｜]|\s[-–—]\s|[-–—]\s"
_OPENING = re.compile(rf"^(?P<label>[^\s:：,，、=＝|｜]{{1,30}}(?:\s+[^\s:：,，、=＝|｜]{{1,30}}){{0,{OPENING_WORDS - 1}}}?)"
                      rf"\s*(?:{_SEP})\s*(?P<rest>\S.*)$")
# "<caption> (<label>: <credit>)", "<caption>. <label>: <credit>", "<caption> | <label>: <credit>"
_TRAILING = re.compile(r"(?:[(\[（]\s*(?P<l1>[^\s:：=＝()（）\[\]]{1,25}(?:\s[^\s:：=＝()（）\[\]]{1,25})?)\s*[:：=＝/]\s*"
                       r"[^()（）\[\]]{1,60}[)\]）]"
                       r"|(?:[.!?。|｜/]|\s[-–—])\s*(?P<l2>[^\s:：=＝]{1,25}(?:\s[^\s:：=＝]{1,25})?)\s*[:：=＝]\s*"
                       r"[^.!?。:：]{1,60})\s*\.?$")
_SENTENCE_END = re.compile(r"[.!?。！？؟।](?:\s|$)")


@dataclass(frozen=True)
class Lexicon:
    labels: frozenset[str]  # case-folded, as listed
    affix: re.Pattern[str]  # a token that starts or ends with a label of >= 4 characters (2 in dense scripts)
    size: int  # languages

    def is_label(self, token: str) -> bool:
        t = token.casefold().strip(".·'’")
        if not t:
            return False
        if t in self.labels or f"{t}." in self.labels:
            return True
        return bool(self.affix.fullmatch(t))


def _affix_pattern(labels: frozenset[str]) -> re.Pattern[str]:
    long_ = sorted((w for w in labels if " " not in w and len(w) >= (2 if DENSE.search(w) or CJK.search(w) else 4)),
                   key=len, reverse=True)
    alt = "|".join(re.escape(w.rstrip(".")) for w in long_) or "(?!)"
    # prefix + a short inflection, or a compound ending with the label
    return re.compile(rf"(?:{alt})\w{{0,{AFFIX_SLACK}}}|\w{{2,20}}(?:{alt})")


@lru_cache(maxsize=2)
def load_lexicon(path: Path = LEXICON) -> Lexicon:
    """The caption-label lexicon; an entry without a known source is an error naming the file."""
    raw = read_yaml(path)
    sources, by_lang = raw.get("sources") or {}, raw.get("labels") or {}
    labels: set[str] = set()
    for lang, entries in by_lang.items():
        if not isinstance(entries, dict):
            raise ConfigError(f"{path}: labels.{lang} must map each label to a source key")
        for label, src in entries.items():
            if src not in sources:
                raise ConfigError(f"{path}: labels.{lang}.{label}: unknown source {src!r}")
            labels.add(str(label).casefold())
    frozen = frozenset(labels)
    return Lexicon(frozen, _affix_pattern(frozen), len(by_lang))


def _phrase_has_label(phrase: str, lex: Lexicon) -> bool:
    words = phrase.split()
    if not words or len(words) > OPENING_WORDS:
        return False
    if phrase.casefold() in lex.labels:
        return True
    # the label is the first or the last word of the phrase ("Photo", "En la imagen", "Στη φωτογραφία")
    return lex.is_label(words[0]) or lex.is_label(words[-1])


def short_enough(t: str) -> bool:
    """Short enough for a caption: at most CAPTION_MAX characters and two sentence ends."""
    return len(t) <= CAPTION_MAX and len(_SENTENCE_END.findall(t)) <= 2



def caption_opening(t: str, lex: Lexicon) -> bool:
    """``t`` opens with a caption label and a separator (or the label in brackets), text following."""
    return short_enough(t) and opening_of_short(t, lex)


def opening_of_short(t: str, lex: Lexicon) -> bool:
    """:func:`caption_opening` of a line known to be :func:`short_enough`."""
    m = _BRACKETED.match(t)
    if m and _phrase_has_label(m.group("label"), lex):
        return True
    m = _OPENING.match(t)
    return bool(m and len(m.group("rest")) >= 2 and _phrase_has_label(m.group("label"), lex))


def caption_closing(t: str, lex: Lexicon) -> bool:
    """``t`` ends with a credit introduced by a caption label."""
    return short_enough(t) and closing_of_short(t, lex)


def closing_of_short(t: str, lex: Lexicon) -> bool:
    """:func:`caption_closing` of a line known to be :func:`short_enough`. Every credit ``_TRAILING`` reads has a
    ``:``, ``=`` (or their full-width forms) or ``/``: a line with none of them is not searched."""
    if not ("：" in t or ":" in t or "=" in t or "/" in t or "＝" in t):
        return False
    m = _TRAILING.search(t)
    if not m or m.start() < 2:
        return False
    return _phrase_has_label(m.group("l1") or m.group("l2") or "", lex)


def credit_line(t: str, lex: Lexicon) -> bool:
    """A short credit line (``Foto: Name/AGENCY``): a label opening and no sentence after it."""
    if len(t) > 100:
        return False
    m = _OPENING.match(t)
    return bool(m and not _SENTENCE_END.search(m.group("rest")) and len(m.group("rest")) <= 60
                and _phrase_has_label(m.group("label"), lex))


# --- the shape alone, no label known (issue 24: captions whose label no lexicon lists) ----------------
# A credit has a shape of its own: "(<word>: <name>/<agency>)" closing a line, "<word>: <name>/<agency>"
# as a line, "… | <word>: <name>" closing a line. A caption opened by an unknown label is told from a
# body paragraph by being one short unpunctuated statement: no sentence end inside nor at its end
# (a body paragraph is sentences), a label of one or two words without digits, a separator or brackets.
SHAPE_MAX, SHAPE_MAX_DENSE = 180, 80  # characters of a caption told by its shape alone
SHAPE_MIN_WORDS = 4  # words after an unknown label (not a headline "A vs. B: Recap, highlights")
SHAPE_LEAD, SHAPE_LEAD_DENSE = 20, 8  # characters of the caption sentence before a trailing credit
SHAPE_LABEL_DENSE = 6  # characters of a label in a script without spaces (写真, 资料图, 사진, ภาพ)
_SLASH_TRAILER = re.compile(r"[(（]\s*[^()（）:：]{1,25}[:：]\s*[^()（）/:：]{1,40}/[^()（）/:：]{1,30}[)）]\s*$")
_PIPE_TRAILER = re.compile(r"\s[|｜]\s*[^|｜:：\s]{1,25}(?:\s[^|｜:：\s]{1,25})?\s*[:：]\s*[^.!?。:：|｜]{1,40}$")
_DOT_TRAILER = re.compile(r"[.!?。！？]\s*[^\s.!?。:：]{1,25}(?:\s[^\s.!?。:：]{1,25})?\s*[:：]\s*"
                          r"[^.!?。:：]{1,40}$")
_SLASH_LINE = re.compile(r"^[^:：/\s]{1,25}(?:\s[^:：/\s]{1,25})?\s*[:：]\s*[^/.!?。:：]{1,40}/[^/.!?。:：]{1,30}$")
_ENDS_SENTENCE = re.compile(r"[.!?。！？؟।…][\"'”’»」』)）]*\s*$")
_ENDS_CHARS, _ENDS_CLOSERS = frozenset(".!?。！？؟।…"), "\"'”’»」』)）"


def _ends_sentence(t: str) -> bool:
    """``_ENDS_SENTENCE.search(t)`` read from the end (``\\s`` is ``str.isspace``; the two sets share no character)."""
    return t.rstrip().rstrip(_ENDS_CLOSERS)[-1:] in _ENDS_CHARS
_DIGIT = re.compile(r"\d")


def credit_by_shape(t: str) -> bool:
    """A credit line whose label is unknown: ``<word>: <name>/<agency>``, short, no sentence."""
    return len(t) <= 80 and bool(_SLASH_LINE.match(t))


def caption_by_shape(t: str) -> bool:
    """A caption whose label is unknown, told by its shape (see above); the caller also wants it
    next to a prose paragraph (a caption sits in the article, not in a menu or a list)."""
    if len(t) > SHAPE_MAX or len(t) < 8:  # (SHAPE_MAX_DENSE < SHAPE_MAX: too long in any script)
        return False
    dense = bool(DENSE.search(t) or CJK.search(t))
    if dense and len(t) > SHAPE_MAX_DENSE:
        return False
    if _SLASH_TRAILER.search(t) or _PIPE_TRAILER.search(t):
        return True
    if _ends_sentence(t):
        return False
    head, sentences = t, _SENTENCE_END.findall(t)
    if sentences:  # "<caption>. <label>: <credit>": one sentence, then an unpunctuated credit
        m = _DOT_TRAILER.search(t)  # ... after a caption sentence, not after "A vs. B"
        return len(sentences) == 1 and m is not None and m.start() >= (SHAPE_LEAD_DENSE if dense else SHAPE_LEAD)
    m = _BRACKETED.match(head) or _OPENING.match(head)
    if not m:
        return False
    label, rest = m.group("label"), m.group("rest")
    return (len(label) <= (SHAPE_LABEL_DENSE if dense else 20) and len(label.split()) <= 2 and not _DIGIT.search(label)
            and len(rest) >= (4 if dense else 10) and rest[:1] not in "-–—/"
            and (dense or len(rest.split()) >= SHAPE_MIN_WORDS))
