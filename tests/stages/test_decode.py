"""Decoding legacy files back to their exact text (pipeline/stages/decode.py).

The sentences are written for these tests (not taken from the benchmark data), one or two
ordinary news-style sentences per language, each written in a charset really used for it.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import load_settings
from pipeline.run import run_ingest
from pipeline.run.single import read_document
from pipeline.stages.charset_bytes import encode_cp1258_text
from pipeline.stages.decode import decode, detector_sample

CASES = [
    ("latin-1", "fr", "Café crème brûlée"),
    ("latin-1", "fr", "Le café de la gare sert une crème brûlée à la pistache depuis Noël."),
    ("cp1252", "en", "“It’s not over yet,” the minister said — and the crowd cheered for a full minute."),
    ("gbk", "zh", "今天上午，市政府召开新闻发布会，介绍了城市公共交通改善计划的最新进展。"),
    ("shift_jis", "ja", "東京都は来年度から、高齢者向けの新しい交通支援制度を始めると発表した。"),
    ("cp1251", "ru", "В понедельник правительство объявило о новых мерах поддержки малого бизнеса."),
    ("cp1256", "ar", "أعلنت الحكومة اليوم عن خطة جديدة لتحسين خدمات النقل العام في المدينة."),
    ("cp1258", "vi", "Chính phủ đã công bố kế hoạch mới nhằm cải thiện giao thông công cộng ở thủ đô."),
    ("cp1250", "pl", "Wczoraj w Krakowie otwarto nową bibliotekę, która pomieści ponad sto tysięcy książek."),
    ("koi8-r", "ru", "Вчера в Москве прошёл праздничный концерт, собравший тысячи зрителей."),
    ("cp1253", "el", "Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα για τη στήριξη των μικρών επιχειρήσεων."),
    ("cp1254", "tr", "Belediye başkanı, şehrin yeni köprüsünün gelecek ay açılacağını söyledi."),
    ("cp1255", "he", "הממשלה הודיעה היום על תוכנית חדשה לשיפור התחבורה הציבורית בעיר."),
    ("euc_kr", "ko", "서울시는 내년부터 대중교통 요금을 단계적으로 인하하겠다고 발표했다."),
]


# What may be recorded for each charset: the charset itself, or a superset / twin that gives the same text.
LABELS = {"latin-1": {"windows-1252", "iso-8859-1"}, "cp1252": {"windows-1252"}, "gbk": {"gb18030"},
          "shift_jis": {"shift_jis", "windows-31j"}, "cp1251": {"windows-1251"}, "cp1256": {"windows-1256"},
          "cp1258": {"windows-1258"}, "cp1250": {"windows-1250"}, "koi8-r": {"koi8-r", "koi8-u"},
          "cp1253": {"windows-1253", "iso-8859-7"}, "cp1254": {"windows-1254"}, "cp1255": {"windows-1255"},
          "euc_kr": {"euc-kr", "windows-949"}}
# Articles for the real run: a few paragraphs, so the cleaning stage keeps them as articles.
ARTICLES = {
    ("gbk", "zh"): ["今天上午，市政府召开新闻发布会，介绍了城市公共交通改善计划的最新进展。",
                   "根据计划，明年全市将新增三条地铁线路，并对现有公交站点进行全面改造。",
                   "市民代表表示，希望新线路能够尽快开通，缓解早晚高峰的拥堵问题。"],
    ("cp1256", "ar"): ["أعلنت الحكومة اليوم عن خطة جديدة لتحسين خدمات النقل العام في المدينة.",
                       "وقال وزير النقل إن الخطة تشمل شراء حافلات حديثة وتوسيع شبكة القطارات.",
                       "ورحب السكان بالقرار وطالبوا بتنفيذه في أقرب وقت ممكن."],
    ("cp1252", "en"): ["“It’s not over yet,” the minister said — and the crowd cheered for a full minute.",
                       "The new bridge will open in March, two years later than planned, officials said.",
                       "Residents welcomed the news but asked for more buses during the works."],
    ("cp1251", "ru"): ["В понедельник правительство объявило о новых мерах поддержки малого бизнеса.",
                       "Предприниматели смогут получить льготные кредиты и отсрочку по налогам.",
                       "Эксперты считают, что эти меры помогут сохранить тысячи рабочих мест."],
    ("shift_jis", "ja"): ["東京都は来年度から、高齢者向けの新しい交通支援制度を始めると発表した。",
                          "対象となるのは七十歳以上の都民で、バスや地下鉄の運賃が半額になる。",
                          "都の担当者は、外出の機会を増やしてほしいと話している。"],
    ("cp1258", "vi"): ["Chính phủ đã công bố kế hoạch mới nhằm cải thiện giao thông công cộng ở thủ đô.",
                       "Theo kế hoạch, thành phố sẽ mở thêm ba tuyến xe buýt trong năm tới.",
                       "Người dân hy vọng tình trạng ùn tắc giờ cao điểm sẽ sớm được giải quyết."],
}


def encoded(text: str, charset: str) -> bytes:
    return encode_cp1258_text(text) if charset == "cp1258" else text.encode(charset)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("charset, lang, text", CASES, ids=[f"{c}-{lang}" for c, lang, _ in CASES])
def test_legacy_text_comes_back_exactly(tmp_path, charset, lang, text):
    doc = read_document(write(tmp_path / f"{lang}.txt", encoded(text, charset)), source_root=tmp_path)
    assert doc.errors == []
    assert doc.raw_text == text
    assert doc.encoding_source == "detected"
    assert doc.encoding in LABELS[charset]
    assert any("not UTF-8; decoded as" in w.message and w.key == "extract/guessed" for w in doc.warnings), \
        "a guess is never silent"


def test_html_with_a_wrong_declared_charset(tmp_path):
    text = "Новости дня: в городе открылся новый музей современного искусства."
    page = f'<html><head><meta charset="iso-8859-1"><title>Новости</title></head><body><p>{text}</p></body></html>'
    doc = read_document(write(tmp_path / "r.html", page.encode("cp1251")), source_root=tmp_path)
    assert doc.errors == [] and doc.raw_text == page
    assert (doc.encoding, doc.encoding_source) == ("windows-1251", "detected")
    assert any("declared charset iso-8859-1 does not fit" in w.message and w.code == "declared-mismatch"
               for w in doc.warnings)


def test_html_with_a_right_declared_charset_and_xml_declaration(tmp_path):
    text = "Das Rathaus wird im Frühjahr für zwei Wochen geschlossen, teilte die Stadt mit."
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"></head>'
            f"<p>{text}€</p></html>")
    doc = read_document(write(tmp_path / "d.html", page.encode("iso8859-15")), source_root=tmp_path)
    assert doc.raw_text == page and doc.encoding_source == "declared" and doc.encoding == "iso-8859-15"
    assert doc.warnings == []
    xml = ('<?xml version="1.0" encoding="windows-1250"?>\n'
           "<article><p>Zażółć gęślą jaźń — powiedział rzecznik.</p></article>")
    result = decode(xml.encode("cp1250"))
    assert result.text == xml and result.source == "declared" and result.encoding == "windows-1250"


def test_http_style_header_declares_the_charset():
    body = "Content-Type: text/plain; charset=koi8-u\n\nУряд оголосив нову програму підтримки їхніх громад."
    result = decode(body.encode("koi8-u"))
    assert result.text == body and result.source == "declared" and result.encoding == "koi8-u"


def test_utf8_and_utf16_byte_order_marks(tmp_path):
    text = "Grüße aus Köln — 東京"
    doc = read_document(write(tmp_path / "bom.txt", codecs.BOM_UTF8 + text.encode()), source_root=tmp_path)
    assert (doc.raw_text, doc.encoding, doc.encoding_source, doc.warnings) == (text, "utf-8", "bom", [])
    doc16 = read_document(write(tmp_path / "u16.txt", text.encode("utf-16")), source_root=tmp_path)
    assert (doc16.raw_text, doc16.encoding, doc16.encoding_source) == (text, "utf-16", "bom")


def test_utf8_is_untouched_and_iso2022_is_recognised():
    text = "Ein ganz normaler Satz über Köln, 東京 und Москва."
    assert decode(text.encode()).text == text and decode(text.encode()).source == "utf-8"
    jp = "来週、新しい駅が開業する予定です。"
    result = decode(jp.encode("iso2022_jp"))
    assert result.text == jp and result.encoding == "iso-2022-jp"


def test_hint_decides_between_equally_good_readings_but_not_against_the_bytes(tmp_path):
    text = "Zażółć gęślą jaźń, powiedział rzecznik prasowy ratusza."
    data = text.encode("iso8859-2")
    assert decode(data, hint="iso-8859-2").text == text
    hinted = decode(data, hint="iso-8859-2")
    assert hinted.source in {"hint", "detected"}
    # a wrong hint (Cyrillic for a French file) is overruled by how the text reads
    french = "Le café de la gare sert une crème brûlée à la pistache depuis Noël."
    overruled = decode(french.encode("latin-1"), hint="cp1251")
    assert overruled.text == french and overruled.source == "detected"


def test_a_broken_file_is_repaired_with_the_count_of_replaced_bytes(tmp_path):
    good = "Der Bürgermeister von Köln hat am Montag die Pläne für die neue Brücke vorgestellt. ".encode()
    garbage = bytes([0xFF, 0xFE, 0xC0, 0x80, 0xF5]) * 8  # bytes that never occur in UTF-8
    doc = read_document(write(tmp_path / "broken.txt", good * 3 + garbage + good * 3), source_root=tmp_path)
    assert doc.errors == [] and doc.encoding_source == "repaired" and doc.encoding == "utf-8"
    assert "Bürgermeister von Köln" in doc.raw_text
    assert [(w.key, str(w)) for w in doc.warnings] == [
        ("extract/repaired", f"extract: invalid UTF-8: {len(garbage)} undecodable byte(s) replaced")]


def test_detection_sees_the_whole_file():
    """A big file whose legacy text sits far past the first 200 kB: the sample reaches it."""
    tail = "В понедельник правительство объявило о новых мерах поддержки малого бизнеса.\n"
    data = b"x" * 300_000 + b"\n" + (tail * 20).encode("cp1251")
    assert "новых мерах".encode("cp1251") in detector_sample(data)
    result = decode(data)
    assert result.text.endswith(tail) and result.encoding == "windows-1251"


def test_cli_encoding_flag(tmp_path, capsys):
    path = write(tmp_path / "ru.txt", "Сегодня в городе открылся новый парк.".encode("cp1251"))
    assert main(["clean", "--encoding", "cp1251", str(path)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["body"] == "Сегодня в городе открылся новый парк."
    with pytest.raises(SystemExit):
        main(["clean", "--encoding", "no-such-charset", str(path)])


@pytest.mark.es
def test_real_run_indexes_encodings_and_the_rest_of_the_batch_lands(es_client, alias, source):
    """A run over the seeds plus legacy files and a broken one: all land, each with its
    encoding and how it was known, filterable in the index; the broken file's repair is in
    the report's warnings."""
    for (charset, lang), paragraphs in ARTICLES.items():
        write(source / f"{lang}-{charset}.txt", encoded("\n\n".join(paragraphs + [" ".join(paragraphs)]), charset))
    good = "Die Stadtverwaltung hat am Montag die Pläne für die neue Brücke über den Fluss vorgestellt. "
    write(source / "broken.txt", good.encode() * 4 + bytes([0xFF, 0xC0, 0xF5]) * 5 + good.encode() * 4)
    report = run_ingest(load_settings(), es=es_client, source_dir=source, alias=alias, encoding="cp1251")
    outcome = {d.source: d for d in report.documents}
    assert [(d.source, d.errors) for d in report.documents if d.errors] == []
    assert report.indexed == len(outcome) == 2 + len(ARTICLES) + 1
    assert outcome["broken.txt"].encoding_source == "repaired"
    assert [str(w) for w in outcome["broken.txt"].warnings] == [
        "extract: invalid UTF-8: 15 undecodable byte(s) replaced"]
    assert report.warnings_by_code()["extract/repaired"] == 1  # counted like failures
    assert outcome["ru-cp1251.txt"].encoding_source == "hint"  # the run's hint, and the bytes agree
    assert outcome["zh-gbk.txt"].encoding == "gb18030"  # the hint (cp1251) is overruled by the bytes
    es_client.indices.refresh(index=alias)
    hits = es_client.search(index=alias, query={"term": {"encoding_source": "detected"}}, size=20)["hits"]["hits"]
    by_name = {Path(h["_source"]["source_path"]).name: h["_source"] for h in hits}
    assert by_name["zh-gbk.txt"]["body"].startswith(ARTICLES[("gbk", "zh")][0])
    assert by_name["vi-cp1258.txt"]["body"].startswith(ARTICLES[("cp1258", "vi")][0])
    assert by_name["ar-cp1256.txt"]["encoding"] == "windows-1256"
    utf8 = es_client.count(index=alias, query={"term": {"encoding": "utf-8"}})["count"]
    assert utf8 == 3  # the two seeds and the repaired file
