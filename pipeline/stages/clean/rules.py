"""Cleaning rules: the common pack plus one language pack (``config/cleaning/``) validated, merged
and compiled, and the line predicates that text mode and HTML mode share.

The files are the one source of every rule and threshold: a missing, unknown or misspelt key is an
error naming the file and the key, raised when a pack loads (once per process per language, see
:mod:`pipeline.stages.clean.packs`), never a silent default in code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import ConfigError, check_keys
from pipeline.stages.clean.needles import AnyMatch, Needled, TailNeedled, _union
from pipeline.stages.clean.script import WORD, ends_sentence, heading_like_script, line_memo

_LIST_KEYS = ("caption_patterns", "credit_patterns", "related_headings", "end_headings", "boilerplate_line_patterns",
              "end_marks", "date_line_patterns", "byline_patterns", "dateline_patterns", "title_labels")
VOCAB_KEYS = ("months", "agency_nouns", "byline_roles", "name_particles", "name_joiners", "cookie_words",
              "caption_words", "caption_phrases")
FRAGMENT_KEYS = ("cap", "nameword", "name", "names", "place", "agency", "date")

# The keys of every pack (common and per language), with their types.
PACK_SCHEMA: dict[str, Any] = {
    "language": str, **{k: list for k in _LIST_KEYS},
    "vocab": {k: list for k in VOCAB_KEYS},
    "fragments": {k: str for k in FRAGMENT_KEYS},
}
# A language pack may override any fragment of the common pack, or none, and may set the standfirst
# convention of its press (``standfirst_in_body``; else common's ``html.standfirst_in_body`` holds).
LANGUAGE_PACK_SCHEMA: dict[str, Any] = {**PACK_SCHEMA, "standfirst_in_body": bool}
PACK_OPTIONAL = frozenset({"fragments", *(f"fragments.{k}" for k in FRAGMENT_KEYS), "standfirst_in_body"})
# config/cleaning/common.yaml also holds every threshold (one place for them: no pack overrides one).
COMMON_SCHEMA: dict[str, Any] = {
    **PACK_SCHEMA, "undetermined_pack": str, "caption_max_chars": int, "related_tail_fraction": float, "boilerplate_max_chars": int,
    "column_tag": str,
    "text": {"prose_min_chars": int, "prose_min_chars_dense": int, "short_line_chars": int, "repeat_min_count": int,
             "repeat_max_chars": int, "following_caption_max_chars": int, "max_fixpoint_passes": int,
             "medium_line_factor": float, "short_line_penalty": float, "url_line_penalty": float,
             "gap_penalty": float, "gap_free_lines": int, "gap_cap_lines": int, "end_marker_after_words": float,
             "cut_link_run_lines": int, "name_max_chars": int, "learned_min_documents": int,
             "learned_min_share": float, "learned_min_count": int},
    "html": {"boilerplate_tokens": list, "hidden_classes": list, "caption_tokens": list, "drop_tags": list, "prune_max_text_share": float, "min_body_words": int,
             "standfirst_in_body": bool},
}


@dataclass
class CleanResult:
    title: str | None = None
    body: str = ""
    captions: list[str] = field(default_factory=list)
    author: str | None = None
    source_name: str | None = None
    dateline: str | None = None
    published_at: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


_PLACEHOLDER = re.compile(
    r"\{(cap|nameword|names|name|place|agency|date|months|roles|nouns|particles|joiners|photo|photo_phrases)\}")


def _alternation(words: list[str]) -> str:
    """``a|b|c`` longest first; a pattern that never matches when the list is empty."""
    if not words:
        return "(?!)"
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))


def _expander(vocab: dict[str, list[str]], fragments: dict[str, str]) -> Callable[[str], str]:
    values = {"months": f"(?i:{_alternation(vocab['months'])})", "roles": _alternation(vocab["byline_roles"]),
              "nouns": _alternation(vocab["agency_nouns"]), "particles": _alternation(vocab["name_particles"]),
              "joiners": _alternation(vocab["name_joiners"]), "photo": _alternation(vocab["caption_words"]),
              "photo_phrases": _alternation(vocab["caption_phrases"])}

    def expand(pattern: str, depth: int = 0) -> str:
        if depth > 6:
            raise ConfigError(f"fragment placeholders nest too deeply in {pattern!r}")

        def one(m: re.Match[str]) -> str:
            key = m.group(1)
            if key in values:
                return values[key]
            return "(?:" + expand(fragments[key], depth + 1) + ")"

        return _PLACEHOLDER.sub(one, pattern)

    return expand


class TextRules:
    """Compiled line rules of one language: that language's pack + the common pack (lists concatenated,
    the pack's first; vocabularies merged; the pack's fragments over common's)."""

    def __init__(self, common: dict[str, Any], pack: dict[str, Any] | None) -> None:
        packs = ([pack] if pack else []) + [common]  # the language's own (more specific) forms first
        lists = {k: [p for d in packs for p in d[k]] for k in _LIST_KEYS}
        vocab = {k: [w for d in packs for w in d["vocab"].get(k, [])] for k in VOCAB_KEYS}
        fragments = {**common["fragments"], **((pack or {}).get("fragments") or {})}
        self.language: str = (pack or {}).get("language", "common")
        expand = _expander(vocab, fragments)
        ci = re.IGNORECASE
        captions = [expand(p) for p in lists["caption_patterns"]]
        self.caption = _union(captions, ci)
        self.caption_any = AnyMatch(captions, ci)  # ``caption.match(t) is not None``, most lines without a scan
        self.credit = _union([expand(p) for p in lists["credit_patterns"]], ci)
        self.credit_needled = Needled(self.credit)
        self.caption_max = int(common["caption_max_chars"])
        self.related = re.compile(rf"^(?:{'|'.join(lists['related_headings']) or '(?!)'})\s*[:：»›>]*\s*$", ci)
        self.end_marker = re.compile(rf"^(?:{'|'.join(lists['end_headings']) or '(?!)'})\s*[:：]?\s*$", ci)
        self.related_tail = float(common["related_tail_fraction"])
        self.boiler = _union([expand(p) for p in lists["boilerplate_line_patterns"]], ci)
        self.boiler_max = int(common["boilerplate_max_chars"])
        self.long_boiler = re.compile(_alternation(vocab["cookie_words"]), ci)
        marks = "|".join(f"(?:{m})" for m in lists["end_marks"]) or "(?!)"
        self.end_mark = re.compile(rf"(?:^|(?<=[\s.!?。！？”」』\"']))(?:{marks})\s*$", ci)
        self.end_mark_needled = TailNeedled(self.end_mark, f"(?:{marks})", ci)  # ``end_mark.search``, from the end
        t = common["text"]
        self.prose_min = int(t["prose_min_chars"])
        self.prose_min_dense = int(t["prose_min_chars_dense"])
        self.prose_floor = min(self.prose_min, self.prose_min_dense)  # a shorter line is never prose (lines.is_prose)
        self.short_chars = int(t["short_line_chars"])
        self.repeat_min = int(t["repeat_min_count"])
        self.repeat_max = int(t["repeat_max_chars"])
        self.follow_caption_max = int(t["following_caption_max_chars"])
        self.max_passes = int(t["max_fixpoint_passes"])
        self.medium_factor = float(t["medium_line_factor"])
        self.short_penalty = float(t["short_line_penalty"])
        self.url_penalty = float(t["url_line_penalty"])
        self.gap_penalty = float(t["gap_penalty"])
        self.gap_free = int(t["gap_free_lines"])
        self.gap_cap = int(t["gap_cap_lines"])
        self.end_marker_after_words = float(t["end_marker_after_words"])
        self.cut_link_run = int(t["cut_link_run_lines"])
        self.name_max_chars = int(t["name_max_chars"])
        self.learned_min_documents = int(t["learned_min_documents"])
        self.learned_min_share = float(t["learned_min_share"])
        self.learned_min_count = int(t["learned_min_count"])
        self.column_tag = re.compile(common["column_tag"])
        self.name_only = re.compile(rf"^(?:{expand(fragments['name'])})$")
        self.name_split = re.compile(rf"\s*(?:,|&|、|，|;|\b(?:{_alternation(vocab['name_joiners'])})\b)\s*")
        self.datelines = [re.compile(expand(p)) for p in lists["dateline_patterns"]]
        self.bylines = [re.compile(expand(p)) for p in lists["byline_patterns"]]
        self.date_only = _union([expand(p) for p in lists["date_line_patterns"]], ci)
        labels = _alternation(lists["title_labels"])
        self.title_label = re.compile(rf"^(?:{labels})\s*[:：]\s*(?P<title>.+)$", ci)


@dataclass(frozen=True)
class HtmlRules:
    drop_tags: tuple[str, ...]
    tokens: frozenset[str]
    max_share: float
    min_words: int
    standfirst_in_body: bool = False  # the block between headline and body (clean/lead.py) opens the body
    hidden_classes: frozenset[str] = frozenset()  # whole class names that hide an element from readers
    caption_tokens: frozenset[str] = frozenset()  # class/id tokens of a caption: its text is kept as a caption


@dataclass(frozen=True)
class CleaningRules:
    """Everything the clean stage applies to one language: text-mode and HTML-mode rules."""

    text: TextRules = field(repr=False)
    html: HtmlRules
    source: str  # the files they came from ("config/cleaning/common.yaml + .../en.yaml")
    language: str = "common"


def check_pack(raw: dict[str, Any], source: str, *, common: bool) -> None:
    if common:
        check_keys(raw, COMMON_SCHEMA, source)
    else:
        check_keys(raw, LANGUAGE_PACK_SCHEMA, source, optional=PACK_OPTIONAL)
    for key in _LIST_KEYS:
        for i, p in enumerate(raw[key]):
            if not isinstance(p, str):
                raise ConfigError(f"{source}: '{key}[{i}]' must be str, got {type(p).__name__}")


def compile_rules(common: dict[str, Any], source: str, pack: dict[str, Any] | None = None,
                  pack_source: str | None = None) -> CleaningRules:
    """Validated, merged and compiled rules; a bad key or regular expression names its file."""
    check_pack(common, source, common=True)
    if pack is not None:
        check_pack(pack, pack_source or "language pack", common=False)
    try:
        text = TextRules(common, pack)
    except (re.error, KeyError) as exc:
        where = source if pack is None else f"{source} + {pack_source}"
        raise ConfigError(f"{where}: invalid regular expression: {exc}") from exc
    h = common["html"]
    standfirst = (pack or {}).get("standfirst_in_body")
    html = HtmlRules(drop_tags=tuple(h["drop_tags"]), tokens=frozenset(t.lower() for t in h["boilerplate_tokens"]),
                     max_share=float(h["prune_max_text_share"]), min_words=int(h["min_body_words"]),
                     standfirst_in_body=bool(h["standfirst_in_body"] if standfirst is None else standfirst),
                     hidden_classes=frozenset(str(c) for c in h["hidden_classes"]),
                     caption_tokens=frozenset(str(t).lower() for t in h["caption_tokens"]))
    label = source if pack is None else f"{source} + {pack_source}"
    return CleaningRules(text, html, label, text.language)


# ------------------------------------------------------------------------------------ predicates
# pure in (line, rules): their answers are remembered (``line_memo``, bounded)
def is_heading_like(t: str) -> bool:
    if len(t) > 100 or ends_sentence(t):
        return False
    return heading_like_script(t) and len(WORD.findall(t)) <= 12


@line_memo
def is_caption(t: str, r: TextRules) -> bool:
    return len(t) <= r.caption_max and r.caption_any.matches(t)


@line_memo
def is_credit(t: str, r: TextRules) -> bool:
    return len(t) <= 160 and r.credit_needled.match(t) is not None


@line_memo
def is_boiler(t: str, r: TextRules) -> bool:
    n = len(t)
    if n > r.boiler_max and (n > 420 or not r.long_boiler.search(t)):
        return False
    return r.boiler.match(t) is not None
