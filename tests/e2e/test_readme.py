"""The README is tested: every command of its shell blocks (and of the runbook's) runs here, against a
node loaded by `make demo`'s loader, and its output must show what the README says or shows.

A command that cannot run here is in SKIP with the reason (no Docker engine, the runbook's steps that
`make stack-test` performs, commands that would stop the node the other tests use). A shell block
command that is neither run nor listed fails the test, so a new README example needs one or the other.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", REPO / "docs" / "operations.md"]
RUNBOOK_STEPS = "a step of the production runbook that `make stack-test` performs (devtools/stack/stack_test.py; .ci/run runs it)"
SKIP: list[tuple[str, str]] = [
    (r"^make test\b", "this test runs inside `make test`"),
    (r"^make test-fast\b", "runs the fast tier of this very suite; `make test` (this run) includes it"),
    (r"^make stop\b", "would stop the Elasticsearch node the rest of the suite uses; tests/devtools/test_es_local.py "
                      "starts and stops a node"),
    (r"^make ui\b", "tests/e2e/test_airflow_ui.py starts the same processes (devtools.airflow_ui) on a free port"),
    (r"^make stack-test\b", ".ci/run runs `make stack-test` itself (about 3.5 minutes)"),
    (r"^make install-prod\b", "`make stack-test` in .ci/run installs .venv-prod"),
    (r"^cp \.env\.example \.env\b", "would write the compose secrets file into the checkout; tests/e2e/test_compose*.py "
                                    "check .env.example"),
    (r"^docker compose\b", "no Docker engine here; tests/e2e/test_compose*.py validate the file (Compose Specification "
                           "schema, services, profiles, entrypoint)"),
    (r"airflow dags trigger\b", "needs a running scheduler and api-server: tests/e2e/test_airflow_ui.py triggers both "
                                "DAGs through the UI"),
    (r"\$(T|PGBIN|PG_PORT|REPO|API_PORT|REDIS_PASSWORD|TOKEN)\b|^TOKEN=|^PGBIN=", RUNBOOK_STEPS),
    (r"^\.venv-prod/|^AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=", RUNBOOK_STEPS),
]

pytestmark = [pytest.mark.es, pytest.mark.airflow, pytest.mark.slow]


def shell_commands(path: Path) -> list[tuple[int, str]]:
    """(block number, command) for every command line of the file's ```bash blocks, comments dropped
    and backslash continuations joined."""
    out = []
    blocks = re.findall(r"```bash\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    for number, block in enumerate(blocks):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s{2,}#.*$", "", line).strip()
            if line and not line.startswith("#"):
                out.append((number, line))
    return out


def skip_reason(command: str) -> str | None:
    return next((reason for pattern, reason in SKIP if re.search(pattern, command)), None)


def planned(path: Path) -> list[tuple[str, str | None]]:
    """(command, reason to skip it or None); a runbook block is skipped whole once one of its steps is
    (its exports and multi-line values belong to that step)."""
    commands = shell_commands(path)
    runbook_blocks = {block for block, command in commands if skip_reason(command) == RUNBOOK_STEPS}
    return [(command, RUNBOOK_STEPS if block in runbook_blocks else skip_reason(command))
            for block, command in commands]


def shown_outputs(path: Path) -> list[tuple[str, list[str]]]:
    """Plain ``` blocks that start with `$ command`: (command, the lines the README prints after it)."""
    return [(m.group(1), m.group(2).rstrip("\n").splitlines())
            for m in re.finditer(r"```\n\$ ([^\n]+)\n(.*?)```", path.read_text(encoding="utf-8"), re.S)]


@pytest.fixture(scope="module")
def demo(es_url):
    """`make demo`'s loader into the node under test (alias `articles`, source `demo`)."""
    load_demo(es_url, unchanged_too=True)  # the node may hold the corpus already: every document unchanged
    return es_url


def load_demo(es_url: str, *args: str, unchanged_too: bool = False) -> None:
    """``python -m devtools.demo *args`` into ``es_url``: every document indexed (or, given ``unchanged_too``,
    every one unchanged), none failed."""
    result = subprocess.run([sys.executable, "-m", "devtools.demo", *args], cwd=REPO, env={**os.environ, "ES_URL": es_url},
                            capture_output=True, text=True, timeout=900)
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert re.search(r"seen=(\d+)\s.*\bfailed=0\s+indexed=\1\b", out) or unchanged_too and re.search(
        r"seen=(\d+)\s.*\bunchanged=\1\s.*\bfailed=0\b", out), out[-3000:]


def run(command: str, exports: list[str], es_url: str) -> subprocess.CompletedProcess:
    port = urlsplit(es_url).port
    command = command.replace("127.0.0.1:9200", f"127.0.0.1:{port}")  # the README's node is the default port
    script = "\n".join([*exports, command])
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}  # the README's own exports decide
    return subprocess.run(["bash", "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)


RANK = re.compile(r"^ *(\d+)\. \[[\d.]+\] (.*?)  \((\w+)\)(?:  \[(\d+) copies\])?$", re.M)


def check_search(argv: list[str], out: str) -> None:
    """What the flags promise: hits (never `no hits`), --size/--offset ranks, --language, --format jsonl."""
    args = argv[argv.index("search") + 1:]
    value = {flag: args[args.index(flag) + 1] for flag in ("--size", "--offset", "--language", "--format")
             if flag in args}
    size, offset = int(value.get("--size", 10)), int(value.get("--offset", 0))
    if value.get("--format") == "jsonl":
        hits = [json.loads(line) for line in out.splitlines()]
        assert 0 < len(hits) <= size
        for hit in hits:
            assert {"id", "score", "title", "source_path", "language", "highlight"} <= set(hit)
        assert args[0].lower() in json.dumps(hits[0], ensure_ascii=False).lower()
        return
    assert "no hits" not in out
    ranks = [RANK.match(line) for line in out.splitlines() if RANK.match(line)]
    assert 0 < len(ranks) <= size, out
    assert int(ranks[0].group(1)) == offset + 1, out
    if "--language" in value:
        assert {r.group(3) for r in ranks} == {value["--language"]}, out
    # every hit is printed as its rank line, path and highlights: the first one matches the query, and
    # one of those shown carries at least half of its longer words (the article the example is about)
    starts = [out.index(r.group(0)) for r in ranks] + [len(out)]
    blocks = [out[a:b].lower() for a, b in zip(starts, starts[1:])]
    words = re.findall(r"\w+", args[0].lower())
    assert any(w in blocks[0] for w in words), blocks[0]
    long_words = [w for w in words if len(w) > 3] or words
    assert any(sum(w in block for w in long_words) * 2 >= len(long_words) for block in blocks), out


def check(command: str, result: subprocess.CompletedProcess) -> None:
    out = result.stdout
    assert result.returncode == 0, f"{command}\n{out[-2000:]}\n{result.stderr[-3000:]}"
    if command.startswith("export "):
        return
    argv = shlex.split(command)
    if "pipeline" in argv and "search" in argv:
        check_search(argv, out)
    elif argv[0] == "curl":
        assert json.loads(out)["hits"]["total"]["value"] > 0, out[:500]
    elif argv[:2] == ["make", "run"]:
        assert re.search(r"run \S+: .* -> articles \(\S+\): succeeded", out) and RANK.search(out.split("search")[-1])
    elif "airflow" in argv[0] and argv[1:3] == ["dags", "test"]:
        text = out + result.stderr
        assert "run report" in text and re.search(r": succeeded\b", text), text[-3000:]
    elif argv[:2] == ["make", "typecheck"]:
        assert "Success: no issues found" in out, out[-2000:]
    elif argv[:2] == ["make", "demo"]:
        assert "demo corpus:" in out and "succeeded" in out
    else:
        pytest.fail(f"no check for {command!r}: add one, or a SKIP entry with the reason")


def test_every_shell_block_command_runs_and_shows_what_the_docs_say(demo):
    ran, skipped = [], []
    for doc in DOCS:
        exports: list[str] = []
        for command, reason in planned(doc):
            if reason:
                skipped.append((command, reason))
                continue
            result = run(command, exports, demo)
            check(command, result)
            if command.startswith("export "):
                exports.append(command)
            ran.append(command)
    assert len(ran) >= 10 and any("植树活动" in c for c in ran) and any("dags test" in c for c in ran)
    print("\n".join([f"ran: {c}" for c in ran] + [f"skipped: {c} -- {r}" for c, r in skipped]))


@pytest.fixture
def demo_alone(demo, alias) -> str:
    """The demo corpus, as `make demo` loads it, in a fresh alias of its own: what `articles` holds on a
    fresh machine after `make demo`. (The node's `articles` also holds what the rest of the suite and, on a
    long-lived development node, everything else loaded there; its term statistics then decide which copy of
    a story scores best.)"""
    load_demo(demo, "--index-alias", alias)
    return alias


def test_printed_output_is_what_the_command_prints(demo, demo_alone):
    shown = shown_outputs(REPO / "README.md")
    assert any("--collapse" in command for command, _ in shown)
    for command, lines in shown:
        assert "--index-alias" not in command
        result = run(command.replace("python -m", ".venv/bin/python -m", 1) + f" --index-alias {demo_alone}", [], demo)
        assert result.returncode == 0, result.stderr
        want = [RANK.match(line).groups()[1:] for line in lines if RANK.match(line)]
        got = [RANK.match(line).groups()[1:] for line in result.stdout.splitlines() if RANK.match(line)]
        assert want and got == want, f"{command}\nREADME shows:\n" + "\n".join(lines) + "\nprints:\n" + result.stdout


def test_every_skipped_command_has_a_reason_that_names_where_it_is_covered():
    for doc in DOCS:
        for command, reason in planned(doc):
            assert reason is None or len(reason) > 30, command
