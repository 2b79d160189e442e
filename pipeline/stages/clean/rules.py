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
from re import _constants as sre_c  # type: ignore[attr-defined]  # a pattern's parse tree: its needles
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from pipeline.config import ConfigError, check_keys
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


def _union(patterns: list[str], flags: int) -> re.Pattern[str]:
    """One regex trying each pattern in turn (each keeps its own ^ anchor); never matches when empty."""
    if not patterns:
        return re.compile("(?!)")
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


# ------------------------------------------------------------------------------------- needles
# A line rule's pattern is tried on nearly every line, and most of its alternatives read up to 300
# characters (``^.{2,300}?<credit>``) whatever the line. A literal string that every match contains (a
# needle: "photo", "©") is found by ``str``'s own search far faster: a line with none of a pattern's
# needles cannot match it. The needles are read from the pattern's parse tree: a mandatory element's
# literal run or small set of characters; a group or alternation gives its alternatives' needles.
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT)
# Case-insensitive needles are looked for in ``t.lower()``: ``re`` matches a cased character with
# another when their simple lower cases are equal (or in one of ``re``'s few extra case groups:
# ``s ſ``, ``σ ς``, ``в ᲀ`` ...), which ``str.lower`` gives, one character for one, for every character
# but these (tests/stages/test_clean_exact_needles.py recomputes them over every code point): a line
# holding one is always tried.
_ODD = re.compile("[\u00b5\u0130\u0131\u017f\u0345\u0390\u03a3\u03b0\u03c2\u03d0\u03d1\u03d5\u03d6\u03f0"
                  "\u03f1\u03f5\u1c80-\u1c88\u1e9b\u1fbe\u1fd3\u1fe3\ufb05\ufb06]")


def _rarity(s: str) -> float:
    """A rough chance that a line holds ``s`` (to pick each alternative's rarest needles)."""
    return (0.9 if s[0].isalnum() or s[0] in " .,'\"-" else 0.15) * 0.25 ** (len(s) - 1)


def _needles_of_seq(seq: Any) -> list[str] | None:
    """Literal strings one of which every match of the sequence ``seq`` contains (the rarest such set
    among its mandatory elements), None when none is known."""
    best: list[str] | None = None
    best_cost = float("inf")
    i, n = 0, len(seq)
    while i < n:
        if seq[i][0] is sre_c.LITERAL:
            j = i
            while j < n and seq[j][0] is sre_c.LITERAL:
                j += 1
            cand: list[str] | None = ["".join(chr(av) for _, av in seq[i:j])]
            i = j
        else:
            cand = _needles_of_item(seq[i])
            i += 1
        if cand is not None:
            cost = sum(_rarity(s) for s in cand)
            if cost < best_cost:
                best, best_cost = cand, cost
    return best


def _needles_of_item(item: Any) -> list[str] | None:
    op, av = item
    if op is sre_c.BRANCH:
        out: list[str] = []
        for alt in av[1]:
            found = _needles_of_seq(alt)
            if found is None:
                return None
            out.extend(found)
        return out
    if op is sre_c.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _needles_of_seq(sub)
    if op in _REPEATS:
        return _needles_of_seq(av[2]) if av[0] >= 1 else None
    if op is sre_c.IN and all(o is sre_c.LITERAL for o, _ in av):
        return [chr(c) for _, c in av]
    return None


def _refers_back(seq: Any) -> bool:
    """A backreference or conditional anywhere (a needle cut out of its pattern could not keep it)."""
    for op, av in seq:
        if op in (sre_c.GROUPREF, sre_c.GROUPREF_EXISTS):
            return True
        subs = (av[1] if op is sre_c.BRANCH else [av[-1]] if op is sre_c.SUBPATTERN else [av[2]] if op in _REPEATS
                else [av[1]] if op in (sre_c.ASSERT, sre_c.ASSERT_NOT) else [av] if op is sre_c.ATOMIC_GROUP else [])
        if any(_refers_back(s) for s in subs):
            return True
    return False


def needles(pattern: str, flags: int = 0) -> tuple[tuple[str, ...], bool] | None:
    """The needles of ``re.compile(pattern, flags)`` and whether they are looked for case-folded (in
    ``t.lower()``); None when the pattern has none, or reads in a way the needles cannot follow."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except re.error:
        return None
    all_flags = flags | parsed.state.flags
    if all_flags & (re.LOCALE | re.ASCII) or _refers_back(parsed.data):
        return None
    found = _needles_of_seq(parsed.data)
    if not found:
        return None
    folded = bool(all_flags & re.IGNORECASE)
    if folded:
        if any(_ODD.search(s) for s in found):
            return None
        found = [s.lower() for s in found]
    kept: list[str] = []
    for s in sorted(set(found), key=lambda s: (len(s), s)):  # one that holds a shorter one adds nothing
        if not any(k in s for k in kept):
            kept.append(s)
    return tuple(kept), folded


class Needled:
    """A compiled pattern whose ``match`` / ``search`` answer None at once for a line without any of its
    needles (the same answers as the pattern's own)."""

    __slots__ = ("rx", "needles", "folded")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        found = needles(rx.pattern, rx.flags)
        self.needles, self.folded = found if found else ((), False)

    def may_match(self, t: str) -> bool:
        """False only when ``t`` holds none of the needles (so the pattern cannot match anywhere in it)."""
        if not self.needles:
            return True
        if self.folded:
            if not t.isascii() and _ODD.search(t):
                return True
            t = t.lower()
        for s in self.needles:  # (a loop: ``any`` of a generator costs a frame per needle)
            if s in t:
                return True
        return False

    def match(self, t: str) -> re.Match[str] | None:
        return self.rx.match(t) if self.may_match(t) else None

    def search(self, t: str) -> re.Match[str] | None:
        return self.rx.search(t) if self.may_match(t) else None


def _scans(parsed: Any) -> bool:
    """The pattern does not open with ``^`` and a fixed start: it reads into the line before it can fail."""
    data = parsed.data
    if not data or data[0] != (sre_c.AT, sre_c.AT_BEGINNING):
        return True
    if len(data) < 2:
        return False
    op, av = data[1]
    if op not in _REPEATS or av[1] <= 1 or len(av[2]) != 1:
        return False
    body_op, body = av[2][0]
    return body_op is sre_c.ANY or (body_op is sre_c.IN and any(o in (sre_c.NEGATE, sre_c.CATEGORY) for o, _ in body))


class AnyMatch:
    """``_union(patterns, flags).match(t) is not None`` (some pattern matches at the start of ``t``), with
    the patterns that read into the line (``^.{2,300}?...``) tried only when ``t`` holds a needle of theirs."""

    def __init__(self, patterns: list[str], flags: int) -> None:  # (``_union`` of them compiled: each parses)
        fixed: list[str] = []
        scanning: list[str] = []
        parsed = [sre_parse.parse(p, flags) for p in patterns]
        back = any(_refers_back(tree.data) for tree in parsed)  # numbered groups would shift apart
        for p, tree in zip(patterns, parsed):
            (scanning if not back and _scans(tree) and needles(p, flags) is not None else fixed).append(p)
        self.fixed = _union(fixed, flags)
        self.scanning = Needled(_union(scanning, flags))

    def matches(self, t: str) -> bool:
        return self.fixed.match(t) is not None or self.scanning.match(t) is not None


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
        self.end_mark_needled = Needled(self.end_mark)
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
