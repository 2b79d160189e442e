"""Bytes -> text without losing a byte silently, and say how the charset was known.

Order of evidence (docs/encodings.md):

1. a byte-order mark (UTF-8, UTF-16, UTF-32) -> ``bom``; UTF-16 without one, told by where its NUL
   bytes fall and a strict decode that reads as text (``charset_bytes.bomless_utf16``) -> ``detected``;
2. strict UTF-8 -> ``utf-8`` (7-bit data with ISO-2022 escape sequences -> ``detected``);
   UTF-8 with a few broken bytes (valid sequences outnumber them 10:1) -> ``repaired``;
3. candidates: the declared charset (HTML ``<meta>``, XML declaration, via BeautifulSoup's
   ``EncodingDetector``; an HTTP-style ``Content-Type`` header at the top), the run's hint,
   chardetng's guess (``detectors`` in config/encodings.yaml), the most common charset of every
   script and every relative of these. Each must decode the *whole* file strictly; the survivors
   are ranked by how well the text reads as a language the charset serves (``charset_fit``:
   language-profile likelihood, rare symbols, case, script), the closest checked by the language
   detector, with small priors for declared / hinted / detected / common charsets. The winner's
   source is ``declared``, ``hint`` or ``detected``;
4. UTF-8 with replacement characters (``repaired``, the count of replaced bytes in the warning)
   only when there is no strict decode or every strict decode reads as no language at all.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from pipeline.stages.charset_bytes import bomless_utf16, detector_sample, looks_utf16, nonascii_bytes, repair
from pipeline.stages.charset_fit import context, fit, language_of, main_script, normalized, text_sample
from pipeline.stages.charsets import (
    canonical,
    charset_prior,
    label,
    languages,
    script_absent,
    scripts,
    secondary,
    table,
)

# (mark, codec of the bytes after it, label); UTF-32 LE first: its mark starts with UTF-16 LE's.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
        (codecs.BOM_UTF8, "utf-8", "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"))
_BOM_LEADS = tuple(bom for bom, _, _ in BOMS)
_ISO2022 = ((b"\x1b$B", "iso2022_jp"), (b"\x1b$@", "iso2022_jp"), (b"\x1b(J", "iso2022_jp"),
            (b"\x1b$(D", "iso2022_jp_2"), (b"\x1b$)C", "iso2022_kr"), (b"\x1b$A", "iso2022_jp_2"))
_HTTP_HEADER = re.compile(rb"\A(?:[A-Za-z][\w-]*:[^\r\n]*\r?\n)*?content-type:[^\r\n]*?charset=[\"']?([\w.:-]+)",
                          re.I)
_C1 = re.compile("[\x80-\x9f]")


@dataclass(slots=True)
class Decoded:
    text: str
    encoding: str  # WHATWG-style label: utf-8, windows-1252, shift_jis, ...
    source: str  # bom | utf-8 | declared | hint | detected | repaired
    replaced: int = 0  # bytes that became U+FFFD (repaired only)
    declared: str | None = None  # what the file declared, when that was overruled
    runner_up: str | None = None  # the next-best reading and how far behind it was (legacy files only)
    evidence: str | None = None  # how a detected charset was told (BOM-less UTF-16)

    @property
    def warning_code(self) -> str:
        """Short code of ``warning``: repaired (bytes replaced), declared-mismatch, guessed."""
        if self.source == "repaired":
            return "repaired"
        return "declared-mismatch" if self.declared and self.source != "declared" else "guessed"

    @property
    def warning(self) -> str | None:
        if self.source == "repaired" and self.encoding.startswith("utf"):
            return f"invalid {self.encoding.upper()}: {self.replaced} undecodable byte(s) replaced"
        if self.source == "repaired":
            return (f"no charset decodes this file cleanly: decoded as {self.encoding}, "
                    f"{self.replaced} undecodable byte(s) replaced")
        if self.evidence:
            return f"decoded as {self.encoding} ({self.source}; {self.evidence})"
        evidence = f"; runner-up {self.runner_up}" if self.runner_up else ""
        if self.declared and self.source != "declared":
            return (f"declared charset {self.declared} does not fit the bytes; "
                    f"decoded as {self.encoding} ({self.source}{evidence})")
        if self.source in {"detected", "hint"}:
            return f"not UTF-8; decoded as {self.encoding} ({self.source}{evidence})"
        return None


@dataclass
class _Candidate:
    codec: str
    prior: float = 0.0
    sources: set[str] = field(default_factory=set)
    replaced: int = 0  # bytes replaced (the "UTF-8 with damage" option only)
    valid: int = 0  # valid multibyte characters it keeps (the "UTF-8 with damage" option only)


def declared_charset(data: bytes, html: bool) -> str | None:
    """The charset the bytes declare: HTTP-style header at the top, XML declaration, HTML meta."""
    from bs4.dammit import EncodingDetector

    header = _HTTP_HEADER.match(data[:4096])
    if header:
        return header.group(1).decode("ascii", "ignore").lower()
    found = EncodingDetector.find_declared_encoding(data[:65536], is_html=html)
    return found.lower() if found else None


def detector_guesses(sample: bytes) -> list[tuple[str, float]]:
    """(codec, prior) from the detectors named in ``config/encodings.yaml`` (``detectors``)."""
    weights = table()["scoring"]
    guesses: list[tuple[str, float]] = []
    names = table()["detectors"]
    if "chardetng" in names:  # Firefox's detector: one guess, the best single detector measured
        import chardetng_py

        codec = canonical(chardetng_py.detect(sample, allow_utf8=False))
        if codec:
            guesses.append((codec, float(weights["prior_chardetng"])))
    if "chardet" in names:
        import chardet

        for i, result in enumerate(chardet.detect_all(sample, max_bytes=len(sample))[:2]):
            codec = canonical(result.get("encoding"))
            if codec:
                guesses.append((codec, float(weights["prior_chardet"]) / (i + 1)))
    return guesses


def _strict(data: bytes, codec: str) -> str | None:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    if codec == "cp1258":  # windows-1258 writes tones as combining marks; the text is the composed form
        text = unicodedata.normalize("NFC", text)
    return text


def _add(cands: dict[str, _Candidate], codec: str | None, prior: float, source: str) -> None:
    if not codec:
        return
    supersets = table()["supersets"]
    for name, boost in ((supersets.get(codec), 0.0), (codec, 0.0)):
        if name:
            cand = cands.setdefault(name, _Candidate(name))
            cand.prior = max(cand.prior, prior + boost)
            cand.sources.add(source)


def decode(data: bytes, *, html: bool = False, hint: str | None = None) -> Decoded:
    """Decode ``data`` (see the module docstring for the order of evidence)."""
    if data.startswith(_BOM_LEADS):
        for bom, codec, name in BOMS:
            if data.startswith(bom):
                text = _strict(data[len(bom):], codec)
                if text is not None:
                    return Decoded(text, name, "bom")
                text, replaced = repair(data[len(bom):], codec)
                # a UTF-16/32 mark before bytes that mostly are not (not just a truncated last unit):
                # the rest of the evidence decides, the mark counts as a wrong declaration (warning)
                if name != "utf-8" and replaced * 20 > len(data) - len(bom):
                    other = decode(data[len(bom):], html=html, hint=hint)
                    if other.source != "repaired":
                        other.declared = f"{name} (byte-order mark)"
                        return other
                return Decoded(text, name, "repaired", replaced)
    utf16 = bomless_utf16(data)  # before UTF-8: its ASCII, NULs and all, is valid UTF-8
    if utf16 is not None:
        codec, text, how = utf16
        return Decoded(text, codec.replace("-le", "le").replace("-be", "be"), "detected", evidence=how)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # 7-bit ISO-2022 is valid UTF-8 (ASCII) but no real text holds ESC: isascii() stops at the
        # first non-ASCII byte, so UTF-8 files pay next to nothing for this check
        if data.isascii() and b"\x1b" in data:
            for marker, codec in _ISO2022:
                if marker in data:
                    iso = _strict(data, codec)
                    if iso is not None:
                        return Decoded(iso, label(codec), "detected")
        return Decoded(text, "utf-8", "utf-8")
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged
    return _decode_legacy(data, html=html, hint=hint)


_Options = tuple[dict[str, list["_Candidate"]], dict[str, "_Candidate"], str | None, str | None]


def _options(data: bytes, html: bool, hint: str | None) -> _Options:
    """Strict decodes of every candidate, grouped by the text they give."""
    weights = table()["scoring"]
    cands: dict[str, _Candidate] = {}
    declared_name = declared_charset(data, html)
    declared = canonical(declared_name)
    if declared in {"utf-8", "utf-16", "utf-16-le", "utf-16-be"}:
        declared = None  # they did not decode (or there is no BOM): the declaration is wrong
    _add(cands, declared, float(weights["prior_declared"]), "declared")
    _add(cands, canonical(hint), float(weights["prior_hint"]), "hint")
    sample = detector_sample(data)
    for codec, prior in detector_guesses(sample):
        if codec in table()["charsets"] or codec in table()["supersets"]:  # not e.g. hp-roman8, cp437
            _add(cands, codec, prior, "detected")
    for codec in table()["always_try"]:
        _add(cands, codec, 0.0, "detected")
    family_of = {name: info["family"] for name, info in table()["charsets"].items()}
    families = {family_of[c] for c in cands if c in family_of}
    for name, family in family_of.items():  # the relatives of every candidate: one wrong guess in a family
        if family in families:  # is not fatal
            _add(cands, name, 0.0, "detected")
    if looks_utf16(sample[:4096]):
        _add(cands, "utf-16-le", 0.0, "detected")
        _add(cands, "utf-16-be", 0.0, "detected")

    # Candidates that give the same text are one option: the best prior names it, and the text
    # may read as a language of any of them (windows-1252 and -1250 agree on Romanian "î").
    decoded: dict[str, list[_Candidate]] = {}
    for cand in cands.values():
        text = _strict(data, cand.codec)
        if text is not None:
            decoded.setdefault(text, []).append(cand)
    # UTF-8 with damage competes too, paying for every byte it replaces: a UTF-8 file with a block of
    # garbage reads far better so than as latin-1 mojibake of its every accented letter.
    text, replaced = repair(data, "utf-8")
    valid = sum(1 for ch in text if ord(ch) > 0x7f and ch != "\ufffd")
    decoded.setdefault(text, []).append(_Candidate("utf-8", 0.0, {"repaired"}, replaced, valid))
    return decoded, cands, declared_name, declared


def _decode_legacy(data: bytes, *, html: bool, hint: str | None) -> Decoded:
    decoded, cands, declared_name, declared = _options(data, html, hint)
    if not decoded:
        return _best_repair(data, cands, declared_name if declared else None)
    text, group, runner_up = _rank(decoded, html) if len(decoded) > 1 else (*next(iter(decoded.items())), None)
    winner = max(group, key=lambda c: c.prior)
    sources = set().union(*(c.sources for c in group))
    source = next(s for s in ("declared", "hint", "detected", "repaired") if s in sources)
    overruled = declared_name if declared and "declared" not in sources else None
    return Decoded(text, label(winner.codec), source, winner.replaced, declared=overruled, runner_up=runner_up)


def _rank(options: dict[str, list[_Candidate]], html: bool) -> tuple[str, list[_Candidate], str | None]:
    """The text (and its candidates) that reads best as a language of its charsets, and the
    runner-up (its charsets and how many points behind it was)."""
    ranked = sorted(score_options(options, html), key=lambda s: -s.score)
    # C1 controls are in no real text (ISO-8859-1's reading of windows-1252's "…"): never ahead of a decode without
    clean = [s for s in ranked if not _C1.search(s.text)]
    if clean and clean[0] is not ranked[0] and not any("repaired" in c.sources for c in clean[0].group):
        ranked = [*clean, *(s for s in ranked if s not in clean)]
    best = ranked[0]
    damaged = next((c for c in best.group if "repaired" in c.sources), None)
    if damaged is not None:
        # Replacing bytes loses text for good. When the file holds no valid UTF-8 multibyte sequence,
        # replacement keeps no character a strict decode would not: the best strict decode that reads as
        # text (no control character, few rare symbols, its letters in the script of the language it
        # reads as) wins, however odd its case (Irish "hÉireannaigh", "HampelmännerSpielwaren"): issue
        # 26. With some valid UTF-8 in the file ("cafÃ©" against "caf\ufffd"), only one that reads as a language.
        strict = [s for s in ranked if not any("repaired" in c.sources for c in s.group)]
        usable = [s for s in strict if (s.reads_as_text if damaged.valid == 0 else not s.implausible)]
        if usable:
            best = usable[0]
    rest = [s for s in ranked if s is not best]
    runner_up = None
    if rest:
        names = "/".join(dict.fromkeys(label(c.codec) for c in rest[0].group))
        runner_up = f"{names} {best.score - rest[0].score:+.1f}"
    return best.text, best.group, runner_up


@dataclass
class Scored:
    score: float
    text: str
    group: list[_Candidate]
    detail: str
    implausible: bool = False  # rare symbols, odd case, mixed or misfitting script: reads as no language
    reads_as_text: bool = True  # implausible at most for its case (hÉireann): text, if of an unknown language


def score_options(options: dict[str, list[_Candidate]], html: bool) -> list[Scored]:
    """Every option with its score; the closest ones are checked by the language detector."""
    from pipeline.stages.language import detect_text

    w = table()["scoring"]
    scored = []
    ctx: dict[str, float] | None = None
    for text, group in options.items():
        sample = text_sample(text, html)
        langs = tuple(dict.fromkeys(lang for c in group for lang in languages(c.codec))) or ("en",)
        if ctx is None:  # the ASCII context is the same in every candidate: scored once, for all languages
            every = tuple(dict.fromkeys(lang for info in table()["charsets"].values() for lang in info["languages"]))
            ctx = context(normalized(sample), every)
        damaged = next((c for c in group if "repaired" in c.sources), None)
        if damaged is None:
            nbytes, extra = nonascii_bytes(sample, group[0].codec), 0.0
        else:  # U+FFFD stands for a run of bytes: count and charge every byte of it
            runs = text.count("\ufffd")
            per_run = damaged.replaced / runs if runs else 1.0
            marks = sample.count("\ufffd")
            nbytes = round(marks * per_run) + sum(len(ch.encode()) for ch in sample
                                                  if ord(ch) > 0x7f and ch != "\ufffd")
            extra = marks * per_run * float(w["replaced_cost"])  # fit() leaves U+FFFD to us
            langs = tuple(dict.fromkeys(lang for info in table()["charsets"].values() for lang in info["languages"]))
        f = fit(sample, langs, w, max(1, nbytes), ctx)
        prior = max(c.prior + charset_prior(c.codec) for c in group)
        score = f.lm + extra / max(1, nbytes) - float(w["case"]) * f.case - float(w["mixed"]) * f.mixed + prior
        detail = (f"{'/'.join(label(c.codec) for c in group)}: lm {f.lm:.2f} ({f.language}) case {f.case:.2f} "
                  f"mixed {f.mixed:.2f} prior {prior:.2f}")
        script = main_script(sample)
        misfit = bool(script and f.language and script not in scripts(f.language))
        if misfit:
            # letters in a script the language the text reads as does not use: an Arabic letter in English is a stray byte
            score -= float(w["script_misfit"])
            detail += f" script-misfit {script}/{f.language}"
        if all(script_absent(c.codec, script) for c in group):  # "»lan" for "Član" in x-mac-cyrillic
            score -= float(w["script_absent"])
            detail += " no letter of its script"
        if f.language and all(secondary(f.language, c.codec) for c in group):  # Polish read as windows-1257
            score -= float(w.get("secondary_language", 0.0))
            detail += f" secondary {f.language}"
        share = float(w["implausible_share"])
        implausible = misfit or f.rare >= share or f.case >= share or f.mixed >= share
        # text, of some language, however odd its case: no C1 control, few rare symbols, letters in the
        # script of the language it reads as, few words mixing scripts
        text_like = not misfit and f.rare < share and f.mixed < share and not _C1.search(text)
        scored.append((Scored(score, text, group, detail, implausible, text_like), sample, (f.language, *langs)))
    scored.sort(key=lambda s: -s[0].score)
    top = scored[: int(w["language_check_top"])]
    if len(top) > 1 and top[0][0].score - top[1][0].score < float(w["language_check_margin"]):
        for entry, sample, (reads_as, *serves) in top:
            detected = language_of(sample, detect_text, float(w.get("fasttext_sure", 1.1)))
            if detected != "und" and detected not in serves:
                entry.score -= float(w["language_misfit"])
                entry.detail += f" misfit {detected}"
            elif detected not in ("und", reads_as):  # Slovak "vežký" reads best as Czech: the detector says Slovak
                entry.score -= float(w.get("language_mismatch", 0.0))
                entry.detail += f" mismatch {detected}/{reads_as}"
    return [entry for entry, _, _ in scored]


def explain(data: bytes, *, html: bool = False, hint: str | None = None) -> list[str]:
    """The ranking of a legacy file's candidates, best first (for docs and debugging)."""
    options = _options(data, html, hint)[0]
    return [f"{s.score:7.2f} {s.detail}" for s in sorted(score_options(options, html), key=lambda s: -s.score)]


def _best_repair(data: bytes, cands: dict[str, _Candidate], declared: str | None) -> Decoded:
    """No strict decode: the candidate that needs the fewest replacements (UTF-8 first on ties)."""
    best: tuple[int, float, str, str] | None = None
    for codec in ["utf-8", *cands]:
        try:
            text, replaced = repair(data, codec)
        except LookupError:
            continue
        prior = cands[codec].prior if codec in cands else 1.0
        key = (replaced, -prior)
        if best is None or key < (best[0], -best[1]):
            best = (replaced, prior, codec, text)
    assert best is not None
    return Decoded(best[3], label(best[2]), "repaired", best[0], declared=declared)


def _damaged_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few broken bytes (a truncated copy, one stray byte): the valid multibyte
    sequences outnumber the broken bytes many times over. A legacy file seldom forms even one valid
    sequence by chance (GBK Chinese, the likeliest, about one character in twelve), so it never
    gets here; a cp1252 file with curly quotes has none at all."""
    text, replaced = repair(data, "utf-8")
    valid = sum(1 for ch in text if ord(ch) > 0x7f and ch != "\ufffd")
    ratio = float(table()["scoring"]["damaged_utf8_ratio"])
    return Decoded(text, "utf-8", "repaired", replaced) if valid >= ratio * replaced else None
