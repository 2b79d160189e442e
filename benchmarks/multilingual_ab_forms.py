"""Vocabularies of the A/B probe (issue 24): two disjoint halves per language, written independently
of the rule packs and of ``multilingual_forms*.py``.

Split A is for development: packs and ``config/cleaning/caption_labels.yaml`` may be written from it.
Split B is only measured: nothing in ``config/cleaning/`` was written from it. Every field is a pair
``(A, B)`` of lists with no string in common (``tests/test_cleaning_signals.py`` checks that).

Where the forms come from (the conventions, not these strings): agencies' caption style (AP Stylebook
"Photo captions": the credit in parentheses at the end, ``(Photo/John Doe)``; Reuters' ``FILE PHOTO:``
label; EFE's ``ARCHIVO.-``; Korean wire ``사진=`` / ``[사진]``; Japanese ``写真：`` / ``（撮影）``; Chinese
``图为`` / ``（图片来源：…）``); related blocks ("Read also", "More on this", ranking lists) with items that
are full headlines or sentences; share bars; wire end marks (``(END)``, ``/ENDS``, ``（完）``, ``-- 끝 --``,
``(FIN)``); comment sections ("<n> comments", a comments heading followed by readers' sentences).

Fields: ``cap`` caption labels, ``lead`` short prepositional lead-ins a caption opens with followed by
a comma ("In the photo, ..."), ``rel`` related / recommended headings, ``share`` share-bar lines,
``end`` end marks, ``com`` comments headings, ``by`` byline openings (``{name}`` is the author),
``ag`` agency / credit names, ``names`` (given names, family names, template) for languages whose
names the other probe does not hold.
"""

from __future__ import annotations

AB: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "en": dict(
        cap=(["Photo", "Image", "Illustration"], ["Picture", "File photo", "Pictured"]),
        lead=(["In the photo,", "Above,"], ["In this image,", "Seen here,"]),
        rel=(["Read more", "Related stories", "More from this section"], ["You may also like", "Recommended", "Top stories"]),
        share=(["Share this article", "Tweet", "Email"], ["Share on Facebook", "Copy link", "Print this page"]),
        end=(["(END)", "/ENDS"], ["-- 30 --", "###"]),
        com=(["Comments", "Join the conversation"], ["Leave a comment", "Reader comments"]),
        by=(["By {name}", "Written by {name}"], ["Story by {name}", "Reporting by {name}"]),
        ag=(["AP", "Reuters"], ["AFP", "Getty Images"]),
    ),
    "zh": dict(
        cap=(["图", "图片", "资料图"], ["照片", "配图", "图源"]),
        lead=(["图为", "画面中，"], ["照片中，", "图中，"]),
        rel=(["相关新闻", "延伸阅读", "热门推荐"], ["相关阅读", "猜你喜欢", "更多报道"]),
        share=(["分享到微信", "分享到微博", "收藏"], ["转发", "复制链接", "打印本页"]),
        end=(["（完）", "【完】"], ["（责任编辑：王明）", "（全文完）"]),
        com=(["评论", "网友评论"], ["发表评论", "热门评论"]),
        by=(["记者 {name}", "文／{name}"], ["本报记者 {name}", "撰文：{name}"]),
        ag=(["新华社", "中新社"], ["视觉中国", "人民网"]),
    ),
    "ja": dict(
        cap=(["写真", "画像", "資料写真"], ["撮影", "イメージ", "提供写真"]),
        lead=(["写真は、", "画像は、"], ["写真中央は、", "左から、"]),
        rel=(["関連記事", "あわせて読みたい", "おすすめ記事"], ["こちらもおすすめ", "人気の記事", "次に読みたい"]),
        share=(["シェア", "ツイート", "はてなブックマーク"], ["LINEで送る", "リンクをコピー", "印刷する"]),
        end=(["（了）", "（おわり）"], ["（終）", "＝了＝"]),
        com=(["コメント", "みんなのコメント"], ["コメントを書く", "読者の声"]),
        by=(["{name}記者", "文：{name}"], ["取材・文＝{name}", "執筆者：{name}"]),
        ag=(["共同", "時事"], ["ロイター", "AFP時事"]),
    ),
    "ko": dict(
        cap=(["사진", "그래픽", "자료사진"], ["이미지", "일러스트", "사진 제공"]),
        lead=(["사진은", "사진 속"], ["이미지 속,", "화면 속,"]),
        rel=(["관련기사", "많이 본 뉴스", "추천 기사"], ["함께 읽으면 좋은 기사", "인기 기사", "이 시각 뉴스"]),
        share=(["공유하기", "카카오톡 공유"], ["페이스북 공유", "URL 복사", "기사 스크랩"]),
        end=(["<끝>", "-- 끝 --"], ["(끝)", "[끝]"]),
        com=(["댓글", "댓글 쓰기"], ["독자 의견", "댓글 보기"]),
        by=(["{name} 기자", "글 {name}"], ["{name} 특파원", "취재 {name}"]),
        ag=(["연합뉴스", "뉴시스"], ["뉴스1", "게티이미지"]),
    ),
    "vi": dict(
        cap=(["Ảnh", "Ảnh minh họa", "Hình"], ["Hình ảnh", "Ảnh tư liệu", "Đồ họa"]),
        lead=(["Trong ảnh,", "Ảnh trên,"], ["Hình bên,", "Trong hình,"]),
        rel=(["Tin liên quan", "Đọc thêm", "Tin cùng chuyên mục"], ["Bài viết liên quan", "Có thể bạn quan tâm", "Tin mới nhất"]),
        share=(["Chia sẻ", "Chia sẻ Facebook"], ["Sao chép liên kết", "In bài viết", "Gửi email"]),
        end=(["(hết)", "/."], ["--- Hết ---", "(còn nữa)"]),
        com=(["Bình luận", "Ý kiến bạn đọc"], ["Gửi bình luận", "Bình luận của bạn"]),
        by=(["Phóng viên {name}", "Bài: {name}"], ["Theo {name}", "Tác giả: {name}"]),
        ag=(["TTXVN", "VNA"], ["Reuters", "VnExpress"]),
    ),
    "ru": dict(
        cap=(["Фото", "Иллюстрация", "Кадр"], ["Снимок", "Изображение", "Фотография"]),
        lead=(["На фото,", "На снимке:"], ["На кадре,", "На иллюстрации,"]),
        rel=(["Читайте также", "По теме", "Главное сейчас"], ["Материалы по теме", "Самое читаемое", "Вам будет интересно"]),
        share=(["Поделиться", "Отправить в Telegram"], ["Скопировать ссылку", "Поделиться ВКонтакте", "Распечатать"]),
        end=(["(КОНЕЦ)", "Конец"], ["///", "(Окончание следует)"]),
        com=(["Комментарии", "Обсуждение"], ["Оставить комментарий", "Мнения читателей"]),
        by=(["Автор: {name}", "Текст: {name}"], ["Корреспондент {name}", "Материал подготовил {name}"]),
        ag=(["ТАСС", "РИА Новости"], ["Интерфакс", "Коммерсантъ"]),
    ),
    "uk": dict(
        cap=(["Фото", "Ілюстрація", "Світлина"], ["Знімок", "Зображення", "Фотографія"]),
        lead=(["На фото,", "На світлині:"], ["На знімку,", "На зображенні,"]),
        rel=(["Читайте також", "По темі", "Головне"], ["Новини за темою", "Найпопулярніше", "Рекомендуємо"]),
        share=(["Поділитися", "Надіслати"], ["Скопіювати посилання", "Поділитися у Facebook", "Друкувати"]),
        end=(["(Кінець)", "Кінець"], ["///", "Далі буде"]),
        com=(["Коментарі", "Обговорення"], ["Залишити коментар", "Думки читачів"]),
        by=(["Автор: {name}", "Текст: {name}"], ["Кореспондент {name}", "Підготувала {name}"]),
        ag=(["Укрінформ", "УНІАН"], ["Інтерфакс-Україна", "Суспільне"]),
    ),
    "ar": dict(
        cap=(["صورة", "الصورة", "صورة أرشيفية"], ["لقطة", "صورة تعبيرية", "رسم توضيحي"]),
        lead=(["في الصورة،", "تظهر الصورة"], ["في اللقطة،", "يظهر في الصورة"]),
        rel=(["اقرأ أيضا", "أخبار ذات صلة", "الأكثر قراءة"], ["مواضيع مقترحة", "قد يهمك أيضا", "المزيد من الأخبار"]),
        share=(["شارك", "مشاركة عبر واتساب"], ["نسخ الرابط", "شارك على فيسبوك", "طباعة"]),
        end=(["(انتهى)", "انتهى"], ["-- النهاية --", "(يتبع)"]),
        com=(["التعليقات", "أضف تعليقك"], ["تعليقات القراء", "اترك تعليقا"]),
        by=(["بقلم {name}", "كتب: {name}"], ["تقرير: {name}", "مراسلنا {name}"]),
        ag=(["وكالة الأنباء", "رويترز"], ["الأناضول", "فرانس برس"]),
    ),
    "es": dict(
        cap=(["Foto", "Imagen", "Ilustración"], ["Fotografía", "Archivo", "Imagen de archivo"]),
        lead=(["En la imagen,", "En la foto,"], ["En esta fotografía,", "De izquierda a derecha,"]),
        rel=(["Te puede interesar", "Noticias relacionadas", "Lo más leído"], ["Más noticias", "También te puede gustar", "Últimas noticias"]),
        share=(["Compartir", "Compartir en WhatsApp"], ["Copiar enlace", "Enviar por correo", "Imprimir"]),
        end=(["(FIN)", "-Fin-"], ["(Con información de agencias)", "///"]),
        com=(["Comentarios", "Deja tu comentario"], ["Opiniones de los lectores", "Comentar"]),
        by=(["Por {name}", "Redacción: {name}"], ["Escrito por {name}", "Texto de {name}"]),
        ag=(["EFE", "Europa Press"], ["AFP", "Cuartoscuro"]),
    ),
    "fr": dict(
        cap=(["Photo", "Illustration", "Crédit"], ["Image", "Photo d'archives", "Cliché"]),
        lead=(["Sur la photo,", "Sur cette image,"], ["Sur ce cliché,", "De gauche à droite,"]),
        rel=(["À lire aussi", "Sur le même sujet", "Les plus lus"], ["Nos articles sur le sujet", "Vous aimerez aussi", "À découvrir"]),
        share=(["Partager", "Partager sur Facebook"], ["Copier le lien", "Envoyer par e-mail", "Imprimer l'article"]),
        end=(["(FIN)", "-FIN-"], ["(Avec AFP)", "///"]),
        com=(["Commentaires", "Réagir"], ["Laisser un commentaire", "Les réactions"]),
        by=(["Par {name}", "Propos recueillis par {name}"], ["Un article de {name}", "Texte : {name}"]),
        ag=(["AFP", "Belga"], ["Reuters", "Keystone-ATS"]),
    ),
    "de": dict(
        cap=(["Foto", "Bild", "Illustration"], ["Archivbild", "Symbolbild", "Aufnahme"]),
        lead=(["Auf dem Bild,", "Im Bild,"], ["Auf diesem Foto,", "Von links nach rechts,"]),
        rel=(["Mehr zum Thema", "Das könnte Sie auch interessieren", "Meistgelesen"], ["Weitere Artikel", "Auch interessant", "Neueste Meldungen"]),
        share=(["Teilen", "Auf Facebook teilen"], ["Link kopieren", "Per E-Mail senden", "Drucken"]),
        end=(["(Ende)", "-Ende-"], ["(dpa/red)", "///"]),
        com=(["Kommentare", "Diskutieren Sie mit"], ["Kommentar schreiben", "Leserkommentare"]),
        by=(["Von {name}", "Autor: {name}"], ["Ein Beitrag von {name}", "Text: {name}"]),
        ag=(["dpa", "APA"], ["Reuters", "KNA"]),
    ),
    "pt": dict(
        cap=(["Foto", "Imagem", "Ilustração"], ["Fotografia", "Foto de arquivo", "Reprodução"]),
        lead=(["Na foto,", "Na imagem,"], ["Nesta fotografia,", "Da esquerda para a direita,"]),
        rel=(["Leia também", "Notícias relacionadas", "Mais lidas"], ["Veja também", "Você pode gostar", "Últimas notícias"]),
        share=(["Compartilhar", "Compartilhe no WhatsApp"], ["Copiar link", "Enviar por e-mail", "Imprimir"]),
        end=(["(FIM)", "-Fim-"], ["(Com agências)", "///"]),
        com=(["Comentários", "Deixe seu comentário"], ["Opinião dos leitores", "Comente"]),
        by=(["Por {name}", "Reportagem de {name}"], ["Escrito por {name}", "Texto: {name}"]),
        ag=(["Agência Brasil", "Lusa"], ["Folhapress", "Estadão Conteúdo"]),
    ),
    "it": dict(
        cap=(["Foto", "Immagine", "Illustrazione"], ["Fotografia", "Foto d'archivio", "Scatto"]),
        lead=(["Nella foto,", "Nell'immagine,"], ["In questo scatto,", "Da sinistra,"]),
        rel=(["Leggi anche", "Articoli correlati", "I più letti"], ["Potrebbe interessarti", "Altre notizie", "Ultime notizie"]),
        share=(["Condividi", "Condividi su Facebook"], ["Copia link", "Invia per email", "Stampa"]),
        end=(["(FINE)", "-Fine-"], ["(Ansa)", "///"]),
        com=(["Commenti", "Lascia un commento"], ["I commenti dei lettori", "Commenta"]),
        by=(["Di {name}", "A cura di {name}"], ["Scritto da {name}", "Testo di {name}"]),
        ag=(["ANSA", "Adnkronos"], ["LaPresse", "Agi"]),
    ),
    "tr": dict(
        cap=(["Fotoğraf", "Görsel", "Foto"], ["Resim", "Arşiv fotoğrafı", "İllüstrasyon"]),
        lead=(["Fotoğrafta,", "Görselde,"], ["Resimde,", "Soldan sağa,"]),
        rel=(["İlgili haberler", "Bunlar da ilginizi çekebilir", "En çok okunanlar"], ["Benzer haberler", "Önerilen haberler", "Son dakika"]),
        share=(["Paylaş", "Facebook'ta paylaş"], ["Bağlantıyı kopyala", "E-posta ile gönder", "Yazdır"]),
        end=(["(SON)", "-Son-"], ["(AA)", "///"]),
        com=(["Yorumlar", "Yorum yap"], ["Okur yorumları", "Yorum yazın"]),
        by=(["Haber: {name}", "Yazan: {name}"], ["Muhabir {name}", "Hazırlayan: {name}"]),
        ag=(["Anadolu Ajansı", "DHA"], ["İHA", "Reuters"]),
    ),
    "id": dict(
        cap=(["Foto", "Ilustrasi", "Gambar"], ["Dok", "Foto arsip", "Tangkapan layar"]),
        lead=(["Dalam foto,", "Tampak dalam foto,"], ["Pada gambar,", "Dari kiri ke kanan,"]),
        rel=(["Baca juga", "Berita terkait", "Terpopuler"], ["Artikel lainnya", "Rekomendasi", "Berita terkini"]),
        share=(["Bagikan", "Bagikan ke WhatsApp"], ["Salin tautan", "Kirim lewat email", "Cetak"]),
        end=(["(ant)", "(END)"], ["(*)", "///"]),
        com=(["Komentar", "Tulis komentar"], ["Komentar pembaca", "Beri komentar"]),
        by=(["Penulis: {name}", "Oleh {name}"], ["Reporter: {name}", "Pewarta: {name}"]),
        ag=(["Antara", "Kompas"], ["Tempo", "Detik"]),
    ),
    "pl": dict(
        cap=(["Fot.", "Zdjęcie", "Ilustracja"], ["Fotografia", "Zdjęcie archiwalne", "Grafika"]),
        lead=(["Na zdjęciu,", "Na fotografii,"], ["Na tym zdjęciu,", "Od lewej,"]),
        rel=(["Czytaj także", "Zobacz też", "Najczęściej czytane"], ["Polecamy", "Więcej na ten temat", "Najnowsze"]),
        share=(["Udostępnij", "Udostępnij na Facebooku"], ["Kopiuj link", "Wyślij e-mailem", "Drukuj"]),
        end=(["(KONIEC)", "-Koniec-"], ["(PAP)", "///"]),
        com=(["Komentarze", "Dodaj komentarz"], ["Opinie czytelników", "Skomentuj"]),
        by=(["Autor: {name}", "Tekst: {name}"], ["Opracował {name}", "Napisał {name}"]),
        ag=(["PAP", "KAI"], ["Reuters", "East News"]),
    ),
    "nl": dict(
        cap=(["Foto", "Beeld", "Illustratie"], ["Archiefbeeld", "Afbeelding", "Opname"]),
        lead=(["Op de foto,", "Op de afbeelding,"], ["Op dit beeld,", "Van links naar rechts,"]),
        rel=(["Lees ook", "Gerelateerde artikelen", "Meest gelezen"], ["Meer nieuws", "Aanbevolen", "Laatste nieuws"]),
        share=(["Delen", "Deel op Facebook"], ["Kopieer link", "Verstuur per e-mail", "Afdrukken"]),
        end=(["(EINDE)", "-Einde-"], ["(ANP)", "///"]),
        com=(["Reacties", "Reageer"], ["Lezersreacties", "Plaats een reactie"]),
        by=(["Door {name}", "Tekst: {name}"], ["Geschreven door {name}", "Verslaggever {name}"]),
        ag=(["ANP", "Belga"], ["Reuters", "Hollandse Hoogte"]),
    ),
    # ---- three languages without a pack in config/cleaning/: the language-free signals alone ------
    "sv": dict(
        cap=(["Foto", "Bild", "Illustration"], ["Arkivbild", "Fotografi", "Grafik"]),
        lead=(["På bilden,", "I bild,"], ["På fotot,", "Från vänster,"]),
        rel=(["Läs också", "Relaterade artiklar", "Mest läst"], ["Fler nyheter", "Rekommenderat", "Senaste nytt"]),
        share=(["Dela", "Dela på Facebook"], ["Kopiera länk", "Skicka med e-post", "Skriv ut"]),
        end=(["(SLUT)", "-Slut-"], ["(TT)", "///"]),
        com=(["Kommentarer", "Kommentera"], ["Läsarnas kommentarer", "Skriv en kommentar"]),
        by=(["Av {name}", "Text: {name}"], ["Reporter {name}", "Skrivet av {name}"]),
        ag=(["TT", "NTB"], ["Reuters", "Scanpix"]),
        names=(["Anna", "Erik", "Karin", "Lars", "Maria"], ["Johansson", "Lindqvist", "Berg", "Nilsson", "Ek"], ["{given} {family}"]),
    ),
    "el": dict(
        cap=(["Φωτογραφία", "Εικόνα", "Φωτ."], ["Αρχείο", "Φωτογραφία αρχείου", "Πηγή"]),
        lead=(["Στη φωτογραφία,", "Στην εικόνα,"], ["Σε αυτή τη λήψη,", "Από αριστερά,"]),
        rel=(["Διαβάστε επίσης", "Σχετικά άρθρα", "Δημοφιλή"], ["Περισσότερα νέα", "Προτεινόμενα", "Τελευταία νέα"]),
        share=(["Κοινοποίηση", "Μοιραστείτε στο Facebook"], ["Αντιγραφή συνδέσμου", "Αποστολή με email", "Εκτύπωση"]),
        end=(["(ΤΕΛΟΣ)", "-Τέλος-"], ["(ΑΠΕ-ΜΠΕ)", "///"]),
        com=(["Σχόλια", "Σχολιάστε"], ["Τα σχόλια των αναγνωστών", "Γράψτε ένα σχόλιο"]),
        by=(["Του {name}", "Γράφει ο {name}"], ["Ρεπορτάζ: {name}", "Κείμενο: {name}"]),
        ag=(["ΑΠΕ-ΜΠΕ", "Eurokinissi"], ["Reuters", "Intime"]),
        names=(["Γιώργος", "Μαρία", "Νίκος", "Ελένη", "Κώστας"], ["Παπαδόπουλος", "Νικολάου", "Γεωργίου", "Οικονόμου", "Βλάχος"],
               ["{given} {family}"]),
    ),
    "he": dict(
        cap=(["צילום", "תמונה", "איור"], ["צילום ארכיון", "קרדיט", "צילום מסך"]),
        lead=(["בתמונה,", "בצילום,"], ["בתמונה מימין,", "משמאל,"]),
        rel=(["כתבות נוספות", "עוד בנושא", "הנקראים ביותר"], ["אולי יעניין אותך", "מומלצים", "חדשות אחרונות"]),
        share=(["שתפו", "שתפו בפייסבוק"], ["העתקת קישור", "שליחה במייל", "הדפסה"]),
        end=(["(סוף)", "-סוף-"], ["(מעריב)", "///"]),
        com=(["תגובות", "הוסיפו תגובה"], ["תגובות הקוראים", "כתבו תגובה"]),
        by=(["מאת {name}", "כתב: {name}"], ["כתבנו {name}", "דיווח: {name}"]),
        ag=(["רויטרס", "AP"], ["פלאש 90", "AFP"]),
        names=(["דוד", "שרה", "יוסי", "מיכל", "אבי"], ["כהן", "לוי", "מזרחי", "פרץ", "ביטון"], ["{given} {family}"]),
    ),
}

NO_PACK = ("sv", "el", "he")
FIELDS = ("cap", "lead", "rel", "share", "end", "com", "by", "ag")
