"""``make demo``: a small multilingual corpus with syndicated copies, loaded behind the ``articles``
alias, so every search example of the README has something to find.

    python -m devtools.demo [--out DIR] [--build-only] [--index-alias ALIAS]

The corpus (``.local/demo/corpus`` by default, rebuilt each time, deterministic):
- ``seeds/``: the two seed articles (English; Russia, the New START treaty);
- ``pages/``: the 121 real English news pages of ``../shared/benchmarks/article-extraction`` (read
  from there, never copied into the repo);
- ``multilingual/``: the 40 hand-written pages of ``benchmarks/data/metadata-pages`` (17 languages:
  Chinese, Arabic, Russian, Japanese, Korean, Ukrainian, Vietnamese …);
- ``syndicated/``: three reprints of each of a few stories (the seeds, the Scooter Braun / Taylor
  Swift story, …) the way other outlets run them: another headline, an edited lead, a dropped
  paragraph plus an added one, or a truncated excerpt. Each story then has 4 copies (`--collapse`).
Then ``python -m pipeline run --source DIR --source-id demo`` loads it: into ES_URL when set, else
into the local development node (``--local-es``). The folder lies under ``.local/demo``, which the
run allows as a source root.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "benchmarks" / "article-extraction"
METADATA_PAGES = REPO / "benchmarks" / "data" / "metadata-pages"
DEFAULT_OUT = REPO / ".local" / "demo" / "corpus"
# Stories reprinted by other outlets: the seeds and these pages of the shared set (ids of ground-truth.json).
SYNDICATED_PAGES = {
    "eb62ac8425e5573947ecde962d14433d18e5725cc4a8c908fe22f678e96a65a1": "Scooter Braun / Taylor Swift",
    "ef4e67b66d63b5facef55c06a94d85f2ae01a0a1a4a3a1bcfe2499c8c8a7dacf": "Donald Trump's health",
}
OUTLETS = ("Daily Courier", "Evening Herald", "Metro Wire")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n") if len(p.strip()) > 1]


def reprints(title: str, paragraphs: list[str]) -> list[str]:
    """Three other outlets' versions of one story, as plain-text files."""
    body = [p for p in paragraphs if p != title]
    n = len(body)
    lead = body[0].split(". ", 1)[-1] if ". " in body[0] else body[0]
    copies = [
        # another headline, an edited lead
        (f"{title.rstrip('.')} — what we know", [f"{OUTLETS[0]} — {lead}", *body[1:]]),
        # one paragraph dropped, one added at the end
        (f"Report: {title}", [*body[: n // 2], *body[n // 2 + 1:],
                              f"The {OUTLETS[1]} contributed reporting to this article."]),
        # a truncated excerpt
        (title.upper() if len(title) < 60 else title, [*body[: max(3, (n * 2) // 3)],
                                                       f"Read the full story at the {OUTLETS[2]}."]),
    ]
    return [f"{head}\n\nBy {outlet} staff\n\n" + "\n\n".join(paras) + "\n"
            for (head, paras), outlet in zip(copies, OUTLETS)]


def build(out: Path, shared: Path = SHARED) -> dict[str, int]:
    """Write the corpus into ``out`` (emptied first); returns the file count per folder."""
    if not (shared / "ground-truth.json").exists():
        raise SystemExit(f"error: the shared benchmark pages are missing ({shared}); the demo needs them")
    if out.exists():
        shutil.rmtree(out)
    for sub in ("seeds", "pages", "multilingual", "syndicated"):
        (out / sub).mkdir(parents=True)
    truth = json.loads((shared / "ground-truth.json").read_text(encoding="utf-8"))
    for seed in sorted((REPO / "seeds").glob("*.txt")):
        shutil.copyfile(seed, out / "seeds" / seed.name)
        lines = _paragraphs(seed.read_text(encoding="utf-8"))
        title = next(line for line in lines if len(line.split()) >= 4)
        start = lines.index(title)
        for n, text in enumerate(reprints(title, lines[start:start + 40]), start=1):
            (out / "syndicated" / f"{seed.stem}-reprint-{n}.txt").write_text(text, encoding="utf-8")
    for page in sorted((shared / "html").glob("*.html.gz")):
        shutil.copyfile(page, out / "pages" / page.name)
    for page_id in SYNDICATED_PAGES:
        page = gzip.decompress((shared / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
        found = re.search(r"<title[^>]*>([^<]+)</title>", page)
        title = html.unescape(found.group(1)).split(" | ")[0].strip() if found else SYNDICATED_PAGES[page_id]
        for n, text in enumerate(reprints(title, _paragraphs(truth[page_id]["articleBody"])), start=1):
            (out / "syndicated" / f"{page_id[:12]}-reprint-{n}.txt").write_text(text, encoding="utf-8")
    for page in sorted(METADATA_PAGES.glob("*.html")):
        shutil.copyfile(page, out / "multilingual" / page.name)
    return {sub.name: sum(1 for _ in sub.iterdir()) for sub in sorted(out.iterdir())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--build-only", action="store_true", help="write the corpus, load nothing")
    parser.add_argument("--index-alias", help="load it behind this alias (default: config index.alias, `articles`)")
    args = parser.parse_args(argv)
    counts = build(args.out.resolve())
    print("demo corpus: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"  ({args.out})")
    if args.build_only:
        return 0
    env = {**os.environ, "ETL_ALLOWED_SOURCE_ROOTS": str(args.out.resolve().parent)}
    command = [sys.executable, "-m", "pipeline", "run", "--source", str(args.out.resolve()), "--source-id", "demo"]
    if args.index_alias:
        command += ["--index-alias", args.index_alias]
    if not env.get("ES_URL"):
        command.append("--local-es")
    return subprocess.run(command, cwd=REPO, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
