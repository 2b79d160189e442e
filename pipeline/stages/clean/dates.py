"""Dates as news sites write them, in many languages, parsed to ISO 8601 (``YYYY-MM-DD``).

Shared by HTML mode (metadata fallbacks) and text mode (datelines, bylines). Month names and the
"updated" labels live in ``config/dates.yaml`` (CLDR month names); the date *shapes* are few and
script-independent, so they are code:

* CJK: ``2026年3月19日`` (zh, ja), ``2026년 3월 19일`` (ko); without a year ``3月19日`` / ``3월 19일``
* numeric: ``2026-03-19``, ``2026/3/19``, ``2026.03.19``; ``19/3/2026``, ``19.03.2026``, ``ngày 19/3/2026``
  (day first, except ``month_first`` languages when both readings are possible)
* day + month name + year: ``19. März 2026``, ``19 марта 2026 г.``, ``19 de marzo de 2026``,
  ``19 tháng 3 năm 2026``, ``19 مارس 2026``, ``19 Mart 2026``
* month name + day + year: ``March 19, 2026``; year-less forms only with a ``reference`` date.

Digits of any script (Arabic-Indic ``١٩``, full-width ``１９``) count as digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from pipeline.config import ConfigError, check_keys, load_yaml

__all__ = ["parse_local_date", "find_local_date", "DateMatch", "is_updated_label", "date_rules"]


@dataclass(frozen=True)
class DateMatch:
    iso: str  # YYYY-MM-DD
    start: int  # span in the (digit-normalised) text
    end: int
    has_year: bool


@dataclass(frozen=True)
class DateRules:
    months: dict[str, dict[str, int]]  # language -> spelling -> month
    all_months: dict[str, int]  # every language's spellings (when the language is unknown)
    month_first: frozenset[str]
    min_year: int
    max_year: int
    updated: re.Pattern[str]
    raw: dict[str, Any]


# Every key of config/dates.yaml with its type (see pipeline.config.check_keys).
SCHEMA: dict[str, Any] = {"months": dict, "month_first": list, "min_year": int, "max_year": int, "updated_markers": list}


@lru_cache(maxsize=1)
def date_rules() -> DateRules:
    raw = load_yaml("dates.yaml")
    check_keys(raw, SCHEMA, "config/dates.yaml")
    months: dict[str, dict[str, int]] = {}
    merged: dict[str, int] = {}
    for lang, table in raw["months"].items():
        if not isinstance(table, list) or len(table) != 12:
            raise ConfigError(f"config/dates.yaml: months.{lang} must list 12 months")
        names = {str(n).lower(): i + 1 for i, forms in enumerate(table) for n in forms}
        months[str(lang)] = names
        for n, m in names.items():
            merged.setdefault(n, m)  # a spelling shared by languages names the same month in all of them
    markers = sorted((str(m) for m in raw.get("updated_markers", [])), key=len, reverse=True)
    updated = re.compile(r"(?:^|[\s(|·•,;])(?:" + "|".join(map(re.escape, markers)) + r")\s*(?:on|am|le|el|em|:)?\s*[:：]?",
                         re.IGNORECASE)
    return DateRules(months, merged, frozenset(raw.get("month_first", [])), int(raw["min_year"]),
                     int(raw["max_year"]), updated, raw)


# what _normalise_digits changes: a decimal digit (``\d``: ``isdecimal``, which has a ``unicodedata.decimal``)
# other than 0-9, and the full-width ASCII forms
_NOT_NORMAL = re.compile(r"[^\D0-9]|[\uff01-\uff5e]")
_DIGIT = re.compile(r"\d")
# the year of _patterns (its group ``y``): the "ymd", "dmy?", "dmy" and "mdy" patterns, the only ones tried
# without a reference, each need a match of it in the text, so a text without one has no date of theirs
_YEAR_DIGITS = r"(?:19|20|21)\d\d"
_YEAR = re.compile(_YEAR_DIGITS)


def _normalise_digits(text: str) -> str:
    """Any-script decimal digits -> ASCII, full-width forms -> ASCII; same length (spans stay valid)."""
    if text.isascii() or not _NOT_NORMAL.search(text):  # nothing to change
        return text
    out = []
    for ch in text:
        if ch.isdigit() and not ("0" <= ch <= "9"):
            d = unicodedata.decimal(ch, None)
            out.append(str(d) if d is not None else ch)
        elif "\uff01" <= ch <= "\uff5e":  # full-width ASCII
            out.append(chr(ord(ch) - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def _name_alternation(names: dict[str, int]) -> str:
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))


@lru_cache(maxsize=64)
def _patterns(language: str | None) -> tuple[dict[str, int], list[tuple[str, re.Pattern[str]]]]:
    r = date_rules()
    names = r.months.get(language or "", r.all_months)
    if language and language in r.months and language != "en":
        names = {**r.months["en"], **names}  # English month names appear on every site
    mon = _name_alternation(names)
    d, y = r"(?P<d>[0-3]?\d)", rf"(?P<y>{_YEAR_DIGITS})"
    pats = [
        ("ymd", re.compile(y + r"\s*[年년]\s*(?P<m>[01]?\d)\s*[月월]\s*" + d + r"\s*[日일号號]?")),
        ("md", re.compile(r"(?<!\d)(?P<m>[01]?\d)\s*[月월]\s*" + d + r"\s*[日일号號]")),
        ("ymd", re.compile(r"(?<![\d.])" + y + r"[-/.](?P<m>[01]?\d)[-/.]" + d + r"(?![\d])")),
        ("dmy?", re.compile(r"(?<![\d./-])(?P<a>[0-3]?\d)[./-](?P<b>[0-3]?\d)[./-]" + y + r"(?!\d)")),
        ("dmy", re.compile(r"(?<![\d\w])" + d + r"(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+|ngày\s+)?(?P<mn>" + mon
                           + r")\.?(?:\s+năm|\s+de|\s*,)?\s+" + y + r"(?!\d)", re.IGNORECASE)),
        ("mdy", re.compile(r"(?<![\w])(?P<mn>" + mon + r")\.?\s+" + d + r"(?:st|nd|rd|th)?,?\s+" + y + r"(?!\d)",
                           re.IGNORECASE)),
        ("dm", re.compile(r"(?<![\d\w])" + d + r"\.?\s*(?:de\s+)?(?P<mn>" + mon + r")(?![\w])", re.IGNORECASE)),
    ]
    return names, pats


def _valid(y: int, m: int, d: int) -> str | None:
    r = date_rules()
    if not (r.min_year <= y <= r.max_year):
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _with_reference(m: int, d: int, reference: date) -> str | None:
    """A year-less date is the latest such day not after the reference date (news is rarely dated ahead)."""
    for y in (reference.year, reference.year - 1):
        iso = _valid(y, m, d)
        if iso and date.fromisoformat(iso) <= reference:
            return iso
    return None


def find_local_date(text: str, language: str | None = None, *, reference: date | None = None) -> DateMatch | None:
    """The first date in ``text`` (leftmost match), with its span; see :func:`parse_local_date`."""
    if not text or not _DIGIT.search(text):  # every pattern needs a digit (\d); normalising makes none
        return None
    s = _normalise_digits(text)
    if reference is None and not _YEAR.search(s):  # each pattern tried without a reference holds _YEAR
        return None
    names, pats = _patterns(language)
    best: DateMatch | None = None
    for kind, pat in pats:
        if kind in ("md", "dm") and reference is None:
            continue
        for m in pat.finditer(s):
            if best is not None and m.start() >= best.start:
                break
            iso: str | None = None
            if kind == "ymd":
                iso = _valid(int(m["y"]), int(m["m"]), int(m["d"]))
            elif kind == "dmy?":
                a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
                month_first = (language in date_rules().month_first and a <= 12) or b > 12
                iso = _valid(y, a, b) if month_first else _valid(y, b, a)
            elif kind in ("dmy", "mdy"):
                mon = names.get(re.sub(r"\s+", " ", m["mn"].lower()))
                iso = _valid(int(m["y"]), mon, int(m["d"])) if mon else None
            elif reference is not None:
                mon = int(m["m"]) if kind == "md" else names.get(re.sub(r"\s+", " ", m["mn"].lower()))
                iso = _with_reference(mon, int(m["d"]), reference) if mon else None
            if iso:
                best = DateMatch(iso, m.start(), m.end(), kind not in ("md", "dm"))
                break
    return best


def parse_local_date(text: str, language: str | None = None, *, reference: date | None = None) -> str | None:
    """ISO 8601 date (``YYYY-MM-DD``) of the first date written in ``text``, or None.

    ``language`` is an ISO 639-1 code (``"ru"``, ``"zh"``, ...): its month names (config/dates.yaml, plus
    English) are used, and it decides ``19/3`` vs ``3/19`` when both are possible; None or an unknown code
    tries every language's month names. Year-less forms (``3月19日``, ``19 марта``) need ``reference`` (e.g. the
    HTML published date or the file date): the result is the latest such day on or before it. Never raises.

    >>> parse_local_date("中新社北京2026年3月19日电", "zh")
    '2026-03-19'
    >>> parse_local_date("МОСКВА, 19 марта 2026 г. — РИА Новости", "ru")
    '2026-03-19'
    """
    m = find_local_date(text, language, reference=reference)
    return m.iso if m else None


def is_updated_label(text: str) -> bool:
    """True when ``text`` (what precedes a date) says the date is a modification date ("Updated:", "更新")."""
    return bool(date_rules().updated.search(" " + (text or "")[-40:]))


ZONE_FREE_HOURS = 10  # a UTC stamp this close to midnight may fall on the neighbouring local day


def zone_open(stamp: str | None) -> bool:
    """Whether a stamp's zone leaves its day open (see :func:`shown_day`): worth reading the shown date."""
    return bool(stamp) and any(shown_day(str(stamp), d) for d in _neighbours(str(stamp)))


def _neighbours(stamp: str) -> list[str]:
    from datetime import timedelta

    try:
        day = date.fromisoformat(stamp[:10])
    except ValueError:
        return []
    return [(day + timedelta(days=k)).isoformat() for k in (-1, 1)]


MIDNIGHT_EAST_FROM = 21 * 60  # a UTC stamp at a round time from 21:00 on: midnight of UTC+1..+3


def midnight_east(stamp: str) -> str | None:
    """The local day of a UTC stamp that is a day written as the local midnight east of UTC (a CMS that
    stores ``2022-11-07`` in Central Europe writes ``2022-11-06T23:00:00Z``): a round time (whole or half
    hour, no seconds) from ``MIDNIGHT_EAST_FROM`` on, which no newsroom east of UTC reads as the evening
    before. None for any other stamp."""
    from datetime import datetime, timedelta

    if len(stamp) <= 10:
        return None
    try:
        t = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    off = t.utcoffset()
    if off is None or off.total_seconds() != 0 or t.second or t.microsecond or t.minute not in (0, 30):
        return None
    if t.hour * 60 + t.minute < MIDNIGHT_EAST_FROM:
        return None
    return (t.date() + timedelta(days=1)).isoformat()


def shown_day(stamp: str, shown: str | None) -> str | None:
    """The day the page shows readers beside its headline (``shown``), where it is one day off a
    structured ``stamp`` whose zone leaves the day open: a bare date, a zone-less or UTC stamp within
    ``ZONE_FREE_HOURS`` of the midnight it would cross. A stamp with a local offset keeps its day."""
    from datetime import datetime

    if not shown:
        return None
    try:
        t, s = datetime.fromisoformat(stamp), date.fromisoformat(shown)
    except ValueError:
        return None
    off = t.utcoffset()
    if off is not None and off.total_seconds() != 0:
        return None
    gap = (s - t.date()).days
    minutes = t.hour * 60 + t.minute
    if len(stamp) <= 10 or (minutes == 0 and t.second == 0 and off is None):  # a day, no time of day
        return shown if gap in (-1, 1) else None
    if gap == -1 and minutes < ZONE_FREE_HOURS * 60:  # west of UTC: still the day before
        return shown
    if gap == 1 and minutes >= (24 - ZONE_FREE_HOURS) * 60:  # east of UTC: already the next day
        return shown
    return None
