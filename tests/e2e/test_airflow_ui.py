"""The Airflow UI as a person meets it, in a real browser (Debian's chromium driven by Playwright).

`devtools.airflow_ui` (what `make ui` runs) starts api-server, dag-processor, scheduler and triggerer
against a fresh Airflow home; the browser logs in, opens each DAG, opens Trigger, fills only
`source_dir`, and the Trigger button must be enabled with every other parameter left at its default.
The run must succeed and the `finish` task's log page must show the run report. Screenshots of every
step land in `.local/e2e/` for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.host import free_port

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / ".local" / "e2e"
CHROMIUM = "/usr/bin/chromium"
# The flags a headless CI box needs; nothing here reaches past loopback.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUN_TIMEOUT = 420

pytestmark = [pytest.mark.airflow, pytest.mark.slow, pytest.mark.browser, pytest.mark.es]


def _need_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it with `make browser-deps`")
        pytest.skip("Debian's chromium is not installed (make browser-deps, as root)")


@pytest.fixture(scope="module")
def ui(tmp_path_factory, es_client) -> Iterator[dict[str, Any]]:
    """The UI processes on a free port, over a fresh Airflow home and a config whose alias is the test's."""
    _need_browser()
    root = tmp_path_factory.mktemp("ui")
    alias = f"test-ui-{secrets.token_hex(4)}"
    config = root / "config"
    shutil.copytree(REPO / "config", config)
    pipeline_yaml = config / "pipeline.yaml"
    text, n = re.subn(r"(?m)^(  alias: )articles\b", rf"\g<1>{alias}", pipeline_yaml.read_text())
    assert n == 1, "config/pipeline.yaml: index.alias not found"
    pipeline_yaml.write_text(text)
    source = root / "incoming" / "wire"
    shutil.copytree(REPO / "seeds", source)
    port = free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW_UI_PASSWORD": secrets.token_urlsafe(12),
        "PIPELINE_CONFIG_DIR": str(config),
        "ETL_ALLOWED_SOURCE_ROOTS": str(root / "incoming"),
        "ETL_RUNS_DIR": str(root / "runs"),
        "ETL_SCHEDULE": "none",  # only the runs this test triggers
    }
    env.pop("ETL_PAUSED_ON_CREATION", None)  # the dev default (paused) is part of what is tested
    migrate = subprocess.run([str(Path(sys.executable).with_name("airflow")), "db", "migrate"], env=env,
                             capture_output=True, text=True, timeout=600)
    assert migrate.returncode == 0, migrate.stdout[-2000:] + migrate.stderr[-2000:]
    started = subprocess.run([sys.executable, "-m", "devtools.airflow_ui", "start"], env=env, cwd=REPO,
                             capture_output=True, text=True, timeout=600)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"http://127.0.0.1:{port}" in started.stdout and "admin / " in started.stdout
        yield {"url": f"http://127.0.0.1:{port}", "password": env["AIRFLOW_UI_PASSWORD"], "alias": alias,
               "source": source, "home": Path(env["AIRFLOW_HOME"]), "env": env}
    finally:
        stopped = subprocess.run([sys.executable, "-m", "devtools.airflow_ui", "stop"], env=env, cwd=REPO,
                                 capture_output=True, text=True, timeout=120)
        logs = env["AIRFLOW_HOME"] + "/ui"
        if os.path.isdir(logs):  # kept next to the screenshots for a person to read
            shutil.copytree(logs, SHOTS / "airflow-logs", dirs_exist_ok=True)
        from tests.conftest_es import delete_prefixed

        delete_prefixed(es_client, alias)
        assert stopped.returncode == 0, stopped.stderr


@pytest.fixture(scope="module")
def page(ui) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(ui["url"] + "/")
            page.get_by_label("Username").fill("admin")
            page.get_by_label("Password").fill(ui["password"])
            page.screenshot(path=SHOTS / "01-login.png")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r".*/(home)?$"))
            yield page
        finally:
            browser.close()


def _api(ui: dict[str, Any], path: str) -> Any:
    """The REST API, only to learn a run's id and state (what the browser then shows)."""
    body = json.dumps({"username": "admin", "password": ui["password"]}).encode()
    req = urllib.request.Request(ui["url"] + "/auth/token", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        token = json.load(resp)["access_token"]
    req = urllib.request.Request(ui["url"] + "/api/v2" + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def _open_dag(page: Any, ui: dict[str, Any], dag_id: str) -> None:
    """The DAG's page, once the dag-processor has parsed it (the page says so until then)."""
    deadline = time.monotonic() + 180
    while True:
        page.goto(f"{ui['url']}/dags/{dag_id}")
        try:
            page.get_by_role("button", name="Trigger").first.wait_for(timeout=10_000)
            return
        except Exception:  # noqa: BLE001 - not parsed yet: load the page again
            if time.monotonic() > deadline:
                page.screenshot(path=SHOTS / f"{dag_id}-missing.png")
                raise


def _wait_for_run(ui: dict[str, Any], dag_id: str, before: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        runs = [r for r in _api(ui, f"/dags/{dag_id}/dagRuns?limit=20")["dag_runs"] if r["dag_run_id"] not in before]
        if runs and runs[0]["state"] in ("success", "failed"):
            return runs[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"{dag_id}: no finished run after {RUN_TIMEOUT}s: {runs}")
        time.sleep(3)


@pytest.mark.parametrize("dag_id", ["ingest_articles", "reindex_articles"])
def test_trigger_from_the_ui_with_only_source_dir(ui, page, dag_id):
    _open_dag(page, ui, dag_id)
    page.screenshot(path=SHOTS / f"{dag_id}-1-dag.png")
    before = {r["dag_run_id"] for r in _api(ui, f"/dags/{dag_id}/dagRuns?limit=100")["dag_runs"]}

    page.get_by_role("button", name="Trigger").first.click()
    dialog = page.get_by_role("dialog")
    source_dir = dialog.locator("#element_source_dir")
    source_dir.fill(str(ui["source"]))
    source_dir.press("Tab")  # leave the field, as a person does
    page.wait_for_timeout(500)
    dialog.screenshot(path=SHOTS / f"{dag_id}-2-trigger-form.png")
    # every other parameter keeps the default the form shows, and the form is valid
    assert dialog.locator("#element_index_alias").input_value() == ui["alias"]
    submit = dialog.get_by_test_id("trigger-dag-submit")
    assert submit.is_enabled(), f"{dag_id}: Trigger stays disabled with only source_dir filled (see screenshot)"
    unpause = dialog.get_by_text(f"Unpause {dag_id} on trigger")
    if unpause.count():  # new DAGs are paused on the dev setup; the form offers to unpause
        assert dialog.locator("input[type=checkbox]").first.is_checked()
    submit.click()

    run = _wait_for_run(ui, dag_id, before)
    run_url = f"{ui['url']}/dags/{dag_id}/runs/{run['dag_run_id']}"
    page.goto(run_url)
    page.wait_for_timeout(3000)
    page.screenshot(path=SHOTS / f"{dag_id}-3-run.png")
    assert run["state"] == "success", f"{dag_id} run {run['dag_run_id']} ended {run['state']}"
    assert run["conf"].get("source_dir") == str(ui["source"])

    # the finish task's log, as the UI shows it, ends the run with its report
    page.goto(f"{run_url}/tasks/finish")
    log = page.get_by_text("run report").first
    log.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=SHOTS / f"{dag_id}-4-finish-log.png", full_page=True)
    text = page.locator("body").inner_text()
    assert re.search(rf"run \S+: {re.escape(str(ui['source']))} -> {re.escape(ui['alias'])} \(\S+\): succeeded",
                     text), text[-3000:]
    assert re.search(r"seen=2\b", text), text[-3000:]
    requests_logged = re.findall(r"\b(?:GET|POST|PUT|HEAD|DELETE) http\S+ \[status:2", text)
    assert not requests_logged, f"successful Elasticsearch requests logged at INFO: {requests_logged[:3]}"
    first_attempts = _api(ui, f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances")["task_instances"]
    retried = [t["task_id"] for t in first_attempts if t.get("try_number", 1) > 1]
    assert not retried, f"tasks needed a retry (first attempt failed): {retried}"
