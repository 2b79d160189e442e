"""Places in the real Elasticsearch: the dateline is a geo_point, a collapsed search filters by country."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.config import load_settings
from pipeline.elastic.search import Filters, search
from pipeline.run import run_ingest

STORIES = {
    "moscow.txt": ("Grain talks resume", "МОСКВА, 4 апреля (ТАСС) - Переговоры о зерне продолжатся на следующей неделе, "
                   "сообщили в министерстве сельского хозяйства. Делегации Турции и Китая приедут в столицу.\n\n"
                   "Министр сказал, что стороны обсудят цены, поставки и страхование судов в ближайшие месяцы."),
    "berlin.txt": ("Grain talks in Berlin", "Berlin (dpa) - Die Gespräche über Getreide gehen weiter, teilte das "
                   "Ministerium mit. Vertreter aus Frankreich und Polen werden erwartet.\n\n"
                   "Die Minister wollen über Preise, Lieferungen und die Versicherung von Schiffen sprechen."),
    "nairobi.txt": ("Grain prices rise", "NAIROBI (Reuters) - Grain prices rose again this week as traders in Kenya "
                    "waited for news from the talks, officials said on Monday.\n\n"
                    "Farmers said the rains came late and the harvest would be smaller than last year."),
}


def write_sources(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, body) in STORIES.items():
        (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def test_dateline_location_is_a_geo_point_and_search_filters_by_country(es_client, alias, tmp_path):
    src = tmp_path / "src"
    write_sources(src)
    run_ingest(load_settings(), es=es_client, source_dir=src, alias=alias, runs_dir=tmp_path / "runs")
    es_client.indices.refresh(index=alias)
    mapping = es_client.indices.get_mapping(index=alias)
    props = next(iter(mapping.values()))["mappings"]["properties"]
    assert props["dateline_location"]["type"] == "geo_point"
    assert props["countries"]["type"] == "keyword" and props["outlet"]["type"] == "keyword"

    docs = {h["_source"]["source"]: h["_source"] for h in es_client.search(index=alias, size=10)["hits"]["hits"]}
    moscow = next(v for k, v in docs.items() if k.endswith("moscow.txt"))
    assert moscow["dateline_country"] == "RU" and moscow["dateline_place"] == "Moscow"
    assert {"TR", "CN"} <= set(moscow["countries"])

    # ES reads the point as a point: a distance query around Moscow finds the Moscow story only
    near = es_client.search(index=alias, query={"geo_distance": {"distance": "50km",
                                                                 "dateline_location": {"lat": 55.75, "lon": 37.62}}})
    assert [h["_source"]["source"] for h in near["hits"]["hits"]] == [moscow["source"]]

    # filter by country: named in the text (Poland) or the dateline's country (Kenya), collapsed or not
    pl = search(es_client, "Getreide", alias=alias, filters=Filters(country="PL"), collapse=True)
    assert [Path(h.source_path).name for h in pl] == ["berlin.txt"]
    ke = search(es_client, "grain", alias=alias, filters=Filters(country="ke"), collapse=True)
    assert [Path(h.source_path).name for h in ke] == ["nairobi.txt"]
    assert search(es_client, "grain", alias=alias, filters=Filters(country="JP"), collapse=True) == []

    # the same from the command line, as an analyst types it
    import subprocess
    import sys

    env = {**os.environ, "ES_URL": es_client.transport.node_pool.get().base_url}
    out = subprocess.run([sys.executable, "-m", "pipeline", "search", "grain", "--index-alias", alias, "--collapse",
                          "--country", "ke", "--format", "jsonl"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert [Path(json.loads(line)["source_path"]).name for line in out.stdout.splitlines()] == ["nairobi.txt"]

    # a terms chart of countries counts documents per country across languages
    aggs = es_client.search(index=alias, size=0, aggs={"c": {"terms": {"field": "countries"}}})["aggregations"]
    counts = {b["key"]: b["doc_count"] for b in aggs["c"]["buckets"]}
    assert counts.get("KE") == 1 and counts.get("FR") == 1
