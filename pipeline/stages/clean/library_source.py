"""The fingerprint of an installed library function's source text, for the re-implementations that follow it.

The clean stage's exact shortcuts of trafilatura functions (``trafilatura_cleaning``, ``trafilatura_sections``,
``trafilatura_content``) are used only while the installed function is the one they were written from: its
source text's sha256, first 16 hex digits, equals the one recorded beside the shortcut."""

from __future__ import annotations

import hashlib
import inspect
from typing import Any

__all__ = ["source_hash"]


def source_hash(function: Any) -> str | None:
    """sha256 of ``inspect.getsource(function)``, first 16 hex digits; None without installed source (bytecode
    only), which matches no recorded fingerprint."""
    try:
        return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    except (OSError, TypeError):
        return None
