"""Build a deterministic benchmark corpus of N news documents from real text.

    python benchmarks/corpus.py --out DIR [--docs 10000] [--data DIR] [--seed 0]

Sources (read from the shared folder, never copied into the repo): the 121 real article pages of
``<repo>/../shared/benchmarks/article-extraction/html`` (``--data`` points at that
``article-extraction`` folder elsewhere), their text dumps (the page's visible text as
BeautifulSoup gives it, navigation and footers included), the seed articles in ``seeds/`` and, as
a pool of real sentences, the annotated article bodies of ``ground-truth.json`` and the seeds.

Every document starts from one real page or dump. Half are HTML (``.html`` and ``.html.gz``), half
text dumps (``.txt``). Each gets one paragraph of real sentences chosen by its number (so no two
documents share it: nothing dedupes away) and 0-24 further paragraphs of real sentences inserted after the
article's longest paragraph, where the cleaner keeps them; some text dumps are cut short. Lengths
therefore vary from a short dump to a long page. Document ``i`` depends only on ``i`` and the seed, so a
smaller corpus is the prefix of a larger one, and the same arguments give byte-identical files.

Files go to ``DIR/{html,html.gz,txt}/<i // 1000>/<i>.<ext>`` with ``DIR/.manifest.json``; an
existing folder with the same manifest is reused (``--force`` rebuilds).
"""

from __future__ import annotations

import argparse
import gzip
import html as html_lib
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script (`python benchmarks/corpus.py`): the pipeline package is here
    sys.path.insert(0, str(REPO))
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "article-extraction"
SEEDS = REPO / "seeds"
CORPUS_VERSION = 1
MANIFEST = ".manifest.json"  # hidden: the pipeline skips it, so it is not a document

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?\u3002])\s+")
_P_BLOCK = re.compile(r"<p[\s>].*?</p\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass
class Source:
    """One real page: its HTML, its text dump and where a paragraph can go in each."""

    name: str
    html: str
    html_insert_at: int  # offset in ``html`` where paragraphs go (-1: page not used as HTML)
    dump_lines: list[str]
    dump_insert_at: int  # line index in the dump where paragraphs go (-1: not used as a dump)


def _p_ends(page: str) -> list[int]:
    """Ends of the page's ``<p>`` blocks, longest text first."""
    blocks = [(len(_TAG.sub("", m.group(0)).strip()), m.end()) for m in _P_BLOCK.finditer(page)]
    return [end for _, end in sorted(blocks, key=lambda b: (-b[0], b[1]))]


def _line_ends(lines: list[str]) -> list[int]:
    """Line indexes just after the dump's lines, longest line first."""
    return [i + 1 for i in sorted(range(len(lines)), key=lambda i: (-len(lines[i].strip()), i))]


def _html_with(page: str, at: int, paragraphs: list[str]) -> str:
    block = "".join(f"\n<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs)
    return page[:at] + block + page[at:]


def _dump_with(lines: list[str], at: int, paragraphs: list[str]) -> list[str]:
    return lines[:at] + [""] + [x for p in paragraphs for x in (p, "")] + lines[at:]


def _surviving(candidates: list[int], keeps: "callable[[int], bool]", tries: int = 12) -> int | None:
    """The first insertion point (of the best ``tries``) where the cleaner keeps the paragraph."""
    for at in candidates[:tries]:
        if keeps(at):
            return at
    return None


def _sentence_pool(texts: list[str]) -> list[str]:
    pool: list[str] = []
    seen: set[str] = set()
    for text in texts:
        for para in text.split("\n"):
            for sentence in _SENTENCE_SPLIT.split(para.strip()):
                sentence = sentence.strip()
                if 40 <= len(sentence) <= 400 and sentence not in seen:
                    seen.add(sentence)
                    pool.append(sentence)
    return pool


def load_sources(data: Path) -> tuple[list[Source], list[Source], list[str]]:
    """(pages usable as HTML and/or dump, seeds (dump only), sentence pool); all in a stable order.

    Where a paragraph goes is calibrated once per page with the pipeline's own cleaner: the
    end of the longest paragraph (of the 12 longest) whose inserted sentences survive cleaning,
    so every document's unique paragraph is in its indexed body. A page with no such place is
    not used in that form (``html_insert_at``/``dump_insert_at`` is -1).
    """
    from bs4 import BeautifulSoup

    from pipeline.stages.clean import clean_html_string
    from pipeline.stages.clean.text import clean_text

    pages = sorted((data / "html").glob("*.html.gz"))
    if not pages:
        raise FileNotFoundError(f"no article pages under {data / 'html'} (use --data DIR)")
    raw = []
    for path in pages:
        page = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        raw.append((path.name.split(".")[0], page, BeautifulSoup(page, "lxml").get_text("\n").split("\n")))
    seed_raw = [(path.stem, path.read_text(encoding="utf-8").split("\n")) for path in sorted(SEEDS.glob("*.txt"))]

    texts: list[str] = []
    truth = data / "ground-truth.json"
    if truth.is_file():
        texts += [v.get("articleBody") or "" for _, v in sorted(json.loads(truth.read_text(encoding="utf-8")).items())]
    texts += ["\n".join(lines) for _, lines in seed_raw]
    pool = _sentence_pool(texts)
    if len(pool) < 100:
        raise ValueError(f"sentence pool too small ({len(pool)}): is {truth} there?")

    probe = [" ".join(pool[k::97][:4]) for k in (0, 1)]  # two real paragraphs as the calibration marker

    def html_keeps(page: str, at: int) -> bool:
        body = clean_html_string(_html_with(page, at, probe)).body
        return all(p[:60] in body for p in probe)

    def dump_keeps(lines: list[str], at: int) -> bool:
        body = clean_text("\n".join(_dump_with(lines, at, probe))).body
        return all(p[:60] in body for p in probe)

    sources = []
    for name, page, lines in raw:
        h_at = _surviving(_p_ends(page), lambda at: html_keeps(page, at))
        d_at = _surviving(_line_ends(lines), lambda at: dump_keeps(lines, at))
        sources.append(Source(name, page, -1 if h_at is None else h_at, lines, -1 if d_at is None else d_at))
    seeds = []
    for name, lines in seed_raw:
        d_at = _surviving(_line_ends(lines), lambda at: dump_keeps(lines, at))
        if d_at is not None:
            seeds.append(Source(name, "", -1, lines, d_at))
    return sources, seeds, pool


def unique_paragraph(i: int, pool: list[str], rng: random.Random) -> str:
    """Sentences ``i mod P`` and ``(i div P) mod P`` (a pair no other i < P² gets) plus a few more."""
    p = len(pool)
    picked = [pool[i % p], pool[(i // p + 7919 * (i % p)) % p]]  # (a, b) determines i for i < P²
    picked += rng.sample(pool, rng.randint(1, 4))
    return " ".join(picked)


def extra_paragraphs(rng: random.Random, pool: list[str]) -> list[str]:
    """Length variety: most documents get a few paragraphs, some many."""
    count = rng.choice((0, 0, 1, 1, 2, 3, 4, 6, 8, 12, 16, 24))
    return [" ".join(rng.sample(pool, rng.randint(2, 6))) for _ in range(count)]


def render(i: int, seed: int, sources: list[Source], seeds: list[Source], pool: list[str]) -> tuple[str, bytes]:
    """Document ``i``: (relative path, bytes)."""
    rng = random.Random(seed * 1_000_003 + i)
    kind = ("html", "txt", "html.gz", "txt")[i % 4]  # half HTML (a quarter gzipped), half text dumps
    paragraphs = [unique_paragraph(i, pool, rng)] + extra_paragraphs(rng, pool)
    folder = f"{kind}/{i // 1000:03d}"
    if kind == "txt":
        usable = [s for s in sources if s.dump_insert_at >= 0]
        src = rng.choice(seeds) if seeds and rng.random() < 0.05 else usable[rng.randrange(len(usable))]
        lines = _dump_with(src.dump_lines, src.dump_insert_at, paragraphs)
        if rng.random() < 0.3:  # cut short (footers and related lists go first)
            keep = src.dump_insert_at + len(paragraphs) * 2 + 1
            lines = lines[: max(keep, int(len(lines) * rng.uniform(0.5, 0.95)))]
        return f"{folder}/{i:07d}.txt", "\n".join(lines).encode("utf-8")
    usable = [s for s in sources if s.html_insert_at >= 0]
    src = usable[rng.randrange(len(usable))]
    data = _html_with(src.html, src.html_insert_at, paragraphs).encode("utf-8")
    if kind == "html.gz":
        return f"{folder}/{i:07d}.html.gz", gzip.compress(data, compresslevel=6, mtime=0)
    return f"{folder}/{i:07d}.html", data


def build(out: Path, docs: int, *, data: Path | None = None, seed: int = 0, force: bool = False,
          log=print) -> Path:
    """Write the corpus to ``out`` (reused when its manifest matches); returns ``out``."""
    data = Path(data) if data else DEFAULT_DATA
    out = Path(out)
    manifest = {"corpus_version": CORPUS_VERSION, "docs": docs, "seed": seed, "data": str(data.resolve())}
    mpath = out / MANIFEST
    if not force and mpath.is_file():
        try:
            if json.loads(mpath.read_text(encoding="utf-8")) == manifest:
                log(f"corpus: reusing {docs} documents in {out}")
                return out
        except ValueError:
            pass
    sources, seeds, pool = load_sources(data)  # before anything is removed: a wrong --data leaves the folder as it was
    if out.exists():
        if not mpath.is_file() and any(out.iterdir()):
            raise FileExistsError(f"{out} exists, is not empty and is not a corpus folder; refusing to overwrite")
        for child in ("html", "html.gz", "txt", MANIFEST):
            target = out / child
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    usable = sum(s.html_insert_at >= 0 for s in sources), sum(s.dump_insert_at >= 0 for s in sources)
    total = 0
    made: set[str] = set()
    for i in range(docs):
        rel, blob = render(i, seed, sources, seeds, pool)
        path = out / rel
        parent = str(path.parent)
        if parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(parent)
        path.write_bytes(blob)
        total += len(blob)
    mpath.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log(f"corpus: wrote {docs} documents ({total / 1e6:.0f} MB) to {out} from {len(sources)} pages, "
        f"({usable[0]} used as HTML, {usable[1]} as dumps), {len(seeds)} seeds, {len(pool)} real sentences")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="folder to write the corpus into")
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--data", type=Path, default=None, help=f"article-extraction folder (default {DEFAULT_DATA})")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--force", action="store_true", help="rebuild even when the folder holds this corpus")
    args = ap.parse_args(argv)
    build(args.out, args.docs, data=args.data, seed=args.seed, force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
