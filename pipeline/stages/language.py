"""Language detection: langdetect (seed 0) by default, py3langid as a second opinion.

* ``detect_text(text) -> Detection``: ISO 639-1 code (``zh`` for Chinese, ``und`` with a reason
  when there is too little text, no letters or no confident answer) and a confidence in 0..1.
  Deterministic: every call builds its own langdetect ``Detector`` with seed 0 (its own
  ``random.Random``; the global random state is never touched) from profiles loaded once per
  process; py3langid is deterministic by construction.
* Long texts are detected on a few evenly spaced chunks of bounded size (langdetect's cost is
  linear in length; a few hundred characters are plenty for a document's language).
* When langdetect's top probability is below ``fallback_below`` (mostly short texts and close
  pairs such as ca/es, no/da, cs/sk), py3langid restricted to langdetect's languages decides.
* ``detect_language(doc)`` sets ``language``/``language_confidence`` from the body (the title
  too when the body alone is too short), ``languages`` (share of letters per language from
  per-paragraph detection, paragraphs split on blank lines) and ``title_language``.

Thresholds live in ``config/language_detection.yaml``. See docs/language.md for the figures.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from pipeline.config import CONFIG_DIR, check_keys, read_yaml
from pipeline.document import Document
from pipeline.stages.base import Stage

UND = "und"
_FOLD = {"zh-cn": "zh", "zh-tw": "zh"}

@dataclass(frozen=True)
class LanguageConfig:
    """Thresholds from ``config/language_detection.yaml`` (every key required there)."""

    min_letters: int
    min_letters_dense: int
    min_words: int
    min_confidence: float
    fallback_below: float
    sample_above: int
    sample_chunks: int
    chunk_chars: int
    paragraph_chars: int
    min_paragraph_letters: int
    max_paragraphs: int
    max_rechecks: int
    min_share: float


@lru_cache(maxsize=1)
def load_language_config() -> LanguageConfig:
    path = CONFIG_DIR / "language_detection.yaml"
    raw = read_yaml(path)
    schema = {f.name: {"int": int, "float": float}[str(f.type)] for f in fields(LanguageConfig)}
    check_keys(raw, schema, str(path))
    return LanguageConfig(**{k: schema[k](v) for k, v in raw.items()})

_WORD_RE = re.compile(r"[^\W\d_]+")  # runs of letters
_NON_LETTERS_RE = re.compile(r"[\W\d_]+")  # runs of anything but letters
# Scripts without spaces between words, where a couple of characters already identify the language.
_DENSE_RE = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_HANGUL_RE = re.compile("[\u3040-\u30ff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_PARAGRAPH_RE = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")
_SPACE_RE = re.compile(r"\s+")


def count_letters(text: str) -> int:
    """How many letters ``text`` has (``[^\\W\\d_]``): deleting the runs of non-letters costs
    less than listing every letter."""
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


# --- detectors, loaded once per process --------------------------------------------------------
_lock = threading.RLock()  # _second() calls _factory() while holding it


def _fast_detector_class() -> type[Any]:
    """langdetect's Detector with the trial loop done in numpy: same profiles, same seeded random
    draws in the same order, same stopping rule (checked every 5 updates) -- only the 55-language
    arithmetic is vectorised (about 4x faster). Answers match the stock Detector (the benchmark
    checks it)."""
    import numpy as np
    from langdetect.detector import Detector
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException
    from langdetect.utils.ngram import NGram

    normalized: dict[str, str] = {}  # NGram.normalize is a pure function of one character

    class FastDetector(Detector):
        matrix: Any = None  # one row of language probabilities per profile n-gram
        row_of: dict[str, int] = {}

        def _extract_ngrams(self) -> list[str]:
            # Detector._extract_ngrams with NGram.add_char inlined and each character's
            # normalisation (a Unicode-block bisect) looked up once per process: the same
            # n-grams in the same order, without two method calls per character.
            words = self.word_lang_prob_map
            result: list[str] = []
            grams, capital = " ", False
            for raw in self.text:
                ch = normalized.get(raw)
                if ch is None:
                    ch = normalized[raw] = NGram.normalize(raw)
                last = grams[-1]
                if last == " ":
                    grams, capital = " ", False
                    if ch == " ":
                        continue
                elif len(grams) >= NGram.N_GRAM:
                    grams = grams[1:]
                grams += ch
                if ch.isupper():
                    capital = capital or last.isupper()
                else:
                    capital = False
                if capital:
                    continue
                for n in range(1, min(len(grams), NGram.N_GRAM) + 1):
                    w = grams[-n:]
                    if w != " " and w in words:
                        result.append(w)
            return result

        def _detect_block(self) -> None:
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            index = {w: i for i, w in enumerate(dict.fromkeys(ngrams))}
            table = self.matrix[[self.row_of[w] for w in index]]
            picks = [index[w] for w in ngrams]
            n_lang, n_picks = len(self.langlist), len(picks)
            langprob = np.zeros(n_lang)
            rnd = self.random
            rnd.seed(self.seed)
            for _ in range(self.n_trial):
                prob = np.full(n_lang, 1.0 / n_lang) if self.prior_map is None else np.array(self.prior_map)
                alpha = self.alpha + rnd.gauss(0.0, 1.0) * self.ALPHA_WIDTH
                weighted = table + alpha / self.BASE_FREQ
                # As Detector._detect_block: one update, check; then 5 updates, check; ...
                # random.choice(seq) is seq[rnd._randbelow(len(seq))]: same draws, same order.
                prob *= weighted[picks[rnd._randbelow(n_picks)]]
                i = 0
                while True:
                    prob /= prob.sum()
                    if prob.max() > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                        break
                    step = [picks[rnd._randbelow(n_picks)] for _ in range(5)]
                    prob *= weighted[step].prod(axis=0)
                    i += 5
                langprob += prob / self.n_trial
            self.langprob = langprob.tolist()

    return FastDetector


@lru_cache(maxsize=1)
def _factory() -> Any:
    """langdetect's profiles (about 1.3 s and 60 MB to load): once per process."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    DetectorFactory.seed = 0  # also makes a plain langdetect.detect() in this process repeatable
    with _lock:
        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(0)
        import numpy as np

        fast = _fast_detector_class()
        fast.row_of = {w: i for i, w in enumerate(factory.word_lang_prob_map)}
        fast.matrix = np.array(list(factory.word_lang_prob_map.values()), dtype=np.float64)
        factory.fast_detector = fast
    return factory


def supported_languages() -> list[str]:
    """Codes this module can return (besides "und"): langdetect's, with zh-cn/zh-tw folded."""
    return sorted({_FOLD.get(code, code) for code in _factory().get_lang_list()})


@lru_cache(maxsize=1)
def _second() -> Any:
    """py3langid, restricted to langdetect's languages so both answer from the same set."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    with _lock:
        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        ident.set_languages([c for c in supported_languages() if c in ident.nb_classes])
    return ident


def langdetect_probabilities(text: str, fast: bool = True) -> list[tuple[str, float]]:
    """langdetect's answer for ``text`` (seed 0, zh folded), best first; [] when it finds no features.

    ``fast=False`` uses the stock Detector (for comparison); the default its numpy trial loop."""
    from langdetect.lang_detect_exception import LangDetectException

    factory = _factory()
    # A Detector per call: its own Random, seeded with 0 when it detects (global state untouched).
    detector = factory.fast_detector(factory) if fast else factory.create()
    detector.append(text)
    try:
        probs = detector.get_probabilities()
    except LangDetectException:
        return []
    folded: dict[str, float] = {}
    for item in probs:
        code = _FOLD.get(item.lang, item.lang)
        folded[code] = folded.get(code, 0.0) + item.prob
    return sorted(folded.items(), key=lambda kv: (-kv[1], kv[0]))


def py3langid_classify(text: str) -> tuple[str, float]:
    code, prob = _second().classify(text)
    return _FOLD.get(code, code), float(prob)


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


def _too_little(text: str, cfg: LanguageConfig) -> str | None:
    """The reason a text cannot be detected, or None."""
    letters = count_letters(text)
    if letters == 0:
        return "no letters"
    dense = len(_DENSE_RE.findall(text))
    if dense * 2 >= letters:
        return None if dense >= cfg.min_letters_dense else "too little text"
    if letters < cfg.min_letters or len(_WORD_RE.findall(text)) < cfg.min_words:
        return "too little text"
    return None


# --- public API --------------------------------------------------------------------------------
def _detect_statistical(text: str | None, cfg: LanguageConfig | None = None) -> Detection:
    """The detectors' answer for ``text`` (see :func:`detect_text` for the script guards around it)."""
    cfg = cfg or load_language_config()
    if text is None or not text.strip():
        return Detection(UND, 0.0, "empty text")
    sample = _SPACE_RE.sub(" ", sample_text(text, cfg)).strip()
    reason = _too_little(sample, cfg)
    if reason:
        return Detection(UND, 0.0, reason)
    ranked = langdetect_probabilities(sample)
    if ranked and ranked[0][0] != "zh":
        # Script prior: Han characters without any kana or Hangul are Chinese, not ja/ko.
        han = len(_HAN_RE.findall(sample))
        if han >= cfg.min_letters_dense and not _KANA_HANGUL_RE.search(sample):
            share = han / count_letters(sample)
            if share >= 0.5:
                return Detection("zh", share, detector="script")
    if ranked and ranked[0][1] >= cfg.fallback_below:
        return Detection(ranked[0][0], ranked[0][1], detector="langdetect")
    # langdetect unsure (or no features: e.g. only all-caps words): ask py3langid.
    code, prob = py3langid_classify(sample)
    if ranked and ranked[0][0] == code:
        return Detection(code, max(prob, ranked[0][1]), detector="langdetect")
    if prob >= cfg.min_confidence:
        return Detection(code, prob, detector="py3langid")
    if ranked and ranked[0][1] >= cfg.min_confidence:  # py3langid unsure too: the default stands
        return Detection(ranked[0][0], ranked[0][1], detector="langdetect")
    return Detection(UND, max(prob, ranked[0][1] if ranked else 0.0), "low confidence")


def detect_text(text: str | None, cfg: LanguageConfig | None = None) -> Detection:
    """The language of ``text``; deterministic; "und" with a reason instead of a guess. Script guards
    (:mod:`pipeline.stages.language_script`) decide before, and check after, the detectors."""
    from pipeline.stages.language_script import guarded

    cfg = cfg or load_language_config()
    sample = _SPACE_RE.sub(" ", sample_text(text or "", cfg)).strip()
    det: Detection = guarded(sample, bool(sample) and not _too_little(sample, cfg),
                             lambda: _detect_statistical(text, cfg), langdetect_probabilities, Detection)
    return det


def detect_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One ``{"language", "confidence"[, "reason"]}`` per input line (for the CLI)."""
    for line in lines:
        yield detect_text(line.rstrip("\r\n")).as_dict()


def paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``: blocks separated by blank lines, stripped, empty ones dropped."""
    return [p.strip() for p in _PARAGRAPH_RE.split(text or "") if p.strip()]


def paragraph_shares(text: str, main: str | None = None, cfg: LanguageConfig | None = None) -> dict[str, float]:
    """Share of ``text``'s letters per language, from per-paragraph detection.

    Each paragraph is classified by py3langid (fast, ~0.1 ms per kB); one whose answer differs from
    ``main`` (the document's language) is re-checked by ``detect_text`` (langdetect first), at most
    ``max_rechecks`` times. Paragraphs with fewer than ``min_paragraph_letters`` letters (a menu item, a
    date, a caption) count for nobody.
    """
    cfg = cfg or load_language_config()
    paras = paragraphs(text)
    if not paras:
        return {}
    if len(paras) == 1 and main and main != UND:
        return {main: 1.0}  # the document's own detection already looked at this paragraph
    weights = [count_letters(p) for p in paras]
    limit = cfg.max_paragraphs
    if len(paras) > limit:  # evenly spaced representatives, each standing for its neighbours
        step = len(paras) / limit
        groups = [range(int(i * step), int((i + 1) * step)) for i in range(limit)]
        reps = [(paras[(g.start + g.stop) // 2], sum(weights[j] for j in g)) for g in groups]
    else:
        reps = list(zip(paras, weights))
    totals: dict[str, float] = {}
    rechecks = cfg.max_rechecks
    for para, weight in reps:
        if weight < cfg.min_paragraph_letters or _too_little(para, cfg):
            continue
        code, prob = py3langid_classify(para[: cfg.paragraph_chars])
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
    """The title's language. Shortcut: when py3langid (0.05 ms) agrees with the body's language and
    the title is long enough to detect, take it; otherwise the full detect_text (1-10 ms on short
    ambiguous texts, where langdetect's trials do not converge)."""
    if main != UND and not _too_little(title, cfg):
        code, prob = py3langid_classify(title)
        if code == main and prob >= cfg.min_confidence:
            return code
    return detect_text(title, cfg).language


class DetectLanguage(Stage):
    """Set language, language_confidence, languages and title_language from the cleaned text."""

    name = "language"

    def __init__(self, config: LanguageConfig, *, time_limit_seconds: float | None = None) -> None:
        super().__init__(time_limit_seconds=time_limit_seconds)
        # The models load now (once per process), not inside a document's time limit, where an alarm
        # landing in langdetect's profile loader would become a bogus error on an innocent document.
        _second()  # loads langdetect's profiles too
        self.config = config

    def process(self, doc: Document) -> Document:
        cfg = self.config
        title = (doc.title or "").strip()
        body = doc.body or ""
        doc.language = UND  # stays so if the work below fails (the failure is recorded by ``Stage``)
        det = detect_text(body, cfg)
        if det.language == UND and title and det.reason in {"empty text", "too little text", "no letters"}:
            det = detect_text(f"{title}\n\n{body}", cfg)  # a short body: let the title help
        doc.language = det.language
        doc.language_confidence = round(det.confidence, 4)
        doc.languages = paragraph_shares(body, det.language, cfg) if det.language != UND else {}
        if det.language != UND and not doc.languages:
            doc.languages = {det.language: 1.0}
        doc.title_language = _title_language(title, det.language, cfg) if title else None
        self.counters[f"language/{doc.language}"] += 1
        return doc
