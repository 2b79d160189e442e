"""trafilatura's repair of a page before parsing, straight to the UTF-8 bytes lxml parses (issue 27).

``trafilatura.utils.repair_faulty_html`` first deletes the characters libxml2 refuses
(``INVALID_XML_CHARS``: the C0 controls but tab, line feed and carriage return, and U+FFFE, U+FFFF) with
a regex over the whole page, about 3 ns a character (0.6 ms on a 213,000-character page) although
almost no page has one. In UTF-8 each of those controls is a byte of its own, 0x00-0x1F, which no other
character's encoding contains; so the page's UTF-8 encoding (a copy in C, needed anyway: the page is
parsed as bytes, :mod:`pipeline.stages.clean.parse`) holds one exactly when one of 29
``bytes.__contains__`` (``memchr``) finds it. U+FFFE and U+FFFF are looked for in the ``str``
(``memchr`` on one byte of the character, or ``wmemchr``): their three UTF-8 bytes are a slow substring
search in text full of other ``EF`` characters (fullwidth punctuation, U+FFFD). The 31 searches take
about a sixth of the regex's time (the encoding aside: it stands in for libxml2's own conversion). When
one is there, or when the ``<html/>`` repair applies, the page goes through trafilatura's function
itself. The ``DOCTYPE`` repair only touches the first line; it is done here on that line and spliced
onto the bytes.
``tests/stages/test_clean_exact_parse_metadata.py`` checks :func:`repaired_utf8` against
``repair_faulty_html(...).encode("utf-8")`` on tricky pages.
"""

from __future__ import annotations

from trafilatura.utils import DOCTYPE_TAG, repair_faulty_html

__all__ = ["INVALID_CONTROLS", "has_invalid_xml_chars", "repaired_utf8"]

# trafilatura.utils.INVALID_XML_CHARS is [\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]: its controls, as bytes
INVALID_CONTROLS: tuple[bytes, ...] = tuple(bytes((c,)) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def has_invalid_xml_chars(text: str, data: bytes) -> bool:
    """Whether ``text``, whose UTF-8 encoding is ``data``, has a character ``INVALID_XML_CHARS`` matches."""
    for needle in INVALID_CONTROLS:
        if needle in data:
            return True
    return "\ufffe" in text or "\uffff" in text


def repaired_utf8(html: str, beginning: str) -> bytes | None:
    """``repair_faulty_html(html, beginning).encode("utf-8")``; None when ``html`` has a lone surrogate
    (which that encoding refuses). ``beginning`` is ``html[:50].lower()``, as trafilatura's loader passes it."""
    try:
        data = html.encode("utf-8")
    except UnicodeEncodeError:
        return None
    if has_invalid_xml_chars(html, data):
        return repair_faulty_html(html, beginning).encode("utf-8")
    # from here on, INVALID_XML_CHARS.sub("", html) is html: the rest of the repair, on bytes
    head = html[:4096]  # the first 4096 characters of the text repaired so far
    if "doctype" in beginning:
        # repair_faulty_html: firstline, _, rest = partition("\n"); DOCTYPE_TAG.sub(firstline) + "\n" + rest
        newline = html.find("\n")
        firstline = html if newline < 0 else html[:newline]
        first = DOCTYPE_TAG.sub("", firstline, count=1)
        changed = len(first) != len(firstline)  # a match is never empty: it always shortens the line
        if newline < 0:  # the repaired text is the first line and a "\n"
            data = (first.encode("utf-8") if changed else data) + b"\n"
            head = (first[:4096] + "\n")[:4096]
        elif changed:  # the first "\n" byte is the first "\n" character: no other character's UTF-8 has 0x0A
            data = first.encode("utf-8") + data[data.index(b"\n"):]
            head = (first[:4096] + html[newline:newline + 4096])[:4096]
    # the self-closing <html/> repair, as repair_faulty_html tests for it: rare, left to trafilatura
    for line in head.splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return repair_faulty_html(html, beginning).encode("utf-8")
    return data
