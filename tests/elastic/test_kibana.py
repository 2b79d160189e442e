"""Kibana saved objects (config/kibana/*.ndjson) and the import client (pipeline/kibana.py).

Kibana cannot run here, so the NDJSON is checked the way Kibana would trip over it: every line
a saved object, unique ids, every reference resolvable inside the file, the attributes the
Kibana 9 saved-object schemas require (and no keys their strict schemas forbid), and every
field a data view, saved search or Lens visualisation uses present in the real index mapping
(built by pipeline.mapping for both cluster flavours, etl-runs/dead-letter from their
templates) with a type that suits the use. The import client is exercised for real against a
stub HTTP server on 127.0.0.1 that records the request and answers like Kibana's API.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_settings
from pipeline.elastic import kibana
from pipeline.elastic.indices import RUNS_INDEX, deadletter_index
from pipeline.elastic.mapping import build_mappings, language_analyzers

REPO = Path(__file__).resolve().parents[2]
KIBANA_DIR = REPO / "config" / "kibana"
NDJSON_FILES = sorted(KIBANA_DIR.glob("*.ndjson"))

NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}
DATE = {"date", "date_nanos"}
KEYWORDISH = {"keyword", "constant_keyword", "wildcard"}
AGGREGATABLE = NUMERIC | DATE | KEYWORDISH | {"boolean", "ip"}
# what each Lens operation may run on (Kibana refuses e.g. a terms split on a text field)
OPERATION_TYPES = {
    "terms": KEYWORDISH | NUMERIC | {"boolean", "ip"},
    "date_histogram": DATE,
    "sum": NUMERIC, "average": NUMERIC, "min": NUMERIC | DATE, "max": NUMERIC | DATE, "median": NUMERIC,
    "standard_deviation": NUMERIC, "percentile": NUMERIC, "range": NUMERIC,
    "unique_count": AGGREGATABLE, "last_value": AGGREGATABLE, "count": AGGREGATABLE,
}
LENS_DATA_TYPE = {"string": KEYWORDISH | {"ip"}, "number": NUMERIC, "date": DATE, "boolean": {"boolean"}}
RECORDS = "___records___"
GRID_COLUMNS = 48

# Keys allowed by Kibana's strict (unknowns: 'forbid') attribute schemas, so an import cannot
# fail on a stray key: dashboard (dashboard_saved_object/schema/v1), search (SCHEMA_SEARCH_BASE),
# index-pattern (data view saved-object schema). Lens ignores unknown keys.
ALLOWED_ATTRIBUTES = {
    "dashboard": {"title", "description", "kibanaSavedObjectMeta", "timeRestore", "timeFrom", "timeTo",
                  "refreshInterval", "controlGroupInput", "panelsJSON", "optionsJSON", "hits", "version"},
    "search": {"title", "description", "columns", "sort", "grid", "rowHeight", "rowsPerPage", "hideChart",
               "breakdownField", "kibanaSavedObjectMeta", "isTextBasedQuery", "usesAdHocDataView", "timeRestore",
               "timeRange", "refreshInterval", "viewMode", "hideAggregatedPreview", "hits", "version"},
    "index-pattern": {"title", "name", "timeFieldName", "fields", "fieldAttrs", "sourceFilters", "fieldFormatMap",
                      "type", "typeMeta", "allowNoIndex", "runtimeFieldMap", "allowHidden"},
}
REQUIRED_ATTRIBUTES = {
    "index-pattern": {"title", "name", "timeFieldName"},
    "search": {"title", "columns", "sort", "kibanaSavedObjectMeta"},
    "lens": {"title", "visualizationType", "state"},
    "map": {"title", "layerListJSON", "mapStateJSON"},
    "dashboard": {"title", "panelsJSON"},
}
# Kibana Maps layers that read documents of a data view, and the field type their geoField needs
MAP_ES_SOURCES = {"ES_SEARCH": {"geo_point", "geo_shape"}, "ES_GEO_GRID": {"geo_point", "geo_shape"},
                  "ES_PEW_PEW": {"geo_point"}, "ES_GEO_LINE": {"geo_point"}}


# --- loading ------------------------------------------------------------------------------------

def load_objects() -> list[dict[str, Any]]:
    objects = []
    for path in NDJSON_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:  # pragma: no cover - the assertion message is the point
                    pytest.fail(f"{path.name}:{number} is not JSON: {exc}")
                if "exportedCount" not in obj:  # the summary line a Kibana export ends with
                    objects.append(obj)
    return objects


OBJECTS = load_objects()
BY_KEY = {(o["type"], o["id"]): o for o in OBJECTS}


def of_type(kind: str) -> list[dict[str, Any]]:
    return [o for o in OBJECTS if o["type"] == kind]


def ref(obj: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [r for r in obj["references"] if r["name"] == name]
    assert len(matches) == 1, f"{obj['type']}/{obj['id']}: expected one reference named {name!r}, got {matches}"
    return matches[0]


def flatten_mapping(mappings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """path -> {"type", "searchable", "nested"} for every field of a mapping, multi-fields included."""
    fields: dict[str, dict[str, Any]] = {}

    def walk(props: dict[str, Any], prefix: str, nested: bool, enabled: bool) -> None:
        for name, spec in props.items():
            path = f"{prefix}{name}"
            kind = spec.get("type", "object")
            on = enabled and spec.get("enabled", True) and spec.get("index", True)
            fields[path] = {"type": kind, "searchable": on, "nested": nested}
            for sub, sub_spec in spec.get("fields", {}).items():
                fields[f"{path}.{sub}"] = {"type": sub_spec["type"], "searchable": on, "nested": nested}
            if "properties" in spec:
                walk(spec["properties"], f"{path}.", nested or kind == "nested", on)

    walk(mappings["properties"], "", False, True)
    return fields


def template_mappings(name: str) -> dict[str, Any]:
    return json.loads((REPO / "config" / name).read_text(encoding="utf-8"))["mappings"]


MAPPING_FLAVOURS = {
    # the minimal test node (no language analyzers) and a full cluster (title.<lang>, body.<lang>)
    "minimal-cluster": set(),
    "full-cluster": set(language_analyzers().values()),
}


@pytest.fixture(params=sorted(MAPPING_FLAVOURS), scope="module")
def index_fields(request) -> dict[str, dict[str, dict[str, Any]]]:
    """Data-view title -> flattened mapping of the index (or alias) it points at."""
    alias = load_settings().index_alias
    return {
        alias: flatten_mapping(build_mappings(MAPPING_FLAVOURS[request.param])),
        RUNS_INDEX: flatten_mapping(template_mappings("etl_runs_template.json")),
        deadletter_index(alias): flatten_mapping(template_mappings("deadletter_template.json")),
    }


def data_view_fields(index_fields, data_view_id: str) -> tuple[str, dict[str, dict[str, Any]]]:
    view = BY_KEY[("index-pattern", data_view_id)]
    title = view["attributes"]["title"]
    assert title in index_fields, f"data view {data_view_id} targets {title!r}, which the pipeline never writes"
    return title, index_fields[title]


def kql_fields(query: str) -> set[str]:
    """Field names of a simple KQL query (``a > 0 or b : "x"``); quoted values are skipped."""
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', query)
    return set(re.findall(r"([A-Za-z_@][\w.@]*)\s*(?::|<=|>=|<|>)", unquoted))


def search_source(obj: dict[str, Any]) -> dict[str, Any]:
    return json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])


def lens_layers(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]


def version_tuple(value: str) -> tuple[int, ...]:
    assert re.fullmatch(r"\d+\.\d+\.\d+", value), value
    return tuple(int(p) for p in value.split("."))


# --- structure ----------------------------------------------------------------------------------

def test_saved_object_files_exist_and_hold_the_expected_kinds():
    assert NDJSON_FILES, "config/kibana/*.ndjson missing"
    kinds = {o["type"] for o in OBJECTS}
    assert {"index-pattern", "search", "lens", "dashboard"} <= kinds
    assert kinds <= set(REQUIRED_ATTRIBUTES), f"unexpected types {kinds - set(REQUIRED_ATTRIBUTES)}"


def test_every_line_is_a_saved_object_with_a_unique_stable_id():
    ids = [o["id"] for o in OBJECTS]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for obj in OBJECTS:
        assert {"id", "type", "attributes", "references"} <= obj.keys(), obj.get("id")
        assert re.fullmatch(r"news-etl-[a-z0-9-]+", obj["id"]), f"id {obj['id']!r} is not a fixed news-etl-* id"
        assert isinstance(obj["references"], list)
        assert not {"namespaces", "originId"} & obj.keys(), "space-specific keys break imports into other spaces"


def test_migration_versions_are_known_to_kibana_9():
    """An object claiming a newer migration version than the Kibana knows is rejected on import.

    Classic versions (< 9.0.0) import into every Kibana 9; a re-export from Kibana 9 may carry a
    model version (10.N.0), which only that Kibana release and later know (see docs/kibana.md).
    """
    for obj in OBJECTS:
        assert version_tuple(obj["coreMigrationVersion"]) <= (9, 0, 0)
        version = version_tuple(obj["typeMigrationVersion"])
        assert version < (9, 0, 0) or (version[0] == 10 and version[2] == 0), obj["typeMigrationVersion"]
    # Lens state uses the formBased datasource: the 8.6.0 migration would rename a pre-8.6
    # "indexpattern" datasource, so the objects must declare at least that version.
    for obj in of_type("lens"):
        assert version_tuple(obj["typeMigrationVersion"]) >= (8, 6, 0)


def test_required_attributes_and_no_keys_kibana_forbids():
    for obj in OBJECTS:
        attrs = obj["attributes"]
        missing = REQUIRED_ATTRIBUTES[obj["type"]] - attrs.keys()
        assert not missing, f"{obj['type']}/{obj['id']} lacks {missing}"
        assert isinstance(attrs["title"], str) and attrs["title"].strip()
        allowed = ALLOWED_ATTRIBUTES.get(obj["type"])
        if allowed is not None:
            assert attrs.keys() <= allowed, f"{obj['type']}/{obj['id']}: keys Kibana rejects {attrs.keys() - allowed}"
    for view in of_type("index-pattern"):
        for key in ("fields", "fieldAttrs", "fieldFormatMap", "runtimeFieldMap", "sourceFilters", "typeMeta"):
            if key in view["attributes"]:  # stored as JSON strings by the data view type
                json.loads(view["attributes"][key])


def test_every_reference_resolves_inside_the_file():
    for obj in OBJECTS:
        names = [r["name"] for r in obj["references"]]
        assert len(names) == len(set(names)), f"{obj['id']}: duplicate reference names"
        for r in obj["references"]:
            assert {"name", "type", "id"} == r.keys(), r
            assert (r["type"], r["id"]) in BY_KEY, f"{obj['type']}/{obj['id']} -> missing {r['type']}/{r['id']}"


def test_titles_are_unique_per_type():
    seen = [(o["type"], o["attributes"]["title"]) for o in OBJECTS]
    assert len(seen) == len(set(seen))


def test_every_data_view_and_visualisation_is_used():
    referenced = {(r["type"], r["id"]) for o in OBJECTS for r in o["references"]}
    for obj in OBJECTS:
        if obj["type"] != "dashboard":
            assert (obj["type"], obj["id"]) in referenced, f"{obj['type']}/{obj['id']} is not used by anything"


# --- data views and searches against the mappings -------------------------------------------------

def test_data_views_point_at_pipeline_indices_with_a_date_time_field(index_fields):
    titles = set()
    for view in of_type("index-pattern"):
        title, fields = data_view_fields(index_fields, view["id"])
        titles.add(title)
        time_field = view["attributes"]["timeFieldName"]
        assert fields.get(time_field, {}).get("type") in DATE, f"{title}: time field {time_field} is not a date"
    alias = load_settings().index_alias
    assert {alias, RUNS_INDEX} <= titles


def test_articles_time_field_is_always_set_by_the_pipeline():
    """The articles data view must not hide documents: published_at may be null, ingested_at never is."""
    alias = load_settings().index_alias
    view = next(v for v in of_type("index-pattern") if v["attributes"]["title"] == alias)
    assert view["attributes"]["timeFieldName"] == "ingested_at"


def test_saved_searches_use_existing_fields(index_fields):
    for search in of_type("search"):
        source = search_source(search)
        assert source["indexRefName"] == "kibanaSavedObjectMeta.searchSourceJSON.index"
        view_ref = ref(search, source["indexRefName"])
        assert view_ref["type"] == "index-pattern"
        title, fields = data_view_fields(index_fields, view_ref["id"])
        attrs = search["attributes"]
        assert attrs["columns"], search["id"]
        for column in attrs["columns"]:
            assert column in fields, f"search {search['id']}: column {column} not in the {title} mapping"
            assert fields[column]["type"] != "object", f"{column} is an object, not a field"
        for sort_field, direction in attrs["sort"]:
            assert direction in {"asc", "desc"}
            assert fields.get(sort_field, {}).get("type") in AGGREGATABLE, f"cannot sort {title} on {sort_field}"
        query = source["query"]
        assert query["language"] == "kuery"
        for name in kql_fields(query["query"]):
            assert name in fields and fields[name]["searchable"], f"search {search['id']}: KQL field {name}"
            assert fields[name]["type"] not in {"object", "nested"} and not fields[name]["nested"], name
        assert source.get("filter", []) == []


def test_latest_articles_and_failures_searches():
    by_title = {s["attributes"]["title"]: s for s in of_type("search")}
    latest = by_title["Latest articles"]["attributes"]
    assert latest["sort"] == [["ingested_at", "desc"]]
    assert latest["columns"] == ["title", "language", "source_name", "author", "published_at"]
    failures = by_title["Failures"]
    view = BY_KEY[("index-pattern", ref(failures, "kibanaSavedObjectMeta.searchSourceJSON.index")["id"])]
    assert view["attributes"]["title"] == RUNS_INDEX
    query = search_source(failures)["query"]["query"]
    assert kql_fields(query) == {"status"} and {"partial", "failed"} <= set(re.findall(r'"(\w+)"', query))


# --- Lens ---------------------------------------------------------------------------------------

def test_lens_layers_reference_data_views_and_columns_are_consistent():
    for lens in of_type("lens"):
        layers = lens_layers(lens)
        assert layers, lens["id"]
        for layer_id, layer in layers.items():
            r = ref(lens, f"indexpattern-datasource-layer-{layer_id}")
            assert r["type"] == "index-pattern"
            assert sorted(layer["columnOrder"]) == sorted(layer["columns"]), f"{lens['id']}: columnOrder"
            for column in layer["columns"].values():
                order_by = column.get("params", {}).get("orderBy", {})
                if order_by.get("type") == "column":
                    assert order_by["columnId"] in layer["columns"]
        vis = lens["attributes"]["state"]["visualization"]
        vis_layers = vis["layers"]
        assert {v["layerId"] for v in vis_layers} == set(layers)
        for v in vis_layers:
            columns = layers[v["layerId"]]["columns"]
            used = [c for key in ("xAccessor", "splitAccessor") if (c := v.get(key))]
            used += v.get("accessors", []) + v.get("primaryGroups", []) + v.get("secondaryGroups", [])
            used += v.get("metrics", [])
            assert used, f"{lens['id']}: layer shows nothing"
            assert set(used) <= set(columns), f"{lens['id']}: accessors {set(used) - set(columns)} are no columns"
            assert set(columns) <= set(used), f"{lens['id']}: columns {set(columns) - set(used)} are not shown"


def test_lens_columns_use_existing_fields_of_a_suitable_type(index_fields):
    for lens in of_type("lens"):
        for layer_id, layer in lens_layers(lens).items():
            view_id = ref(lens, f"indexpattern-datasource-layer-{layer_id}")["id"]
            title, fields = data_view_fields(index_fields, view_id)
            for column_id, column in layer["columns"].items():
                op, source = column["operationType"], column.get("sourceField")
                where = f"lens {lens['id']} column {column_id} ({op} on {source})"
                assert op in OPERATION_TYPES, f"{where}: unknown operation"
                if op == "count" and source == RECORDS:
                    assert column["dataType"] == "number"
                    continue
                assert source in fields, f"{where}: field missing from the {title} mapping"
                field = fields[source]
                assert field["searchable"] and not field["nested"], f"{where}: not aggregatable (nested/disabled)"
                assert field["type"] in OPERATION_TYPES[op], f"{where}: {field['type']} field"
                if op != "count" and op != "unique_count":
                    assert field["type"] in LENS_DATA_TYPE[column["dataType"]], f"{where}: dataType mismatch"
                assert column["isBucketed"] == (op in {"terms", "date_histogram", "range"}), where
        for name in kql_fields(lens["attributes"]["state"]["query"]["query"]):
            assert any(name in f for f in index_fields.values()), name


def _columns(view_title: str) -> list[tuple[str, str | None]]:
    out = []
    for lens in of_type("lens"):
        for layer_id, layer in lens_layers(lens).items():
            view = BY_KEY[("index-pattern", ref(lens, f"indexpattern-datasource-layer-{layer_id}")["id"])]
            if view["attributes"]["title"] == view_title:
                out.append([(c["operationType"], c.get("sourceField")) for c in layer["columns"].values()])
    return out


def test_visualisations_cover_what_the_dashboard_promises():
    alias = load_settings().index_alias
    articles = _columns(alias)
    assert any(("terms", "language") in layer for layer in articles), "articles per language"
    assert any(("terms", "source_name") in layer for layer in articles), "articles per source"
    assert any(any(op == "date_histogram" for op, _ in layer) for layer in articles), "articles per day"
    assert any(("terms", "countries") in layer for layer in articles), "articles per country"
    assert any(s["geoField"] == "dateline_location" for m in of_type("map") for s in map_sources(m)), "dateline map"
    runs = _columns(RUNS_INDEX)
    assert any({("date_histogram", "started_at"), ("sum", "indexed"), ("sum", "failed")} <= set(layer)
               for layer in runs), "runs: indexed and failed over started_at"


def map_sources(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [layer["sourceDescriptor"] for layer in json.loads(obj["attributes"]["layerListJSON"])
            if layer["sourceDescriptor"].get("type") in MAP_ES_SOURCES]


def test_map_layers_read_geo_fields_of_their_data_view(index_fields):
    """Every document layer of a map names a data view by reference and a geo field of a suitable type."""
    maps = of_type("map")
    assert maps, "the dashboard promises a map of datelines"
    for m in maps:
        json.loads(m["attributes"]["mapStateJSON"])
        layers = json.loads(m["attributes"]["layerListJSON"])
        assert len({layer["id"] for layer in layers}) == len(layers)
        sources = map_sources(m)
        assert sources, f"map {m['id']} shows no documents"
        for source in sources:
            r = ref(m, source["indexPatternRefName"])
            assert r["type"] == "index-pattern"
            title, fields = data_view_fields(index_fields, r["id"])
            field = fields.get(source["geoField"])
            assert field is not None, f"map {m['id']}: {source['geoField']} missing from the {title} mapping"
            assert field["type"] in MAP_ES_SOURCES[source["type"]] and field["searchable"], (m["id"], field)


# --- dashboard ----------------------------------------------------------------------------------

def test_dashboard_panels_resolve_and_do_not_overlap():
    dashboards = of_type("dashboard")
    assert len(dashboards) == 1
    dash = dashboards[0]
    panels = json.loads(dash["attributes"]["panelsJSON"])
    json.loads(dash["attributes"]["optionsJSON"])
    assert json.loads(dash["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["language"] == "kuery"
    indices = [p["panelIndex"] for p in panels]
    assert len(indices) == len(set(indices))
    cells: dict[tuple[int, int], str] = {}
    on_dashboard = set()
    for panel in panels:
        grid = panel["gridData"]
        assert grid["i"] == panel["panelIndex"]
        assert grid["x"] >= 0 and grid["y"] >= 0 and grid["w"] > 0 and grid["h"] > 0
        assert grid["x"] + grid["w"] <= GRID_COLUMNS, f"panel {panel['panelIndex']} wider than the grid"
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"panels {cells.get((x, y))} and {panel['panelIndex']} overlap"
                cells[(x, y)] = panel["panelIndex"]
        target = ref(dash, f"{panel['panelIndex']}:{panel['panelRefName']}")
        assert target["type"] == panel["type"], panel["panelIndex"]
        on_dashboard.add((target["type"], target["id"]))
    panel_refs = {f"{p['panelIndex']}:{p['panelRefName']}" for p in panels}
    assert {r["name"] for r in dash["references"]} == panel_refs, "references without a panel"
    assert {(o["type"], o["id"]) for o in of_type("lens") + of_type("map")} <= on_dashboard, \
        "a visualisation is not on the dashboard"


# --- import client against a stub Kibana ------------------------------------------------------------

class StubKibana:
    """A tiny HTTP server that records requests and answers like Kibana's API."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status_answers: list[tuple[int, Any]] = []  # consumed in order, the last one repeats
        self.import_answer: tuple[int, Any] | None = None  # None: success for every object received
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}  # what was imported, as Kibana keeps it
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def _record(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                entry = {"method": self.command, "path": self.path,
                         "headers": {k.lower(): v for k, v in self.headers.items()},  # names are case-insensitive
                         "body": self.rfile.read(length) if length else b""}
                stub.requests.append(entry)
                return entry

            def _answer(self, status: int, body: Any) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                self._record()
                if self.path.endswith("/api/status") and stub.status_answers:
                    status, body = stub.status_answers.pop(0) if len(stub.status_answers) > 1 else stub.status_answers[0]
                    self._answer(status, body)
                elif self.path.endswith("/api/status"):
                    self._answer(200, {"status": {"overall": {"level": "available"}}})
                else:
                    self._answer(404, {"statusCode": 404, "error": "Not Found", "message": "Not Found"})

            def _export(self, entry: dict[str, Any]) -> None:
                """Kibana's _export: the objects asked for and (includeReferencesDeep) what they reference."""
                asked = json.loads(entry["body"])
                todo = [(o["type"], o["id"]) for o in asked["objects"]]
                found: dict[tuple[str, str], dict[str, Any]] = {}
                while todo:
                    key = todo.pop(0)
                    if key in stub.objects and key not in found:
                        found[key] = stub.objects[key]
                        if asked.get("includeReferencesDeep"):
                            todo += [(r["type"], r["id"]) for r in found[key].get("references", [])]
                raw = "".join(json.dumps(o) + "\n" for o in found.values()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/ndjson")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                entry = self._record()
                if "/api/saved_objects/_export" in self.path:
                    self._export(entry)
                elif "/api/saved_objects/_import" not in self.path:
                    self._answer(404, {"statusCode": 404, "error": "Not Found", "message": "Not Found"})
                elif self.headers.get("kbn-xsrf") is None:  # what Kibana does without the header
                    self._answer(400, {"statusCode": 400, "error": "Bad Request",
                                       "message": "Request must contain a kbn-xsrf header."})
                elif stub.import_answer is not None:
                    self._answer(*stub.import_answer)
                else:
                    objects = [json.loads(line) for line in uploaded_file(entry)[1].decode().splitlines()]
                    stub.objects.update({(o["type"], o["id"]): o for o in objects})
                    self._answer(200, {"success": True, "successCount": len(objects), "errors": [], "warnings": [],
                                       "successResults": [{"type": o["type"], "id": o["id"]} for o in objects]})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # shutdown() waits for serve_forever's next poll: 0.5 s by default, per test
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> "StubKibana":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def imports(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST"]


def uploaded_file(entry: dict[str, Any]) -> tuple[Any, bytes]:
    """(the MIME part, its bytes) of the multipart upload, parsed with the stdlib email parser."""
    raw = f"Content-Type: {entry['headers']['content-type']}\r\n\r\n".encode() + entry["body"]
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    assert message.is_multipart()
    parts = list(message.iter_parts())
    assert len(parts) == 1
    return parts[0], parts[0].get_payload(decode=True)


@pytest.fixture
def stub() -> Iterator[StubKibana]:
    with StubKibana() as server:
        yield server


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("KIBANA_URL", "KIBANA_USERNAME", "KIBANA_PASSWORD", "KIBANA_API_KEY", "KIBANA_SPACE",
                 "ES_USERNAME", "ES_PASSWORD", "ES_API_KEY", "KIBANA_CA_CERTS", "KIBANA_VERIFY_CERTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return monkeypatch


def run_kibana(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stderr
    sys.stderr = err
    try:
        code = kibana.main(list(args), out=out)
    finally:
        sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def run_import(*args: str) -> tuple[int, str, str]:
    return run_kibana("import", *args)


def test_import_uploads_the_ndjson_with_xsrf_overwrite_and_basic_auth(stub, clean_env):
    clean_env.setenv("ES_USERNAME", "elastic")
    clean_env.setenv("ES_PASSWORD", "s3cret-pw")
    code, out, err = run_import("--url", stub.url)
    assert code == 0, err
    (req,) = stub.imports()
    assert req["path"] == "/api/saved_objects/_import?overwrite=true"
    assert req["headers"]["kbn-xsrf"] == "true"
    assert req["headers"]["authorization"] == "Basic " + base64.b64encode(b"elastic:s3cret-pw").decode()
    assert req["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    part, payload = uploaded_file(req)
    assert part.get_param("name", header="content-disposition") == "file"
    assert part.get_filename().endswith(".ndjson")
    sent = [json.loads(line) for line in payload.decode().splitlines()]
    assert sent == OBJECTS  # every object of config/kibana, unchanged
    assert out.count("\n") == 1 and f"successCount={len(OBJECTS)}" in out and "errors=0" in out
    assert "s3cret-pw" not in out + err


def test_kibana_credentials_and_api_key_take_precedence(stub, clean_env):
    clean_env.setenv("ES_USERNAME", "elastic")
    clean_env.setenv("ES_PASSWORD", "es-pw")
    clean_env.setenv("KIBANA_USERNAME", "analyst-admin")
    clean_env.setenv("KIBANA_PASSWORD", "kb-pw")
    clean_env.setenv("KIBANA_URL", stub.url)
    assert run_import()[0] == 0
    clean_env.setenv("KIBANA_API_KEY", "a2V5OnNlY3JldA==")
    assert run_import("--space", "analytics")[0] == 0
    first, second = stub.imports()
    assert first["headers"]["authorization"] == "Basic " + base64.b64encode(b"analyst-admin:kb-pw").decode()
    assert second["headers"]["authorization"] == "ApiKey a2V5OnNlY3JldA=="
    assert second["path"] == "/s/analytics/api/saved_objects/_import?overwrite=true"


def test_kibana_password_alone_is_not_used(stub, clean_env):
    """In .env KIBANA_PASSWORD is the kibana_system password: never sent as an import credential."""
    clean_env.setenv("KIBANA_PASSWORD", "kibana-system-pw")
    clean_env.setenv("ES_USERNAME", "elastic")
    clean_env.setenv("ES_PASSWORD", "es-pw")
    assert run_import("--url", stub.url)[0] == 0
    assert stub.imports()[0]["headers"]["authorization"] == "Basic " + base64.b64encode(b"elastic:es-pw").decode()


def test_credentials_in_the_url_are_used_but_never_printed(stub, clean_env):
    url = stub.url.replace("http://", "http://admin:url-pw@")
    code, out, err = run_import("--url", url)
    assert code == 0, err
    assert stub.imports()[0]["headers"]["authorization"] == "Basic " + base64.b64encode(b"admin:url-pw").decode()
    assert "url-pw" not in out + err and stub.url in out


def test_import_errors_give_a_nonzero_exit_and_name_the_objects(stub, clean_env):
    stub.import_answer = (200, {"success": False, "successCount": 11, "warnings": [], "errors": [
        {"id": "news-etl-lens-run-counts", "type": "lens", "title": "Documents per run",
         "error": {"type": "missing_references",
                   "references": [{"type": "index-pattern", "id": "news-etl-etl-runs-dataview"}]}}]})
    code, out, err = run_import("--url", stub.url)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "errors=1" in err and "lens/news-etl-lens-run-counts: missing_references" in err
    assert "index-pattern/news-etl-etl-runs-dataview" in err


@pytest.mark.parametrize("status,body,expected", [
    (401, {"statusCode": 401, "error": "Unauthorized", "message": "[security_exception] unable to authenticate"},
     "HTTP 401 Unauthorized: [security_exception] unable to authenticate"),
    (413, {"statusCode": 413, "error": "Request Entity Too Large", "message": "Payload content length greater"},
     "HTTP 413 Request Entity Too Large"),
    (502, "<html>Bad gateway</html>", "HTTP 502: <html>Bad gateway</html>"),
])
def test_http_errors_are_one_clear_line(stub, clean_env, status, body, expected):
    clean_env.setenv("ES_USERNAME", "elastic")
    clean_env.setenv("ES_PASSWORD", "never-shown")
    stub.import_answer = (status, body)
    code, out, err = run_import("--url", stub.url)
    assert code == 1 and out == ""
    assert err.startswith("error: Kibana refused the import: ") and expected in err
    assert len(err.strip().splitlines()) == 1 and "never-shown" not in err


def test_unreachable_kibana_is_one_clear_line(clean_env):
    with StubKibana() as closed:
        url = closed.url
    code, out, err = run_import("--url", url)
    assert code == 1 and err.startswith(f"error: cannot reach Kibana at {url}") and "Traceback" not in err


def test_wait_polls_status_until_available(stub, clean_env):
    stub.status_answers = [(503, {"status": {"overall": {"level": "unavailable"}}}),
                           (200, {"status": {"overall": {"level": "degraded"}}}),
                           (200, {"status": {"overall": {"level": "available"}}})]
    sleeps: list[float] = []
    kibana.wait_until_available(kibana.KibanaConnection(url=stub.url), timeout=60, interval=2.0, sleep=sleeps.append)
    assert [r["path"] for r in stub.requests] == ["/api/status"] * 3
    assert sleeps == [2.0, 2.0]


def test_wait_gives_up_with_the_last_state(stub, clean_env):
    stub.status_answers = [(503, {"status": {"overall": {"level": "unavailable"}}})]
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds
        polled.append(now[0])

    polled = [0.0]

    with pytest.raises(kibana.KibanaError, match=r"not available after 30s \(status unavailable\)"):
        kibana.wait_until_available(kibana.KibanaConnection(url=stub.url), timeout=30, interval=10,
                                    clock=lambda: now[0], sleep=sleep)
    assert polled == [0.0, 10.0, 20.0, 30.0] and len(stub.requests) == len(polled)


def test_wait_fails_fast_on_rejected_credentials(stub, clean_env):
    stub.status_answers = [(401, {"statusCode": 401, "error": "Unauthorized", "message": "unable to authenticate"})]
    conn = kibana.KibanaConnection(url=stub.url, username="elastic", password="wrong")
    with pytest.raises(kibana.KibanaError, match="rejected the credentials") as info:
        kibana.wait_until_available(conn, timeout=300, interval=1, sleep=lambda s: pytest.fail("retried a 401"))
    assert "wrong" not in str(info.value)


def test_import_with_wait_checks_status_first(stub, clean_env):
    code, out, err = run_import("--url", stub.url, "--wait", "30")
    assert code == 0, err
    assert [(r["method"], r["path"].split("?")[0]) for r in stub.requests] == [
        ("GET", "/api/status"), ("POST", "/api/saved_objects/_import")]


def test_malformed_ndjson_is_refused_before_any_request(stub, clean_env, tmp_path):
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"id": "x", "type": "lens", "attributes": {}}\n{not json}\n', encoding="utf-8")
    code, _, err = run_import("--url", stub.url, "--file", str(bad))
    assert code == 1 and f"{bad}:2: not valid JSON" in err
    assert stub.requests == []


def test_module_runs_as_a_process(stub, clean_env):
    """``python -m pipeline.elastic.kibana import`` in a real interpreter, env-configured like compose's init."""
    import os

    env = {**os.environ, "KIBANA_URL": stub.url, "ES_USERNAME": "elastic", "ES_PASSWORD": "proc-pw"}
    result = subprocess.run([sys.executable, "-m", "pipeline.elastic.kibana", "import", "--wait", "10"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"successCount={len(OBJECTS)}" in result.stdout and "proc-pw" not in result.stdout + result.stderr


def test_cli_has_the_kibana_import_command():
    """``python -m pipeline.elastic.kibana import`` (the command compose's init service runs)."""
    from pipeline.cli import build_parser

    args = build_parser().parse_args(["kibana", "import", "--url", "http://kibana:5601", "--wait", "300"])
    assert args.func is kibana.cmd_import and args.wait == 300 and args.url == "http://kibana:5601"


def test_stories_search_lists_canonical_copies_on_the_dashboard():
    by_title = {s["attributes"]["title"]: s for s in of_type("search")}
    stories = by_title["Stories (canonical copies)"]
    assert kql_fields(search_source(stories)["query"]["query"]) == {"is_canonical"}
    assert "duplicate_count" in stories["attributes"]["columns"]
    dash = of_type("dashboard")[0]
    assert ("search", stories["id"]) in {(r["type"], r["id"]) for r in dash["references"]}


def test_export_gives_back_what_the_checked_in_files_hold_in_their_order(stub, clean_env, tmp_path):
    code, _, err = run_import("--url", stub.url)
    assert code == 0, err
    out_file = tmp_path / "exported.ndjson"
    code, out, err = run_kibana("export", "--url", stub.url, "--out", str(out_file))
    assert code == 0, err
    checked_in = [json.loads(line) for line in kibana.read_saved_objects(kibana.saved_object_files()).decode().splitlines()]
    exported = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert exported == checked_in
    (req,) = [r for r in stub.requests if "_export" in r["path"]]
    assert req["headers"]["kbn-xsrf"] == "true"
    assert json.loads(req["body"])["includeReferencesDeep"] is True
    assert f"{len(checked_in)} objects" in err


def test_export_names_objects_kibana_does_not_have(stub, clean_env):
    code, out, err = run_kibana("export", "--url", stub.url)
    assert code == 1 and out == ""
    assert err.startswith("error: Kibana does not have ") and "kibana import" in err
