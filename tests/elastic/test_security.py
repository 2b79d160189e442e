"""Security against a real node with x-pack security on: authentication (basic auth over
TLS, with our own CA), credentials from the environment and from the Airflow connection,
and no secret in any log, report, exception or Airflow record.

The node is this minimal distribution (``integ-test-zip``) started with
``xpack.security.enabled=true``, HTTPS on (a CA and node certificate generated here) and a
*file realm* user created with ``bin/elasticsearch-users``. What cannot be done on it: the
native realm (``elastic`` + ``bootstrap.password``) and API keys both live in the
``.security`` system index, and that index cannot be created here: its mapping uses the
``pattern_capture`` token filter of the ``analysis-common`` module, which the minimal zip does
not ship (``Unknown filter type [pattern_capture] for [email]``). So an API key is tested up
to what the node can check: it is sent (it takes precedence over basic auth) and a key the
cluster does not know is a clear 401. Transport TLS stays off: one node on loopback has no
transport peers (the node logs a bootstrap-check warning, enforced only in production mode).
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.es_local import LocalNode, find_java_home, free_port
from pipeline.config import ESConnection, load_settings
from pipeline.elastic.client import make_client
from pipeline.run import run_ingest

pytestmark = [pytest.mark.es, pytest.mark.slow]  # a secured node of its own

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
USER = "etl"
PASSWORD = "pw-" + secrets.token_hex(16)  # distinctive, so a search for it cannot miss
FAKE_API_KEY = base64.b64encode(f"keyid{secrets.token_hex(4)}:{secrets.token_hex(20)}".encode()).decode()
SECRETS = [PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(), FAKE_API_KEY,
           base64.b64decode(FAKE_API_KEY).decode().split(":", 1)[1]]


def leaks(text: str | bytes) -> list[str]:
    data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    return [s for s in SECRETS if s.encode() in data]


def files_leaking(folder: Path) -> dict[str, list[str]]:
    return {str(p): found for p in Path(folder).rglob("*") if p.is_file() and (found := leaks(p.read_bytes()))}


# ---------------------------------------------------------------------------------------------
# the secured node
# ---------------------------------------------------------------------------------------------


def make_certificates(folder: Path) -> None:
    """A throw-away CA and a certificate for 127.0.0.1/localhost signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    valid = {"not_valid_before": now - datetime.timedelta(hours=1), "not_valid_after": now + datetime.timedelta(days=2)}
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "news-etl test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(valid["not_valid_before"])
          .not_valid_after(valid["not_valid_after"])
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(valid["not_valid_before"]).not_valid_after(valid["not_valid_after"])
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (folder / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "node.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "node.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))


class HttpsNode(LocalNode):
    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class Secured:
    url: str
    port: int
    ca: str  # the CA file clients must trust


@pytest.fixture(scope="module")
def secured() -> Iterator[Secured]:
    base = Path(tempfile.mkdtemp(prefix="news-etl-secure-"))
    base.chmod(0o755)  # reachable by the unprivileged `esnode` user when tests run as root
    node = HttpsNode(home=base / "home", port=free_port(), extra_settings={
        "xpack.security.enabled": "true",
        "xpack.security.transport.ssl.enabled": "false",
        "xpack.security.http.ssl.enabled": "true",
        "xpack.security.http.ssl.key": "certs/node.key",
        "xpack.security.http.ssl.certificate": "certs/node.crt",
        "xpack.security.http.ssl.certificate_authorities": "certs/ca.crt",
    })
    saved = os.environ.get("SSL_CERT_FILE")
    try:
        es_home = node.install()
        make_certificates(es_home / "config" / "certs")
        ca = base / "ca.crt"
        shutil.copy(es_home / "config" / "certs" / "ca.crt", ca)
        tool = subprocess.run([str(es_home / "bin" / "elasticsearch-users"), "useradd", USER, "-p", PASSWORD,
                               "-r", "superuser"], env={**os.environ, "ES_JAVA_HOME": str(find_java_home())},
                              capture_output=True, text=True, timeout=120)
        assert tool.returncode == 0, tool.stdout + tool.stderr
        os.environ["SSL_CERT_FILE"] = str(ca)  # LocalNode's readiness probe (urllib) must trust our CA
        node.start(timeout=180)
        if saved is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = saved
        yield Secured(url=node.url, port=node.port, ca=str(ca))
    finally:
        if saved is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = saved
        node.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def source(tmp_path) -> Path:
    folder = tmp_path / "src"
    shutil.copytree(REPO / "seeds", folder)
    return folder


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ES_", "AIRFLOW_CONN_"))}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300, env={**clean, **env})


def env_for(secured: Secured, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"ES_URL": secured.url, "ES_USERNAME": USER, "ES_PASSWORD": PASSWORD, "ES_CA_CERTS": secured.ca,
            "ETL_RUNS_DIR": str(tmp_path / "runs"), **extra}


# ---------------------------------------------------------------------------------------------
# no node needed
# ---------------------------------------------------------------------------------------------


def test_connection_and_settings_repr_hide_the_secrets(monkeypatch):
    monkeypatch.setenv("ES_URL", "https://es.example:9200")
    monkeypatch.setenv("ES_USERNAME", USER)
    monkeypatch.setenv("ES_PASSWORD", PASSWORD)
    monkeypatch.setenv("ES_API_KEY", FAKE_API_KEY)
    settings = load_settings()
    assert (settings.es.password, settings.es.api_key) == (PASSWORD, FAKE_API_KEY)
    from_airflow = ESConnection.from_connection_fields(host="es.example", port=9200, schema="https", login=USER,
                                                       password=PASSWORD, extra={"api_key": FAKE_API_KEY})
    for text in (repr(settings.es), str(settings.es), repr(settings), repr(from_airflow), f"{from_airflow}"):
        assert leaks(text) == [], text
    assert "https://es.example:9200" in repr(settings.es)


# ---------------------------------------------------------------------------------------------
# authentication for real
# ---------------------------------------------------------------------------------------------


def test_basic_auth_and_ca_file_from_the_environment_run_the_pipeline(secured, source, tmp_path, monkeypatch):
    for key, value in env_for(secured, tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ES_API_KEY", raising=False)
    settings = load_settings()
    es = make_client(settings.es)
    assert es.security.authenticate()["username"] == USER
    report = run_ingest(settings, es=es, source_dir=source, alias="secure-env", runs_dir=tmp_path / "runs")
    assert report.counts()["indexed"] == 2
    assert es.count(index="secure-env")["count"] == 2


def test_wrong_password_is_one_clear_401_and_is_never_echoed(secured, source, tmp_path):
    wrong = "pw-" + secrets.token_hex(16)
    SECRETS.append(wrong)
    try:
        env = env_for(secured, tmp_path, ES_PASSWORD=wrong)
        result = cli("run", "--source", str(source), "--index-alias", "secure-wrong", env=env)
        assert result.returncode == 1
        assert result.stderr.startswith("error: Elasticsearch refused the credentials (401): "
                                        "unable to authenticate user [etl] for REST request")
        assert "Exception" not in result.stderr  # the problem, not the exception class
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
        verbose = cli("-v", "run", "--source", str(source), "--index-alias", "secure-wrong", env=env)
        assert verbose.returncode == 1 and "AuthenticationException" in verbose.stderr  # with the traceback
        for text in (result.stdout, result.stderr, verbose.stdout, verbose.stderr):
            assert leaks(text) == []
        assert files_leaking(tmp_path) == {}
    finally:
        SECRETS.remove(wrong)


def test_unknown_ca_is_a_clear_tls_error(secured, source, tmp_path):
    env = env_for(secured, tmp_path)
    del env["ES_CA_CERTS"]
    result = cli("run", "--source", str(source), "--index-alias", "secure-noca", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: TLS with Elasticsearch at ") and "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert leaks(result.stdout + result.stderr) == []


@pytest.mark.parametrize("word", ["off", "No"])
def test_es_verify_certs_off_disables_the_certificate_check(secured, word, tmp_path, monkeypatch):
    """Every "no" word of the one yes/no parser turns verification off: the node's certificate,
    from a CA the client is not given, is then accepted (with the check on it is refused, as above)."""
    for key, value in env_for(secured, tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ES_CA_CERTS")
    monkeypatch.delenv("ES_API_KEY", raising=False)
    monkeypatch.setenv("ES_VERIFY_CERTS", word)
    settings = load_settings()
    assert settings.es.verify_certs is False
    assert make_client(settings.es).security.authenticate()["username"] == USER
    monkeypatch.setenv("ES_VERIFY_CERTS", "on")
    with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
        make_client(load_settings().es).security.authenticate()


def test_api_key_from_the_environment_is_sent_and_an_unknown_key_is_refused(secured, source, tmp_path):
    """The key wins over basic auth (the right password is set too, and is not used); the
    node refuses the key it does not know. A valid key cannot be minted on this
    distribution (no ``.security`` index, see the module docstring)."""
    env = env_for(secured, tmp_path, ES_API_KEY=FAKE_API_KEY)
    result = cli("run", "--source", str(source), "--index-alias", "secure-apikey", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: Elasticsearch refused the credentials (401): "
                                    "unable to authenticate with provided credentials")
    assert leaks(result.stdout + result.stderr) == []


# ---------------------------------------------------------------------------------------------
# nothing leaks: CLI, in-process debug logging, Airflow
# ---------------------------------------------------------------------------------------------


def test_verbose_cli_run_report_and_status_never_show_the_secret(secured, source, tmp_path):
    env = env_for(secured, tmp_path)
    outputs = []
    for args in (["-v", "run", "--source", str(source), "--index-alias", "secure-cli", "--format", "json"],
                 ["-v", "report", "--format", "json"],
                 ["-v", "status", "--index-alias", "secure-cli"]):
        result = cli(*args, env=env)
        assert result.returncode == 0, result.stderr[-3000:]
        outputs.append(result)
    assert json.loads(outputs[0].stdout)["counts"]["indexed"] == 2
    assert " INFO " in outputs[0].stderr  # -v really logged
    for result in outputs:
        assert leaks(result.stdout) == [] and leaks(result.stderr) == []
    reports = list((tmp_path / "runs").rglob("report.json"))
    assert reports and files_leaking(tmp_path / "runs") == {}


def test_debug_logs_and_exceptions_of_in_process_runs_never_show_the_secret(secured, source, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, elastic_transport and urllib3 included
    good = make_client(ESConnection(secured.url, username=USER, password=PASSWORD, ca_certs=secured.ca))
    report = run_ingest(load_settings(), es=good, source_dir=source, alias="secure-debug", runs_dir=tmp_path / "runs")
    assert report.counts()["indexed"] == 2
    problems = []
    for conn in (ESConnection(secured.url, username=USER, password=PASSWORD + "x", ca_certs=secured.ca),
                 ESConnection(secured.url, api_key=FAKE_API_KEY, ca_certs=secured.ca)):
        with pytest.raises(Exception) as info:
            run_ingest(load_settings(), es=make_client(conn), source_dir=source, alias="secure-debug",
                         runs_dir=tmp_path / "runs")
        assert "401" in str(info.value)
        problems += [str(info.value), repr(info.value),
                     "".join(traceback.format_exception(info.type, info.value, info.tb)), repr(conn)]
    assert any("elastic_transport" in r.name for r in caplog.records)  # requests were logged
    assert leaks(caplog.text) == []
    assert leaks("\n".join(r.getMessage() for r in caplog.records)) == []
    assert leaks("\n".join(problems)) == []
    assert files_leaking(tmp_path / "runs") == {}


@pytest.mark.airflow
def test_dag_run_with_the_airflow_connection_never_shows_the_secret(airflow_db, secured, source, tmp_path,
                                                                   monkeypatch, capfd, caplog):
    """Credentials and CA come only from ``AIRFLOW_CONN_ELASTICSEARCH_DEFAULT``: ``ES_URL``
    points at a dead port and no ES_* credential is set. Afterwards the secret is searched
    in the captured stdout/stderr and log records, every file under AIRFLOW_HOME (task logs
    and the metadata DB: XComs, rendered template fields) and the run folder."""
    import importlib

    from airflow.utils.state import DagRunState

    caplog.set_level(logging.INFO)
    for key in ("ES_USERNAME", "ES_PASSWORD", "ES_API_KEY", "ES_CA_CERTS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ES_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ETL_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("ETL_ALLOWED_SOURCE_ROOTS", str(tmp_path))
    monkeypatch.setenv("AIRFLOW_CONN_ELASTICSEARCH_DEFAULT", json.dumps({
        "conn_type": "elasticsearch", "host": "127.0.0.1", "port": secured.port, "schema": "https",
        "login": USER, "password": PASSWORD, "extra": {"ca_certs": secured.ca},
    }))
    for name in ("ingest_articles", "etl_common"):  # settings are read at import: re-import
        sys.modules.pop(name, None)
    monkeypatch.syspath_prepend(str(DAGS))
    dag = importlib.import_module("ingest_articles").ingest_articles()
    run = dag.test(run_conf={"source_dir": str(source), "index_alias": "secure-dag", "full_refresh": False})
    assert run.state == DagRunState.SUCCESS

    es = make_client(ESConnection(secured.url, username=USER, password=PASSWORD, ca_certs=secured.ca))
    es.indices.refresh(index="secure-dag")
    assert es.count(index="secure-dag")["count"] == 2
    out, err = capfd.readouterr()
    assert out or err or caplog.records  # the run did log something
    assert leaks(out) == [] and leaks(err) == [] and leaks(caplog.text) == []
    assert files_leaking(Path(os.environ["AIRFLOW_HOME"])) == {}
    assert list((tmp_path / "runs").rglob("report.json")) and files_leaking(tmp_path / "runs") == {}


def test_connection_host_with_scheme_keeps_the_connection_port():
    from pipeline.config import ESConnection

    assert ESConnection.from_connection_fields(host="https://es", port=9200).url == "https://es:9200"
    assert ESConnection.from_connection_fields(host="https://es:9201", port=9200).url == "https://es:9201"
    assert ESConnection.from_connection_fields(host="es", port=9200, extra={"use_ssl": True}).url == "https://es:9200"
