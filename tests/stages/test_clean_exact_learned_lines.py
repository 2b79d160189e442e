"""A text dump's contribution to its source's line statistics, counted from the lines ``clean_text`` reads
(``clean_text(..., learn=stats)``, s29), equals what the old ``SourceStats.add`` counted from the text."""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

from pipeline.document import Change, Document
from pipeline.stages.clean import Clean, CleanConfig
from pipeline.stages.clean.lines import split_lines
from pipeline.stages.clean.packs import load_packs
from pipeline.stages.clean.repetition import OPENING, SHORT_LINE, VARIANT_CHARS, VARIANT_WORDS, SourceStats
from pipeline.stages.clean.text import clean_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
_NORM = re.compile(r"\s+")


def _old_count_document(text: str) -> tuple[dict[str, set[str]], set[str]]:
    """``count_document`` before s29: ``opening_of``, ``variant_of`` and ``line_key`` line by line."""
    def opening_of(t: str) -> str | None:
        m = OPENING.match(t)
        if not m:
            return None
        return _NORM.sub(" ", (m.group("b") or m.group("w") or "").casefold()).strip() or None

    def variant_of(t: str) -> str:
        m = OPENING.match(t)
        rest = _NORM.sub(" ", t[m.end() - 1:].casefold()).strip() if m else ""
        words = rest.split(" ")
        head = " ".join(words[:VARIANT_WORDS]) if len(words) > VARIANT_WORDS else rest[:VARIANT_CHARS]
        return hashlib.blake2b(head.encode(), digest_size=5).hexdigest()

    openings: dict[str, set[str]] = {}
    lines: set[str] = set()
    for ln in split_lines(text):
        o = opening_of(ln.text)
        if o:
            openings.setdefault(o, set()).add(variant_of(ln.text))
        k = _NORM.sub(" ", ln.text.casefold()).strip() if len(ln.text) <= SHORT_LINE else None
        if k:
            lines.add(k)
    return openings, lines


def _old_add(stats: SourceStats, text: str) -> None:
    openings, lines = _old_count_document(text)
    stats.documents += 1
    stats.openings.update(openings.keys())
    stats.lines.update(lines)
    for o, hashes in openings.items():
        stats.variants[o] = sorted(set(stats.variants.get(o, [])) | set(hashes))[:8]


def _texts() -> list[str]:
    out = [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted(FIXTURES.rglob("*.txt"))]
    out += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    rnd = random.Random(29)
    pieces = ["Photo: ", "【写真】", "[Foto] ", "Ảnh: ", "资料图：", "Source | ", "a = b", "  ", "\n", "\n\n", "\t",
              "\r\n", "\u3000", "Share", "Related Posts", "x" * 90, "İ", "ß", "(AP) — ", "word " * 5]
    out += ["".join(rnd.choices(pieces, k=rnd.randint(1, 40))) for _ in range(400)]
    return out


def test_learned_from_clean_text_lines_equals_the_old_count() -> None:
    packs = load_packs()
    texts = _texts()
    assert len(texts) > 400
    old, new, added = SourceStats(), SourceStats(), SourceStats()
    for t in texts:
        _old_add(old, t)
        clean_text(t, packs, None, learn=new)
        added.add(t)
    assert old.documents == new.documents == added.documents == len(texts)
    assert old.to_dict() == new.to_dict() == added.to_dict()
    assert len(old.openings) > 20 and len(old.lines) > 100


def test_clean_stage_learns_new_text_documents_once() -> None:
    stage = Clean(CleanConfig(load_packs(), 30.0, 10_000_000, learn=True))
    texts = _texts()[:60]
    want = SourceStats()
    for i, t in enumerate(texts):
        doc = Document(source="test", source_path=f"/x/{i}.txt", id=f"d{i}", content_type="text", raw_text=t)
        doc.change = Change.NEW if i % 3 else Change.CHANGED
        stage(doc)
        if i % 3 and t.strip():
            _old_add(want, t)
    assert stage.learned.to_dict() == want.to_dict()
