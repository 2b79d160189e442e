"""Least privilege against a real node with security on: the writer role lets the pipeline do
everything it does (index, run record, dead-letter, reindex with alias swap and pruning) and
nothing else; the analyst role only reads.

The minimal distribution cannot store native roles/users (its ``.security`` index needs the
``analysis-common`` module it does not ship; see tests/elastic/test_security.py), so the node gets the
very same role definitions as file-based roles (``pipeline setup --roles-file`` -> roles.yml) and
file-realm users. ``setup`` itself is run against the node: it detects security, tries the native
API and fails with a clear message that leaks no password.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from elasticsearch import AuthorizationException

from devtools.es_local import LocalNode, find_java_home, free_port
from pipeline.config import ESConnection, load_settings
from pipeline.elastic.client import make_client
from pipeline.elastic.security import SecurityNames, ensure_roles_and_users, roles_file, security_enabled
from pipeline.run import run_ingest
from pipeline.run.flow import run_reindex as reindex
from tests.e2e.test_faults import make_corpus

pytestmark = [pytest.mark.es, pytest.mark.slow]  # a secured node of its own

REPO = Path(__file__).resolve().parents[2]
ALIAS = "articles"
PASSWORDS = {name: "pw-" + secrets.token_hex(12) for name in ("admin", "writer", "analyst")}


@dataclass
class Node:
    url: str
    names: SecurityNames

    def client(self, who: str):
        user = {"admin": "admin", "writer": self.names.writer_user, "analyst": self.names.analyst_user}[who]
        return make_client(ESConnection(self.url, username=user, password=PASSWORDS[who]))


@pytest.fixture(scope="module")
def node() -> Iterator[Node]:
    base = Path(tempfile.mkdtemp(prefix="news-etl-roles-"))
    base.chmod(0o755)
    local = LocalNode(home=base / "home", port=free_port(), heap="256m",
                      extra_settings={"xpack.security.enabled": "true", "xpack.security.http.ssl.enabled": "false"})
    names = SecurityNames.from_config()
    try:
        es_home = local.install()
        (es_home / "config" / "roles.yml").write_text(roles_file(ALIAS, names))
        env = {"ES_JAVA_HOME": str(find_java_home()), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        for user, who, role in (("admin", "admin", "superuser"), (names.writer_user, "writer", names.writer_role),
                                (names.analyst_user, "analyst", names.analyst_role)):
            tool = subprocess.run([str(es_home / "bin" / "elasticsearch-users"), "useradd", user, "-p",
                                   PASSWORDS[who], "-r", role], env=env, capture_output=True, text=True)
            assert tool.returncode == 0, tool.stderr
        local.start(timeout=180)
        yield Node(local.url, names)
    finally:
        local.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def corpus() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="news-etl-roles-corpus-"))
    make_corpus(base / "src", 30)
    yield base / "src"
    shutil.rmtree(base, ignore_errors=True)


def test_writer_can_do_everything_the_pipeline_does(node: Node, corpus: Path, tmp_path: Path) -> None:
    es = node.client("writer")
    settings = load_settings().with_overrides(batch_size=10)
    report = run_ingest(settings, es=es, source_dir=corpus, alias=ALIAS, runs_dir=tmp_path / "runs")
    assert report.indexed == 30 and report.failed == 0
    assert es.get(index="etl-runs", id=report.run_id)["_source"]["indexed"] == 30
    first = next(iter(es.indices.get_alias(name=ALIAS)))
    rebuilt = reindex(es, settings, source_dir=corpus, alias=ALIAS, runs_dir=tmp_path / "runs")  # swap + prune
    live = next(iter(es.indices.get_alias(name=ALIAS)))
    assert live != first and es.count(index=ALIAS)["count"] == 30
    assert rebuilt.report.indexed == 30
    es.index(index=f"{ALIAS}-deadletter", document={"source": "x", "reason": "test", "run_id": "t",
                                                    "failed_at": "2026-01-01T00:00:00Z"}, refresh=True)


def test_writer_cannot_touch_anything_else(node: Node) -> None:
    admin, es = node.client("admin"), node.client("writer")
    admin.indices.create(index="hr-salaries")
    for call in (lambda: es.indices.create(index="other-index"),
                 lambda: es.index(index="hr-salaries", document={"x": 1}),
                 lambda: es.search(index="hr-salaries"),
                 lambda: es.indices.delete(index="hr-salaries"),
                 lambda: es.security.put_user(username="intruder", password="x" * 12, roles=["superuser"])):
        with pytest.raises(AuthorizationException):
            call()


def test_analyst_only_reads(node: Node, corpus: Path, tmp_path: Path) -> None:
    node.client("admin").indices.create(index="finance-ledger")
    run_ingest(load_settings(), es=node.client("writer"), source_dir=corpus, alias=ALIAS, runs_dir=tmp_path / "r")
    es = node.client("analyst")
    assert es.count(index=ALIAS)["count"] == 30
    assert es.search(index="etl-runs", size=1)["hits"]["total"]["value"] >= 1
    some_id = es.search(index=ALIAS, size=1)["hits"]["hits"][0]["_id"]
    for call in (lambda: es.index(index=ALIAS, document={"title": "x"}),
                 lambda: es.delete(index=ALIAS, id=some_id),
                 lambda: es.indices.delete(index="etl-runs"),
                 lambda: es.indices.create(index="articles-mine"),
                 lambda: es.search(index="finance-ledger")):
        with pytest.raises(AuthorizationException):
            call()


def test_setup_sees_security_and_explains_a_cluster_without_native_realm(node: Node) -> None:
    admin = node.client("admin")
    assert security_enabled(admin)
    env = {**os.environ, "ES_URL": node.url, "ES_USERNAME": "admin", "ES_PASSWORD": PASSWORDS["admin"],
           "ETL_ES_WRITER_PASSWORD": PASSWORDS["writer"], "ETL_ES_ANALYST_PASSWORD": PASSWORDS["analyst"]}
    proc = subprocess.run([sys.executable, "-m", "pipeline", "setup"], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2
    assert "refused the security API" in proc.stderr and "--roles-file" in proc.stderr
    assert not any(pw in proc.stdout + proc.stderr for pw in PASSWORDS.values())


def test_setup_skips_roles_without_security(es_client) -> None:
    names = SecurityNames.from_config()
    assert ensure_roles_and_users(es_client, ALIAS, names, env={"ETL_ES_WRITER_PASSWORD": "x"}) == [
        "security is off on this cluster: no roles or users created"]


def test_roles_only_name_the_pipelines_indices() -> None:
    names = SecurityNames.from_config()
    from pipeline.elastic.security import role_definitions

    roles = role_definitions("news", names)
    writer = roles[names.writer_role]["indices"][0]["names"]
    assert writer == ["news", "news-*", "articles*", "etl-runs", "*-deadletter", "etl-leases", "etl-sources",
                      "etl-line-stats"]
    assert "*" not in writer and "all" not in roles[names.writer_role]["cluster"]
    assert roles[names.analyst_role]["indices"][0]["privileges"] == ["read", "view_index_metadata"]


def test_setup_as_the_writer_with_roles_managed_elsewhere(node: Node) -> None:
    """With file-based roles, `setup --no-security` runs as the writer itself (what the stack test does)."""
    env = {**os.environ, "ES_URL": node.url, "ES_USERNAME": node.names.writer_user, "ES_PASSWORD": PASSWORDS["writer"]}
    proc = subprocess.run([sys.executable, "-m", "pipeline", "setup", "--no-security", "--index-alias", "articles-setup"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "index template + alias ready: articles-setup" in proc.stdout
    assert node.client("admin").indices.exists_alias(name="articles-setup")
