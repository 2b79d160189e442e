"""trafilatura's plain-text output without its second decoding of entities.

``trafilatura.xml.xmltotxt`` ends with ``html.unescape`` over text that the HTML parser has already
decoded. A page that shows an entity as text therefore lost it: "you write &lt;p&gt; for a paragraph"
(the page's source says ``&amp;lt;p&amp;gt;``) came out as "you write <p> for a paragraph", and a sentence
quoting "&ldquo;" got a curly quote the reader never saw. The clean stage keeps what the reader sees.

:func:`text_output` is ``trafilatura.core.determine_returnstring`` for the one output the clean stage
asks for (plain text, no formatting, no metadata header), written out here with that last step left out;
for any other output it is trafilatura's own function. On the 1,111 shared and trafilatura-eval pages
the two give the same text (``tests/stages/test_trafilatura_text.py`` checks the shared pages); they
differ only where a page shows an entity as text.
"""

from __future__ import annotations

from typing import Any


def _plain(body: Any) -> str:
    """``xmltotxt(body, include_formatting=False)`` without the final ``html.unescape``."""
    from trafilatura.utils import sanitize
    from trafilatura.xml import process_element

    if body is None:
        return ""
    parts: list[str] = []
    process_element(body, parts, False)
    return sanitize("".join(parts), True) or ""


def text_output(document: Any, options: Any) -> str:
    """The extraction's text as ``determine_returnstring`` gives it, entities shown as text kept."""
    from trafilatura.core import determine_returnstring
    from trafilatura.utils import normalize_unicode

    if options.format != "txt" or options.formatting or options.with_metadata:
        return str(determine_returnstring(document, options) or "")
    text = _plain(document.body)
    if document.commentsbody is not None:
        text = f"{text}\n{_plain(document.commentsbody)}".strip()
    return str(normalize_unicode(text))
