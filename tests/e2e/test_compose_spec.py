"""docker-compose.yml against the Compose Specification's own JSON schema, the entrypoint every
Airflow container runs (executor follows the profile, example secrets refused), source folders under
the allowed roots, and every environment variable the code reads accounted for in compose."""

from __future__ import annotations

import copy
import importlib.resources
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.e2e.test_compose import (
    AIRFLOW_SERVICES,
    COMPOSE,
    ENV,
    ENV_EXAMPLE,
    INIT_SERVICE,
    REPO,
    SERVICES,
    environment,
    interpolate,
)

ENTRYPOINT = REPO / "docker" / "airflow-entrypoint.sh"
SCHEMA = importlib.resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"


def interpolated(node: Any, env: dict[str, str]) -> Any:
    """The document as compose sees it after variable interpolation (what the schema describes)."""
    if isinstance(node, dict):
        return {key: interpolated(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolated(value, env) for value in node]
    return interpolate(node, env) if isinstance(node, str) else node


def test_schema_is_the_compose_specification():
    schema = json.loads(SCHEMA.read_text())
    assert schema["$id"] == "compose_spec.json" and schema["title"] == "Compose Specification"
    assert "service_completed_successfully" in json.dumps(schema["$defs"])


@pytest.mark.parametrize("env", [ENV, {**ENV, "AIRFLOW_EXECUTOR": "CeleryExecutor", "AIRFLOW_WORKERS": "3"}],
                         ids=["env-example", "overrides"])
def test_compose_file_is_valid_against_the_compose_specification_schema(env):
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(interpolated(COMPOSE, env)), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors)


def test_the_schema_check_catches_a_misspelt_key():
    broken = copy.deepcopy(interpolated(COMPOSE, ENV))
    broken["services"]["airflow-scheduler"]["healthchek"] = broken["services"]["airflow-scheduler"].pop("healthcheck")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    assert list(validator.iter_errors(broken))


def entrypoint(tmp_path: Path, env: dict[str, str], *args: str, redis_resolves: bool) -> subprocess.CompletedProcess:
    """The entrypoint with the image's /entrypoint replaced by `env` and `getent` answering as the
    compose network would (redis resolvable only under the celery profile): no name lookup leaves here."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    getent = bin_dir / "getent"
    getent.write_text(f"#!/bin/sh\n[ \"$1 $2\" = 'hosts redis' ] && {'exit 0' if redis_resolves else 'exit 2'}\nexit 2\n")
    getent.chmod(0o755)
    return subprocess.run(["bash", str(ENTRYPOINT), *args], capture_output=True, text=True, timeout=30,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin", "AIRFLOW_IMAGE_ENTRYPOINT": "/usr/bin/env", **env})


def run_env(result: subprocess.CompletedProcess) -> dict[str, str]:
    assert result.returncode == 0, result.stderr
    return dict(line.partition("=")[::2] for line in result.stdout.splitlines() if "=" in line)


def test_executor_follows_the_profile(tmp_path):
    assert SERVICES["redis"]["profiles"] == ["celery"] and SERVICES["airflow-worker"]["profiles"] == ["celery"]
    for name in (*AIRFLOW_SERVICES, INIT_SERVICE):  # they wait for redis exactly when the profile starts it
        assert SERVICES[name]["depends_on"]["redis"] == {"condition": "service_healthy", "required": False}
    plain = run_env(entrypoint(tmp_path, {"AIRFLOW_EXECUTOR": ""}, redis_resolves=False))
    assert plain["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    celery = run_env(entrypoint(tmp_path, {"AIRFLOW_EXECUTOR": ""}, redis_resolves=True))
    assert celery["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    forced = run_env(entrypoint(tmp_path, {"AIRFLOW_EXECUTOR": "LocalExecutor"}, redis_resolves=True))
    assert forced["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    worker = environment(SERVICES["airflow-worker"])
    assert "redis://redis:6379" in worker["AIRFLOW__CELERY__BROKER_URL"]


def test_example_secrets_are_refused_before_anything_holds_them(tmp_path):
    example = {name: value for name, value in ENV.items() if value.startswith("change-me")}
    assert len(example) >= 8
    check = SERVICES["secrets-check"]
    assert check["entrypoint"][-1] == "check" and check.get("restart") == "no"
    assert set(example) <= set(environment(check)), "secrets-check must see every secret"
    for name in ("elasticsearch", "postgres"):
        assert SERVICES[name]["depends_on"]["secrets-check"]["condition"] == "service_completed_successfully"
    secret_env = {name: interpolate(value, ENV) for name, value in environment(check).items()}
    refused = entrypoint(tmp_path, secret_env, "check", redis_resolves=False)
    assert refused.returncode == 1
    assert "change-me" in refused.stderr and all(name in refused.stderr for name in example)
    assert not any(value in refused.stderr for value in example.values()), "the values are never printed"
    # an Airflow service gets them inside longer values (the connection JSON, the DB URL): refused too
    airflow_env = {k: interpolate(v, ENV) for k, v in environment(SERVICES["airflow-scheduler"]).items()}
    assert entrypoint(tmp_path, airflow_env, "scheduler", redis_resolves=False).returncode == 1
    real = {name: f"s3cret-{n}" for n, name in enumerate(example)}
    assert entrypoint(tmp_path, real, "check", redis_resolves=False).returncode == 0


def test_source_folders_are_mounted_under_the_allowed_roots():
    for name in (*AIRFLOW_SERVICES, INIT_SERVICE, "airflow-worker"):
        env = environment(SERVICES[name])
        targets = {interpolate(v, ENV).split(":")[1] for v in SERVICES[name]["volumes"]}
        roots = env["ETL_ALLOWED_SOURCE_ROOTS"].split(":")
        assert roots and set(roots) <= targets, f"{name}: allowed roots {roots} not all mounted ({targets})"
        assert env["ETL_SOURCE_DIR"] in roots


CODE_ENV = re.compile(r"""(?:environ(?:\.get)?\s*[\[(]\s*|getenv\(\s*|env(?:\.get)?\s*[\[(]\s*)["']([A-Z][A-Z0-9_]+)["']""")


def env_vars_read_by_the_code() -> set[str]:
    from pipeline.config import ENV_OVERRIDES

    names = set(ENV_OVERRIDES)
    for folder in ("pipeline", "dags"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            names |= set(CODE_ENV.findall(text))
            names |= set(re.findall(r'"((?:ETL|ES|KIBANA)_[A-Z0-9_]*(?:PASSWORD|USER|KEY))"', text))
    return names


def test_every_environment_variable_the_code_reads_is_set_or_documented_in_compose():
    names = env_vars_read_by_the_code()
    assert {"ES_URL", "ETL_SOURCE_DIR", "ETL_ALLOWED_SOURCE_ROOTS", "ETL_ES_WRITER_PASSWORD", "KIBANA_URL"} <= names
    set_in_compose = {name for service in SERVICES.values() for name in environment(service)}
    documented = set(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", ENV_EXAMPLE.read_text(encoding="utf-8")))
    missing = sorted(names - set_in_compose - documented)
    assert not missing, f"read by the code but neither set in docker-compose.yml nor named in .env.example: {missing}"
    assert os.access(ENTRYPOINT, os.R_OK)
