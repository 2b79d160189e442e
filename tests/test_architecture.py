"""The layout's rules, checked on the source: no Airflow in pipeline/, no Elasticsearch in the
stages, devtools never imported by the runtime, no import cycles, modules of a readable size."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAX_LINES = 420


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def test_pipeline_never_imports_airflow_or_devtools():
    for path in modules("pipeline"):
        bad = {n for n in imports_of(path) if n.split(".")[0] in {"airflow", "devtools"}}
        assert not bad, (path, bad)


def test_dags_never_import_devtools():
    for path in modules("dags"):
        assert not {n for n in imports_of(path) if n.startswith("devtools")}, path


def test_stages_import_nothing_from_the_elasticsearch_side():
    for path in modules("pipeline/stages"):
        bad = {n for n in imports_of(path) if n.split(".")[0] == "elasticsearch" or n.startswith("pipeline.elastic")
               or n.startswith("pipeline.run")}
        assert not bad, (path, bad)


def test_no_import_cycles_between_pipeline_modules():
    graph = {module_name(p): {n for n in imports_of(p) if n.startswith("pipeline")} for p in modules("pipeline")}
    # "from pipeline.x import y" may name a module pipeline.x.y: resolve to known modules only
    graph = {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in graph[node]:
            # a package's __init__ importing its own submodules is how packages re-export, not a cycle
            if dep.startswith(node + ".") or node.startswith(dep + ".") and dep == "pipeline":
                continue
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, node, dep]))
            if not state.get(dep):
                visit(dep, [*trail, node])
        state[node] = 2

    for module in graph:
        if not state.get(module):
            visit(module, [])


def test_modules_stay_readable():
    for folder in ("pipeline", "dags", "devtools"):
        for path in modules(folder):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            assert lines <= MAX_LINES, f"{path.relative_to(REPO)} has {lines} lines (> {MAX_LINES}): split it"


def test_every_package_says_what_belongs_there():
    for init in [*(REPO / "pipeline").rglob("__init__.py"), REPO / "devtools" / "__init__.py"]:
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, init


def test_tests_mirror_the_tree():
    """tests/<folder>/ for the code folder it tests (e2e: whole runs); only cross-cutting files at the top."""
    folders = {"stages", "elastic", "run", "dags", "devtools", "benchmarks", "e2e"}
    top = {"test_architecture.py", "test_tiers.py", "test_cli.py"}  # test_cli.py: pipeline/cli.py
    tests = REPO / "tests"
    for path in tests.rglob("test_*.py"):
        rel = path.relative_to(tests)
        if len(rel.parts) == 1:
            assert rel.name in top, f"tests/{rel}: put it in the folder of the code it tests ({sorted(folders)})"
        else:
            assert rel.parts[0] in folders and len(rel.parts) == 2, f"tests/{rel}: not a known test folder"
    for folder in folders:
        assert (tests / folder / "__init__.py").is_file(), folder  # unique module names across folders
        mirrored = REPO / ("pipeline/" + folder if (REPO / "pipeline" / folder).is_dir() else folder)
        assert folder == "e2e" or mirrored.is_dir(), f"tests/{folder} mirrors no code folder"


# Readers of the global settings: only the top (CLI, DAGs, pipeline/run) calls them; stages and the
# Elasticsearch layer take what they need as arguments, so a Settings passed in is never ignored.
SETTINGS_READERS = {"load_settings", "load_dedup_config", "_raw_settings", "_raw_dedup", "from_config"}


def settings_reads(path: Path) -> list[tuple[str, int, str]]:
    """(enclosing function, line, name) of every call of a settings reader in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def walk(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = function
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = child.name
            if isinstance(child, ast.Call):
                callee = child.func
                called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
                if called in SETTINGS_READERS:
                    found.append((function, child.lineno, called))
            walk(child, name)

    walk(tree, "<module>")
    return found


def test_stages_and_elastic_never_read_the_global_settings():
    offenders = []
    for folder in ("pipeline/stages", "pipeline/elastic"):
        for path in modules(folder):
            rel = str(path.relative_to(REPO))
            offenders += [f"{rel}:{line} {name}() in {function}" for function, line, name in settings_reads(path)]
    assert offenders == [], "pass the settings in as arguments instead:\n" + "\n".join(offenders)


def test_the_settings_reader_check_sees_a_call(tmp_path):
    """The check above is not vacuous: it finds a direct call and one through a module."""
    probe = tmp_path / "probe.py"
    probe.write_text("from pipeline import config\n\ndef helper():\n    return config.load_settings().run\n\n"
                     "x = load_dedup_config()\n")
    assert settings_reads(probe) == [("helper", 4, "load_settings"), ("<module>", 6, "load_dedup_config")]
    assert settings_reads(REPO / "pipeline/cli.py")  # the top reads them
