"""docker-compose.yml, .env.example and the Airflow image, validated without a Docker engine.

No Docker engine runs here, so the compose file is checked as data: its structure, services,
images, healthchecks and start order, the mounts and the Elasticsearch connection (parsed by
the DAG's own code), that no secret is written into it, and that ``.env.example`` defines
every variable it needs. The Dockerfile's dependency script is run against the repository's
requirements files and compared with what the pipeline actually imports.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "docker" / "airflow.Dockerfile"

COMPOSE = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
AIRFLOW_SERVICES = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"]
INIT_SERVICE = "airflow-init"
CELERY_SERVICES = ["redis", "airflow-worker"]

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR; "$$" is a literal "$"
VAR_RE = re.compile(r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
                    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)")
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|FERNET|CREDENTIAL", re.I)


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f"{path.name}: not NAME=value: {line!r}"
            values[name.strip()] = value.strip()
    return values


ENV = read_env_file(ENV_EXAMPLE)


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable interpolation (the subset the spec defines)."""
    def sub(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group("braced") or m.group("bare")
        op, arg = m.group("op"), m.group("arg") or ""
        present = name in env
        set_nonempty = present and env[name] != ""
        if op in (":-", "-"):
            return env[name] if (set_nonempty if op == ":-" else present) else interpolate(arg, env)
        if op in (":?", "?"):
            if not (set_nonempty if op == ":?" else present):
                raise KeyError(f"{name}: {arg}")
            return env[name]
        if op in (":+", "+"):
            return interpolate(arg, env) if (set_nonempty if op == ":+" else present) else ""
        return env.get(name, "")

    return VAR_RE.sub(sub, value)


def strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every (path, string) in the document, keys of mappings included."""
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((f"{path}/{key}#key", str(key)))
            out += strings(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += strings(value, f"{path}[{i}]")
    elif isinstance(node, str):
        out.append((path, node))
    return out


def variables(value: str) -> list[tuple[str, str | None]]:
    """(name, operator) of the variables a string uses, ``$$`` escapes skipped."""
    return [(m.group("braced") or m.group("bare"), m.group("op")) for m in VAR_RE.finditer(value)
            if m.group(0) != "$$"]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def long_running(name: str) -> bool:
    return SERVICES[name].get("restart", "no") != "no"


# --- structure ------------------------------------------------------------------------------------

def test_services_exist():
    expected = {"elasticsearch", "kibana", "postgres", INIT_SERVICE, *AIRFLOW_SERVICES, *CELERY_SERVICES}
    assert expected <= set(SERVICES), f"missing: {expected - set(SERVICES)}"
    for name in CELERY_SERVICES:
        assert SERVICES[name].get("profiles") == ["celery"], f"{name} belongs to the celery profile only"
    for name in set(SERVICES) - set(CELERY_SERVICES):
        assert not SERVICES[name].get("profiles"), f"{name} must start by default"


def test_official_elastic_9_images():
    defaults_only = {k: v for k, v in ENV.items() if k != "ELASTIC_VERSION"}
    for env in (ENV, defaults_only):  # with .env.example and with compose's own defaults
        es = interpolate(SERVICES["elasticsearch"]["image"], env)
        kb = interpolate(SERVICES["kibana"]["image"], env)
        assert re.fullmatch(r"docker\.elastic\.co/elasticsearch/elasticsearch:9\.\d+\.\d+", es), es
        assert re.fullmatch(r"docker\.elastic\.co/kibana/kibana:9\.\d+\.\d+", kb), kb
        assert es.split(":")[1] == kb.split(":")[1], "Kibana and Elasticsearch must run the same version"


def test_security_is_on_and_kibana_uses_its_own_user():
    es_env = environment(SERVICES["elasticsearch"])
    assert es_env["xpack.security.enabled"] == "true"
    assert variables(es_env["ELASTIC_PASSWORD"]) == [("ELASTIC_PASSWORD", ":?")]
    kb_env = environment(SERVICES["kibana"])
    assert kb_env["ELASTICSEARCH_USERNAME"] == "kibana_system"
    assert [name for name, _ in variables(kb_env["ELASTICSEARCH_PASSWORD"])] == ["KIBANA_PASSWORD"]
    assert kb_env["ELASTICSEARCH_HOSTS"] == "http://elasticsearch:9200"
    # something must give kibana_system that password before Kibana starts
    setters = [n for n, s in SERVICES.items() if "kibana_system/_password" in json.dumps(s)]
    assert setters and SERVICES["kibana"]["depends_on"][setters[0]]["condition"] == "service_completed_successfully"
    for name, port in (("elasticsearch", "9200"), ("kibana", "5601")):
        for mapping in SERVICES[name].get("ports", []):
            assert str(mapping).startswith("127.0.0.1:"), f"{name} port {mapping} is open beyond localhost"


def test_airflow_runs_on_postgres_through_the_checking_entrypoint():
    for name in (*AIRFLOW_SERVICES, INIT_SERVICE, "airflow-worker"):
        env = environment(SERVICES[name])
        assert "AIRFLOW__CORE__EXECUTOR" not in env, f"{name}: the entrypoint picks the executor from the profile"
        assert interpolate(env["AIRFLOW_EXECUTOR"], ENV) == ""  # .env.example leaves the choice to the profile
        assert SERVICES[name]["entrypoint"][-1] == "/opt/news-etl/docker/airflow-entrypoint.sh"
        assert SERVICES[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        conn = interpolate(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], ENV)
        assert conn.startswith("postgresql+psycopg2://") and "@postgres/" in conn
    commands = {SERVICES[n].get("command") for n in AIRFLOW_SERVICES}
    assert commands == {"api-server", "scheduler", "dag-processor", "triggerer"}
    assert SERVICES["airflow-worker"]["command"] == "celery worker"
    assert "redis://redis:6379" in environment(SERVICES["airflow-worker"])["AIRFLOW__CELERY__BROKER_URL"]


def test_every_long_running_service_has_a_healthcheck():
    for name, service in SERVICES.items():
        if not long_running(name):
            continue
        check = service.get("healthcheck")
        assert check and not check.get("disable"), f"{name} has no healthcheck"
        test = check["test"]
        assert isinstance(test, (list, str)) and test, name
        if isinstance(test, list):
            assert test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, name
        for key in ("interval", "timeout"):
            assert re.fullmatch(r"\d+[smh]", str(check.get(key, ""))), f"{name}: healthcheck {key}"
    one_shots = [n for n in SERVICES if not long_running(n)]
    assert INIT_SERVICE in one_shots


def test_start_order_uses_conditions_that_can_be_met():
    for name, service in SERVICES.items():
        deps = service.get("depends_on") or {}
        assert isinstance(deps, dict), f"{name}: depends_on needs conditions (a mapping), not a list"
        for target, spec in deps.items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            condition = spec.get("condition")
            if condition == "service_healthy":
                assert SERVICES[target].get("healthcheck"), f"{name} waits for {target}'s health, it has no check"
            elif condition == "service_completed_successfully":
                assert not long_running(target), f"{name} waits for {target} to exit, it never does"
            else:
                pytest.fail(f"{name} -> {target}: condition {condition!r} (use service_healthy / _completed)")
            if not service.get("profiles") and SERVICES[target].get("profiles"):  # only as an optional dependency
                assert spec.get("required") is False, f"{name} (default) requires profiled {target}"
    for name in (*AIRFLOW_SERVICES, "airflow-worker"):
        deps = SERVICES[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["elasticsearch"]["condition"] == "service_healthy"
        assert deps[INIT_SERVICE]["condition"] == "service_completed_successfully"
    assert SERVICES["airflow-worker"]["depends_on"]["redis"]["condition"] == "service_healthy"
    init_deps = SERVICES[INIT_SERVICE]["depends_on"]
    assert init_deps["kibana"]["condition"] == "service_healthy"
    assert init_deps["elasticsearch"]["condition"] == "service_healthy"


def test_init_service_installs_the_index_template_and_the_kibana_objects():
    init = SERVICES[INIT_SERVICE]
    script = "\n".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    assert "python -m pipeline setup" in script
    assert re.search(r"python -m pipeline kibana import --wait \d+", script)
    assert "set -e" in script, "a failing step must fail the init service (and hold Airflow back)"
    env = environment(init)
    assert interpolate(env["KIBANA_URL"], ENV) == "http://kibana:5601"
    assert interpolate(env["ES_URL"], ENV) == "http://elasticsearch:9200"
    assert env["ES_USERNAME"] == "elastic"
    assert [n for n, _ in variables(env["ES_PASSWORD"])] == ["ELASTIC_PASSWORD"]


def test_code_config_and_seeds_are_mounted_into_every_airflow_container():
    wanted = {"./dags": "/opt/news-etl/dags", "./pipeline": "/opt/news-etl/pipeline",
              "./config": "/opt/news-etl/config", "./seeds": "/opt/news-etl/seeds"}
    for name in (*AIRFLOW_SERVICES, INIT_SERVICE, "airflow-worker"):
        mounts = set()
        for volume in SERVICES[name]["volumes"]:
            source, target, *_ = interpolate(volume, ENV).split(":")
            mounts.add((source, target))
        for source, target in wanted.items():
            assert (source, target) in mounts, f"{name}: {source} not mounted at {target}"
            assert (REPO / source).is_dir()
        env = environment(SERVICES[name])
        assert env["PYTHONPATH"] == "/opt/news-etl"
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/news-etl/dags"
        assert env["ETL_SOURCE_DIR"] in {target for _, target in mounts}


@pytest.mark.airflow  # Airflow parses the connection (a fresh process importing Airflow)
def test_elasticsearch_connection_comes_from_the_environment(tmp_path):
    """The DAG's own code reads AIRFLOW_CONN_ELASTICSEARCH_DEFAULT as compose sets it."""
    for name in (*AIRFLOW_SERVICES, "airflow-worker"):
        raw = environment(SERVICES[name])["AIRFLOW_CONN_ELASTICSEARCH_DEFAULT"]
        assert [n for n, _ in variables(raw)] == ["ETL_ES_WRITER_PASSWORD"], "only the password is a variable"
    value = interpolate(environment(SERVICES["airflow-scheduler"])["AIRFLOW_CONN_ELASTICSEARCH_DEFAULT"], ENV)
    assert json.loads(value)["conn_type"] == "elasticsearch"
    code = ("import json, etl_common; c = etl_common.es_connection(); "
            "print(json.dumps({'url': c.url, 'user': c.username, 'pw': c.password, 'explicit': c.explicit}))")
    env = {**os.environ, "AIRFLOW_CONN_ELASTICSEARCH_DEFAULT": value, "AIRFLOW_HOME": str(tmp_path),
           "PYTHONPATH": os.pathsep.join([str(REPO / "dags"), str(REPO)])}
    env.pop("ES_URL", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    conn = json.loads(result.stdout.strip().splitlines()[-1])
    assert conn == {"url": "http://elasticsearch:9200", "user": "etl_writer", "pw": ENV["ETL_ES_WRITER_PASSWORD"],
                    "explicit": True}


# --- secrets ----------------------------------------------------------------------------------------

def test_no_secret_is_written_into_the_compose_file():
    """Every password-ish value is a ${VAR} reference without a default; no literal credentials."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for path, value in strings(COMPOSE):
        key = path.rsplit("/", 1)[-1].removesuffix("#key")
        # a *_FILE setting names where a secret lives (a path), not the secret
        if SECRET_NAME.search(key) and not path.endswith("#key") and not key.endswith(("USERNAME", "_FILE")):
            assert VAR_RE.fullmatch(value.strip()), f"{path}: {key} must be exactly one ${{VAR}} reference"
        for name, op in variables(value):
            if SECRET_NAME.search(name):
                assert op in (None, ":?", "?"), f"{path}: secret {name} has a default ({op})"
        # user:password@ in URLs, "password": "..." in JSON, curl -u user:password
        for m in re.finditer(r"://[^/\s:@]+:([^@\s]+)@", value):
            assert variables(m.group(1)), f"{path}: literal password in a URL"
        for m in re.finditer(r'"password"\s*:\s*"([^"]*)"', value):
            assert variables(m.group(1)), f"{path}: literal password in JSON"
        for m in re.finditer(r"-u\s+['\"]?[^:\s'\"]+:([^\s'\"]+)", value):
            assert m.group(1).startswith("$"), f"{path}: literal password after curl -u"
    # and nothing of .env.example's secret values leaked into the file as literal text
    for name, secret in ENV.items():
        if SECRET_NAME.search(name) and secret:
            assert secret not in text, f"the value of {name} is written into docker-compose.yml"


def test_env_example_defines_every_required_variable():
    used: dict[str, set[str | None]] = {}
    for _, value in strings(COMPOSE):
        for name, op in variables(value):
            used.setdefault(name, set()).add(op)
    # a variable is required where it is used without a default (bare, :? or ?)
    required = {name for name, ops in used.items() if ops & {None, ":?", "?"}}
    container_side = {"HOSTNAME"}  # "$${HOSTNAME}" is the container's, escaped from compose
    assert required - container_side <= ENV.keys(), f"missing in .env.example: {required - ENV.keys()}"
    assert set(ENV) <= set(used), f".env.example defines unused {set(ENV) - set(used)}"
    for name in required - container_side:
        assert ENV[name] != "", f".env.example leaves {name} empty"
        interpolate(f"${{{name}:?}}", ENV)
    for name, value in ENV.items():
        if SECRET_NAME.search(name):
            assert value.startswith("change-me"), f"{name} in .env.example must be an obvious placeholder"
    # every ${VAR:?} resolves with .env.example (the `docker compose config` check, done here)
    for path, value in strings(COMPOSE):
        interpolate(value, ENV)


def test_env_file_is_git_ignored():
    result = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO)
    assert result.returncode == 0, ".env must be git-ignored"
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", ".env"], cwd=REPO, capture_output=True)
    assert tracked.returncode != 0, ".env is tracked by git"
    result = subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=REPO)
    assert result.returncode == 1, ".env.example must not be ignored"


def test_docker_compose_config_accepts_the_file(tmp_path):
    """``docker compose config -q`` when the compose plugin exists (it needs no engine)."""
    docker = shutil.which("docker")
    if not docker:
        pytest.skip("no docker CLI here")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("the docker CLI here has no compose plugin (`docker compose` unknown); "
                    "the file is validated structurally by the other tests")
    env_file = tmp_path / ".env"
    env_file.write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for profile in ([], ["--profile", "celery"]):
        result = subprocess.run([docker, "compose", "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *profile,
                                 "config", "-q"], capture_output=True, text=True, cwd=REPO, timeout=60)
        assert result.returncode == 0, result.stderr


# --- the Airflow image --------------------------------------------------------------------------------

LOCK_LINE = re.compile(r"^([A-Za-z0-9][\w.-]*)==([^ \\;\n]+)", re.M)


def lock_pins(name: str) -> dict[str, str]:
    from packaging.utils import canonicalize_name

    return {canonicalize_name(m.group(1)): m.group(2) for m in LOCK_LINE.finditer((REPO / name).read_text())}


def dockerfile_script() -> tuple[str, list[str]]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    m = re.search(r"^RUN python - (?P<args>[^>\n]*?)\s*>\s*(?P<out>\S+)\s*<<'PY'\n(?P<body>.*?)\nPY\n", text, re.S | re.M)
    assert m, "the Dockerfile's dependency script (RUN python - ... <<'PY') is missing"
    return m.group("body"), m.group("args").split()


def imported_distributions() -> dict[str, str]:
    """Distribution -> importing file, for every third-party import of pipeline/ and dags/
    (imports guarded by ``except ImportError`` are optional and skipped)."""
    local = {p.stem for p in (REPO / "dags").glob("*.py")} | {"pipeline"}
    owners = md.packages_distributions()
    found: dict[str, str] = {}

    class Visitor(ast.NodeVisitor):
        def __init__(self, filename: str) -> None:
            self.filename, self.optional = filename, 0

        def visit_Try(self, node: ast.Try) -> None:
            guarded = any(isinstance(h.type, ast.Name) and h.type.id in {"ImportError", "ModuleNotFoundError"}
                          or isinstance(h.type, ast.Tuple) and any(getattr(e, "id", "") in {"ImportError",
                                                                                         "ModuleNotFoundError"}
                                                                    for e in h.type.elts)
                          for h in node.handlers)
            self.optional += guarded
            for stmt in node.body:
                self.visit(stmt)
            self.optional -= guarded
            for part in (*node.handlers, *node.orelse, *node.finalbody):
                self.visit(part)

        def add(self, module: str) -> None:
            top = module.split(".")[0]
            if self.optional or top in sys.stdlib_module_names or top in local or top == "__future__":
                return
            dists = owners.get(top)
            assert dists, f"{self.filename} imports {top}, which no installed distribution provides"
            if top == "airflow":
                return  # the base image provides Airflow
            found.setdefault(dists[0], self.filename)

        def visit_Import(self, node: ast.Import) -> None:
            for alias in node.names:
                self.add(alias.name)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level == 0 and node.module:
                self.add(node.module)

    for path in sorted([*(REPO / "pipeline").glob("*.py"), *(REPO / "dags").glob("*.py")]):
        Visitor(path.name).visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def dependency_closure(names: list[str]) -> set[str]:
    """The installed distributions ``names`` pull in (base requirements, no extras)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for spec in md.requires(name) or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    return seen


def test_image_installs_exactly_the_prod_lock():
    """The image syncs requirements-prod.lock (hashes checked) into its own venv, first on PATH:
    the same install as `make install-prod` and the stack test."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^COPY requirements-prod\.lock /tmp/requirements-prod\.lock$", text, re.M)
    assert re.search(r"uv pip sync .*--require-hashes /tmp/requirements-prod\.lock", text)
    assert re.search(r"^ENV PATH=/opt/news-etl/venv/bin:", text, re.M)
    assert re.search(r"^FROM apache/airflow:\$\{AIRFLOW_VERSION\}", text, re.M)
    after_from = text.split("\nFROM ", 1)[1]
    assert re.search(r"^ARG AIRFLOW_VERSION\s*$", after_from, re.M), "ARG must be re-declared after FROM"
    image_airflow = re.search(r"^ARG AIRFLOW_VERSION=(\S+)", text, re.M).group(1)
    assert lock_pins("requirements-prod.lock")["apache-airflow"] == image_airflow
    uv = re.search(r"^ARG UV_VERSION=(\S+)", text, re.M).group(1)
    assert re.search(rf"^UV_VERSION := {re.escape(uv)}$", (REPO / "Makefile").read_text(), re.M)


def test_prod_lock_agrees_with_the_dev_lock_and_has_the_topology():
    from packaging.specifiers import SpecifierSet

    dev, prod = lock_pins("requirements.lock"), lock_pins("requirements-prod.lock")
    assert {n: (v, prod[n]) for n, v in dev.items() if n in prod and prod[n] != v} == {}
    runtime_dev = set(dev) - {"pytest", "hypothesis", "iniconfig", "pluggy", "sortedcontainers"}
    assert runtime_dev <= set(prod), f"missing from the prod lock: {runtime_dev - set(prod)}"
    for name in ("apache-airflow-providers-celery", "apache-airflow-providers-postgres",
                 "apache-airflow-providers-elasticsearch", "celery", "redis", "psycopg2-binary", "asyncpg"):
        assert name in prod, name
    assert prod["celery"] in SpecifierSet("<5.7"), "celery 5.7 breaks the Celery provider"
    text = (REPO / "requirements-prod.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1])
    assert all("--hash=sha256:" in e for e in entries if LOCK_LINE.match(e)), "every pin carries hashes"


def test_prod_lock_installs_every_runtime_dependency():
    from packaging.utils import canonicalize_name

    prod = lock_pins("requirements-prod.lock")
    for dist, where in imported_distributions().items():
        assert canonicalize_name(dist) in prod, f"{where} imports {dist}, which the prod lock does not pin"


def test_run_reports_volume_is_writable_by_the_airflow_user():
    text = DOCKERFILE.read_text(encoding="utf-8")
    runs = environment(SERVICES["airflow-scheduler"])["ETL_RUNS_DIR"]
    assert any(v.endswith(f":{runs}") for v in SERVICES["airflow-scheduler"]["volumes"])
    assert re.search(rf"mkdir -p {re.escape(runs)}\b.*chown -R airflow:0", text)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] == "airflow", "the image must not be left running as root"
