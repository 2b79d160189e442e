"""Parsing a page once: trafilatura's parser settings, with the element classes chosen in C.

trafilatura's ``load_html`` parses with an ``lxml.html.HTMLParser``, whose element class lookup
(``HtmlElementClassLookup.lookup``) is a Python method that lxml calls for every element proxy it
creates: about 3,200 calls a page across the clean stage (pruning, extraction, metadata, recall),
about 5 % of its time. Its one job is to give form controls their own classes (``FormElement``,
``InputElement`` ...), which nothing in the clean stage or its libraries uses. The parsers here have
the same options as the ones they stand in for and give every element the plain ``HtmlElement``
(comments, processing instructions and entities their ``lxml.html`` classes) from C, through
``ElementDefaultClassLookup``. The trees are the same; copies of a tree keep its parser's lookup.
``tests/stages/test_clean_parse.py`` checks both against ``trafilatura.utils.load_html``.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree
from lxml.html import _looks_like_full_html_bytes, _looks_like_full_html_unicode
from trafilatura.utils import is_dubious_html, repair_faulty_html

from pipeline.stages.clean.repair import repaired_utf8

__all__ = ["MalformedHTML", "parse_html"]

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


class MalformedHTML(ValueError):
    pass


def _c_lookup() -> etree.ElementDefaultClassLookup:
    return etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
                                           pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def _parser(**options: bool | str) -> lxml.html.HTMLParser:
    parser = lxml.html.HTMLParser(**options)  # type: ignore[arg-type]
    parser.set_element_class_lookup(_c_lookup())
    return parser


# trafilatura.utils.HTML_PARSER's options (pinned trafilatura 2.3.1), the parser its extraction is tuned on
TRAFILATURA_PARSER = _parser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                             remove_pis=True)
# lxml.html's default parser's options: the fallback for what trafilatura's loader turns down
DEFAULT_PARSER = _parser()


def _from_bytes(data: bytes) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(data, parser=TRAFILATURA_PARSER)
    except Exception:  # trafilatura's loader logs and goes on the same way
        return None


def load_html(html: str) -> lxml.html.HtmlElement | None:
    """``trafilatura.utils.load_html`` for a decoded page, with :data:`TRAFILATURA_PARSER`: the same
    repairs, the same bytes retry, the same rejection of a short tree without an ``html`` tag.

    The repaired page is parsed as its UTF-8 bytes (:func:`~pipeline.stages.clean.repair.repaired_utf8`),
    the loader's own retry, rather than as ``str``: lxml hands a ``str`` to libxml2 as UTF-16 or UTF-32,
    which libxml2 converts to UTF-8 as it reads; the bytes are read as they are (``encoding="utf-8"``
    in the parser). The trees are the same (``tests/stages/test_clean_exact_parse_metadata.py``; only
    ``docinfo.encoding``, which nothing reads, says UTF-8 instead of UTF-16LE / UTF-32LE), so the loader's
    ``str`` attempt, whose failure is what makes it retry with the bytes, is skipped. Where the two
    could differ the ``str`` path is kept: a lone surrogate (no strict UTF-8), or a page whose start
    ``lxml.html.fromstring`` would judge full document or fragment differently as bytes (leading
    non-ASCII white space)."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    data = repaired_utf8(html, beginning)
    if data is not None and _judged_alike(data):
        tree = _from_bytes(data)
    else:
        tree = _from_text(repair_faulty_html(html, beginning))
    if tree is not None and dubious and len(tree) < 2:
        tree = None
    return tree


def _judged_alike(data: bytes) -> bool:
    """Whether ``lxml.html.fromstring`` takes the UTF-8 text ``data`` for a full document (or a fragment)
    alike as ``bytes`` and as ``str``: its test, ``^\\s*<(?:html|!doctype)``, has more white space in ``str``.
    Decided on the first 256 bytes when the white space run and the tag end in them."""
    head = data[:256].decode("utf-8", "ignore")  # a character cut at the end is dropped
    if len(data) > 256 and len(head.lstrip()) < 9:
        return False
    return bool(_looks_like_full_html_unicode(head)) == bool(_looks_like_full_html_bytes(data))


def _from_text(html: str) -> lxml.html.HtmlElement | None:
    """trafilatura's loader on the repaired ``str``: lxml, then the bytes when that fails."""
    tree = None
    retried = False
    try:
        tree = lxml.html.fromstring(html, parser=TRAFILATURA_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree = _from_bytes(html.encode("utf8", "surrogatepass"))
        retried = True
    except Exception:
        tree = None
    if (tree is None or len(tree) < 1) and not retried:
        tree = _from_bytes(html.encode("utf8", "surrogatepass"))
    return tree


def parse_html(html: str) -> lxml.html.HtmlElement:
    """The page's tree, comments stripped; :class:`MalformedHTML` when lxml finds no document in it."""
    tree = load_html(html)
    if tree is not None and len(tree):  # TRAFILATURA_PARSER removes comments as it parses (remove_comments)
        return tree
    html = _XML_DECL.sub("", html, count=1)
    try:
        tree = lxml.html.document_fromstring(html, parser=DEFAULT_PARSER)
    except (etree.ParserError, ValueError) as exc:
        try:
            tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=DEFAULT_PARSER)
        except Exception:
            raise MalformedHTML(str(exc)) from exc
    if tree is None:
        raise MalformedHTML("no document element")
    return _without_comments(tree)


def _without_comments(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """HTML comments are never text a reader sees; left in, one inside a list item makes
    trafilatura's text output raise (``Input object is not an XML element``; fuzz seed 3 #21851)."""
    etree.strip_tags(tree, etree.Comment)
    return tree
