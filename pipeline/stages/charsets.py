"""The charset table (``config/encodings.yaml``) and what it says about one charset: its label, the
languages and scripts it was made for, its prior. Read by the decoder (``pipeline.stages.decode``)."""

from __future__ import annotations

import codecs
from functools import lru_cache
from typing import Any

from pipeline.config import load_yaml


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    """``config/encodings.yaml``, with every charset name checked against Python's codecs."""
    raw = load_yaml("encodings.yaml")
    for name in [*raw["charsets"], *raw["supersets"], *raw["supersets"].values(), *raw["always_try"]]:
        if codecs.lookup(name).name != name:
            raise ValueError(f"config/encodings.yaml: {name!r} is not a canonical codec name "
                             f"(use {codecs.lookup(name).name!r})")
    return raw


def canonical(name: str | None) -> str | None:
    """Python codec name for a charset label, or None when Python has no such codec."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except (LookupError, ValueError):  # ValueError: a NUL in the label (found by benchmarks/fuzz.py)
        return None


def label(codec: str) -> str:
    info = table()["charsets"].get(codec)
    return str(info["label"]) if info else {"utf-8-sig": "utf-8"}.get(codec, codec.replace("_", "-"))


def languages(codec: str) -> tuple[str, ...]:
    return tuple((table()["charsets"].get(codec) or {}).get("languages") or ())


def scripts(language: str) -> tuple[str, ...]:
    return tuple(table()["scripts"].get(language, ("LATIN",)))


def secondary(language: str, codec: str) -> bool:
    """``codec`` was not made for ``language`` (outside ``primary``; an exotic detector guess); never Unicode."""
    info = table()["charsets"].get(codec)
    return not codec.startswith("utf") if info is None else language not in (info.get("primary") or [language])


def script_absent(codec: str, script: str | None) -> bool:
    """A charset made for a non-Latin script (windows-1251: Cyrillic) reading with no letter of it."""
    made_for = {s for lang in (table()["charsets"].get(codec) or {}).get("primary") or () for s in scripts(lang)}
    return bool(made_for - {"LATIN"}) and script not in made_for - {"LATIN"}


def charset_prior(codec: str) -> float:
    return float((table()["charsets"].get(codec) or {}).get("prior", 0.0))
