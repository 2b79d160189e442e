"""White space collapsed without the regex engine (issue 27): ``collapse`` is ``re.sub(r"\\s+", " ", s)``,
``norm`` the same stripped. ``str.split()`` splits at the runs of the characters ``str.isspace`` accepts,
which are ``re``'s ``\\s`` for ``str`` (``tests/stages/test_clean_exact_blocks_recall.py`` and
``test_clean_exact_parse_metadata.py`` compare both with the regex)."""

from __future__ import annotations

__all__ = ["collapse", "norm"]


def collapse(s: str) -> str:
    """``_WS.sub(" ", s)`` (each whitespace run as one space) without the regex: a string of whitespace only
    is one space; a printable string without two spaces in a row is itself (every whitespace character but
    the space is unprintable: ``isprintable``); else its words (``str.split()``: the runs of the characters
    ``str.isspace`` accepts, which are ``\\s``'s) joined by one space, with one space where it starts or ends
    with whitespace (3 times faster than the regex on a page's style and script text)."""
    if s.isspace():
        return " "
    if "  " not in s and s.isprintable():
        return s
    joined = " ".join(s.split())
    if s[0].isspace():
        joined = " " + joined
    if s[-1].isspace():
        joined += " "
    return joined


def norm(s: str) -> str:
    """``_WS.sub(" ", s).strip()``: the words of ``s`` joined by one space."""
    return " ".join(s.split())
