"""The Airflow UI on the development setup: api-server, dag-processor, scheduler and triggerer from
the venv, against the same ``AIRFLOW_HOME`` (SQLite, LocalExecutor) that ``make run`` uses.

``python -m devtools.airflow_ui start|stop|status`` (``make ui`` / ``make stop`` wrap it).

- Login: Airflow 3's SimpleAuthManager, user ``admin``; the password is ``AIRFLOW_UI_PASSWORD`` when
  set, else one generated at the first start and kept in ``$AIRFLOW_HOME/passwords.json`` (mode 600).
  ``start`` and ``status`` print it.
- Ports from Airflow's own settings: ``AIRFLOW__API__PORT`` (default 8080), bound to 127.0.0.1
  (``AIRFLOW__API__HOST``). The log-server and scheduler health ports are free ports unless set.
- Order: the api-server first, and only once it answers its health endpoint the dag-processor,
  the scheduler and the triggerer; a task started before the Execution API is up fails its first
  attempt with a connection error.
- New DAGs are paused (``ETL_PAUSED_ON_CREATION`` defaults to true here, unlike a deployment), so the
  scheduler does not start the hourly ingest the moment it sees the DAG: unpause it in the UI.
- Pids and logs in ``$AIRFLOW_HOME/ui/``; ``stop`` ends each process tree by its recorded pid.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from devtools.host import free_port, port_is_free

REPO = Path(__file__).resolve().parent.parent
COMPONENTS = ("api-server", "dag-processor", "scheduler", "triggerer")  # start order; stop is the reverse
AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
USER = "admin"


class UIError(RuntimeError):
    """The UI could not be started (the message says which component and where its log is)."""


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or REPO / ".local" / "airflow").resolve()


def state_dir() -> Path:
    return airflow_home() / "ui"


def api_port() -> int:
    return int(os.environ.get("AIRFLOW__API__PORT") or 8080)


def api_url() -> str:
    return f"http://127.0.0.1:{api_port()}"


def password_file() -> Path:
    return airflow_home() / "passwords.json"


def admin_password() -> str:
    """``AIRFLOW_UI_PASSWORD``, else the one kept from the first start (generated then)."""
    path = password_file()
    wanted = os.environ.get("AIRFLOW_UI_PASSWORD")
    if wanted is None and path.exists():
        return str(json.loads(path.read_text())[USER])
    password = wanted or secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({USER: password}))
    path.chmod(0o600)
    return password


def ui_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every component shares (what is already set wins, except the auth manager)."""
    env = dict(os.environ if base is None else base)
    home = airflow_home()
    admin_password()  # the file exists before the api-server reads it
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__AUTH_MANAGER": AUTH_MANAGER,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(password_file()),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url()}/execution/",
        "AIRFLOW__API__PORT": str(api_port()),
        "AIRFLOW__API__HOST": env.get("AIRFLOW__API__HOST", "127.0.0.1"),
        "PYTHONPATH": str(REPO),
        "NO_PROXY": "localhost,127.0.0.1",
    })
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__API__WORKERS", "1")
    env.setdefault("AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL", "10")
    # dev: a DAG seen for the first time waits to be unpaused (Airflow's own default agrees)
    env.setdefault("ETL_PAUSED_ON_CREATION", "true")
    env.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", env["ETL_PAUSED_ON_CREATION"].title())
    for name in ("AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT",
                 "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT"):
        env.setdefault(name, str(free_port()))  # other checkouts on this machine may hold the defaults
    return env


def _read_state() -> dict[str, Any]:
    path = state_dir() / "state.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _alive(pid: int) -> bool:
    import psutil

    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and "airflow" in " ".join(proc.cmdline())
    except psutil.Error:
        return False


def running() -> dict[str, int]:
    """Components whose recorded pid is still an airflow process."""
    return {name: pid for name, pid in _read_state().get("pids", {}).items() if _alive(pid)}


def running_url() -> str:
    """The URL of the running UI as it was started (its state file), whatever this shell's
    ``AIRFLOW__API__PORT`` says; this shell's URL when none was recorded."""
    return str(_read_state().get("url") or api_url())


def healthy(timeout: float = 5, url: str | None = None) -> bool:
    try:
        with urllib.request.urlopen(f"{url or api_url()}/api/v2/monitor/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start(timeout: float = 240, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Start the four components (idempotent: a running set is left alone) and return the state."""
    if running():
        if healthy(url=running_url()):  # the UI started from another shell (another port) is left alone
            state = _read_state()
            if state.get("url") and state["url"] != api_url():
                print(f"airflow ui: already running on {state['url']} (not {api_url()}): left as it is; "
                      "make stop first to move it", file=sys.stderr)
            return state
        stop()
    if not port_is_free(api_port()):  # else the health check below would see another program's server
        raise UIError(f"port {api_port()} is taken by another program; set AIRFLOW__API__PORT to a free port")
    env = ui_env(env)
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    airflow = str(Path(sys.executable).parent / "airflow")
    pids: dict[str, int] = {}
    state = {"url": api_url(), "user": USER, "password_file": str(password_file()), "pids": pids,
             "logs": str(folder)}

    def launch(name: str, *args: str) -> subprocess.Popen[bytes]:
        with open(folder / f"{name}.log", "ab") as log:
            proc = subprocess.Popen([airflow, name, *args], env=env, cwd=REPO, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        pids[name] = proc.pid
        (folder / "state.json").write_text(json.dumps(state, indent=2))
        return proc

    procs = {"api-server": launch("api-server", "--host", env["AIRFLOW__API__HOST"], "--port", str(api_port()))}
    deadline = time.monotonic() + timeout
    while not healthy():
        if procs["api-server"].poll() is not None or time.monotonic() > deadline:
            stop()
            raise UIError(f"api-server did not become healthy on {api_url()}; log {folder / 'api-server.log'}:\n"
                          + _tail(folder / "api-server.log"))
        time.sleep(1)
    for name in COMPONENTS[1:]:
        procs[name] = launch(name)
    time.sleep(3)
    dead = [name for name, proc in procs.items() if proc.poll() is not None]
    if dead:
        stop()
        raise UIError(f"{', '.join(dead)} exited at start; log {folder / (dead[0] + '.log')}:\n"
                      + _tail(folder / f"{dead[0]}.log"))
    return state


def stop() -> list[str]:
    """Stop every recorded component (reverse start order), each by its pid and process tree."""
    from devtools.stack.services import stop_tree

    state = _read_state()
    stopped = []
    for name in reversed(COMPONENTS):
        pid = state.get("pids", {}).get(name)
        if pid and _alive(pid):
            stop_tree(pid)
            stopped.append(name)
    if state:
        state["pids"] = {}
        (state_dir() / "state.json").write_text(json.dumps(state, indent=2))
    return stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.airflow_ui", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    args = parser.parse_args(argv)
    if args.action == "stop":
        stopped = stop()
        print(f"airflow ui: stopped {', '.join(stopped)}" if stopped else "airflow ui: not running")
        return 0
    if args.action == "start":
        try:
            start()
        except UIError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    procs = running()
    if not procs:
        print("airflow ui: not running (make ui starts it)")
        return 0 if args.action == "status" else 1
    url = running_url()
    print(f"airflow ui: {url}  (health: {'ok' if healthy(url=url) else 'not answering'})")
    print(f"login:      {USER} / {admin_password()}   (kept in {password_file()})")
    print(f"processes:  {', '.join(f'{n} {p}' for n, p in procs.items())}")
    print(f"logs:       {state_dir()}/<component>.log;  make stop stops them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
