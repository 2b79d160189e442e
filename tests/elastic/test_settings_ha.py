"""Several Elasticsearch hosts, sniffing, and the environment overrides of shards, replicas and
batch size (config/pipeline.yaml stays the one source of defaults)."""

from __future__ import annotations

import pytest

from pipeline.config import ALIAS_PATTERN, ESConnection, _raw_settings, load_settings, parse_bool, validate_index_name
from pipeline.elastic.client import make_client
from pipeline.elastic.mapping import build_index_settings, mapping_version, replica_settings
from pipeline.errors import BadParameter, ConfigError, PermanentError


def test_es_url_list_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ES_URL", " http://a:9200/, http://b:9200 ,http://a:9200,")
    conn = load_settings().es
    assert conn.hosts == ("http://a:9200", "http://b:9200")  # trimmed, de-duplicated, order kept
    assert conn.url == "http://a:9200" and conn.explicit


def test_connection_extra_hosts() -> None:
    as_list = ESConnection.from_connection_fields(host="es1", port=9200, extra={"hosts": ["http://es2:9200",
                                                                                        "http://es3:9200"]})
    assert as_list.hosts == ("http://es1:9200", "http://es2:9200", "http://es3:9200")
    as_text = ESConnection.from_connection_fields(host=None, extra={"hosts": "https://es2:9200,https://es3:9200",
                                                                    "sniff": "true"})
    assert as_text.hosts == ("https://es2:9200", "https://es3:9200") and as_text.sniff
    with pytest.raises(ValueError):
        ESConnection.from_connection_fields(host=None, extra={})


def test_sniff_setting_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().es.sniff is (str(_raw_settings()["elasticsearch"]["sniff"]).lower() == "true")
    monkeypatch.setenv("ES_SNIFF", "1")
    assert load_settings().es.sniff is True


def test_client_gets_every_host_and_enough_retries() -> None:
    hosts = ",".join(f"http://127.0.0.1:{p}" for p in (1, 2, 3, 4, 5))
    es = make_client(ESConnection(hosts))
    assert sorted(n.config.port for n in es.transport.node_pool.all()) == [1, 2, 3, 4, 5]
    assert es._max_retries >= 5  # per-request option: a request may have to try every other node
    sniffing = make_client(ESConnection("http://127.0.0.1:1", sniff=True))  # nothing there: no error yet
    assert sniffing.transport._sniff_on_node_failure


@pytest.mark.es
def test_sniffing_discovers_the_node(es_url: str) -> None:
    """Against the shared node: the sniffed pool holds the node's own publish address."""
    es = make_client(ESConnection(es_url, sniff=True))
    assert es.cluster.health()["number_of_nodes"] >= 1  # (this minimal node has no GET /)
    published = {f"{n.config.host}:{n.config.port}" for n in es.transport.node_pool.all()}
    http = es.nodes.info(metric="http")["nodes"]
    assert {n["http"]["publish_address"].rsplit("/", 1)[-1] for n in http.values()} <= published


def test_index_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _raw_settings()
    base = load_settings()
    assert base.run.batch_size == raw["run"]["batch_size"]
    assert base.number_of_replicas == str(raw["index"]["number_of_replicas"])
    assert base.support_replicas == str(raw["support_indices"]["number_of_replicas"])
    monkeypatch.setenv("ETL_BATCH_SIZE", "17")
    monkeypatch.setenv("ETL_INDEX_SHARDS", "3")
    monkeypatch.setenv("ETL_INDEX_REPLICAS", "1")
    monkeypatch.setenv("ETL_SUPPORT_SHARDS", "2")
    monkeypatch.setenv("ETL_SUPPORT_REPLICAS", "0-all")
    s = load_settings()
    assert (s.run.batch_size, s.number_of_shards, s.number_of_replicas, s.support_shards, s.support_replicas) == \
        (17, 3, "1", 2, "0-all")


def test_replica_forms() -> None:
    assert replica_settings("2") == {"number_of_replicas": 2, "auto_expand_replicas": "false"}
    assert replica_settings(0) == {"number_of_replicas": 0, "auto_expand_replicas": "false"}
    assert replica_settings("0-all") == {"auto_expand_replicas": "0-all"}
    for bad in ("two", "-1", "0-", "1-x"):
        with pytest.raises(ValueError):
            replica_settings(bad)


def test_replicas_do_not_change_the_layout_version() -> None:
    """Replicas change in place; only shards (fixed at creation) make a new index."""
    mappings = {"properties": {"x": {"type": "keyword"}}}
    assert mapping_version(mappings, build_index_settings(1, "0-2")) == mapping_version(mappings,
                                                                                       build_index_settings(1, 1))
    assert mapping_version(mappings, build_index_settings(1, 1)) != mapping_version(mappings,
                                                                                   build_index_settings(2, 1))


YES, NO = ("1", "true", "TRUE", "Yes", "on", " On "), ("0", "false", "False", "no", "NO", "off", "Off")


@pytest.mark.parametrize("var,read", [
    ("ES_VERIFY_CERTS", lambda: load_settings().es.verify_certs),
    ("ES_SNIFF", lambda: load_settings().es.sniff),
    ("ETL_PAUSED_ON_CREATION", lambda: load_settings().paused_on_creation),
    ("ETL_DEDUP_ENABLED", lambda: load_settings().dedup.enabled),
])
def test_one_yes_no_parser_for_every_variable(monkeypatch: pytest.MonkeyPatch, var, read) -> None:
    for word in YES:
        monkeypatch.setenv(var, word)
        assert read() is True, (var, word)
    for word in NO:
        monkeypatch.setenv(var, word)
        assert read() is False, (var, word)
    monkeypatch.setenv(var, "maybe")
    with pytest.raises(ConfigError, match=var):
        read()


def test_connection_extras_use_the_same_yes_no_words() -> None:
    for word in NO:
        conn = ESConnection.from_connection_fields(host="es", port=9200, extra={"verify_certs": word, "sniff": word})
        assert (conn.verify_certs, conn.sniff) == (False, False), word
    for word in YES:
        conn = ESConnection.from_connection_fields(host="es", port=9200, extra={"use_ssl": word, "sniff": word})
        assert (conn.url, conn.verify_certs, conn.sniff) == ("https://es:9200", True, True), word
    assert ESConnection.from_connection_fields(host="es", extra={"verify_certs": False}).verify_certs is False
    with pytest.raises(ConfigError, match="verify_certs"):
        ESConnection.from_connection_fields(host="es", extra={"verify_certs": "nope"})
    assert parse_bool(None, "X", default=True) is True and parse_bool("", "X", default=False) is False
    with pytest.raises(ConfigError, match="X"):
        parse_bool(None, "X")


def test_config_errors_are_permanent() -> None:
    """A broken config file or variable fails a task at once: retrying reads the same file."""
    assert issubclass(ConfigError, PermanentError) and issubclass(ConfigError, ValueError)


def test_one_alias_validator_and_its_pattern_agree() -> None:
    import re

    good = ["articles", "a", "news-2026.v1", "x_y", "9" * 200]
    bad = ["", "Articles", "-a", "_a", ".a", ".", "..", "a b", "a/b", "a*", "a,b", "a:b", "a#", "é", "9" * 201,
           "a\n", "+a"]
    for name in good:
        assert validate_index_name(name) == name and re.fullmatch(ALIAS_PATTERN, name)
    for name in bad:
        assert not re.fullmatch(ALIAS_PATTERN, name), name
        with pytest.raises(BadParameter, match="invalid index or alias name"):
            validate_index_name(name)
    import pipeline.elastic.indices as indices

    assert indices.validate_index_name is validate_index_name


@pytest.mark.es
def test_a_new_index_waits_for_every_copy_of_its_shards(es_client, index_prefix: str,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    """Creation waits until every shard copy has started: a replica still in its first recovery
    cannot be promoted, so a node lost then would leave the new index red for good. Where the
    cluster cannot hold the copies asked for (one replica on this single node), creation returns
    after ``COPIES_WAIT``, says so, and the index is there to be used."""
    from pipeline.elastic import indices

    template = "etl_line_stats_template.json"
    monkeypatch.setattr(indices, "COPIES_WAIT", "1s")
    indices.ensure_index(es_client, f"{index_prefix}-auto", template, settings=build_index_settings(1, "0-1"))
    assert es_client.cluster.health(index=f"{index_prefix}-auto", timeout="0s")["status"] == "green"
    assert "not every shard copy" not in caplog.text  # auto-expanded replicas: every copy started

    nodes = es_client.cluster.health()["number_of_data_nodes"]
    too_many = indices.create_with_copies(es_client, f"{index_prefix}-fixed",
                                          settings=build_index_settings(1, nodes))  # one copy per node + 1
    assert too_many is False and "not every shard copy started within 1s" in caplog.text
    assert es_client.indices.exists(index=f"{index_prefix}-fixed")
    es_client.index(index=f"{index_prefix}-fixed", document={"alias": "a"}, refresh=True)  # the primary works


@pytest.mark.es
def test_an_index_just_made_by_another_worker_is_waited_for_as_its_creator_waits(
        es_client, index_prefix: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A worker that finds an index another worker made moments ago waits for its copies as the
    creator does, and does not write into a shard whose replica is still in its first recovery.
    (Seen in the stack test: the creator was the killed worker, the other worker wrote at once, node
    1 died with the only started copy, and etl-line-stats stayed red.) An older index is used at
    once whatever its health. Here the copies can never all start (one replica more than nodes)."""
    from pipeline.elastic import indices

    index = f"{index_prefix}-young"
    nodes = es_client.cluster.health()["number_of_data_nodes"]
    fixed = build_index_settings(1, nodes)
    monkeypatch.setattr(indices, "COPIES_WAIT", "1s")
    assert indices.create_with_copies(es_client, index, settings=fixed) is False  # the other worker
    monkeypatch.setattr(indices, "COPIES_WAIT", "4s")  # so the index is still young when we see it
    caplog.clear()
    indices.ensure_index(es_client, index, "etl_line_stats_template.json", settings=fixed)
    assert f"index {index}: not every shard copy started within 4s" in caplog.text

    indices._ENSURED.discard((id(es_client), index))  # a new process sees it, now older than the wait
    monkeypatch.setattr(indices, "COPIES_WAIT", "1s")
    caplog.clear()
    indices.ensure_index(es_client, index, "etl_line_stats_template.json", settings=fixed)
    assert "not every shard copy" not in caplog.text
    assert indices.creation_time(es_client, index) > 0 and indices.creation_time(es_client, f"{index}-x") is None


@pytest.mark.es
def test_a_run_start_makes_every_shared_support_index(es_client, alias: str) -> None:
    """The line statistics, the source registry and the leases are made with the run log when a run
    starts, not first in the middle of a batch (where a lost node can meet a replica still in its
    first recovery)."""
    from pipeline.elastic import indices

    for name in (indices.LINE_STATS_INDEX, indices.SOURCES_INDEX, indices.LEASES_INDEX):
        es_client.indices.delete(index=name, ignore_unavailable=True)
        indices._ENSURED.discard((id(es_client), name))
    indices.ensure_support_indices(es_client, alias, load_settings().support_indices)
    for name in (indices.LINE_STATS_INDEX, indices.SOURCES_INDEX, indices.LEASES_INDEX):
        assert es_client.cluster.health(index=name, timeout="0s")["status"] == "green", name
        assert es_client.indices.get_mapping(index=name)[name]["mappings"]["dynamic"] == "strict"
