"""JSON-LD (schema.org) in an HTML page: its nodes, in one plain shape, and the article's publication date.

Pages write the same schema.org facts in several JSON-LD shapes; :func:`nodes` reads them all into
plain dicts so the metadata code asks one question ("datePublished of the Article"):

* a ``@graph`` (Yoast & co), a list of nodes, nodes nested in other nodes' properties;
* a ``@context`` *object* that names schema.org by a prefix or as ``@vocab``: ``"schema:datePublished"``
  and ``"http://schema.org/datePublished"`` are ``datePublished``, ``"schema:NewsArticle"`` is ``NewsArticle``;
* a value object (``{"@value": "2026-03-19", "@type": "Date"}``) is its value; a number is a Unix
  timestamp (seconds or milliseconds, made a string for :func:`metadata.iso_date`).

Publication (:func:`published`): ``datePublished`` of the page's own article-like nodes (Article, Posting,
Report, WebPage; top-level or its ``mainEntity``), then their ``dateCreated`` (the original, never
``dateModified``), then ``datePublished`` of another creative work the page is about (a Recipe, a HowTo,
an episode); never a media object's (an image's or a video's upload day is not the article's), nor that
of a work the page only cites, reviews or links to (a node nested under another property).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import lxml.html

ARTICLE = re.compile(r"Article|Posting|Report|WebPage")
MEDIA = re.compile(r"ImageObject|VideoObject|AudioObject|MediaObject|Clip|Photograph|Organization|Person|"
                   r"Breadcrumb|ListItem|WebSite|SearchAction|Rating|Offer|Place")
_SCHEMA_IRI = re.compile(r"^https?://schema\.org/", re.IGNORECASE)


def _key(k: str) -> str:
    """``schema:datePublished`` / ``http://schema.org/datePublished`` -> ``datePublished``."""
    if k.startswith("@") or ":" not in k:  # both patterns below need a colon
        return k
    k = _SCHEMA_IRI.sub("", k)
    return k.split(":", 1)[1] if re.match(r"^[A-Za-z][\w-]*:(?!//)\w", k) else k


def _type(v: Any) -> Any:
    if isinstance(v, list):
        return [_type(x) for x in v]
    return _key(v) if isinstance(v, str) else v


def _plain(v: Any, nested: list[dict[str, Any]], via: str = "") -> Any:
    """The value in plain shape (keys unprefixed, value objects unwrapped); the dict nodes inside it land
    in ``nested``, each marked with the property it was found under (``@nested``)."""
    if isinstance(v, list):
        return [_plain(x, nested, via) for x in v]
    if not isinstance(v, dict):
        return v
    if "@value" in v and not any(not k.startswith("@") for k in v):
        return _plain(v["@value"], nested, via)
    d: dict[str, Any] = {}
    for k, x in v.items():
        if isinstance(k, str):
            key = _key(k)
            d[key] = _type(x) if k == "@type" else x if k == "@graph" else _plain(x, nested, key)
    if via:
        d["@nested"] = via
        nested.append(d)
    return d


def nodes(tree: lxml.html.HtmlElement, scripts: list[lxml.html.HtmlElement] | None = None) -> list[dict[str, Any]]:
    """Every JSON-LD node of the page in plain shape: the top-level and ``@graph`` nodes first (last script
    entry first, as before), then the nodes nested in their properties (an author, a main entity).
    ``scripts``: ``list(tree.iter("script"))`` when the caller has it."""
    top: list[dict[str, Any]] = []
    nested: list[dict[str, Any]] = []
    for s in tree.iter("script") if scripts is None else scripts:
        if (s.get("type") or "").lower() != "application/ld+json" or not s.text:
            continue
        try:
            found = _script_nodes(json.loads(s.text.strip().rstrip(";")), nested)
        except (ValueError, RecursionError):  # broken, or nested past the parser's depth: not metadata
            continue
        top.extend(found)
    return top + nested


def _script_nodes(data: Any, nested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, list):
            stack.extend(d)
        elif isinstance(d, dict):
            d = _plain(d, nested)
            found.append(d)
            if "@graph" in d:
                stack.append(d["@graph"])
    return found


def ld_type(d: dict[str, Any]) -> str:
    t = d.get("@type")
    return " ".join(str(x) for x in t) if isinstance(t, list) else str(t or "")


def date_values(v: Any) -> list[str]:
    """A date property's values as strings: a Unix timestamp number -> its digits; a list -> each value."""
    if isinstance(v, bool):
        return []
    if isinstance(v, (int, float)):
        return [str(int(v))]
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [s for x in v for s in date_values(x)]
    return []


def published(items: list[dict[str, Any]], parse: Callable[[str], str | None]) -> str | None:
    """The publication date the JSON-LD gives the page (see the module doc); ``parse`` -> ISO or None."""
    own = [d for d in items if d.get("@nested", "mainEntity") == "mainEntity"]  # not a related or cited work
    articles = [d for d in own if ARTICLE.search(ld_type(d))]
    articles.sort(key=lambda d: (bool(d.get("@nested")), not re.search(r"Article|Posting|Report", ld_type(d))))
    others = [d for d in own if not ARTICLE.search(ld_type(d)) and ld_type(d) and not MEDIA.search(ld_type(d))]
    for group, key in ((articles, "datePublished"), (articles, "dateCreated"), (others, "datePublished")):
        for d in group:
            found = sorted(x for x in (parse(s) for s in date_values(d.get(key))) if x)
            if found:
                return found[0]  # several values: the first publication
    return None
