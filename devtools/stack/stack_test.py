"""The production topology, for real, on one machine (``make stack-test``; docs/operations.md).

Brings up on 127.0.0.1: PostgreSQL (Airflow's metadata DB and Celery result backend), Redis
(the Celery broker), a 3-node Elasticsearch cluster, and Airflow with CeleryExecutor: scheduler,
dag-processor, api-server, triggerer and two Celery workers (own hostnames, log-server ports and
pid files). Then, as an operator would: gets a JWT from ``/auth/token``, unpauses and triggers
``ingest_articles`` through ``/api/v2`` with ``source_dir`` (a generated corpus) and
``index_alias``; once batches are loading, SIGKILLs the FIRST Elasticsearch node in ES_URL and one
worker with its task processes, and strands the next task with a worker that dies as it receives
it (``lost_delivery``); waits for the run and checks that every file is in the index exactly once,
that the stranded task came back through the scheduler's queued timeout, and that the
``etl-runs`` record says so. Everything is stopped by PID at the end,
on failure and on SIGTERM/SIGINT too. Needs the prod venv (``make install-prod``).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import requests

from devtools.es_cluster import LocalCluster
from devtools.es_local import LocalNode, find_java_home, free_port, port_is_free
from devtools.stack import lost_delivery as dying_worker
from devtools.stack.checks import build_corpus, verify_failed_record, verify_index, verify_run_record
from devtools.stack.services import Postgres, Processes, Redis, StackError, kill_tree, tail
from pipeline.config import REPO_ROOT, ESConnection, load_settings
from pipeline.elastic.security import SecurityNames, roles_file

DAG_ID = "ingest_articles"
ALIAS = "stack-articles"
QUEUED_TIMEOUT = 90  # s; a task waits queued for a free slot well under this here


def log(msg: str, t0: float = time.monotonic()) -> None:
    print(f"[stack {time.monotonic() - t0:6.1f}s] {msg}", flush=True)


def port_block(width: int) -> int:
    """A base port whose ``width`` HTTP and transport (+100) ports are free (the ES cluster)."""
    for _ in range(200):
        base = free_port()
        if base + 100 + width < 65535 and all(port_is_free(base + i) and port_is_free(base + 100 + i)
                                              for i in range(width)):
            return base
    raise StackError("no free block of ports for Elasticsearch")


class Stack:
    def __init__(self, root: Path, docs: int) -> None:
        self.root = root
        self.docs = docs
        self.venv_bin = Path(sys.executable).parent
        self.procs = Processes(root / "logs")
        self.pg = Postgres(root / "postgres", free_port(), secrets.token_urlsafe(16))
        self.redis = Redis(root / "redis", free_port(), secrets.token_urlsafe(16))
        local = load_settings().local_node
        # security on: the pipeline (setup, every task) connects as the least-privileged writer;
        # only the test's own checks use the superuser
        self.names = SecurityNames.from_config()
        self.es_admin = ("admin", "adm-" + secrets.token_hex(12))
        self.es_writer = (self.names.writer_user, "wr-" + secrets.token_hex(12))
        self.es = LocalCluster(root / "es", nodes=3, port=port_block(3), version=local.version, heap="384m",
                               extra_settings={"xpack.security.enabled": "true",
                                               "xpack.security.http.ssl.enabled": "false"},
                               auth=self.es_admin)
        self.api_port = free_port()
        self.admin_password = secrets.token_urlsafe(16)
        self.corpus = root / "corpus"
        self.timings: dict[str, float] = {}

    # ---- bring-up ------------------------------------------------------------------------------

    def airflow_env(self, db_url: str) -> dict[str, str]:
        home = self.root / "airflow"
        home.mkdir(parents=True, exist_ok=True)
        passwords = home / "passwords.json"
        passwords.write_text(json.dumps({"admin": self.admin_password}))
        passwords.chmod(0o600)
        from cryptography.fernet import Fernet

        first, *others = self.es.urls
        conn = {"conn_type": "elasticsearch", "host": first, "login": self.es_writer[0],
                "password": self.es_writer[1], "extra": {"hosts": others}}
        return {
            "PATH": f"{self.venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8", "NO_PROXY": "127.0.0.1,localhost",
            "PYTHONPATH": str(REPO_ROOT),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__CORE__AUTH_MANAGER":
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db_url,
            "AIRFLOW__CELERY__BROKER_URL": self.redis.url,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + db_url.replace("+psycopg2", ""),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
            # a killed worker's task is failed (then retried elsewhere) after 30 s without heartbeat
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
            # a task delivered to a worker that died before starting it stays queued until this
            # (Airflow's default 600 s, checked every 120 s): then it is revoked and queued again
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": str(QUEUED_TIMEOUT),
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "10",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW_CONN_ELASTICSEARCH_DEFAULT": json.dumps(conn),
            "ES_URL": self.es.es_url,  # for `pipeline setup`; tasks use the connection above
            "ES_USERNAME": self.es_writer[0], "ES_PASSWORD": self.es_writer[1],
            "ETL_SOURCE_DIR": str(REPO_ROOT / "seeds"),  # only manual runs here, each names its folder
            "ETL_ALLOWED_SOURCE_ROOTS": str(self.corpus),
            "ETL_RUNS_DIR": str(self.root / "runs"),
            "ETL_BATCH_SIZE": "20",
            "ETL_TASK_BATCHES": "1",  # 15 tasks for 4 slots: one finishes while others run on worker 1
            "ETL_SCHEDULE": "none",  # manual runs only: no scheduled run competes with the test's
        }

    def start(self) -> dict[str, str]:
        t = time.monotonic()
        es_error: list[BaseException] = []
        es_thread = threading.Thread(target=lambda: self._guard(self.start_es, es_error), name="es-start")
        es_thread.start()  # the slowest part: overlap it with Postgres, Redis and the migration
        self.pg.start()
        self.redis.start()
        log(f"postgres on :{self.pg.port}, redis on :{self.redis.port}")
        db_url = self.pg.create_database("airflow", "airflow", secrets.token_urlsafe(16))
        env = self.airflow_env(db_url)
        build_corpus(REPO_ROOT / "seeds", self.corpus, self.docs)
        self._airflow(["db", "migrate"], env, "db-migrate")
        log("airflow db migrated")
        es_thread.join()
        if es_error:
            raise es_error[0]
        log(f"elasticsearch cluster green: {self.es.es_url}")
        self.timings["bring-up (postgres, redis, es, migrate)"] = time.monotonic() - t
        t = time.monotonic()
        # index template + alias + support indices, as an operator does before the first run
        # (as the writer: roles and users come from roles.yml here, so --no-security)
        self._once("setup", [str(self.venv_bin / "python"), "-m", "pipeline", "setup", "--index-alias", ALIAS,
                             "--no-security"], env)
        repo = REPO_ROOT
        self.procs.start("api-server", ["airflow", "api-server", "--host", "127.0.0.1", "--port",
                                        str(self.api_port)], env, repo)
        self.procs.start("scheduler", ["airflow", "scheduler"], env, repo)
        self.procs.start("dag-processor", ["airflow", "dag-processor"], env, repo)
        self.procs.start("triggerer", ["airflow", "triggerer"], env, repo)
        for n in (1, 2):
            worker_env = {**env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())}
            self.procs.start(f"worker-{n}", ["airflow", "celery", "worker", "--celery-hostname",
                                             f"worker{n}@%h", "--pid", str(self.root / f"worker-{n}.pid"),
                                             "--without-gossip", "--without-mingle"], worker_env, repo)
        self.timings["airflow processes started"] = time.monotonic() - t
        return env

    def start_es(self) -> None:
        """Every node gets the pipeline's roles as roles.yml (the minimal distribution has no native
        realm: docs/operations.md) and two file-realm users: the writer and the test's superuser."""
        from concurrent.futures import ThreadPoolExecutor

        java = find_java_home()
        roles = roles_file(ALIAS, self.names)

        def prepare(node: LocalNode) -> None:
            es_home = node.install()
            (es_home / "config" / "roles.yml").write_text(roles)
            env = {"ES_JAVA_HOME": str(java), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
            for (user, password), role in ((self.es_admin, "superuser"), (self.es_writer, self.names.writer_role)):
                proc = subprocess.run([str(es_home / "bin" / "elasticsearch-users"), "useradd", user, "-p", password,
                                       "-r", role], env=env, capture_output=True, text=True)
                if proc.returncode != 0:
                    raise StackError(f"elasticsearch-users useradd {user} failed: {proc.stderr.strip()[-500:]}")

        with ThreadPoolExecutor(len(self.es.members)) as pool:
            for f in [pool.submit(prepare, node) for node in self.es.members]:
                f.result()
        self.es.start()

    def _guard(self, fn: Any, errors: list[BaseException]) -> None:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised by the main thread
            errors.append(exc)

    def _airflow(self, args: list[str], env: dict[str, str], name: str) -> None:
        self._once(name, ["airflow", *args], env)

    def _once(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        proc = self.procs.start(name, argv, env, REPO_ROOT)
        if proc.wait(600) != 0:
            raise StackError(f"{' '.join(argv[:4])} failed:\n{tail(self.procs.folder / f'{name}.log')}")
        del self.procs.started[name]

    def stop(self) -> None:
        self.procs.stop_all()
        self.es.stop()
        self.redis.stop()
        self.pg.stop()

    # ---- REST API ------------------------------------------------------------------------------

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def token(self, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while True:
            self.procs.check_alive()
            try:
                r = requests.post(f"{self.api}/auth/token", json={"username": "admin",
                                                                  "password": self.admin_password}, timeout=10)
                if r.status_code in (200, 201):
                    return str(r.json()["access_token"])
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise StackError("api-server gave no token in time")
            time.sleep(1)

    def call(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        r = requests.request(method, f"{self.api}/api/v2{path}", headers={"Authorization": f"Bearer {token}"},
                             timeout=30, **kwargs)
        if r.status_code >= 400:
            raise StackError(f"{method} {path}: HTTP {r.status_code} {r.text[:500]}")
        return r.json()

    def wait_for_dag(self, token: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.procs.check_alive()
            try:
                self.call("GET", f"/dags/{DAG_ID}", token)
                return
            except StackError:
                if time.monotonic() > deadline:
                    raise StackError(f"{DAG_ID} not parsed in time\n" + tail(self.procs.folder / "dag-processor.log"))
                time.sleep(1)

    def task_instances(self, token: str, run_id: str) -> list[dict[str, Any]]:
        return self.call("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=200", token)["task_instances"]

    def task_states(self, token: str, run_id: str) -> dict[str, str]:
        """``task[map index]`` -> state and try number, for a failure's message."""
        return {f"{ti['task_id']}[{ti['map_index']}]": f"{ti['state']} (try {ti.get('try_number')})"
                for ti in self.task_instances(token, run_id)}


def worker_task_pids(stack: Stack, name: str) -> set[int]:
    try:
        return {p.pid for p in psutil.Process(stack.procs.started[name].pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def run(stack: Stack, timeout: float) -> dict[str, Any]:
    env = stack.start()
    t = time.monotonic()
    token = stack.token()
    stack.wait_for_dag(token)
    stack.call("PATCH", f"/dags/{DAG_ID}", token, json={"is_paused": False})
    run_ = stack.call("POST", f"/dags/{DAG_ID}/dagRuns", token, json={
        "logical_date": None, "conf": {"source_dir": str(stack.corpus), "index_alias": ALIAS, "full_refresh": True}})
    run_id = run_["dag_run_id"]
    log(f"triggered {run_id} over {stack.docs} files (API up and DAG parsed after "
        f"{time.monotonic() - t:.0f}s)")
    stack.timings["api up, dag parsed, triggered"] = time.monotonic() - t
    t = time.monotonic()
    deadline = t + timeout
    killed: dict[str, Any] = {}
    lost: dict[str, Any] = {}
    while True:
        stack.procs.check_alive(except_={"worker-1", dying_worker.NAME})
        tis = stack.task_instances(token, run_id)
        batches = [ti for ti in tis if ti["task_id"] == "process_batch"]
        done = sum(ti["state"] == "success" for ti in batches)
        if not killed:
            on_w1 = [ti for ti in batches if ti["state"] == "running" and ti.get("pid") in worker_task_pids(stack, "worker-1")]
            if done >= 1 and on_w1:
                killed["es_node_pid"] = stack.es.kill(0)
                killed["worker_pids"] = kill_tree(stack.procs.started["worker-1"].pid)
                killed["tasks_on_worker"] = [ti["map_index"] for ti in on_w1]
                killed["batches_done_before"] = done
                log(f"killed ES node 1 ({stack.es.urls[0]}, pid {killed['es_node_pid']}) and worker-1 "
                    f"({len(killed['worker_pids'])} processes, running batch(es) {killed['tasks_on_worker']}); "
                    f"{done}/{len(batches)} batches done")
                dying_worker.start(stack.procs, stack.venv_bin / "python", env, REPO_ROOT)
        elif not lost and (taken := dying_worker.taken(stack.procs)):
            lost = {**taken, "at": round(time.monotonic() - t, 1)}
            log(f"a worker died holding {lost.get('task_id')}[{lost.get('map_index')}] (celery id "
                f"{lost.get('celery_id')}): Airflow sees it queued until task_queued_timeout ({QUEUED_TIMEOUT}s)")
        state = stack.call("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}", token)["state"]
        if state in ("success", "failed"):
            break
        if time.monotonic() > deadline:
            raise StackError(f"run {run_id} still {state} after {timeout:.0f}s; lost delivery: {lost or 'none'}; "
                             f"task instances: {stack.task_states(token, run_id)}")
        time.sleep(2)
    stack.timings["run (with the kills)"] = time.monotonic() - t
    log(f"run {run_id}: {state}")
    if not killed:
        raise StackError("the run finished before a batch ran on worker-1: nothing was killed (bigger corpus?)")
    if not lost:
        raise StackError("the run finished before the dying worker received a task: nothing was lost")
    if state != "success":
        raise StackError(f"run {run_id} failed: {stack.task_states(token, run_id)}")
    retried = [ti["map_index"] for ti in stack.task_instances(token, run_id)
               if ti["task_id"] == "process_batch" and ti.get("try_number", 1) > 1]
    survivors = ESConnection(",".join(stack.es.urls[1:]), username=stack.es_admin[0], password=stack.es_admin[1])
    index = verify_index(survivors, ALIAS, stack.corpus)
    record = verify_run_record(survivors, ALIAS, stack.docs)
    lost["requeued"] = dying_worker.requeued(lambda path, **kw: stack.call("GET", path, token, **kw), DAG_ID,
                                             run_id, lost)
    missing = missing_folder_run(stack, token, survivors)
    return {"run_id": run_id, "killed": killed, "retried_batches": retried, "lost_delivery": lost, "index": index,
            "record": record, "missing_folder_run": missing}


def missing_folder_run(stack: Stack, token: str, es_url: ESConnection, limit: float = 30) -> dict[str, Any]:
    """A trigger whose folder does not exist fails at once (no retries) and leaves a failed record."""
    t = time.monotonic()
    alias = ALIAS + "-missing"
    run_ = stack.call("POST", f"/dags/{DAG_ID}/dagRuns", token, json={
        "logical_date": None, "conf": {"source_dir": str(stack.corpus / "no-such-folder"), "index_alias": alias}})
    while True:
        state = stack.call("GET", f"/dags/{DAG_ID}/dagRuns/{run_['dag_run_id']}", token)["state"]
        if state in ("success", "failed") or time.monotonic() - t > 120:
            break
        time.sleep(1)
    seconds = time.monotonic() - t
    stack.timings["missing-folder run (trigger -> failed)"] = seconds
    if state != "failed":
        raise StackError(f"a run over a missing folder ended {state!r}, not failed")
    if seconds > limit:
        raise StackError(f"a run over a missing folder took {seconds:.0f}s to fail (limit {limit:.0f}s)")
    record = verify_failed_record(es_url, alias)
    log(f"missing folder: failed after {seconds:.1f}s, etl-runs says {record}")
    return {"seconds": round(seconds, 1), **record}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.stack.stack_test", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=300, help="files in the generated corpus")
    parser.add_argument("--timeout", type=float, default=420, help="seconds the DAG run may take")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs, data) afterwards")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="news-etl-stack-"))
    root.chmod(0o755)  # the postgres, redis and esnode users must reach their folders
    started = time.monotonic()
    stack = Stack(root, args.docs)

    def on_signal(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)  # unwinds into the finally below: everything is stopped

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ok = False
    try:
        result = run(stack, args.timeout)
        ok = True
        print(json.dumps(result, indent=2))
    except StackError as exc:
        print(f"STACK TEST FAILED: {exc}\nlogs: {stack.procs.folder}", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut the teardown short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        t = time.monotonic()
        stack.stop()
        stack.timings["teardown"] = time.monotonic() - t
        for what, seconds in stack.timings.items():
            print(f"  {what:45s} {seconds:6.1f} s")
        print(f"  {'total':45s} {time.monotonic() - started:6.1f} s")
        if ok and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept {root} (logs in {root / 'logs'})")
    print("STACK TEST PASSED" if ok else "STACK TEST FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
