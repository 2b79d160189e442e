"""Cleaning rules: ``config/cleaning.yaml`` validated and compiled, and the line predicates that
text mode and HTML mode share.

The file is the one source of every rule and threshold: a missing, unknown or misspelt key is
an error naming the file and the key, raised when the rules load (once per process per file),
never a silent default in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.config import CONFIG_DIR, ConfigError, check_keys, read_yaml

WORD = re.compile(r"\w+")
SENT_END = re.compile(r"[.!?。！？…]['\"”’)\]]*$")
SENT_PUNCT = re.compile(r"[.!?。！？,;，；:]\s|[.!?。！？]$|[。，！？]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
COOKIE = re.compile(r"cookie|consent", re.IGNORECASE)
URLISH = re.compile(r"https?://|www\.|\.(com|org|net)\b|@\w")

# Every key of config/cleaning.yaml, with its type; nested sections are dicts of the same form.
SCHEMA: dict[str, Any] = {
    "caption_patterns": list, "credit_patterns": list, "caption_max_chars": int, "related_heading": str,
    "related_tail_fraction": float, "end_marker": str, "boilerplate_line_patterns": list,
    "boilerplate_max_chars": int, "agency_nouns": list, "byline_roles": list, "months": list, "column_tag": str,
    "name_max_words": int, "name_particles": list,
    "text": {"prose_min_chars": int, "short_line_chars": int, "repeat_min_count": int, "repeat_max_chars": int,
             "following_caption_max_chars": int, "max_fixpoint_passes": int, "medium_line_factor": float,
             "short_line_penalty": float, "url_line_penalty": float, "gap_penalty": float, "gap_free_lines": int,
             "gap_cap_lines": int, "end_marker_after_words": float},
    "html": {"boilerplate_tokens": list, "drop_tags": list, "prune_max_text_share": float, "min_body_words": int},
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


class TextRules:
    """Compiled line rules from a validated ``config/cleaning.yaml`` (every key is required there)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        flags = re.IGNORECASE
        self.caption = [re.compile(p, flags) for p in raw["caption_patterns"]]
        self.credit = [re.compile(p, flags) for p in raw["credit_patterns"]]
        self.caption_max = int(raw["caption_max_chars"])
        self.related = re.compile(raw["related_heading"], flags)
        self.related_tail = float(raw["related_tail_fraction"])
        self.boiler = [re.compile(p, flags) for p in raw["boilerplate_line_patterns"]]
        self.boiler_max = int(raw["boilerplate_max_chars"])
        t = raw["text"]
        self.prose_min = int(t["prose_min_chars"])
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
        self.end_marker = re.compile(raw["end_marker"], flags)
        self.column_tag = re.compile(raw["column_tag"])

        months = "|".join(sorted((re.escape(m) for m in raw["months"]), key=len, reverse=True))
        nouns = "|".join(re.escape(n) for n in raw["agency_nouns"])
        roles = "|".join(sorted((re.escape(r) for r in raw["byline_roles"]), key=len, reverse=True))
        particles = "|".join(re.escape(p) for p in raw["name_particles"])
        nmax = int(raw["name_max_words"])
        cap = r"[A-Z\u00C0-\u024F][\w'’.\-]*"
        word = rf"(?:{cap}|(?:{particles}))" if particles else cap
        self.name_re = rf"{cap}(?:\s+{word}){{1,{nmax - 1}}}"
        self.name_only = re.compile(rf"^{self.name_re}$")
        agency = rf"(?:(?:{cap}\s+){{0,4}}(?:{nouns})\b(?:\s+{cap}){{0,2}}|[A-Z]{{2,6}})"
        date = rf"(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{months})\.?(?:,?\s+\d{{4}})?"
        place = r"[A-Z\u00C0-\u024F][\w'’.\-]*(?:\s+[A-Z\u00C0-\u024F][\w'’.\-]*){0,3}"
        # "<Agency>, <Place>, <Month> <Day>[, <rest>]"  (rest may be "title: ..." or body text)
        self.dateline_agency_first = re.compile(
            rf"^(?P<agency>{agency})\s*[,，]\s*(?P<place>{place})\s*[,，]\s*(?P<date>{date})"
            rf"(?:\s*(?:[,，:：]|\s[-—–]\s?)\s*(?P<rest>.*))?$"
        )
        # "<PLACE>, <Month> <Day> (<Agency>) - <body text>"
        self.dateline_place_first = re.compile(
            rf"^(?P<place>{place}|[A-Z][A-Z .'\-]{{1,40}})\s*,\s*(?P<date>{date})\s*"
            rf"(?:\((?P<agency>[^()]{{2,40}})\))?\s*[-—–:]+\s*(?P<rest>.+)$"
        )
        self.date_only = re.compile(
            rf"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:{date})"
            rf"(?:,?\s+(?:at\s+)?\d{{1,2}}[:.]\d{{2}}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{{2,4}})?)?\s*$"
            rf"|^\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}(?:[ T]\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?\s*$",
            flags,
        )
        self.title_label = re.compile(r"^(?:title|headline|题|标题)\s*[:：]\s*(?P<title>.+)$", flags)
        self.byline_role = re.compile(
            rf"^(?:(?P<agency>{agency})\s+)?(?i:{roles})\s*[:：]?\s+(?P<name>{self.name_re}"
            rf"(?:\s*(?:,|and|&)\s*{self.name_re})*)\s*$",
            flags=0,
        )
        self.byline_role_ci = re.compile(rf"\b(?:{roles})\b", flags)
        self.byline_by = re.compile(
            rf"^(?:written\s+)?by\s*[:：]?\s+(?P<name>{self.name_re}(?:\s*(?:,|and|&)\s*{self.name_re})*)"
            rf"(?:\s*[,|/—–-]\s*(?P<agency>[^,|/]{{2,60}}))?\s*$",
            flags,
        )


@dataclass(frozen=True)
class HtmlRules:
    drop_tags: tuple[str, ...]
    tokens: frozenset[str]
    max_share: float
    min_words: int


@dataclass(frozen=True)
class CleaningRules:
    """Everything the clean stage is configured with: text-mode and HTML-mode rules."""

    text: TextRules = field(repr=False)
    html: HtmlRules
    source: str  # the file they came from


def compile_rules(raw: dict[str, Any], source: str) -> CleaningRules:
    check_keys(raw, SCHEMA, source)
    try:
        text = TextRules(raw)
    except re.error as exc:
        raise ConfigError(f"{source}: invalid regular expression: {exc}") from exc
    h = raw["html"]
    html = HtmlRules(drop_tags=tuple(h["drop_tags"]), tokens=frozenset(t.lower() for t in h["boilerplate_tokens"]),
                     max_share=float(h["prune_max_text_share"]), min_words=int(h["min_body_words"]))
    return CleaningRules(text, html, source)


@lru_cache(maxsize=8)
def load_rules(path: Path = CONFIG_DIR / "cleaning.yaml") -> CleaningRules:
    """Rules from ``path`` (default ``config/cleaning.yaml``), compiled once per process."""
    return compile_rules(read_yaml(path), str(path))


def is_heading_like(t: str) -> bool:
    return len(t) <= 100 and not SENT_END.search(t) and t[:1].isupper() and len(WORD.findall(t)) <= 12


def tokens(t: str) -> list[str]:
    return [w.lower() for w in WORD.findall(t)]


def similar(a: str, b: str) -> bool:
    """Near-identical lines (punctuation, case, ellipsis and small wording changes ignored)."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    sa, sb = set(ta), set(tb)
    inter = len(sa & sb)
    return inter >= 3 and inter / max(len(sa), len(sb)) >= 0.8


def is_caption(t: str, r: TextRules) -> bool:
    return len(t) <= r.caption_max and any(rx.match(t) for rx in r.caption)


def is_credit(t: str, r: TextRules) -> bool:
    return len(t) <= 160 and any(rx.match(t) for rx in r.credit)


def is_boiler(t: str, r: TextRules) -> bool:
    n = len(t)
    if n > r.boiler_max and (n > 420 or not COOKIE.search(t)):
        return False
    return any(rx.match(t) for rx in r.boiler)
