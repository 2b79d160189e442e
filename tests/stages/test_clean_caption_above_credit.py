"""A credit line takes the line above it as its caption only when that line is no paragraph of the article
(``structure.paragraph_above_credit``): "no paragraph cut". Dumps without blank lines between paragraphs
(every line's gap 0, so "same block" says nothing) from the development half of an independent probe
(de-t1, ru-t2, ko-t3): a lead of two sentences, a one-sentence paragraph as long as the others, the last
paragraph above a copyright line that closes the article. A real caption + credit pair still goes to
``.captions``, in a blank-line layout and, when the caption is one short statement, without one."""

from __future__ import annotations

import pytest

from pipeline.stages.clean import clean_text, load_packs
from pipeline.stages.clean.lines import split_lines
from pipeline.stages.clean.structure import paragraph_above_credit, two_sentences
from pipeline.stages.clean.text import resolve_rules

DE_T1 = """Bahn-Streik legt Fernverkehr weitgehend lahm
Berlin (dpa) - Der Streik der Lokführergewerkschaft GDL hat am Donnerstag den Fernverkehr der Deutschen Bahn weitgehend zum Erliegen gebracht. Nach Angaben des Konzerns fielen rund 80 Prozent der Fernzüge aus, auch im Regionalverkehr kam es bundesweit zu erheblichen Einschränkungen.
Die Bahn hatte einen Notfahrplan aufgestellt und Fahrgäste aufgefordert, nicht notwendige Reisen zu verschieben. Bereits gekaufte Fahrkarten behalten ihre Gültigkeit und können flexibel genutzt werden.
Ein Reisender steht auf einem fast leeren Bahnsteig im Hauptbahnhof. Foto: Max Muster/dpa
Die Gewerkschaft fordert unter anderem eine Absenkung der Wochenarbeitszeit von 38 auf 35 Stunden bei vollem Lohnausgleich. Die Bahn lehnt dies bislang ab und verweist auf den Fachkräftemangel.
Der Streik soll bis Freitagabend andauern.
© dpa-infocom, dpa:240307-99-258314/3
Lesen Sie auch
Was Fahrgäste beim Bahnstreik jetzt wissen müssen
Artikel teilen: Facebook Twitter WhatsApp E-Mail
"""

RU_T2 = """В Новосибирске открыли первый участок нового моста через Обь
Автор: Елена Смирнова
В Новосибирске в субботу открыли движение по первому участку четвертого моста через Обь. Длина переправы составляет более 1,5 километра, по ней будут курсировать как легковые автомобили, так и общественный транспорт.
Фото: пресс-служба мэрии Новосибирска
Строительство моста началось в 2020 году в рамках концессионного соглашения. Общая стоимость проекта оценивается в 44 млрд рублей. По словам представителей мэрии, новая переправа должна разгрузить Октябрьский и Коммунальный мосты, на которых в часы пик образуются многокилометровые пробки.
Полностью завершить строительство развязок на левом берегу планируют до конца следующего года.
Подписывайтесь на наш канал в Telegram, чтобы первыми узнавать главные новости
Нашли ошибку? Выделите ее и нажмите Ctrl+Enter
Читайте также: Мэрия назвала сроки ремонта Димитровского моста
"""

KO_T3 = """국내 연구진, 배터리 수명 두 배 늘리는 전해질 개발
[이데일리 박철민 기자] 국내 연구진이 리튬이온 배터리의 수명을 두 배 가까이 늘릴 수 있는 새로운 전해질 소재를 개발했다.
한국과학기술원(KAIST) 연구팀은 고온에서도 분해되지 않는 불소계 첨가제를 활용해 충·방전 1000회 이후에도 초기 용량의 90% 이상을 유지하는 전해질을 만들었다고 12일 밝혔다.
사진=게티이미지뱅크
기존 전해질은 고온 환경에서 쉽게 분해돼 배터리 성능 저하의 주요 원인으로 꼽혀 왔다. 연구팀은 이번 기술이 전기차와 에너지저장장치(ESS)의 안전성을 높이는 데도 기여할 것으로 기대했다.
연구 결과는 국제 학술지 '네이처 에너지'에 게재됐다.
▶ 관련기사 ◀
☞ 전기차 화재 막는 '불연성 배터리' 나온다
☞ 배터리 업계, 전고체 상용화 경쟁 가속
[ⓒ 이데일리 신문 - 무단전재 & 재배포 금지]
"""

CASES = [
    (DE_T1, "Der Streik soll bis Freitagabend andauern.", "© dpa-infocom, dpa:240307-99-258314/3"),
    (RU_T2, "В Новосибирске в субботу открыли движение по первому участку четвертого моста через Обь.",
     "Фото: пресс-служба мэрии Новосибирска"),
    (KO_T3, "한국과학기술원(KAIST) 연구팀은 고온에서도 분해되지 않는 불소계 첨가제를 활용해", "사진=게티이미지뱅크"),
]


@pytest.mark.parametrize(("text", "paragraph", "credit"), CASES, ids=["de-t1", "ru-t2", "ko-t3"])
def test_a_paragraph_above_a_credit_line_stays_in_the_body(text: str, paragraph: str, credit: str) -> None:
    res = clean_text(text)
    assert paragraph in res.body
    assert not any(paragraph in c for c in res.captions)
    assert credit in res.captions and credit not in res.body  # the credit itself still leaves the body


DE_P1 = ("Der Streik der Lokführergewerkschaft GDL hat am Donnerstag den Fernverkehr der Deutschen Bahn weitgehend "
         "zum Erliegen gebracht. Nach Angaben des Konzerns fielen rund 80 Prozent der Fernzüge aus.")
DE_P2 = ("Die Gewerkschaft fordert unter anderem eine Absenkung der Wochenarbeitszeit von 38 auf 35 Stunden bei "
         "vollem Lohnausgleich. Die Bahn lehnt dies bislang ab.")
DE_P3 = ("Die Bahn hatte einen Notfahrplan aufgestellt und Fahrgäste aufgefordert, nicht notwendige Reisen zu "
         "verschieben.")
CAPTION = "Ein Reisender steht auf einem fast leeren Bahnsteig im Hauptbahnhof."
TWO_SENTENCE_CAPTION = "Ein Reisender steht auf einem fast leeren Bahnsteig. Der Streik dauert bis Freitag."
CREDIT = "Foto: Max Muster/dpa"
TITLE = "Bahn-Streik legt Fernverkehr weitgehend lahm"


@pytest.mark.parametrize("caption", [CAPTION, TWO_SENTENCE_CAPTION])
def test_a_caption_and_its_credit_in_one_block_of_a_blank_line_layout_are_captions(caption: str) -> None:
    text = "\n\n".join([TITLE, DE_P1, f"{caption}\n{CREDIT}", DE_P2, DE_P3]) + "\n"
    res = clean_text(text)
    assert caption in res.captions and CREDIT in res.captions
    assert caption not in res.body and CREDIT not in res.body
    for p in (DE_P1, DE_P2, DE_P3):
        assert p in res.body


def test_a_short_caption_over_its_credit_without_blank_lines_is_a_caption() -> None:
    """One short statement above the credit, paragraphs after it: the caption, as before."""
    res = clean_text("\n".join([TITLE, DE_P1, CAPTION, CREDIT, DE_P2, DE_P3]) + "\n")
    assert CAPTION in res.captions and CAPTION not in res.body
    for p in (DE_P1, DE_P2, DE_P3):
        assert p in res.body


def test_paragraph_above_credit_reads_layout_sentences_length_and_position() -> None:
    r = resolve_rules(DE_P1, load_packs()).text

    def asked(text: str) -> bool:
        lines = split_lines(text)
        i = next(k for k, ln in enumerate(lines) if ln.text == CREDIT)
        return paragraph_above_credit(lines, i, r)

    assert asked("\n".join([TITLE, DE_P1, DE_P1.replace("80", "70"), CREDIT, DE_P2, DE_P3]))  # two sentences
    assert not asked("\n".join([TITLE, DE_P1, CAPTION, CREDIT, DE_P2, DE_P3]))  # short, paragraphs follow
    assert asked("\n".join([TITLE, DE_P1, DE_P2, CAPTION, CREDIT, "Lesen Sie auch"]))  # closes the article
    assert not asked("\n".join([TITLE, DE_P1, "Ein Bahnsteig", CREDIT, DE_P2]))  # no sentence end: a label
    assert not asked("\n\n".join([TITLE, DE_P1, f"{TWO_SENTENCE_CAPTION}\n{CREDIT}", DE_P2, DE_P3]))  # one block


def test_two_sentences_in_spaced_cased_uncased_and_dense_scripts() -> None:
    assert two_sentences("Es regnet. Der Zug fährt nicht.")
    assert two_sentences("기존 전해질은 쉽게 분해돼 왔다. 연구팀은 기대했다.")
    assert two_sentences("东京今天下雨。列车停运。")
    assert not two_sentences("Rund 1.5 Millionen Menschen, z. B. in Berlin, sind betroffen.")
    assert not two_sentences("东京今天下雨。")
    assert not two_sentences("Ein Reisender steht auf einem fast leeren Bahnsteig.")
