"""Word lists for the query parser, all in folded form (see handlers.text.fold).

Kept as data apart from the rules so the office's vocabulary can grow
without touching the grammar. Every entry is lower case, without diacritics.
"""

from __future__ import annotations

# Phone shorthand → full folded words. Applied token by token.
ABBREVIATIONS: dict[str, str] = {
    "hs": "ho so",
    "hso": "ho so",
    "hoso": "ho so",
    "nv": "nhiem vu",
    "nvu": "nhiem vu",
    "nhiemvu": "nhiem vu",
    "cv": "cong viec",
    "vc": "viec",
    "ds": "danh sach",
    "gq": "giai quyet",
    "tn": "tiep nhan",
    "kq": "ket qua",
    "hd": "huong dan",
    "p": "phong",
    "r": "roi",
    "qh": "qua han",
    "quahan": "qua han",
    "trehan": "tre han",
    "hsqh": "ho so qua han",
    "dc": "duoc",
    "kl": "ket luan",
    "tbkl": "ket luan",
    "bc": "bao cao",
    "ko": "khong",
    "k": "khong",
    "kh0ng": "khong",
    "hok": "khong",
    "hem": "khong",
    "j": "gi",
    "ntn": "the nao",
    "bn": "bao nhieu",
    "bnh": "bao nhieu",
    "bnhieu": "bao nhieu",
    "mk": "minh",
    "mik": "minh",
    "mh": "minh",
    "mjnh": "minh",
    "tui": "toi",
    "hnay": "hom nay",
    "homnay": "hom nay",
    "hqua": "hom qua",
    "homqua": "hom qua",
    "nmai": "ngay mai",
    "thangnay": "thang nay",
    "tuannay": "tuan nay",
    "namnay": "nam nay",
    "dvi": "don vi",
    "dv": "don vi",
    "pgd": "pho giam doc",
    "gd": "giam doc",
    "bgd": "ban giam doc",
    "lds": "lanh dao so",
    "cc": "chi cuc",
    "ttr": "thanh tra",
    "ttra": "thanh tra",
    "onl": "online",
    "ol": "online",
    "dvctt": "dich vu cong truc tuyen",
    "dvc": "dich vu cong",
    "tg": "thoi gian",
    "sl": "so luong",
    "hna": "han",
    "hnj": "han",
    "ht": "hoan thanh",
    "htanh": "hoan thanh",
    "dth": "dang thuc hien",
    "tdg": "tu danh gia",
}

# Number words, so "ba ngày tới" and "tháng mười hai" read as numbers.
NUMBER_WORDS: dict[str, int] = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
    "muoi mot": 11,
    "muoi hai": 12,
    "gieng": 1,
    "chap": 12,
}

# Month names: "tháng tư" is April, "tháng giêng" January, "tháng chạp" December.
MONTH_WORDS: dict[str, int] = {**NUMBER_WORDS, "tu": 4, "muoi": 10}

# Words the parser reacts to; typo correction maps unknown tokens onto these.
KEYWORDS: frozenset[str] = frozenset(
    """
    nhiem vu viec cong dau ho so thu tuc hanh chinh diem chi cchc tieu xep hang
    bao cao tuan tom tat tong hop tinh hinh huong dan tro giup help
    qua han tre hen cham sap den toi het gan
    hoan thanh xong dang thuc hien lam trien khai tiep nhan nop giai quyet xu ly tra
    dung truoc truc tuyen online dich mang tru mat thieu
    hom nay qua ngay mai thang quy nam ngoai sau dau cuoi nua
    phong don ben van thanh tra trung tam chi cuc khoa hoc nghe quan ke hoach
    tai giam doc lanh dao tieu chuan luong chat ung dung
    cua minh toi ket luan phan tram tien
    """.split()
)

# Common syllables (folded) that are real words, so typo correction leaves
# them alone ("nhanh" must not become "nhan").
COMMON_WORDS: frozenset[str] = frozenset(
    """
    a ac ai am an anh ao au ay ba bac bai ban bang bao bat bay be ben benh bi bien
    biet binh bo boi bon bua buoc buoi bup buu ca cac cach cai cam can canh cao cap
    cau cay chao chap chat chau che chet chi chia chien chieu chinh chiu cho choi
    chon chu chua chuan chuc chuong chung chuyen co coi com con cong cu cua cuc cung
    cuoc cuoi cuon cuu da dai dam dan dang danh dao dap dat dau day de dem den deu
    di dia dien dieu dinh do doan doc doi don dong du dua duc dung duoc duong duy
    em gan gap ghi gi gia giai giam gian giao gio giu giup goc goi gui gum ha hai
    hay han hang hanh hao hat hau he hem hen het hien hieu hinh ho hoa hoac hoan hoat
    hoc hoi hom hon hop hu hue hung huong huy ich it kem ke kem khac khach khan kho
    khoa khoan khoang khoi khong khu khuc kia kiem kien kim kinh ky la lai lam lan
    lang lanh lao lap lau le len lich lien linh loai loi lon long luat luc luon luong
    ly ma mac mai man mang mat may me minh mo moi mon mong mot mua muc mui muoi muon
    muc na nam nang nao ne nen neu ngan ngang ngay nghe nghi nghiep ngoai ngu nguoi
    nguon nhan nhanh nhat nhau nhe nhieu nhin nho nhom nhu nhung nhuong noi nop nua
    oi on ong phai pham phan phap phat phi phia phieu pho phong phu phuc phuong qua
    quan quang quy quyen quyet ra rang rat roi rong rut sa sach sai sang sao sau se
    si so soat sua suat sum suot ta tac tai tam tan tang tao tap tat te tham than
    thanh thao thap the them theo thi thiet thieu thiep thoi thong thu thuan thuc
    thuong thuy ti tich tien tiep tieu tim tin tinh to toan toi ton tong tot tra
    trai tram tran trang trao tre tren tri trich trien trinh tro trong truc truoc
    truong tu tuan tuc tung tuong tuy tuyen uoc va van vang vao vay ve vi viec vien
    viet vo voi vu vua vui vuot xa xac xam xanh xay xem xep xin xong xu xuat xuong
    y yeu
    online offline help hello hi ok oke bot admin ad email file excel pdf word
    kh khcn skhcn kh&cn cchc tthc par index sipas papi pci dvc qlkh qlcn khtc ttud tdc
    tcdlcl vps ttr bgd pgd gd vp cc tt
    """.split()
)

# Two-word terms the grammar reads, folded. A word that is one slip away from
# making such a term with its neighbour is corrected even when the slip
# produced another real word ("tang nay" → "thang nay", "tuan troc" →
# "tuan truoc", "hong dan" → "huong dan").
PHRASES: frozenset[tuple[str, str]] = frozenset(
    tuple(p.split()) for p in """
    thang nay|thang truoc|thang sau|thang toi|tuan nay|tuan truoc|tuan sau|tuan toi|nam nay|nam truoc|nam ngoai
    nam sau|quy nay|quy truoc|quy sau|hom nay|hom qua|ngay mai|cuoi thang|cuoi tuan|cuoi nam|cuoi quy|dau nam
    dau thang|dau tuan|qua han|tre han|tre hen|den han|het han|dung han|truoc han|sap den|cham tien|tien do
    ho so|nhiem vu|cong viec|dau viec|thu tuc|hanh chinh|huong dan|tro giup|bao cao|giao ban|tom tat|tong hop
    hoan thanh|thuc hien|trien khai|tiep nhan|giai quyet|xu ly|truc tuyen|dich vu|ket qua|tra ket|cham tra
    chi cuc|thanh tra|van phong|trung tam|ung dung|quan ly|khoa hoc|cong nghe|ke hoach|tai chinh|tieu chuan
    do luong|chat luong|giam doc|lanh dao|chi so|tieu chi|tru diem|mat diem|xep hang|tu danh|danh gia
    ket luan|phan tram|bao nhieu|danh sach|liet ke|thong ke|ton dong|lam duoc|duoc gi|nhung gi|the nao
    chua xong|chua hoan|dang thuc|da xong|da tra|muc do|cua toi|cua minh|cua em|phong nao|don vi
    thang #|quy #|ngay #|nam #|tuan #|# thang|# ngay|# tuan|thang dau|thang cuoi
    """.replace("\n", "|").split("|") if p.strip()
)

# English questions (people who chose English): phrase → the folded Vietnamese
# the grammar reads. Longest phrases first; applied only to a message that is
# mostly English words (see normalise.translate_english).
ENGLISH_PHRASES: tuple[tuple[str, str], ...] = tuple(sorted({
    "overdue": "qua han", "late": "tre han", "past due": "qua han", "behind schedule": "cham tien do",
    "due soon": "sap den han", "coming due": "sap den han", "due this week": "den han tuan nay",
    "due today": "den han hom nay", "upcoming": "sap den han",
    "done": "hoan thanh", "completed": "hoan thanh", "complete": "hoan thanh", "finished": "hoan thanh",
    "not done": "chua hoan thanh", "not finished": "chua hoan thanh", "unfinished": "chua hoan thanh",
    "in progress": "dang thuc hien", "ongoing": "dang thuc hien", "open": "dang thuc hien", "pending": "dang thuc hien",
    "backlog": "ton dong", "outstanding": "ton dong",
    "task": "nhiem vu", "tasks": "nhiem vu", "assignments": "nhiem vu", "assignment": "nhiem vu",
    "dossier": "ho so", "dossiers": "ho so", "applications": "ho so", "application": "ho so",
    "procedures": "thu tuc hanh chinh", "received": "tiep nhan", "submitted": "tiep nhan",
    "resolved": "da giai quyet", "returned": "da tra ket qua", "on time": "dung han", "online": "truc tuyen",
    "score": "diem cchc", "scores": "diem cchc", "par score": "diem cchc", "par index": "chi so cchc",
    "points": "diem", "lost points": "mat diem", "losing points": "mat diem", "deductions": "bi tru diem",
    "deducted": "bi tru diem", "weekly report": "bao cao tuan", "weekly digest": "bao cao tuan", "digest": "bao cao tuan",
    "summary": "tom tat", "help": "huong dan", "what can you do": "huong dan",
    "today": "hom nay", "yesterday": "hom qua", "tomorrow": "ngay mai",
    "this week": "tuan nay", "last week": "tuan truoc", "next week": "tuan sau",
    "this month": "thang nay", "last month": "thang truoc", "next month": "thang sau",
    "this quarter": "quy nay", "last quarter": "quy truoc", "this year": "nam nay", "last year": "nam truoc",
    "in": "", "year": "nam", "quarter": "quy", "month": "thang",
    "my": "cua toi", "mine": "cua toi", "our": "cua toi", "my unit": "don vi cua toi", "our unit": "don vi cua toi",
    "whole department": "toan so", "all units": "toan so", "department wide": "toan so",
    "office": "van phong so", "inspectorate": "thanh tra so",
    "how many": "bao nhieu", "which": "nao", "list": "danh sach", "show": "xem", "what": "gi",
}.items(), key=lambda kv: -len(kv[0])))

# Words that make a message count as English (with the phrases' own words).
ENGLISH_WORDS: frozenset[str] = frozenset(
    {w for phrase, _ in ENGLISH_PHRASES for w in phrase.split()}
    | set("""
    the a an of for are is there any me please show give tell do does have has i we with to by from at
    and or all still unit units department so far left remaining due were was be been being about status
    """.split())
)
