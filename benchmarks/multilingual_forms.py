"""Junk vocabulary of the multilingual probe (``benchmarks/multilingual.py``): English, East/South-East
Asian, Indic and right-to-left languages (Europe + Turkish/Indonesian are in ``multilingual_forms_eu``).

Every field is a pair ``(dev, kept)`` of disjoint lists: the ``dev`` split of the probe draws only from
the first, ``kept`` only from the second, so a rule pack that memorised dev strings scores lower on
kept. Templates are ``str.format`` strings over: ``{place}`` ``{PLACE}`` (upper case), ``{agency}``,
``{name}``, ``{d}`` ``{dd}`` ``{m}`` ``{mm}`` ``{y}`` ``{by}`` (Buddhist year) ``{mon}`` ``{mon3}``
``{MON3}``, ``{hh}`` ``{mi}``, ``{desc}`` (caption text), ``{link}`` (a headline), ``{site}``.
Byline templates start with ``top:`` or ``end:`` (where the line goes). A dateline template is the
wire-style prefix of the first paragraph; one holding ``{name}`` is also the byline (Korean style).

Where the forms come from: each block's ``about`` names the kinds of real sites studied (with the
``search`` tool over stored public pages: wire services, national dailies, portals, regional papers).
Person, place, site and agency names are generic (common names, capitals, national wires, invented
outlet names); no form is copied from one article.
"""

from __future__ import annotations

import re


def _s(dev: str, kept: str) -> tuple[list[str], list[str]]:
    """``"a|b"`` lists; a ``|`` followed by a space is text (``"{desc} | Photo: {name}"``), not a separator."""
    return [x for x in re.split(r"\|(?! )", dev) if x], [x for x in re.split(r"\|(?! )", kept) if x]


FORMS: dict[str, dict] = {}

FORMS["en"] = dict(
    about="UK/US dailies and wire copy (Reuters/AP/AFP style): nav bars, 'By <Name>' bylines, "
          "'<CITY> (Agency) -' datelines, 'Photo: Agency/Name' and '(Name/Agency)' credits, 'Read more:' "
          "inline lines, 'Related'/'More stories' blocks, share rows, cookie banners, copyright footers.",
    months="January February March April May June July August September October November December".split(),
    menu=_s("Home|World|Politics|Business|Sport|Culture|Opinion", "News|UK|US|Markets|Tech|Science|Travel|Lifestyle"),
    home=_s("Home", "Front page"),
    places=_s("London|Washington|Geneva|Sydney|Nairobi|Manila", "Ottawa|Dublin|Chicago|Toronto|Singapore|Cape Town"),
    agencies=_s("Reuters|AP", "AFP|PA Media|Bloomberg"),
    sites=_s("The Daily Ledger|Morning Courier", "The Northern Record|Evening Chronicle"),
    given=_s("John|Sarah|Michael|Emma|David|Grace", "Laura|Peter|Rachel|Thomas|Hannah|Oliver"),
    family=_s("Smith|Turner|Walker|Hughes|Carter|Mitchell", "Bennett|Fletcher|Gordon|Harper|Lawson|Pearce"),
    name="{given} {family}",
    dateline=_s("{PLACE} ({agency}) - |{PLACE}, {mon} {d} ({agency}) - ", "{place} ({agency}) — |{PLACE}, {mon3} {d} ({agency}) – "),
    date_line=_s("Published {mon} {d}, {y}|{d} {mon} {y} {hh}:{mi} GMT", "Updated {mon3} {d}, {y}, {hh}:{mi} ET|{hh}:{mi}, {d} {mon3} {y}"),
    byline=_s("top:By {name}|top:By {name}, {agency}", "top:Written by {name}|end:Reporting by {name}; editing by {name2}"),
    caption=_s("{desc}. Photo: {agency}/{name}|{desc}. (Photo: {name}/{agency})", "{desc}. Image: {name} for {site}|{desc} (Credit: {agency})"),
    read_also=_s("Read more: {link}|Related: {link}", "Also read: {link}|See also: {link}"),
    related=_s("Related stories|More on this story", "You may also like|Most read"),
    share=_s("Share|Facebook|Twitter|Email|Copy link", "Share this article|WhatsApp|LinkedIn|Print|Save"),
    comment=_s("Leave a comment|Comments", "Join the conversation|View comments"),
    subscribe=_s("Sign up for our daily newsletter", "Get the morning briefing in your inbox"),
    cookie=_s("We use cookies to improve your experience on our site. Accept all cookies",
              "This website uses cookies. By continuing to browse you agree to our use of cookies."),
    copyright=_s("© {y} {site}. All rights reserved.|Copyright {y} {site}", "All content © {site} {y}|© {site} Ltd {y}"),
    end=_s("", ""),
    tags=_s("Topics:", "Tags:"),
)

FORMS["zh"] = dict(
    about="Chinese wire and portal pages (中新社/新华社 wire copy, national and provincial dailies, portals): "
          "'中新社北京3月19日电 （记者 王秀军）' datelines, '图为……' / '资料图' captions with '中新社记者 X 摄' credits, "
          "'（完）' and '【编辑：X】' end markers, '相关新闻' / '延伸阅读' blocks, '分享到' rows, '版权所有' footers.",
    months=None,
    menu=_s("首页|新闻|国内|国际|财经|体育|娱乐|科技", "要闻|时政|社会|军事|文化|教育|健康|汽车"),
    home=_s("首页", "网站首页"),
    places=_s("北京|上海|广州|武汉|西安|杭州", "深圳|成都|南京|重庆|天津|昆明"),
    agencies=_s("中新社|新华社", "中新网|央视新闻|人民网"),
    sites=_s("华夏新闻网|东方时报", "南方日报网|环球资讯网"),
    given=_s("秀军|建国|丽华|海涛|晓明|志强", "文静|国栋|雪梅|永刚|春燕|立新"),
    family=_s("王|李|张|刘|陈|孙", "杨|黄|赵|周|吴|郑"),
    name="{family}{given}",
    dateline=_s("{agency}{place}{m}月{d}日电 |{agency}{place}{m}月{d}日电（记者 {name}）", "{agency}{place}{m}月{d}日消息，|{agency}{place}{m}月{d}日讯 "),
    date_line=_s("{y}年{m}月{d}日 {hh}:{mi} 来源：{agency}|{y}-{mm}-{dd} {hh}:{mi}:00 来源：{agency}", "发布时间：{y}年{mm}月{dd}日 {hh}:{mi}|{y}/{mm}/{dd} {hh}:{mi} 稿件来源：{agency}"),
    byline=_s("top:（记者 {name}）|end:（记者 {name}）", "top:作者：{name}|top:本报记者 {name}"),
    caption=_s("图为{desc}。{agency}记者 {name} 摄|资料图：{desc}。{agency}发 {name} 摄", "{desc}。（图片来源：{agency}）|{desc}。摄影：{name}"),
    read_also=_s("相关阅读：{link}|推荐阅读：{link}", "点击阅读：{link}|更多报道：{link}"),
    related=_s("相关新闻|延伸阅读", "热点推荐|猜你喜欢"),
    share=_s("分享到：|微信|微博|打印本页", "扫一扫|QQ空间|收藏|关闭窗口"),
    comment=_s("发表评论|网友评论", "我要留言|评论区"),
    subscribe=_s("关注我们的微信公众号", "下载客户端，阅读更多新闻"),
    cookie=_s("本网站使用Cookie以提升您的浏览体验，继续浏览即表示同意。", "我们使用Cookie来改善服务，点击同意即表示接受。"),
    copyright=_s("版权所有 © {y} {site}|未经书面授权，禁止转载。", "Copyright © {y} {site} 保留所有权利|本网站所刊载信息，不代表本站观点。"),
    end=_s("（完）|【编辑：{name2}】", "（责任编辑：{name2}）|【纠错】"),
    tags=_s("关键词：", "标签："),
)

FORMS["ja"] = dict(
    about="Japanese wire-fed dailies and portals (共同/時事 style): '【ワシントン共同】' datelines, '写真は…' / "
          "'…＝19日、東京' captions, '（山田太郎）' bylines, '関連記事' blocks, share rows, '無断転載' notices.",
    months=None,
    menu=_s("トップ|ニュース|国内|国際|経済|スポーツ|社会", "速報|政治|ビジネス|テクノロジー|文化|暮らし|地域"),
    home=_s("トップ", "ホーム"),
    places=_s("ワシントン|北京|ロンドン|大阪|名古屋", "ソウル|パリ|札幌|福岡|ニューヨーク"),
    agencies=_s("共同|時事", "ロイター|NNA"),
    sites=_s("日本中央新聞|東都日報", "北海タイムス|西日本ウェブ"),
    given=_s("太郎|花子|健一|美咲|翔太", "直樹|由美|大輔|恵子|拓也"),
    family=_s("山田|佐藤|鈴木|高橋|田中", "伊藤|渡辺|中村|小林|加藤"),
    name="{family}{given}",
    dateline=_s("【{place}{agency}】|【{place}＝{agency}】", "［{place}　{agency}］|{place}発（{agency}）"),
    date_line=_s("{y}年{m}月{d}日 {hh}時{mi}分|{y}/{mm}/{dd} {hh}:{mi}", "公開日時 {y}年{mm}月{dd}日 {hh}:{mi}|更新 {y}.{mm}.{dd} {hh}:{mi}"),
    byline=_s("end:（{name}）|top:{name}記者", "top:文・{name}|end:【{name}】"),
    caption=_s("写真は{desc}（{agency}）|{desc}＝{d}日、{place}（{name}撮影）", "【写真】{desc}|{desc}（提供・{agency}）"),
    read_also=_s("関連記事：{link}|あわせて読みたい：{link}", "こちらもおすすめ：{link}|【関連】{link}"),
    related=_s("関連記事|こちらもおすすめ", "おすすめ記事|アクセスランキング"),
    share=_s("シェア|ツイート|LINEで送る", "ブックマーク|はてな|印刷する"),
    comment=_s("コメントを書く|コメント", "みんなの意見|感想を送る"),
    subscribe=_s("メールマガジンの登録はこちら", "有料会員になると全ての記事が読めます"),
    cookie=_s("当サイトはクッキーを使用しています。同意して閉じる", "本サイトではCookieを利用しています。詳しくはプライバシーポリシーへ"),
    copyright=_s("無断転載・複製を禁じます|Copyright © {y} {site} All rights reserved.", "記事・写真の無断転載を禁じます|© {site} {y}"),
    end=_s("", "（了）"),
    tags=_s("キーワード：", "タグ："),
)

FORMS["ko"] = dict(
    about="Korean wire and daily sites (연합뉴스/뉴시스/뉴스1 style): '(서울=연합뉴스) 김철수 기자 = ' datelines "
          "that carry the byline, '[서울=뉴시스]' forms, photo credits '/사진=…', '무단 전재 및 재배포 금지', '관련기사'.",
    months=None,
    menu=_s("홈|뉴스|정치|경제|사회|국제|스포츠", "전체기사|오피니언|문화|연예|IT|지역|포토"),
    home=_s("홈", "메인"),
    places=_s("서울|부산|인천|대구|광주", "세종|대전|울산|수원|제주"),
    agencies=_s("연합뉴스|뉴시스", "뉴스1|YTN"),
    sites=_s("한국중앙일보|새누리신문", "동해일보|한빛경제"),
    given=_s("철수|민지|영호|서연|준호", "지훈|수진|동현|은영|성민"),
    family=_s("김|이|박|최|정", "강|조|윤|장|임"),
    name="{family}{given}",
    dateline=_s("({place}={agency}) {name} 기자 = |[{place}={agency}] {name} 기자 = ", "【{place}={agency}】 {name} 기자 ="
                                                                                      " |{place}({agency}) {name} 기자 - "),
    date_line=_s("입력 {y}.{mm}.{dd} {hh}:{mi}|송고시간 {y}-{mm}-{dd} {hh}:{mi}", "등록 {y}.{mm}.{dd} {hh}:{mi}|기사입력 {y}/{mm}/{dd} {hh}:{mi}"),
    byline=_s("end:{name} 기자|end:{name} 기자 {name}@news.example", "end:{name} 특파원|end:글 {name}"),
    caption=_s("{desc} /사진={agency}|{desc} ({agency} 자료사진)", "{desc} [{agency} 제공]|▲ {desc} ⓒ{name}"),
    read_also=_s("관련기사: {link}|함께 보면 좋은 기사: {link}", "▶ {link}|[관련기사] {link}"),
    related=_s("관련기사|많이 본 뉴스", "이 시각 주요뉴스|추천 기사"),
    share=_s("공유하기|페이스북|카카오톡", "트위터|URL복사|인쇄"),
    comment=_s("댓글쓰기|댓글", "의견 남기기|댓글 보기"),
    subscribe=_s("뉴스레터 구독하기", "구독 신청하고 최신 기사 받기"),
    cookie=_s("이 사이트는 쿠키를 사용합니다. 동의하시겠습니까?", "서비스 개선을 위해 쿠키를 사용하고 있습니다. 확인"),
    copyright=_s("<저작권자(c) {site}, 무단 전재 및 재배포 금지>|Copyright © {y} {site}. All rights reserved.",
                 "ⓒ {site} 무단복제 및 재배포 금지|저작권자 © {site} 무단전재-재배포, AI학습 및 활용 금지"),
    end=_s("", "(끝)"),
    tags=_s("#태그", "키워드"),
)

FORMS["vi"] = dict(
    about="Vietnamese national dailies and the national wire (TTXVN/VNA style), portals: 'Hà Nội (TTXVN) - ' and "
          "'(TTXVN) ' datelines, 'Ảnh minh họa' / 'Ảnh: TTXVN' captions, end bylines 'Thu Hằng/TTXVN', "
          "'Theo <báo>' source lines, 'Tin liên quan' / 'Đọc thêm' blocks, '(hết)' markers, 'Chia sẻ' rows.",
    months=None,
    menu=_s("Trang chủ|Thời sự|Thế giới|Kinh tế|Thể thao|Giải trí|Pháp luật", "Tin mới|Chính trị|Xã hội|Văn hóa|Giáo dục|Sức khỏe|Công nghệ"),
    home=_s("Trang chủ", "Trang nhất"),
    places=_s("Hà Nội|Đà Nẵng|Hải Phòng|Cần Thơ|Huế", "TP Hồ Chí Minh|Nha Trang|Vinh|Quy Nhơn|Đà Lạt"),
    agencies=_s("TTXVN|VNA", "Vietnam+|TTXVN/Vietnam+"),
    sites=_s("Báo Tin Tức Việt|Thời Báo Đông Dương", "Báo Phương Nam|Nhật Báo Sông Hồng"),
    given=_s("Thu Hằng|Minh Đức|Lan Anh|Quốc Hùng|Thanh Hà", "Hoài Nam|Phương Thảo|Văn Long|Ngọc Mai|Đức Thịnh"),
    family=_s("Nguyễn|Trần|Lê|Phạm|Hoàng", "Vũ|Đặng|Bùi|Đỗ|Hồ"),
    name="{family} {given}",
    dateline=_s("{place} ({agency}) - |{place}, ngày {d}/{m} ({agency}) - ", "{place}, {d}/{m} ({agency}) – |{place} ({agency}): "),
    date_line=_s("Thứ năm, {d}/{m}/{y} {hh}:{mi} (GMT+7)|{dd}/{mm}/{y} {hh}:{mi}", "Cập nhật: {hh}:{mi} ngày {d}/{m}/{y}|Ngày {dd}/{mm}/{y} - {hh}:{mi}"),
    byline=_s("end:{name}/{agency}|end:Theo {name}", "top:Tác giả: {name}|end:Bài và ảnh: {name}"),
    caption=_s("{desc}. Ảnh minh họa|{desc}. (Ảnh: {name}/{agency})", "Ảnh: {desc} – {agency}|{desc}. Nguồn ảnh: {agency}"),
    read_also=_s("Đọc thêm: {link}|Xem thêm: {link}", ">> {link}|Tin liên quan: {link}"),
    related=_s("Tin liên quan|Tin cùng chuyên mục", "Có thể bạn quan tâm|Đọc nhiều nhất"),
    share=_s("Chia sẻ|Facebook|Zalo|In bài", "Sao chép liên kết|Gửi email|Lưu bài|Twitter"),
    comment=_s("Bình luận|Gửi bình luận", "Ý kiến bạn đọc|Viết bình luận"),
    subscribe=_s("Đăng ký nhận bản tin mỗi ngày", "Theo dõi chúng tôi trên Google News"),
    cookie=_s("Trang web sử dụng cookie để cải thiện trải nghiệm. Đồng ý", "Chúng tôi dùng cookie để phục vụ bạn tốt hơn. Tôi hiểu"),
    copyright=_s("© {y} {site}. Bảo lưu mọi quyền.|Ghi rõ nguồn khi phát hành lại thông tin từ website này.",
                 "Bản quyền thuộc về {site}|Cấm sao chép dưới mọi hình thức nếu không có sự chấp thuận bằng văn bản."),
    end=_s("(hết)|./.", "(Còn nữa)|*"),
    tags=_s("Từ khóa:", "Tags:"),
)

FORMS["th"] = dict(
    about="Thai dailies, TV-news sites and the government wire (สำนักข่าวไทย/ไทยรัฐ style portals): "
          "'กรุงเทพฯ 19 มี.ค. (สำนักข่าวไทย)' datelines, 'ภาพ: …' / 'ขอบคุณภาพ' credits, 'ข่าวที่เกี่ยวข้อง', 'แชร์'.",
    months="ม.ค. ก.พ. มี.ค. เม.ย. พ.ค. มิ.ย. ก.ค. ส.ค. ก.ย. ต.ค. พ.ย. ธ.ค.".split(),
    menu=_s("หน้าแรก|ข่าว|การเมือง|เศรษฐกิจ|กีฬา|บันเทิง", "ข่าวด่วน|ต่างประเทศ|สังคม|ไลฟ์สไตล์|เทคโนโลยี|ภูมิภาค"),
    home=_s("หน้าแรก", "หน้าหลัก"),
    places=_s("กรุงเทพฯ|เชียงใหม่|ขอนแก่น|ภูเก็ต", "หาดใหญ่|นครราชสีมา|อุดรธานี|พัทยา"),
    agencies=_s("สำนักข่าวไทย|ไทยพีบีเอส", "อสมท|สำนักข่าวอิศรา"),
    sites=_s("ข่าวสยามออนไลน์|ไทยนิวส์เดลี่", "สยามรายวัน|ข่าวภาคเหนือ"),
    given=_s("สมชาย|สุดารัตน์|วิชัย|นภา", "ประเสริฐ|กาญจนา|ธนพล|พิมพ์ใจ"),
    family=_s("ใจดี|ศรีสุข|บุญมา|แก้วกล้า", "สุขสวัสดิ์|ทองดี|วงศ์ไทย|มีสุข"),
    name="{given} {family}",
    dateline=_s("{place} {d} {mon} ({agency}) - |{place} {d} {mon} - {agency} ", "{place} - {agency} รายงานว่า |({agency}) {place} "),
    date_line=_s("{d} {mon} {by} {hh}:{mi} น.|วันที่ {d} {mon} {by}", "อัปเดต {d} {mon} {by} เวลา {hh}:{mi} น.|เผยแพร่ {dd}/{mm}/{by}"),
    byline=_s("top:โดย {name}|end:ผู้สื่อข่าว: {name}", "top:เรื่อง: {name}|end:รายงานโดย {name}"),
    caption=_s("{desc} (ภาพ: {agency})|ภาพประกอบ: {desc}", "{desc} ขอบคุณภาพ: {name}|{desc} (แฟ้มภาพ)"),
    read_also=_s("อ่านเพิ่มเติม: {link}|อ่านข่าว: {link}", "ข่าวน่าสนใจ: {link}|คลิกอ่าน: {link}"),
    related=_s("ข่าวที่เกี่ยวข้อง|ข่าวล่าสุด", "ข่าวแนะนำ|ยอดนิยม"),
    share=_s("แชร์|แชร์ไปยัง Facebook|คัดลอกลิงก์", "ส่งต่อ|แชร์ผ่าน LINE|พิมพ์"),
    comment=_s("แสดงความคิดเห็น|ความคิดเห็น", "ร่วมแสดงความเห็น|อ่านความเห็นทั้งหมด"),
    subscribe=_s("ติดตามข่าวสารผ่าน LINE ของเรา", "สมัครรับจดหมายข่าวรายวัน"),
    cookie=_s("เว็บไซต์นี้ใช้คุกกี้เพื่อประสบการณ์ที่ดีขึ้น ยอมรับ", "เราใช้คุกกี้เพื่อพัฒนาบริการ ตั้งค่าคุกกี้"),
    copyright=_s("สงวนลิขสิทธิ์ © {y} {site}|Copyright © {y} {site}", "© {site} สงวนลิขสิทธิ์ตามกฎหมาย|ห้ามคัดลอกโดยไม่ได้รับอนุญาต"),
    end=_s("", "- สำนักข่าวไทย"),
    tags=_s("แท็ก:", "คำค้น:"),
)

FORMS["hi"] = dict(
    about="Hindi dailies and wire-fed portals (भाषा/PTI, IANS style): 'नई दिल्ली, 19 मार्च (भाषा)' datelines, "
          "'फोटो: …' / 'सांकेतिक तस्वीर' captions, 'यह भी पढ़ें:' inline lines, 'संबंधित खबरें', 'शेयर करें'.",
    months="जनवरी फरवरी मार्च अप्रैल मई जून जुलाई अगस्त सितंबर अक्टूबर नवंबर दिसंबर".split(),
    menu=_s("होम|देश|विदेश|राज्य|खेल|मनोरंजन", "ताजा खबर|राजनीति|बिजनेस|टेक|शिक्षा|धर्म"),
    home=_s("होम", "मुख्य पृष्ठ"),
    places=_s("नई दिल्ली|मुंबई|लखनऊ|जयपुर", "पटना|भोपाल|कोलकाता|वाराणसी"),
    agencies=_s("भाषा|पीटीआई", "आईएएनएस|वार्ता"),
    sites=_s("भारत समाचार दैनिक|हिंद टाइम्स ऑनलाइन", "जनवाणी न्यूज़|नवप्रभात"),
    given=_s("राहुल|प्रिया|अमित|सुनीता", "विकास|पूजा|संजय|अंजलि"),
    family=_s("शर्मा|वर्मा|सिंह|गुप्ता", "यादव|मिश्रा|तिवारी|पांडेय"),
    name="{given} {family}",
    dateline=_s("{place}, {d} {mon} ({agency}) |{place}, {d} {mon} ({agency}) - ", "{place} | {agency}: |{place} ({agency}) | "),
    date_line=_s("प्रकाशित: {d} {mon} {y}, {hh}:{mi}|{dd}-{mm}-{y} {hh}:{mi} IST", "अपडेटेड: {d} {mon} {y}|{d} {mon} {y} | {hh}:{mi} बजे"),
    byline=_s("top:लेखक: {name}|top:रिपोर्ट: {name}", "top:द्वारा {name}|end:- {name}"),
    caption=_s("{desc} (फोटो: {agency})|सांकेतिक तस्वीर: {desc}", "{desc} | तस्वीर साभार: {name}|फाइल फोटो: {desc}"),
    read_also=_s("यह भी पढ़ें: {link}|ये भी पढ़ें- {link}", "इसे भी पढ़ें: {link}|पढ़ें: {link}"),
    related=_s("संबंधित खबरें|ताज़ा खबरें", "ये भी पढ़ें|सबसे ज्यादा पढ़ी गई"),
    share=_s("शेयर करें|फेसबुक|ट्विटर", "व्हाट्सऐप|लिंक कॉपी करें|प्रिंट"),
    comment=_s("कमेंट करें|टिप्पणियां", "अपनी राय दें|कमेंट्स देखें"),
    subscribe=_s("ताज़ा खबरों के लिए हमारा न्यूज़लेटर सब्सक्राइब करें", "हमें गूगल न्यूज़ पर फॉलो करें"),
    cookie=_s("यह वेबसाइट कुकीज़ का उपयोग करती है। स्वीकार करें", "हम बेहतर अनुभव के लिए कुकीज़ का इस्तेमाल करते हैं। ठीक है"),
    copyright=_s("कॉपीराइट © {y} {site}. सर्वाधिकार सुरक्षित।|© {y} {site}", "सर्वाधिकार सुरक्षित © {site} {y}|{site} की अनुमति के बिना पुनः प्रकाशन वर्जित"),
    end=_s("", "(समाप्त)"),
    tags=_s("टैग्स:", "विषय:"),
)

FORMS["ar"] = dict(
    about="Arabic pan-regional dailies, satellite-TV news sites and national wires (أ ف ب / رويترز / واس style): "
          "'القاهرة - (أ ف ب) -' datelines, 'بقلم:' bylines, '(رويترز)' / 'صورة أرشيفية' captions, 'اقرأ أيضا:', "
          "'أخبار ذات صلة', 'شارك', 'جميع الحقوق محفوظة' footers.",
    months="يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split(),
    menu=_s("الرئيسية|أخبار|سياسة|اقتصاد|رياضة|ثقافة", "عاجل|العالم|مجتمع|تكنولوجيا|صحة|منوعات"),
    home=_s("الرئيسية", "الصفحة الرئيسية"),
    places=_s("القاهرة|الرياض|بيروت|عمان|تونس", "دبي|الدوحة|بغداد|الرباط|الجزائر"),
    agencies=_s("أ ف ب|رويترز", "واس|الأناضول|د ب أ"),
    sites=_s("الجريدة العربية|صحيفة الشرق اليوم", "بوابة الأخبار|الوطن العربي اليوم"),
    given=_s("محمد|أحمد|فاطمة|خالد|سارة", "يوسف|ليلى|عمر|مريم|حسن"),
    family=_s("العلي|الحسيني|المصري|الخطيب|النجار", "الشامي|العمري|الحداد|السعدي|الزين"),
    name="{given} {family}",
    dateline=_s("{place} - ({agency}) - |{place} - {agency}: ", "{place} ({agency}) - |{place}، {d} {mon} ({agency}) – "),
    date_line=_s("نشر في {d} {mon} {y} - {hh}:{mi}|{dd}/{mm}/{y} {hh}:{mi}", "آخر تحديث: {d} {mon} {y}|تاريخ النشر: {y}-{mm}-{dd}"),
    byline=_s("top:بقلم: {name}|top:كتب: {name}", "top:تقرير: {name}|end:{name} - {agency}"),
    caption=_s("{desc} (رويترز)|صورة أرشيفية: {desc}", "{desc} - تصوير: {name}|{desc} ({agency})"),
    read_also=_s("اقرأ أيضا: {link}|اقرأ أيضاً: {link}", "شاهد أيضا: {link}|طالع أيضا: {link}"),
    related=_s("أخبار ذات صلة|الأكثر قراءة", "اقرأ المزيد|مواضيع متعلقة"),
    share=_s("شارك|فيسبوك|تويتر|واتساب", "مشاركة|نسخ الرابط|طباعة|تيليجرام"),
    comment=_s("أضف تعليقك|التعليقات", "اترك تعليقا|شارك برأيك"),
    subscribe=_s("اشترك في النشرة البريدية", "تابعنا على تطبيق الأخبار"),
    cookie=_s("يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك. موافق", "نستخدم ملفات الكوكيز لتقديم أفضل خدمة. قبول"),
    copyright=_s("جميع الحقوق محفوظة © {y} {site}|© {y} {site}", "حقوق النشر محفوظة لـ {site} {y}|يمنع النسخ دون إذن مسبق"),
    end=_s("", "(انتهى)"),
    tags=_s("الوسوم:", "كلمات مفتاحية:"),
)

FORMS["fa"] = dict(
    about="Persian news agencies and dailies (ایرنا/ایسنا/تسنیم style): 'به گزارش خبرگزاری …' openers, "
          "'تهران - ایرنا -' datelines, 'عکس: …' credits, 'بیشتر بخوانید:', 'اخبار مرتبط', 'انتهای پیام' end markers.",
    months="فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند".split(),
    menu=_s("صفحه اصلی|سیاسی|اقتصادی|ورزشی|فرهنگی|بین‌الملل", "اخبار فوری|اجتماعی|علمی|استان‌ها|چندرسانه‌ای|سلامت"),
    home=_s("صفحه اصلی", "خانه"),
    places=_s("تهران|مشهد|اصفهان|تبریز", "شیراز|اهواز|کرمان|رشت"),
    agencies=_s("ایرنا|ایسنا", "مهر|تسنیم"),
    sites=_s("روزنامه پارس امروز|خبرنامه ایران", "پایگاه خبری آفتاب نو|نشریه البرز"),
    given=_s("علی|مریم|رضا|زهرا", "حسین|فاطمه|مهدی|نرگس"),
    family=_s("احمدی|محمدی|کریمی|رضایی", "حسینی|موسوی|جعفری|رحیمی"),
    name="{given} {family}",
    dateline=_s("{place} - {agency} - |به گزارش خبرگزاری {agency} از {place}، ", "{place}- خبرگزاری {agency}: |{agency} - {place}، "),
    date_line=_s("{d} {mon} ۱۴۰۴ - {hh}:{mi}|تاریخ انتشار: {d} {mon} ۱۴۰۴", "به‌روزرسانی: {d} {mon} ۱۴۰۴|کد خبر: {y}{mm}{dd}"),
    byline=_s("top:نویسنده: {name}|end:خبرنگار: {name}", "top:گزارش از {name}|end:تنظیم: {name}"),
    caption=_s("{desc} (عکس: {agency})|عکس تزئینی است: {desc}", "{desc} - عکاس: {name}|{desc} (آرشیو)"),
    read_also=_s("بیشتر بخوانید: {link}|بخوانید: {link}", "پیشنهاد مطالعه: {link}|مطلب مرتبط: {link}"),
    related=_s("اخبار مرتبط|پربازدیدترین", "مطالب پیشنهادی|آخرین اخبار"),
    share=_s("اشتراک گذاری|تلگرام|واتساپ", "کپی لینک|توییتر|چاپ"),
    comment=_s("نظر شما|ارسال نظر", "دیدگاه‌ها|نظرات کاربران"),
    subscribe=_s("عضویت در خبرنامه", "ما را در تلگرام دنبال کنید"),
    cookie=_s("این سایت از کوکی استفاده می‌کند. پذیرفتن", "ما برای بهبود تجربه شما از کوکی‌ها استفاده می‌کنیم. قبول"),
    copyright=_s("کلیه حقوق محفوظ است © {site}|استفاده از مطالب با ذکر منبع آزاد است.", "تمامی حقوق برای {site} محفوظ است|© {y} {site}"),
    end=_s("انتهای پیام|/", "پایان خبر|**"),
    tags=_s("برچسب‌ها:", "کلیدواژه:"),
)
