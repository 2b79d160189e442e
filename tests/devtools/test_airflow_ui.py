"""devtools.airflow_ui (`make ui`): its environment and its refusals. Starting the processes for real
and driving the UI is tests/e2e/test_airflow_ui.py."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from devtools import airflow_ui

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    for name in ("AIRFLOW_UI_PASSWORD", "ETL_PAUSED_ON_CREATION", "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "airflow"


def test_environment_login_port_and_paused_dags(home, monkeypatch):
    monkeypatch.setenv("AIRFLOW__API__PORT", "18093")
    env = airflow_ui.ui_env()
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("SimpleAuthManager")
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18093/execution/"
    assert env["ETL_PAUSED_ON_CREATION"] == "true" and env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "True"
    ports = {env[k] for k in ("AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT",
                              "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT")}
    assert len(ports) == 3 and "8793" not in ports
    passwords = home / "passwords.json"
    password = json.loads(passwords.read_text())["admin"]
    assert len(password) >= 12 and passwords.stat().st_mode & 0o777 == 0o600
    assert airflow_ui.admin_password() == password  # kept across starts
    monkeypatch.setenv("AIRFLOW_UI_PASSWORD", "chosen-one")
    assert airflow_ui.admin_password() == "chosen-one"
    monkeypatch.setenv("ETL_PAUSED_ON_CREATION", "false")  # a deliberate choice is kept
    assert airflow_ui.ui_env()["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "False"


def test_refuses_a_port_another_program_holds(home, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        monkeypatch.setenv("AIRFLOW__API__PORT", str(sock.getsockname()[1]))
        with pytest.raises(airflow_ui.UIError, match=f"port {sock.getsockname()[1]} is taken"):
            airflow_ui.start()
    assert not (home / "ui" / "state.json").exists()


def test_stop_and_status_when_nothing_runs(home):
    env = {"AIRFLOW_HOME": str(home), "PATH": "/usr/bin:/bin"}
    for action, expected in (("stop", "airflow ui: not running"), ("status", "airflow ui: not running")):
        result = subprocess.run([sys.executable, "-m", "devtools.airflow_ui", action], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stdout.startswith(expected), result.stdout + result.stderr


def test_a_ui_started_on_another_port_is_left_running(home, monkeypatch):
    """``make ui`` (or ``status``) from a shell whose ``AIRFLOW__API__PORT`` differs from the running UI's: the
    running one is kept and named by the URL it was started on (it used to be stopped and started again on the
    new port, without the environment it was started with)."""
    import http.server
    import threading

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200 if self.path == "/api/v2/monitor/health" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "airflow", "api-server"])
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        (home / "ui").mkdir(parents=True)
        (home / "ui" / "state.json").write_text(json.dumps({"url": url, "pids": {"api-server": stand_in.pid}}))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            monkeypatch.setenv("AIRFLOW__API__PORT", str(sock.getsockname()[1]))
        assert airflow_ui.start()["url"] == url
        assert stand_in.poll() is None  # not stopped
        env = {"AIRFLOW_HOME": str(home), "PATH": "/usr/bin:/bin", "AIRFLOW__API__PORT": "18111"}
        status = subprocess.run([sys.executable, "-m", "devtools.airflow_ui", "status"], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=60)
        assert status.stdout.startswith(f"airflow ui: {url}  (health: ok)"), status.stdout + status.stderr
    finally:
        stand_in.kill()
        server.shutdown()
