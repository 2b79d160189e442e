"""Search across languages on the real cluster: Chinese, Arabic, Russian (and Korean) articles are
indexed by the whole pipeline and found from a query in their language, with each document's
metadata provenance in the index.

On the minimal local node (``standard`` only) this checks the degraded path: CJK queries become
character-sequence queries. On a full cluster the same test runs with the ``title.<lang>`` /
``body.<lang>`` subfields (``cjk``, ``arabic``, ``russian``) in the query as well.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.elastic.indices import alias_targets
from pipeline.elastic.mapping import available_analyzers, supported_languages
from pipeline.elastic.search import index_languages, search
from pipeline.run import run_ingest

pytestmark = pytest.mark.es

ARTICLES = {
    "zh.html": """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>北京市启动春季植树活动 - 中国新闻网</title>
<link rel="canonical" href="https://news.example.cn/gn/2026/03-19/1034.shtml"></head><body>
<nav><a href="/">首页</a> <a href="/gn">国内</a> <a href="/gj">国际</a></nav>
<article><h1>北京市启动春季植树活动 全年计划新增绿地200公顷</h1>
<p>2026年03月19日 10:23　来源：中国新闻网</p><p>（记者 王秀军）</p>
<p>中新网北京3月19日电 北京市园林绿化局19日宣布，全市春季义务植树活动正式启动。今年北京将新增造林绿化面积200公顷，
重点建设城市森林公园和口袋公园，让市民出门就能见到绿色。</p>
<p>据介绍，市民可以通过线上平台预约参与植树，活动将持续到四月底。园林部门还将组织专业人员现场指导，
确保树苗的成活率。今年的植树品种以乡土树种为主，包括国槐、银杏和油松等。</p>
<p>专家表示，城市绿化不仅能改善空气质量，还能有效缓解热岛效应，提升居民的生活质量。（完）</p>
</article></body></html>""",
    "ar.html": """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>افتتاح أكبر محطة للطاقة الشمسية في المنطقة</title></head><body>
<article><h1>افتتاح أكبر محطة للطاقة الشمسية في المنطقة</h1>
<p>كتب: أحمد حسن</p><p>الخميس 19 مارس 2026 - 11:30 ص</p>
<p>افتتحت الحكومة اليوم الخميس أكبر محطة للطاقة الشمسية في المنطقة بقدرة تصل إلى واحد ونصف جيجاوات،
وتغطي المحطة احتياجات نحو مليون منزل من الكهرباء النظيفة.</p>
<p>وقال وزير الكهرباء إن المشروع يأتي ضمن خطة وطنية لرفع حصة الطاقة المتجددة إلى أربعين في المئة
بحلول نهاية العقد، مشيرا إلى أن المحطة وفرت آلاف فرص العمل للشباب خلال مرحلة البناء.</p>
</article></body></html>""",
    "ru.html": """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>В Москве открыли три новые станции метро</title>
<meta property="article:published_time" content="2026-03-19T12:40:00+03:00">
<meta name="author" content="Иван Петров"></head><body>
<article><h1>В Москве открыли три новые станции метро</h1>
<p>МОСКВА, 19 марта — Новости Дня. Три новые станции Большой кольцевой линии открылись в четверг для пассажиров.
По словам мэра, пассажиропоток на линии вырастет на пятнадцать процентов, а время в пути для жителей
окраин сократится почти на двадцать минут.</p>
<p>Строительство станций продолжалось четыре года. В ближайшие месяцы власти планируют открыть еще
несколько станций и запустить новые автобусные маршруты к метро.</p>
</article></body></html>""",
    "ko.html": """<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">
<title>서울 아파트값 3주 연속 상승</title></head><body>
<article><h1>서울 아파트값 3주 연속 상승…강남권 상승폭 확대</h1><p>김민수 기자</p><p>송고시간 2026-03-19 14:00</p>
<p>서울 아파트값이 3주 연속 올랐다. 한국부동산원이 19일 발표한 주간 아파트 가격 동향에 따르면 서울 아파트값은
지난주보다 0.05% 상승했다. 특히 강남권의 상승폭이 커졌다.</p>
<p>전문가들은 금리 인하 기대감이 매수 심리를 자극하고 있다고 분석했다. 다만 거래량은 여전히 예년보다 적은 수준이다.</p>
</article></body></html>""",
    "en.html": """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>City council approves new bike lanes</title>
</head><body><article><h1>City council approves new bike lanes</h1><p>By Jane Doe</p>
<p>The city council approved twelve kilometres of protected bike lanes on Tuesday, after a long debate about parking
and delivery zones in the old town. Construction starts in May and should finish before the autumn.</p>
<p>Cycling groups welcomed the vote, while some shop owners worried about fewer parking spaces for customers.</p>
</article></body></html>""",
}


@pytest.fixture
def indexed(es_client, alias, tmp_path) -> str:
    folder = tmp_path / "multilingual"
    folder.mkdir()
    for name, page in ARTICLES.items():
        (folder / name).write_text(page, encoding="utf-8")
    report = run_ingest(load_settings(), es=es_client, source_dir=folder, alias=alias, runs_dir=tmp_path / "runs")
    assert report.counts()["failed"] == 0, report.counts()
    es_client.indices.refresh(index=alias)
    return alias


def _top(es_client, alias: str, query: str) -> list[str]:
    return [Path(h.source_path or "").name for h in search(es_client, query, alias=alias, size=5)]


@pytest.mark.parametrize("query, expected", [
    ("植树活动", "zh.html"),  # Chinese: no spaces, standard analyzer gives single characters
    ("北京 绿化", "zh.html"),  # two words, not adjacent in the text
    ("محطة للطاقة الشمسية", "ar.html"),
    ("станции метро", "ru.html"),
    ("아파트값", "ko.html"),  # Korean: the text has 아파트값이 (with a particle)
    ("bike lanes", "en.html"),
])
def test_query_in_its_language_finds_the_article(es_client, indexed, query, expected):
    hits = _top(es_client, indexed, query)
    assert hits and hits[0] == expected, hits


def test_cjk_query_does_not_match_on_one_shared_character(es_client, indexed):
    # "marketing" shares only the character 市 with the Chinese page (北京市): a plain OR match on the
    # standard field finds that page, the pipeline's query does not
    plain = es_client.search(index=indexed, query={"match": {"body": "市场营销"}})["hits"]["hits"]
    assert [Path(h["_source"]["source_path"]).name for h in plain] == ["zh.html"]
    assert _top(es_client, indexed, "市场营销") == []


def test_indexed_documents_carry_language_and_metadata_provenance(es_client, indexed):
    docs = {Path(h["_source"]["source_path"]).name: h["_source"]
            for h in es_client.search(index=indexed, size=10, query={"match_all": {}})["hits"]["hits"]}
    assert {docs[n]["language"] for n in ("zh.html", "ar.html", "ru.html", "ko.html")} == {"zh", "ar", "ru", "ko"}
    assert (docs["zh.html"]["author"], docs["zh.html"]["author_source"]) == ("王秀军", "text")
    assert docs["zh.html"]["published_at"].startswith("2026-03-19")
    assert (docs["ar.html"]["author"], docs["ar.html"]["author_source"]) == ("أحمد حسن", "text")
    assert docs["ar.html"]["published_at"] == "2026-03-19"
    assert (docs["ru.html"]["author_source"], docs["ru.html"]["published_at_source"]) == ("structured", "structured")
    assert docs["ko.html"]["author"] == "김민수"


def test_mapping_has_the_language_subfields_the_cluster_offers(es_client, indexed):
    offered = supported_languages(available_analyzers(es_client))
    assert sorted(index_languages(es_client, indexed)) == sorted(offered)
    mapping = es_client.indices.get_mapping(index=alias_targets(es_client, indexed)[0])
    body_fields = next(iter(mapping.values()))["mappings"]["properties"]["body"].get("fields", {})
    for code, analyzer in offered.items():
        assert body_fields[code]["analyzer"] == analyzer
    if "cjk" in set(offered.values()) or "smartcn" in set(offered.values()):
        assert "zh" in body_fields
