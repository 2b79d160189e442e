"""The 40 hand-written metadata pages: one spec per page (language, markup style, what the page shows).

``python benchmarks/data/metadata-pages/pages.py`` rewrites the ``*.html`` files and ``truth.json``.
Truth = what a reader sees (the byline's first name, the published day), or null when the page shows
none. Styles: ``meta`` (meta tags only, nothing visible), ``jsonld`` (JSON-LD + visible byline),
``byline`` (byline / date elements with class names, no structured data), ``text`` (byline and date as
plain paragraphs), ``url`` (date only in the canonical URL), ``none`` (neither), ``end`` (byline after the
article). Site chrome (navigation, share bar, related list, footer) is written the way news sites of
each language write it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

NAV = {
    "zh": ["首页", "国内", "国际", "财经", "体育", "科技"], "ja": ["トップ", "国内", "国際", "経済", "スポーツ"],
    "ko": ["홈", "정치", "경제", "사회", "국제", "스포츠"], "vi": ["Trang chủ", "Thời sự", "Thế giới", "Kinh doanh", "Thể thao"],
    "ru": ["Главная", "Политика", "Экономика", "В мире", "Спорт"], "uk": ["Головна", "Політика", "Економіка", "Світ", "Спорт"],
    "ar": ["الرئيسية", "سياسة", "اقتصاد", "العالم", "رياضة"], "es": ["Portada", "Nacional", "Internacional", "Economía", "Deportes"],
    "fr": ["Accueil", "Politique", "International", "Économie", "Sport"], "de": ["Startseite", "Politik", "Wirtschaft", "Ausland", "Sport"],
    "pt": ["Início", "Política", "Mundo", "Economia", "Esportes"], "it": ["Home", "Politica", "Esteri", "Economia", "Sport"],
    "tr": ["Ana Sayfa", "Gündem", "Dünya", "Ekonomi", "Spor"], "id": ["Beranda", "Nasional", "Internasional", "Ekonomi", "Olahraga"],
    "pl": ["Strona główna", "Kraj", "Świat", "Biznes", "Sport"], "nl": ["Home", "Binnenland", "Buitenland", "Economie", "Sport"],
    "en": ["Home", "Garden", "Kitchen", "Outdoors", "Shop"],
}
SHARE = {"zh": "分享到：微信 微博", "ja": "シェア", "ko": "공유하기", "vi": "Chia sẻ", "ru": "Поделиться", "uk": "Поділитися",
         "ar": "شارك", "es": "Compartir", "fr": "Partager", "de": "Teilen", "pt": "Compartilhar", "it": "Condividi",
         "tr": "Paylaş", "id": "Bagikan", "pl": "Udostępnij", "nl": "Delen", "en": "Share"}
RELATED = {"zh": "相关新闻", "ja": "関連記事", "ko": "관련기사", "vi": "Tin liên quan", "ru": "Читайте также", "uk": "Читайте також",
           "ar": "أخبار ذات صلة", "es": "Noticias relacionadas", "fr": "À lire aussi", "de": "Mehr zum Thema",
           "pt": "Leia também", "it": "Leggi anche", "tr": "İlgili Haberler", "id": "Baca Juga", "pl": "Czytaj także",
           "nl": "Lees ook", "en": "You may also like"}

# id, lang, style, site, url, headline, paragraphs, author shown, byline as printed, date shown, ISO day
PAGES: list[dict] = [
 dict(id="zh-cns-text", lang="zh", style="text", site="中国新闻网", url="https://news.example.cn/gn/2026/03-19/1034.shtml",
      head="北京市启动春季植树活动 全年计划新增绿地200公顷", byline="（记者 王秀军）", author="王秀军",
      dateline="2026年03月19日 10:23　来源：中国新闻网", date="2026-03-19",
      paras=["中新网北京3月19日电 北京市园林绿化局19日宣布，全市春季义务植树活动正式启动。",
             "据介绍，今年北京将新增造林绿化面积200公顷，重点建设城市森林公园和口袋公园。",
             "市民可通过线上平台预约参与植树，活动将持续至4月底。（完）"]),
 dict(id="zh-jsonld", lang="zh", style="jsonld", site="新华网", url="https://www.example-xinhua.cn/tech/20260318/c_112.htm",
      head="我国新一代气象卫星完成在轨测试", byline="责任编辑：李明", author="李明", dateline="2026-03-18 16:40:12", date="2026-03-18",
      paras=["记者从国家航天局获悉，新一代静止轨道气象卫星已完成全部在轨测试，正式投入业务运行。",
             "该卫星可提供分钟级的云图更新，将显著提升台风和强对流天气的监测能力。"]),
 dict(id="zh-none", lang="zh", style="none", site="本地生活网", url="https://life.example.cn/article/88231",
      head="春季养生：多吃这几种时令蔬菜", byline=None, author=None, dateline=None, date=None,
      paras=["春天是万物生长的季节，多吃时令蔬菜有益健康。", "荠菜、香椿、春笋都是这个季节的美味，营养丰富。"]),
 dict(id="ja-nhk-text", lang="ja", style="text", site="ニュースジャパン", url="https://www.example.jp/news/html/k100145.html",
      head="東京で桜が開花 平年より5日早く", byline=None, author=None, dateline="2026年3月19日 14時05分", date="2026-03-19",
      paras=["気象庁は19日、東京都心で桜が開花したと発表しました。平年より5日早く、去年より3日早い開花です。",
             "靖国神社にある標本木で、5輪以上の花が咲いているのが確認されました。満開は来週になる見込みです。"]),
 dict(id="ja-byline", lang="ja", style="byline", site="経済新報", url="https://keizai.example.jp/articles/-/71234",
      head="円相場、一時1ドル=140円台に上昇", byline="田中 健一", author="田中 健一", dateline="2026/03/17 09:30", date="2026-03-17",
      paras=["17日の東京外国為替市場で円相場は一時1ドル=140円台まで上昇した。", "日銀の政策修正観測が強まったことが背景にある。"]),
 dict(id="ko-yna-text", lang="ko", style="text", site="연합통신", url="https://www.example.kr/view/AKR20260319071200",
      head="서울 아파트값 3주 연속 상승…강남권 상승폭 확대", byline="김민수 기자", author="김민수",
      dateline="송고시간 2026-03-19 14:00", date="2026-03-19",
      paras=["(서울=연합통신) 김민수 기자 = 서울 아파트값이 3주 연속 올랐다.", "한국부동산원이 19일 발표한 주간 아파트 가격 동향에 따르면 서울 아파트값은 0.05% 상승했다."]),
 dict(id="ko-byline-updated", lang="ko", style="byline", site="한국일보닷컴", url="https://www.example-hk.kr/news/article/2026031812",
      head="정부, 반도체 인력 양성에 5년간 1조원 투입", byline="이지은 기자", author="이지은",
      dateline="입력 2026.03.18 06:00", updated="수정 2026.03.19 09:12", date="2026-03-18",
      paras=["정부가 반도체 전문 인력 양성을 위해 향후 5년간 1조원을 투입한다.", "교육부와 산업통상자원부는 18일 이 같은 내용의 계획을 발표했다."]),
 dict(id="vi-vnx-text", lang="vi", style="text", site="Tin nhanh Việt", url="https://example.vn/gia-xang-giam-lan-thu-ba-4712.html",
      head="Giá xăng giảm lần thứ ba liên tiếp", byline=None, author="Minh Anh", dateline="Thứ năm, 19/3/2026, 15:02 (GMT+7)",
      date="2026-03-19", end_byline="Minh Anh",
      paras=["Từ 15h chiều nay, giá xăng RON 95 giảm 320 đồng mỗi lít, xuống còn 22.150 đồng.",
             "Đây là lần giảm thứ ba liên tiếp kể từ đầu tháng 3, theo thông báo của liên Bộ Công Thương - Tài chính."]),
 dict(id="vi-ttxvn-byline", lang="vi", style="byline", site="Báo Tin Tức", url="https://baotintuc.example.vn/thoi-su/hop-bao-20260318.htm",
      head="Hà Nội khởi công cầu Tứ Liên", byline="Tác giả: Nguyễn Văn Hùng", author="Nguyễn Văn Hùng",
      dateline="ngày 18/3/2026", date="2026-03-18",
      paras=["Hà Nội (TTXVN) - Sáng 18/3, UBND thành phố Hà Nội tổ chức lễ khởi công xây dựng cầu Tứ Liên.",
             "Cây cầu dài hơn 4 km, dự kiến hoàn thành vào năm 2029."]),
 dict(id="vi-url", lang="vi", style="url", site="Đời sống", url="https://doisong.example.vn/2026/03/17/mua-xuan-ha-giang/",
      head="Mùa xuân trên cao nguyên đá Hà Giang", byline=None, author=None, dateline=None, date="2026-03-17",
      paras=["Tháng ba, hoa tam giác mạch và hoa mận nở trắng các sườn đồi ở Đồng Văn.", "Du khách có thể đi xe máy theo cung đường Mã Pí Lèng."]),
 dict(id="ru-ria-text", lang="ru", style="text", site="Новости Дня", url="https://example.ru/20260319/moskva-metro-187.html",
      head="В Москве открыли три новые станции метро", byline="Автор: Иван Петров", author="Иван Петров",
      dateline="19 марта 2026, 12:40", date="2026-03-19",
      paras=["МОСКВА, 19 мар — Новости Дня. Три новые станции Большой кольцевой линии открылись в четверг.",
             "По словам мэра, пассажиропоток на линии вырастет на 15 процентов."]),
 dict(id="ru-jsonld-updated", lang="ru", style="jsonld", site="Деловой вестник", url="https://vestnik.example.ru/news/2026/03/18/1012",
      head="ЦБ сохранил ключевую ставку", byline="Мария Соколова", author="Мария Соколова",
      dateline="18.03.2026", updated="Обновлено 19.03.2026", date="2026-03-18",
      paras=["Совет директоров Банка России сохранил ключевую ставку на прежнем уровне.", "Решение совпало с ожиданиями аналитиков."]),
 dict(id="ru-none", lang="ru", style="none", site="Рецепты дома", url="https://recepty.example.ru/blini",
      head="Блины на молоке: простой рецепт", byline=None, author=None, dateline=None, date=None,
      paras=["Для теста понадобятся молоко, яйца, мука и немного сахара.", "Жарьте блины на хорошо разогретой сковороде."]),
 dict(id="uk-text", lang="uk", style="text", site="Українські новини", url="https://example.ua/news/kyiv-mist-2026",
      head="У Києві відкрили новий пішохідний міст", byline="Автор: Олена Коваленко", author="Олена Коваленко",
      dateline="19 березня 2026, 10:15", date="2026-03-19",
      paras=["У четвер у Києві відкрили новий пішохідний міст через Дніпро.", "Довжина мосту становить 300 метрів."]),
 dict(id="uk-byline", lang="uk", style="byline", site="Економічна правда", url="https://epravda.example.ua/news/2026/03/18/7001/",
      head="Експорт зерна зріс на 12%", byline="Андрій Шевчук", author="Андрій Шевчук", dateline="18 березня 2026", date="2026-03-18",
      paras=["Експорт зернових з України з початку сезону зріс на 12 відсотків.", "Найбільше зросли поставки кукурудзи."]),
 dict(id="ar-text", lang="ar", style="text", site="الأخبار اليوم", url="https://example.com.eg/news/843210",
      head="افتتاح أكبر محطة للطاقة الشمسية في المنطقة", byline="كتب: أحمد حسن", author="أحمد حسن",
      dateline="الخميس 19 مارس 2026 - 11:30 ص", date="2026-03-19",
      paras=["افتتحت الحكومة اليوم الخميس أكبر محطة للطاقة الشمسية في المنطقة بقدرة 1.5 جيجاوات.", "وتغطي المحطة احتياجات نحو مليون منزل."]),
 dict(id="ar-levant-byline", lang="ar", style="byline", site="صحيفة الشام", url="https://sham.example.com/article/55123",
      head="ارتفاع أسعار الذهب في الأسواق المحلية", byline="سامر خليل", author="سامر خليل", dateline="18 آذار 2026", date="2026-03-18",
      paras=["سجلت أسعار الذهب ارتفاعا جديدا في الأسواق المحلية.", "وقال تجار إن الطلب ارتفع مع اقتراب الأعياد."]),
 dict(id="ar-meta", lang="ar", style="meta", site="الخليج اليوم", url="https://khaleej.example.ae/economy/2026-03-17-1.123",
      head="نمو القطاع غير النفطي بنسبة 5 في المئة", byline=None, author="فاطمة الزهراء", dateline=None, date="2026-03-17",
      paras=["أظهرت بيانات رسمية نمو القطاع غير النفطي بنسبة خمسة في المئة.", "ويعزى النمو إلى قطاعي السياحة والخدمات."]),
 dict(id="es-text", lang="es", style="text", site="Diario del Sur", url="https://diariodelsur.example.es/sociedad/huelga-transporte",
      head="Huelga de transporte en Sevilla durante la Semana Santa", byline="Por Ana Ruiz", author="Ana Ruiz",
      dateline="19 de marzo de 2026 - 08:45", date="2026-03-19",
      paras=["Los conductores de autobuses convocaron una huelga para los días centrales de la Semana Santa.",
             "El ayuntamiento negocia servicios mínimos con los sindicatos."]),
 dict(id="es-byline-updated", lang="es", style="byline", site="El Observador", url="https://observador.example.mx/economia/inflacion-marzo",
      head="La inflación baja al 3,9 % en marzo", byline="Carlos Méndez", author="Carlos Méndez",
      dateline="18/03/2026", updated="Actualizado: 19/03/2026 12:10", date="2026-03-18",
      paras=["La inflación anual se ubicó en 3,9 % en la primera quincena de marzo.", "Es el nivel más bajo en tres años."]),
 dict(id="es-none", lang="es", style="none", site="Recetas Fáciles", url="https://recetas.example.es/tortilla",
      head="Cómo hacer la tortilla de patatas perfecta", byline=None, author=None, dateline=None, date=None,
      paras=["Pela y corta las patatas en láminas finas.", "Fríelas a fuego lento antes de mezclarlas con el huevo."]),
 dict(id="fr-afp-text", lang="fr", style="text", site="Le Quotidien", url="https://lequotidien.example.fr/societe/greve-sncf",
      head="Grève à la SNCF : trafic perturbé jeudi", byline="Par Julie Martin", author="Julie Martin",
      dateline="Publié le 19 mars 2026 à 07h30", updated="Mis à jour le 19 mars 2026 à 18h02", date="2026-03-19",
      paras=["PARIS (AFP) - Le trafic sera fortement perturbé jeudi sur l'ensemble du réseau.", "Seul un TGV sur deux circulera."]),
 dict(id="fr-jsonld", lang="fr", style="jsonld", site="Ouest Info", url="https://ouestinfo.example.fr/bretagne/2026/03/18/port",
      head="Le port de Brest accueille un nouveau terminal", byline="Pierre Le Gall", author="Pierre Le Gall",
      dateline="18/03/2026", date="2026-03-18",
      paras=["Le nouveau terminal pourra accueillir des navires de 300 mètres.", "Les travaux ont duré deux ans."]),
 dict(id="fr-url", lang="fr", style="url", site="Blog Voyage", url="https://blog-voyage.example.fr/2026/03/16/lyon-week-end/",
      head="Un week-end à Lyon : nos bonnes adresses", byline=None, author=None, dateline=None, date="2026-03-16",
      paras=["Lyon se visite à pied, du Vieux-Lyon à la Croix-Rousse.", "Ne manquez pas les halles Paul Bocuse."]),
 dict(id="de-text", lang="de", style="text", site="Tagesblatt", url="https://tagesblatt.example.de/politik/bundestag-haushalt",
      head="Bundestag beschließt Haushalt", byline="Von Max Mustermann", author="Max Mustermann",
      dateline="19. März 2026, 16:20 Uhr", date="2026-03-19",
      paras=["Der Bundestag hat am Donnerstag den Haushalt für das laufende Jahr beschlossen.", "Die Opposition kritisierte die hohe Neuverschuldung."]),
 dict(id="de-byline-updated", lang="de", style="byline", site="Rundschau", url="https://rundschau.example.de/wirtschaft/energie-preise",
      head="Strompreise sinken im Frühjahr", byline="Anna Schmidt", author="Anna Schmidt",
      dateline="17.03.2026", updated="Aktualisiert am 18.03.2026", date="2026-03-17",
      paras=["Viele Versorger senken ihre Tarife zum 1. April.", "Verbraucherschützer raten zum Vergleich."]),
 dict(id="de-meta", lang="de", style="meta", site="Fachportal", url="https://fachportal.example.at/artikel/12345",
      head="Neue Regeln für Photovoltaik auf Balkonen", byline=None, author="Lukas Gruber", dateline=None, date="2026-03-16",
      paras=["Ab April gelten vereinfachte Regeln für Balkonkraftwerke.", "Eine Anmeldung beim Netzbetreiber bleibt nötig."]),
 dict(id="pt-text", lang="pt", style="text", site="Jornal do Povo", url="https://jornaldopovo.example.com.br/economia/selic",
      head="Copom mantém a Selic em 10,5%", byline="Por João Silva", author="João Silva",
      dateline="19 de março de 2026, 18h45", date="2026-03-19",
      paras=["O Comitê de Política Monetária manteve a taxa básica de juros.", "A decisão foi unânime."]),
 dict(id="pt-byline", lang="pt", style="byline", site="Notícias de Lisboa", url="https://noticias.example.pt/pais/metro-lisboa",
      head="Metro de Lisboa abre nova estação", byline="Maria Santos", author="Maria Santos", dateline="18 mar 2026", date="2026-03-18",
      paras=["A nova estação liga a linha vermelha ao aeroporto.", "A obra custou 50 milhões de euros."]),
 dict(id="it-text", lang="it", style="text", site="Il Corriere Locale", url="https://corrierelocale.example.it/cronaca/neve-alpi",
      head="Neve sulle Alpi, chiusi tre passi", byline="di Giulia Bianchi", author="Giulia Bianchi",
      dateline="19 marzo 2026", date="2026-03-19",
      paras=["Le abbondanti nevicate hanno costretto alla chiusura di tre passi alpini.", "La protezione civile invita alla prudenza."]),
 dict(id="it-jsonld-updated", lang="it", style="jsonld", site="Economia Oggi", url="https://economiaoggi.example.it/borsa/ftse-mib",
      head="Piazza Affari chiude in rialzo", byline="Marco Rossi", author="Marco Rossi",
      dateline="18/03/2026", updated="Aggiornato il 19/03/2026", date="2026-03-18",
      paras=["Il FTSE MIB ha chiuso in rialzo dell'1,2%.", "Bene i titoli bancari."]),
 dict(id="tr-text", lang="tr", style="text", site="Gündem Haber", url="https://gundemhaber.example.com.tr/ekonomi/faiz-karari",
      head="Merkez Bankası faizi sabit tuttu", byline="Yazan: Mehmet Yılmaz", author="Mehmet Yılmaz",
      dateline="19 Mart 2026 14:05", date="2026-03-19",
      paras=["Merkez Bankası politika faizini yüzde 40'ta sabit tuttu.", "Karar piyasa beklentileriyle uyumlu oldu."]),
 dict(id="tr-byline", lang="tr", style="byline", site="Spor Dünyası", url="https://spordunyasi.example.com.tr/futbol/derbi",
      head="Derbide kazanan çıkmadı", byline="Ayşe Demir", author="Ayşe Demir", dateline="17.03.2026", date="2026-03-17",
      paras=["İstanbul derbisi golsüz berabere sona erdi.", "İki takım da ikinci yarıda etkili olamadı."]),
 dict(id="id-text", lang="id", style="text", site="Kabar Nusantara", url="https://kabarnusantara.example.co.id/berita/banjir-jakarta",
      head="Banjir Rendam Sejumlah Wilayah Jakarta", byline="Oleh: Siti Rahayu", author="Siti Rahayu",
      dateline="Kamis, 19 Maret 2026 09:15 WIB", date="2026-03-19",
      paras=["Hujan deras sejak semalam menyebabkan banjir di sejumlah wilayah Jakarta.", "BPBD mencatat 30 RT terendam."]),
 dict(id="id-byline-url", lang="id", style="byline", site="Tekno Kini", url="https://teknokini.example.id/read/2026/03/18/101500/ponsel-baru",
      head="Ponsel Lipat Baru Meluncur di Indonesia", byline="Penulis: Budi Santoso", author="Budi Santoso",
      dateline=None, date="2026-03-18",
      paras=["Ponsel lipat terbaru resmi dijual di Indonesia mulai hari ini.", "Harganya mulai Rp 15 juta."]),
 dict(id="pl-text", lang="pl", style="text", site="Wiadomości Dnia", url="https://wiadomosci.example.pl/kraj/pociagi-pendolino",
      head="Nowe pociągi na trasie Warszawa–Gdańsk", byline="Autor: Jan Kowalski", author="Jan Kowalski",
      dateline="19 marca 2026, 11:00", date="2026-03-19",
      paras=["PKP Intercity wprowadza nowe składy na najpopularniejszej trasie.", "Podróż skróci się o 15 minut."]),
 dict(id="pl-jsonld", lang="pl", style="jsonld", site="Biznes Polska", url="https://biznespolska.example.pl/gospodarka/inflacja",
      head="Inflacja spadła do 3,5 proc.", byline="Katarzyna Nowak", author="Katarzyna Nowak", dateline="18.03.2026", date="2026-03-18",
      paras=["Według GUS inflacja w lutym wyniosła 3,5 proc.", "To najniższy poziom od dwóch lat."]),
 dict(id="nl-text", lang="nl", style="text", site="Het Dagblad", url="https://hetdagblad.example.nl/binnenland/dijken",
      head="Extra geld voor versterking van dijken", byline="Door Pieter de Vries", author="Pieter de Vries",
      dateline="19 maart 2026, 13:20", date="2026-03-19",
      paras=["Het kabinet trekt 500 miljoen euro extra uit voor dijkversterking.", "De eerste projecten starten dit jaar."]),
 dict(id="en-none", lang="en", style="none", site="Garden Tips", url="https://gardentips.example.com/tomatoes",
      head="How to grow tomatoes on a balcony", byline=None, author=None, dateline=None, date=None,
      paras=["Choose a sunny spot and a large pot.", "Water regularly, but do not let the soil stay soggy."]),
 dict(id="ko-end", lang="ko", style="end", site="지역신문", url="https://local.example.kr/news/articleView.html?idxno=90121",
      head="부산 해운대 해수욕장 조기 개장 검토", byline=None, author="박서준", end_byline="박서준 기자",
      dateline="2026년 3월 18일", date="2026-03-18",
      paras=["부산시가 해운대 해수욕장의 조기 개장을 검토하고 있다.", "시는 다음 달 중 최종 결정을 내릴 계획이다."]),
]


def _chrome_nav(lang: str) -> str:
    return "<nav class=\"main-nav\"><ul>" + "".join(f"<li><a href=\"/{i}\">{html.escape(w)}</a></li>"
                                                for i, w in enumerate(NAV[lang])) + "</ul></nav>"


def render(p: dict) -> str:
    e = html.escape
    lang, style = p["lang"], p["style"]
    head = [f"<meta charset=\"utf-8\"><title>{e(p['head'])} - {e(p['site'])}</title>",
            f"<link rel=\"canonical\" href=\"{e(p['url'])}\">", f"<meta property=\"og:site_name\" content=\"{e(p['site'])}\">",
            f"<meta property=\"og:title\" content=\"{e(p['head'])}\">"]
    if style == "meta":
        head.append(f"<meta name=\"author\" content=\"{e(p['author'])}\">")
        head.append(f"<meta property=\"article:published_time\" content=\"{p['date']}T08:00:00+03:00\">")
    if style == "jsonld":
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": p["head"],
              "datePublished": f"{p['date']}T09:30:00+02:00", "author": {"@type": "Person", "name": p["author"]}}
        if p.get("updated"):
            ld["dateModified"] = "2026-03-19T12:00:00+02:00"
        head.append(f"<script type=\"application/ld+json\">{json.dumps(ld, ensure_ascii=False)}</script>")
    meta_line = ""
    if style in ("byline",):
        parts = []
        if p.get("byline"):
            cls = {"de": "autor", "es": "firma", "pt": "autor", "it": "firma", "fr": "auteur", "id": "penulis",
                   "tr": "yazar", "vi": "tac-gia", "pl": "autor"}.get(lang, "byline")
            parts.append(f"<span class=\"{cls}\">{e(p['byline'])}</span>")
        if p.get("dateline"):
            parts.append(f"<span class=\"date\">{e(p['dateline'])}</span>")
        if p.get("updated"):
            parts.append(f"<span class=\"date-updated\">{e(p['updated'])}</span>")
        meta_line = "<div class=\"article-meta\">" + " ".join(parts) + "</div>"
    elif style in ("text", "jsonld"):
        lines = [x for x in (p.get("byline"), p.get("dateline"), p.get("updated")) if x]
        meta_line = "".join(f"<p>{e(x)}</p>" for x in lines)
    elif style == "end" and p.get("dateline"):
        meta_line = f"<p>{e(p['dateline'])}</p>"
    body = "".join(f"<p>{e(x)}</p>" for x in p["paras"])
    if p.get("end_byline"):
        body += f"<p><strong>{e(p['end_byline'])}</strong></p>"
    related = (f"<aside class=\"related\"><h3>{e(RELATED[lang])}</h3><ul>"
               + "".join(f"<li><a href=\"/r{i}\">{e(NAV[lang][i])} …</a></li>" for i in range(1, 4)) + "</ul></aside>")
    dir_attr = " dir=\"rtl\"" if lang == "ar" else ""
    return (f"<!DOCTYPE html><html lang=\"{lang}\"{dir_attr}><head>{''.join(head)}</head><body>"
            f"<header class=\"site-header\"><a class=\"logo\" href=\"/\">{e(p['site'])}</a>{_chrome_nav(lang)}</header>"
            f"<main><article><h1>{e(p['head'])}</h1>{meta_line}"
            f"<div class=\"share\">{e(SHARE[lang])}</div><div class=\"article-body\">{body}</div></article>{related}</main>"
            f"<footer><p>© 2026 {e(p['site'])}</p></footer></body></html>")


def main() -> None:
    truth = {}
    for p in PAGES:
        name = f"{p['id']}.html"
        (HERE / name).write_text(render(p), encoding="utf-8")
        truth[name] = {"language": p["lang"], "style": p["style"], "author": p["author"], "date": p["date"]}
    about = ("Truth for the hand-written metadata pages (see pages.py): author as the page shows it (meta-only pages:"
             " the meta author), published day (not the 'updated' one); null when the page shows none.")
    (HERE / "truth.json").write_text(json.dumps({"_about": about, "pages": truth}, ensure_ascii=False, indent=1),
                                     encoding="utf-8")


if __name__ == "__main__":
    main()
