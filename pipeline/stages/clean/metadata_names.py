"""Names in a page's metadata: the names of JSON-LD values, the authors its meta tags and JSON-LD give, and
the test that an "author" is the publisher (moved out of :mod:`metadata`, which re-exports them)."""

from __future__ import annotations

import re
from typing import Any

from pipeline.stages.clean.spaces import norm

__all__ = ["not_a_person"]


def _names(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, dict):
        n = v.get("name")
        return _names(n) if n else []
    if isinstance(v, list):
        return [n for x in v for n in _names(x)]
    return []


def _clean_authors(authors: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for a in authors:
        a = norm(a)
        a = re.sub(r"^by\s+", "", a, flags=re.I)
        a = re.sub(r"\s+[-|–—]\s+(?:https?://|www\.)\S*$", "", a)  # "Frank B - http://example.de"
        if a and len(a) <= 80 and not re.match(r"https?://", a) and a.lower() not in seen:
            seen.add(a.lower())
            out.append(a)
    return out


_DOMAIN = re.compile(r"\w\.(?:[a-z]{2,6})(?:\b|/)|\bwww\b|@|https?:", re.IGNORECASE)


def _fold(s: str) -> str:
    return re.sub(r"[\W_]+", "", (s or "").casefold())


def not_a_person(name: str, site: str | None) -> bool:
    """The publisher named as author (the site name, a domain, an e-mail): a site, not a byline."""
    n, s = _fold(name), _fold(site or "")
    if not n or _DOMAIN.search(name):
        return True
    return bool(s) and (n == s or (len(s) >= 4 and s in n))  # a blogger named in the site's name stays
