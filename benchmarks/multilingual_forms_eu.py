"""Junk vocabulary of the multilingual probe: European languages, Turkish and Indonesian.

Same layout and rules as :mod:`benchmarks.multilingual_forms` (pairs ``(dev, kept)`` of disjoint lists;
templates over ``{place}`` ``{agency}`` ``{name}`` ``{d}`` ``{mon}`` ...; bylines ``top:``/``end:``).
Each block's ``about`` names the kinds of real sites whose conventions it follows (studied with the
``search`` tool over stored public pages). Names are generic; nothing is copied from one article.
"""

from __future__ import annotations

import re


def _s(dev: str, kept: str) -> tuple[list[str], list[str]]:
    """``"a|b"`` lists; a ``|`` followed by a space is text (``"{desc} | Photo: {name}"``), not a separator."""
    return [x for x in re.split(r"\|(?! )", dev) if x], [x for x in re.split(r"\|(?! )", kept) if x]


FORMS: dict[str, dict] = {}

FORMS["ru"] = dict(
    about="Russian wires and national portals (РИА Новости / ТАСС / Интерфакс style): 'МОСКВА, 19 мар — РИА "
          "Новости.' and 'Москва. 19 марта. ИНТЕРФАКС -' datelines, 'Фото: … ©' credits, 'Читайте также', "
          "'По теме' / 'Популярное' / 'Новости дня' blocks, 'Автор:' bylines, share rows of VK/OK/Telegram.",
    months="января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
    menu=_s("Главная|Политика|Экономика|Общество|Спорт|Культура", "Новости|В мире|Происшествия|Наука|Технологии|Регионы"),
    home=_s("Главная", "Главная страница"),
    places=_s("МОСКВА|САНКТ-ПЕТЕРБУРГ|КАЗАНЬ|НОВОСИБИРСК", "ЕКАТЕРИНБУРГ|ВЛАДИВОСТОК|САМАРА|КРАСНОДАР"),
    agencies=_s("РИА Новости|ТАСС", "Интерфакс|ПРАЙМ"),
    sites=_s("Столичный вестник|Российская лента", "Северная газета|Вечерний курьер"),
    given=_s("Иван|Мария|Алексей|Елена|Дмитрий", "Ольга|Сергей|Анна|Николай|Татьяна"),
    family=_s("Петров|Смирнов|Кузнецов|Попов|Волков", "Соколов|Лебедев|Морозов|Новиков|Федоров"),
    name="{given} {family}",
    dateline=_s("{place}, {d} {mon3} — {agency}. |{place}, {d} {mon}. /{agency}/. ", "{place}. {d} {mon}. {AGENCY} - |{Place}, {d} {mon} ({agency}) — "),
    date_line=_s("{d} {mon} {y}, {hh}:{mi}|{dd}.{mm}.{y} {hh}:{mi}", "Обновлено {dd}.{mm}.{y} в {hh}:{mi}|{hh}:{mi} {dd}.{mm}.{y}"),
    byline=_s("top:Автор: {name}|top:Текст: {name}", "end:Подготовил {name}|top:Корреспондент {name}"),
    caption=_s("{desc}. Фото: {agency}/{name}|{desc}. © {agency} / {name}", "{desc}. Архивное фото|{desc} (Источник: {agency})"),
    read_also=_s("Читайте также: {link}|Читайте также {link}", "Смотрите также: {link}|Ранее: {link}"),
    related=_s("По теме|Новости дня", "Популярное|Другие новости"),
    share=_s("Поделиться|ВКонтакте|Telegram|Одноклассники", "Отправить|Скопировать ссылку|Печать|Мой мир"),
    comment=_s("Комментарии|Оставить комментарий", "Обсуждение|Написать комментарий"),
    subscribe=_s("Подписывайтесь на наш канал в Telegram", "Подпишитесь на рассылку главных новостей"),
    cookie=_s("Мы используем файлы cookie. Продолжая пользоваться сайтом, вы соглашаетесь с этим.",
              "Сайт использует cookie для улучшения работы. Принять"),
    copyright=_s("© {y} {site}. Все права защищены.|При полном или частичном использовании материалов ссылка обязательна.",
                 "Копирование материалов запрещено без разрешения редакции|© {site}, {y}"),
    end=_s("", "Вам может быть интересно"),
    tags=_s("Теги:", "Темы:"),
)

FORMS["uk"] = dict(
    about="Ukrainian national wires and news sites (Укрінформ / УНІАН style): 'КИЇВ, 19 березня. /Укрінформ/.' "
          "datelines, 'Фото: …' credits, 'Читайте також:' inline lines, 'Новини за темою', 'Поділитися'.",
    months="січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня".split(),
    menu=_s("Головна|Політика|Економіка|Суспільство|Спорт|Культура", "Новини|Світ|Регіони|Наука|Технології|Війна"),
    home=_s("Головна", "Головна сторінка"),
    places=_s("КИЇВ|ЛЬВІВ|ОДЕСА|ДНІПРО", "ХАРКІВ|ЗАПОРІЖЖЯ|ВІННИЦЯ|УЖГОРОД"),
    agencies=_s("Укрінформ|УНІАН", "Інтерфакс-Україна|УНН"),
    sites=_s("Український вісник|Столична правда", "Західний кур'єр|Новини Придніпров'я"),
    given=_s("Олександр|Оксана|Андрій|Наталія", "Богдан|Ірина|Тарас|Юлія"),
    family=_s("Шевченко|Коваленко|Бондаренко|Ткаченко", "Мельник|Кравченко|Олійник|Гнатюк"),
    name="{given} {family}",
    dateline=_s("{place}, {d} {mon}. /{agency}/. |{place}, {d} {mon} — {agency}. ", "{place} ({agency}) — |{agency}, {place}. "),
    date_line=_s("{d} {mon} {y} {hh}:{mi}|{dd}.{mm}.{y}, {hh}:{mi}", "Оновлено: {dd}.{mm}.{y} {hh}:{mi}|{hh}:{mi}, {d} {mon}"),
    byline=_s("top:Автор: {name}|end:{name}, {agency}", "top:Текст: {name}|end:Підготувала {name}"),
    caption=_s("{desc}. Фото: {agency}|{desc}. Фото: {name}", "{desc}. Ілюстративне фото|{desc} (фото {agency})"),
    read_also=_s("Читайте також: {link}|Читайте також {link}", "Дивіться також: {link}|Нагадаємо: {link}"),
    related=_s("Новини за темою|Останні новини", "Популярне|Більше новин"),
    share=_s("Поділитися|Facebook|Telegram", "Копіювати посилання|Viber|Друк"),
    comment=_s("Коментарі|Залишити коментар", "Обговорення|Написати коментар"),
    subscribe=_s("Підписуйтесь на наш Telegram-канал", "Отримуйте головні новини на пошту"),
    cookie=_s("Ми використовуємо файли cookie. Погоджуюсь", "Сайт використовує cookie, щоб покращити роботу. Прийняти"),
    copyright=_s("© {y} {site}. Усі права захищені.|Цитування дозволяється за умови гіперпосилання.",
                 "Передрук матеріалів заборонено без згоди редакції|© {site}, {y}"),
    end=_s("", "Джерело: {agency}"),
    tags=_s("Теги:", "Теми:"),
)

FORMS["es"] = dict(
    about="Spanish and Latin American dailies and wires (EFE / Europa Press style): 'MADRID, 19 Mar. (EUROPA "
          "PRESS) -' and 'Buenos Aires, 19 mar (EFE).-' datelines, 'Por <Nombre>' bylines, 'Foto: EFE/…', "
          "'Imagen de archivo', 'Lee también:' / 'Te puede interesar', 'Noticias relacionadas', 'Compartir'.",
    months="enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    menu=_s("Portada|Nacional|Internacional|Economía|Deportes|Cultura", "Última hora|España|América|Sociedad|Tecnología|Opinión"),
    home=_s("Portada", "Inicio"),
    places=_s("Madrid|Buenos Aires|Bogotá|Sevilla", "Ciudad de México|Lima|Santiago|Valencia"),
    agencies=_s("EFE|Europa Press", "Notimex|AFP"),
    sites=_s("El Diario Central|La Gaceta del Sur", "El Heraldo Austral|Noticias del Plata"),
    given=_s("Juan|María|Carlos|Lucía", "Javier|Carmen|Diego|Isabel"),
    family=_s("García|Martínez|López|Sánchez", "Fernández|Ruiz|Moreno|Jiménez"),
    name="{given} {family}",
    dateline=_s("{PLACE}, {d} {Mon3}. ({AGENCY}) - |{place}, {d} {mon3} ({agency}).- ", "{place} ({agency}) — |{PLACE}, {d} ({agency}).— "),
    date_line=_s("{d} de {mon} de {y} - {hh}:{mi}|{dd}/{mm}/{y} {hh}:{mi} h", "Actualizado el {d}/{m}/{y} a las {hh}:{mi}|Publicado: {d} {mon3} {y}"),
    byline=_s("top:Por {name}|top:{name} | {agency}", "top:Redacción: {name}|end:Texto: {name}"),
    caption=_s("{desc}. Foto: {agency}/{name}|{desc}. (Imagen de archivo)", "{desc} | Fotografía: {name}|{desc}. Crédito: {agency}"),
    read_also=_s("Lee también: {link}|Te puede interesar: {link}", "Lea además: {link}|Más información: {link}"),
    related=_s("Noticias relacionadas|Lo más leído", "Te recomendamos|Más noticias"),
    share=_s("Compartir|Facebook|Twitter|Enviar por email", "Compartir en WhatsApp|Copiar enlace|Imprimir|Guardar"),
    comment=_s("Comentarios|Deja tu comentario", "Ver comentarios|Comentar"),
    subscribe=_s("Suscríbete a nuestro boletín diario", "Recibe las noticias más importantes en tu correo"),
    cookie=_s("Utilizamos cookies propias y de terceros para mejorar tu experiencia. Aceptar",
              "Este sitio web usa cookies. Si continúas navegando, aceptas su uso."),
    copyright=_s("© {y} {site}. Todos los derechos reservados.|Copyright © {y} {site}", "Queda prohibida la reproducción total o parcial|© {site} {y}"),
    end=_s("", "(EFE)"),
    tags=_s("Temas:", "Etiquetas:"),
)

FORMS["fr"] = dict(
    about="French national dailies, regional papers and the AFP wire: 'PARIS (AFP) -' and 'Paris, 19 mars 2026 "
          "(AFP) -' datelines, 'Par <Nom>' bylines, '© AFP / NOM' and 'Photo d'illustration' credits, "
          "'Lire aussi :' inline lines, 'Sur le même sujet', 'Partager', cookie consent.",
    months="janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    menu=_s("Accueil|Politique|International|Économie|Sport|Culture", "Actualités|France|Monde|Société|Sciences|Régions"),
    home=_s("Accueil", "Une"),
    places=_s("PARIS|LYON|BRUXELLES|GENÈVE", "MARSEILLE|TOULOUSE|MONTRÉAL|DAKAR"),
    agencies=_s("AFP|Reuters", "Belga|APS"),
    sites=_s("Le Courrier National|La Dépêche du Centre", "L'Écho de l'Ouest|Le Journal du Nord"),
    given=_s("Jean|Marie|Pierre|Claire", "Nicolas|Sophie|Julien|Camille"),
    family=_s("Dupont|Martin|Bernard|Lefèvre", "Moreau|Laurent|Girard|Fontaine"),
    name="{given} {family}",
    dateline=_s("{place} ({agency}) - |{Place}, {d} {mon} {y} ({agency}) - ", "{Place} ({agency}) – |{place}, {d} {mon} ({agency}) — "),
    date_line=_s("Publié le {d} {mon} {y} à {hh}h{mi}|{dd}/{mm}/{y} {hh}:{mi}", "Mis à jour le {dd}/{mm}/{y} à {hh}h{mi}|Le {d} {mon} {y}"),
    byline=_s("top:Par {name}|top:Par {name} avec {agency}", "top:{name}, envoyé spécial|end:{name} pour {site}"),
    caption=_s("{desc}. © {agency} / {NAME}|{desc} (Photo d'illustration)", "{desc}. Crédit photo : {name}|{desc} (© {site})"),
    read_also=_s("Lire aussi : {link}|À lire aussi : {link}", "Voir aussi : {link}|LIRE AUSSI >> {link}"),
    related=_s("Sur le même sujet|Les plus lus", "À découvrir|Nos dernières infos"),
    share=_s("Partager|Facebook|Twitter|Envoyer par e-mail", "Partager sur WhatsApp|Copier le lien|Imprimer|Sauvegarder"),
    comment=_s("Commentaires|Réagir", "Voir les commentaires|Laisser un commentaire"),
    subscribe=_s("Inscrivez-vous à notre newsletter", "Recevez l'essentiel de l'actualité chaque matin"),
    cookie=_s("Nous utilisons des cookies pour améliorer votre expérience. Tout accepter",
              "En poursuivant votre navigation, vous acceptez l'utilisation de cookies."),
    copyright=_s("© {y} {site}. Tous droits réservés.|Copyright {site} {y}", "Reproduction interdite sans autorisation|© {site} {y}"),
    end=_s("", "(AFP)"),
    tags=_s("Mots-clés :", "Thèmes :"),
)

FORMS["de"] = dict(
    about="German national and regional papers, dpa/epd/dts wire copy: 'Berlin (dpa) -' datelines, 'Von <Name>' "
          "bylines, 'Foto: dpa/…' / 'Symbolbild' / 'Bildunterschrift' credits, 'Lesen Sie auch:', 'Mehr zum Thema', "
          "'Teilen' rows, 'Alle Rechte vorbehalten' footers.",
    months="Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    menu=_s("Startseite|Politik|Wirtschaft|Sport|Kultur|Panorama", "Nachrichten|Inland|Ausland|Wissen|Digital|Regional"),
    home=_s("Startseite", "Home"),
    places=_s("Berlin|Hamburg|München|Wien", "Köln|Frankfurt|Zürich|Dresden"),
    agencies=_s("dpa|epd", "AFP|KNA"),
    sites=_s("Allgemeine Rundschau|Neue Landeszeitung", "Nordsee-Kurier|Mitteldeutsches Tagblatt"),
    given=_s("Hans|Anna|Thomas|Julia", "Stefan|Katrin|Markus|Sabine"),
    family=_s("Müller|Schmidt|Schneider|Fischer", "Weber|Becker|Hoffmann|Schulz"),
    name="{given} {family}",
    dateline=_s("{place} ({agency}) - |{place} ({agency}) – ", "{PLACE} ({agency}) — |{place}/{agency}. "),
    date_line=_s("{d}. {mon} {y}, {hh}:{mi} Uhr|{dd}.{mm}.{y} {hh}:{mi} Uhr", "Aktualisiert am {dd}.{mm}.{y}|Stand: {dd}.{mm}.{y}, {hh}:{mi} Uhr"),
    byline=_s("top:Von {name}|top:Von {name}, {agency}", "top:Ein Beitrag von {name}|end:Autor: {name}"),
    caption=_s("{desc}. Foto: {agency}/{name}|Symbolbild: {desc}", "{desc}. Bild: {name}|{desc} (Quelle: {agency})"),
    read_also=_s("Lesen Sie auch: {link}|Auch interessant: {link}", "Mehr dazu: {link}|Lesetipp: {link}"),
    related=_s("Mehr zum Thema|Meistgelesen", "Das könnte Sie auch interessieren|Weitere Artikel"),
    share=_s("Teilen|Facebook|Twitter|E-Mail", "Auf WhatsApp teilen|Link kopieren|Drucken|Merken"),
    comment=_s("Kommentare|Kommentar schreiben", "Diskutieren Sie mit|Leserkommentare"),
    subscribe=_s("Jetzt den Newsletter abonnieren", "Die wichtigsten Nachrichten jeden Morgen per E-Mail"),
    cookie=_s("Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten. Alle akzeptieren",
              "Diese Website nutzt Cookies. Mit der Nutzung stimmen Sie zu."),
    copyright=_s("© {y} {site}. Alle Rechte vorbehalten.|Copyright {site} {y}", "Vervielfältigung nur mit Genehmigung|© {site} {y}"),
    end=_s("", "(dpa)"),
    tags=_s("Themen:", "Schlagworte:"),
)

FORMS["pt"] = dict(
    about="Brazilian and Portuguese dailies, portals and wires (Agência Brasil / Lusa / Reuters style): "
          "'BRASÍLIA (Reuters) -' and 'Lisboa, 19 mar 2026 (Lusa) -' datelines, 'Por <Nome>' bylines, "
          "'Foto: …/Agência Brasil' credits, 'Leia também:', 'Veja também', 'Compartilhe'.",
    months="janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro".split(),
    menu=_s("Início|Política|Economia|Esportes|Cultura|Mundo", "Últimas|Brasil|Portugal|Sociedade|Tecnologia|Opinião"),
    home=_s("Início", "Capa"),
    places=_s("BRASÍLIA|SÃO PAULO|LISBOA|PORTO", "RIO DE JANEIRO|SALVADOR|COIMBRA|LUANDA"),
    agencies=_s("Reuters|Lusa", "Agência Brasil|Estadão Conteúdo"),
    sites=_s("Jornal do Planalto|Diário Atlântico", "Gazeta do Sul|Folha Ribeirinha"),
    given=_s("João|Maria|Pedro|Ana", "Rafael|Beatriz|Lucas|Mariana"),
    family=_s("Silva|Santos|Oliveira|Souza", "Pereira|Costa|Rodrigues|Almeida"),
    name="{given} {family}",
    dateline=_s("{place} ({agency}) - |{Place}, {d} {mon3} {y} ({agency}) - ", "{Place} ({agency}) — |{place}, {d} de {mon} ({agency}) – "),
    date_line=_s("{dd}/{mm}/{y} {hh}h{mi}|Publicado em {d} de {mon} de {y}", "Atualizado em {dd}/{mm}/{y} às {hh}:{mi}|{d} {mon3} {y}, {hh}:{mi}"),
    byline=_s("top:Por {name}|top:{name}, da {agency}", "top:Reportagem de {name}|end:Texto: {name}"),
    caption=_s("{desc}. Foto: {name}/{agency}|{desc} - Imagem de arquivo", "{desc} | Crédito: {agency}|{desc} (Fotografia: {name})"),
    read_also=_s("Leia também: {link}|Veja também: {link}", "Saiba mais: {link}|LEIA MAIS: {link}"),
    related=_s("Notícias relacionadas|Mais lidas", "Recomendado para você|Veja mais"),
    share=_s("Compartilhe|Facebook|Twitter|WhatsApp", "Partilhar|Copiar link|Imprimir|Telegram"),
    comment=_s("Comentários|Deixe seu comentário", "Ver comentários|Comente"),
    subscribe=_s("Assine nossa newsletter", "Receba as principais notícias no seu e-mail"),
    cookie=_s("Utilizamos cookies para melhorar sua experiência. Aceitar", "Este site usa cookies. Ao continuar navegando, você concorda."),
    copyright=_s("© {y} {site}. Todos os direitos reservados.|Copyright {site} {y}", "Proibida a reprodução sem autorização|© {site} {y}"),
    end=_s("", "(Lusa)"),
    tags=_s("Tópicos:", "Assuntos:"),
)

FORMS["it"] = dict(
    about="Italian national dailies and the ANSA/Adnkronos wires: '(ANSA) - ROMA, 19 MAR -' and 'ROMA, 19 MAR -' "
          "datelines, 'di <Nome>' bylines, 'Foto: Ansa' / 'Immagine d'archivio', 'Leggi anche:', 'Condividi', "
          "'Riproduzione riservata ©'.",
    months="gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split(),
    menu=_s("Home|Politica|Economia|Sport|Cultura|Cronaca", "Ultima ora|Italia|Mondo|Tecnologia|Spettacoli|Regioni"),
    home=_s("Home", "Prima pagina"),
    places=_s("ROMA|MILANO|NAPOLI|TORINO", "FIRENZE|BOLOGNA|PALERMO|VENEZIA"),
    agencies=_s("ANSA|Adnkronos", "AGI|LaPresse"),
    sites=_s("Il Corriere Nazionale|La Gazzetta del Centro", "Il Giornale del Nord|La Voce Adriatica"),
    given=_s("Marco|Giulia|Luca|Francesca", "Andrea|Chiara|Matteo|Elena"),
    family=_s("Rossi|Russo|Ferrari|Esposito", "Bianchi|Romano|Colombo|Ricci"),
    name="{given} {family}",
    dateline=_s("({AGENCY}) - {PLACE}, {d} {MON3} - |{PLACE}, {d} {MON3} ({AGENCY}) - ", "{Place}, {d} {mon} ({agency}) – |({agency}) {Place} — "),
    date_line=_s("{d} {mon} {y} {hh}:{mi}|{dd}/{mm}/{y} - {hh}:{mi}", "Aggiornato il {d} {mon} {y} alle {hh}:{mi}|Pubblicato il {dd}/{mm}/{y}"),
    byline=_s("top:di {name}|top:di {NAME}", "top:Articolo di {name}|end:({name})"),
    caption=_s("{desc}. Foto: {agency}|{desc} (Immagine d'archivio)", "{desc} - Credits: {name}|{desc}. Fotografia di {name}"),
    read_also=_s("Leggi anche: {link}|Leggi anche {link}", "Potrebbe interessarti: {link}|Approfondisci: {link}"),
    related=_s("Articoli correlati|I più letti", "Potrebbe interessarti anche|Altre notizie"),
    share=_s("Condividi|Facebook|Twitter|Email", "Condividi su WhatsApp|Copia link|Stampa|Salva"),
    comment=_s("Commenti|Lascia un commento", "Partecipa alla discussione|Vedi i commenti"),
    subscribe=_s("Iscriviti alla nostra newsletter", "Ricevi le notizie principali ogni mattina"),
    cookie=_s("Questo sito utilizza cookie per migliorare la tua esperienza. Accetta",
              "Proseguendo nella navigazione acconsenti all'uso dei cookie."),
    copyright=_s("Riproduzione riservata © Copyright {agency}|© {y} {site}. Tutti i diritti riservati.",
                 "È vietata la riproduzione anche parziale|© {site} {y}"),
    end=_s("", "(ANSA)."),
    tags=_s("Argomenti:", "Tag:"),
)

FORMS["tr"] = dict(
    about="Turkish national dailies, portals and wires (AA / DHA / İHA style): 'ANKARA (AA) -' and 'İstanbul, 19 "
          "Mart (DHA)' datelines, 'Muhabir:' bylines, 'Fotoğraf: AA' credits, 'Haberin Devamı', 'İlgili Haberler', "
          "'İlginizi Çekebilir', 'Yorum Yazın', 'Paylaş', 'Tüm hakları saklıdır'.",
    months="Ocak Şubat Mart Nisan Mayıs Haziran Temmuz Ağustos Eylül Ekim Kasım Aralık".split(),
    menu=_s("Anasayfa|Gündem|Ekonomi|Spor|Dünya|Magazin", "Son Dakika|Politika|Yaşam|Teknoloji|Sağlık|Yerel"),
    home=_s("Anasayfa", "Ana Sayfa"),
    places=_s("ANKARA|İSTANBUL|İZMİR|BURSA", "ANTALYA|KONYA|ADANA|TRABZON"),
    agencies=_s("AA|DHA", "İHA|ANKA"),
    sites=_s("Ulusal Gazete|Anadolu Postası", "Ege Haber|Karadeniz Gündem"),
    given=_s("Ali|Ayşe|Mehmet|Elif", "Mustafa|Zeynep|Emre|Fatma"),
    family=_s("Yılmaz|Kaya|Demir|Şahin", "Çelik|Yıldız|Aydın|Öztürk"),
    name="{given} {family}",
    dateline=_s("{PLACE} ({agency}) - |{Place}, {d} {mon} ({agency}) - ", "{PLACE} - {agency} |{Place} ({agency}) — "),
    date_line=_s("{dd}.{mm}.{y} - {hh}:{mi}|{d} {mon} {y} {hh}:{mi}", "Güncelleme: {dd}.{mm}.{y} {hh}:{mi}|Yayınlanma: {d} {mon} {y}"),
    byline=_s("top:Muhabir: {name}|end:{name} - {Place}", "top:Haber: {name}|end:Editör: {name}"),
    caption=_s("{desc}. Fotoğraf: {agency}|{desc} (Fotoğraf: {name}/{agency})", "{desc} - Foto: {name}|{desc} (Arşiv)"),
    read_also=_s("İlgili Haber: {link}|Haberin Devamı", "Bunu da okuyun: {link}|ÖNE ÇIKANLAR: {link}"),
    related=_s("İlgili Haberler|Çok Okunanlar", "İlginizi Çekebilir|Diğer Haberler"),
    share=_s("Paylaş|Facebook|Twitter|WhatsApp", "Bağlantıyı kopyala|Yazdır|Kaydet|Telegram"),
    comment=_s("Yorum Yazın|Yorumlar", "Yorumları Gör|Görüş bildirin"),
    subscribe=_s("Bültenimize abone olun", "Son dakika haberleri için bildirimlere izin verin"),
    cookie=_s("Sitemizde çerezler kullanılmaktadır. Kabul et", "Bu site deneyiminizi iyileştirmek için çerez kullanır. Tamam"),
    copyright=_s("Tüm hakları saklıdır © {y} {site}|Copyright © {y} {site}", "İzinsiz kopyalanamaz, kaynak gösterilmeden kullanılamaz|© {site} {y}"),
    end=_s("", "(DHA)"),
    tags=_s("Etiketler:", "Konular:"),
)

FORMS["id"] = dict(
    about="Indonesian national portals, dailies and the ANTARA wire: 'Jakarta (ANTARA) -' and 'JAKARTA, <Outlet> -' "
          "datelines, 'Pewarta:' / 'Penulis:' / 'Editor:' credits, 'FOTO ANTARA/<Nama>' captions, 'Baca juga:' "
          "inline lines, 'Berita Terkait', 'Bagikan', 'COPYRIGHT ©' footers.",
    months="Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember".split(),
    menu=_s("Beranda|Nasional|Ekonomi|Olahraga|Hiburan|Dunia", "Terkini|Politik|Hukum|Teknologi|Gaya Hidup|Daerah"),
    home=_s("Beranda", "Home"),
    places=_s("Jakarta|Surabaya|Bandung|Medan", "Makassar|Yogyakarta|Denpasar|Semarang"),
    agencies=_s("ANTARA|Antara", "Kantor Berita Nusantara|InfoPublik"),
    sites=_s("Harian Nusantara|Warta Kota Raya", "Suara Timur|Kabar Sumatra"),
    given=_s("Budi|Siti|Agus|Dewi", "Rizky|Putri|Hendra|Ayu"),
    family=_s("Santoso|Wijaya|Hidayat|Saputra", "Pratama|Kurniawan|Setiawan|Nugroho"),
    name="{given} {family}",
    dateline=_s("{place} ({AGENCY}) - |{PLACE}, {agency} - ", "{PLACE} ({agency}) — |{place}, {d} {mon} ({agency}) – "),
    date_line=_s("{d} {mon} {y} {hh}:{mi} WIB|{dd}/{mm}/{y}, {hh}:{mi} WIB", "Diperbarui {d} {mon} {y}|Selasa, {d} {mon} {y} - {hh}:{mi}"),
    byline=_s("end:Pewarta: {name}|top:Penulis: {name}", "end:Reporter: {name}|top:Oleh {name}"),
    caption=_s("{desc}. FOTO {AGENCY}/{name}|{desc}. (Foto: {agency})", "{desc} (Dok. {site})|{desc}. Sumber foto: {name}"),
    read_also=_s("Baca juga: {link}|Baca Juga: {link}", "Simak juga: {link}|Lihat juga: {link}"),
    related=_s("Berita Terkait|Terpopuler", "Rekomendasi|Berita Lainnya"),
    share=_s("Bagikan|Facebook|Twitter|WhatsApp", "Salin tautan|Cetak|Telegram|Simpan"),
    comment=_s("Komentar|Tulis komentar", "Lihat komentar|Kirim komentar"),
    subscribe=_s("Ikuti berita terkini di Google News", "Berlangganan buletin harian kami"),
    cookie=_s("Situs ini menggunakan cookie untuk pengalaman yang lebih baik. Setuju", "Kami menggunakan cookie. Dengan melanjutkan, Anda menyetujui."),
    copyright=_s("COPYRIGHT © {y} {site}|Hak cipta dilindungi undang-undang", "Dilarang mengambil konten tanpa izin|© {site} {y}"),
    end=_s("Editor: {name2}", "(*)|Redaktur: {name2}"),
    tags=_s("Tag:", "Topik:"),
)

FORMS["pl"] = dict(
    about="Polish national dailies, portals and the PAP wire: 'Warszawa (PAP) -' datelines, 'Autor:' bylines, "
          "'Fot. PAP/<Nazwisko>' credits, 'Czytaj także:' / 'Zobacz też:' inline lines, 'Polecane', "
          "'Najczęściej czytane', 'Udostępnij', 'Wersja do druku'.",
    months="stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia".split(),
    menu=_s("Strona główna|Kraj|Świat|Gospodarka|Sport|Kultura", "Wiadomości|Polityka|Nauka|Technologie|Zdrowie|Regiony"),
    home=_s("Strona główna", "Start"),
    places=_s("Warszawa|Kraków|Gdańsk|Poznań", "Wrocław|Łódź|Lublin|Szczecin"),
    agencies=_s("PAP|IAR", "ISBnews|KAI"),
    sites=_s("Dziennik Krajowy|Gazeta Nadwiślańska", "Kurier Pomorski|Głos Śląski"),
    given=_s("Jan|Anna|Piotr|Katarzyna", "Tomasz|Magdalena|Paweł|Agnieszka"),
    family=_s("Kowalski|Nowak|Wiśniewski|Wójcik", "Kamiński|Lewandowski|Zieliński|Szymański"),
    name="{given} {family}",
    dateline=_s("{place} ({agency}) - |{place}, {d} {mon} ({agency}) - ", "{PLACE} ({agency}) — |{place}/{agency}. "),
    date_line=_s("{dd}.{mm}.{y}, {hh}:{mi}|{d} {mon} {y} {hh}:{mi}", "Aktualizacja: {dd}.{mm}.{y} {hh}:{mi}|Opublikowano: {d} {mon} {y}"),
    byline=_s("top:Autor: {name}|end:{name} ({agency})", "top:Tekst: {name}|end:Opracowanie: {name}"),
    caption=_s("{desc}. Fot. {agency}/{name}|{desc} / Fot. {name} / {agency}", "{desc}. Zdjęcie ilustracyjne|{desc} (Źródło: {agency})"),
    read_also=_s("Czytaj także: {link}|Zobacz też: {link}", "Przeczytaj również: {link}|Czytaj więcej: {link}"),
    related=_s("Polecane|Najczęściej czytane", "Zobacz również|Więcej wiadomości"),
    share=_s("Udostępnij|Facebook|Twitter|Wyślij e-mailem", "Kopiuj link|Wersja do druku|Zapisz|WhatsApp"),
    comment=_s("Komentarze|Dodaj komentarz", "Skomentuj|Zobacz komentarze"),
    subscribe=_s("Zapisz się na nasz newsletter", "Najważniejsze informacje prosto na Twoją skrzynkę"),
    cookie=_s("Ta strona używa plików cookie. Akceptuję", "Korzystamy z plików cookies, aby ułatwić korzystanie z serwisu."),
    copyright=_s("© {y} {site}. Wszelkie prawa zastrzeżone.|Copyright {site} {y}", "Kopiowanie materiałów zabronione|© {site} {y}"),
    end=_s("", "(PAP)"),
    tags=_s("Tagi:", "Tematy:"),
)

FORMS["nl"] = dict(
    about="Dutch and Flemish dailies and the ANP/Belga wires: 'AMSTERDAM (ANP) -' datelines, 'Door <Naam>' bylines, "
          "'Foto: ANP' / 'Beeld:' credits, 'Lees ook:', 'Meer over', 'Delen', cookie walls.",
    months="januari februari maart april mei juni juli augustus september oktober november december".split(),
    menu=_s("Home|Binnenland|Buitenland|Economie|Sport|Cultuur", "Nieuws|Politiek|Tech|Wetenschap|Regio|Opinie"),
    home=_s("Home", "Voorpagina"),
    places=_s("AMSTERDAM|DEN HAAG|ROTTERDAM|BRUSSEL", "UTRECHT|ANTWERPEN|GENT|EINDHOVEN"),
    agencies=_s("ANP|Belga", "Reuters|AFP"),
    sites=_s("Het Landelijk Dagblad|De Nieuwe Courant", "Noorder Nieuwsblad|De Schelde Post"),
    given=_s("Jan|Sanne|Pieter|Lotte", "Daan|Femke|Bram|Eva"),
    family=_s("de Vries|Jansen|Bakker|Visser", "van Dijk|Smit|Mulder|de Boer"),
    name="{given} {family}",
    dateline=_s("{PLACE} ({agency}) - |{PLACE} - ({agency}) ", "{Place} ({agency}) — |{place}, {d} {mon} ({agency}) – "),
    date_line=_s("{d} {mon} {y}, {hh}:{mi}|{dd}-{mm}-{y} {hh}:{mi}", "Bijgewerkt: {dd}-{mm}-{y}|Gepubliceerd op {d} {mon} {y}"),
    byline=_s("top:Door {name}|top:Door {name}, {agency}", "top:Tekst: {name}|end:Redactie: {name}"),
    caption=_s("{desc}. Foto: {agency}|{desc}. Beeld: {name}", "{desc} (Foto ter illustratie)|{desc}. Bron: {agency}"),
    read_also=_s("Lees ook: {link}|Lees ook {link}", "Bekijk ook: {link}|Meer lezen: {link}"),
    related=_s("Meer over dit onderwerp|Meest gelezen", "Gerelateerde artikelen|Ander nieuws"),
    share=_s("Delen|Facebook|Twitter|E-mail", "Deel via WhatsApp|Kopieer link|Printen|Bewaren"),
    comment=_s("Reacties|Reageer", "Bekijk reacties|Plaats een reactie"),
    subscribe=_s("Schrijf je in voor onze nieuwsbrief", "Ontvang elke ochtend het belangrijkste nieuws"),
    cookie=_s("Wij gebruiken cookies om je ervaring te verbeteren. Akkoord", "Deze site maakt gebruik van cookies. Accepteren"),
    copyright=_s("© {y} {site}. Alle rechten voorbehouden.|Copyright {site} {y}", "Niets uit deze uitgave mag worden overgenomen|© {site} {y}"),
    end=_s("", "(ANP)"),
    tags=_s("Onderwerpen:", "Tags:"),
)
