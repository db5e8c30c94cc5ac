"""Builds tests/data/replies.tsv: labelled replies in the styles people type.

Each base reply below is written and labelled by hand (text with diacritics,
intent, percent, until, and the "now" it was sent at). Styles are derived
from it with seeded, meaning-preserving rewrites: without diacritics,
phone shorthand (không→ko, được→dc, rồi→r, em→e, anh→a), one typing slip
in a word (doubled, dropped or swapped letter, or a Telex tone key left at
the end), an emoji, and a long polite frame. Some bases are only kept in
their own style (leaders' short answers, malformed figures) where a rewrite
would change what they mean. Run: python3 tests/data/make_replies.py
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from handlers.text.fold import strip_diacritics  # noqa: E402

OUT = Path(__file__).with_name("replies.tsv")
NOW = "2026-12-01T09:00"  # a Tuesday
LATE = "2026-12-20T10:00"  # a Sunday near the year's end: "15/1" is next year

# (text, intent, percent, until, now, derive styles?)
P, D, E, A, R, T, Q, N, U = "progress", "done", "extension", "approve", "refuse", "thanks", "question", "note", "unclear"
BASES: list[tuple[str, str, object, str | None, str, bool]] = [
    # progress
    ("xong 80%", P, 80, None, NOW, True),
    ("được 80% rồi", P, 80, None, NOW, True),
    ("Đã thực hiện được 60%", P, 60, None, NOW, True),
    ("tiến độ 45%", P, 45, None, NOW, True),
    ("80,5%", P, 80.5, None, NOW, True),
    ("đạt 72.5%", P, 72.5, None, NOW, True),
    ("hoàn thành 90%", P, 90, None, NOW, True),
    ("em báo cáo tiến độ đạt 30%", P, 30, None, NOW, True),
    ("mới được 10%", P, 10, None, NOW, True),
    ("0%", P, 0, None, NOW, False),
    ("chưa làm được gì, 0%", P, 0, None, NOW, True),
    ("đã xong 95%, còn chờ ký", P, 95, None, NOW, True),
    ("từ 50% lên 70% rồi", P, 70, None, NOW, True),
    ("khoảng 65 phần trăm", P, 65, None, NOW, True),
    ("Phòng em đã hoàn thiện dự thảo, tiến độ khoảng 75%", P, 75, None, NOW, True),
    ("đã trình lãnh đạo ký, được 85% rồi", P, 85, None, NOW, True),
    ("làm được nửa rồi, 50%", P, 50, None, NOW, True),
    ("cập nhật: 40%", P, 40, None, NOW, True),
    ("xong 99%", P, 99, None, NOW, True),
    ("Tiến độ hiện tại 33,3%", P, 33.3, None, NOW, True),
    ("đã lấy ý kiến các phòng, đạt 55%", P, 55, None, NOW, True),
    ("chưa xong, mới 60%", P, 60, None, NOW, True),
    ("80 %", P, 80, None, NOW, True),
    ("xong được 25% thôi", P, 25, None, NOW, True),
    ("Báo cáo: nhiệm vụ đã đạt 70% khối lượng", P, 70, None, NOW, True),
    ("đã tổ chức họp, tiến độ 35%", P, 35, None, NOW, True),
    # done
    ("xong", D, 100, None, NOW, True),
    ("đã xong", D, 100, None, NOW, True),
    ("Đã hoàn thành", D, 100, None, NOW, True),
    ("100%", D, 100, None, NOW, False),
    ("xong 100%", D, 100, None, NOW, True),
    ("đã hoàn thành 100% nhiệm vụ", D, 100, None, NOW, True),
    ("xong rồi em", D, 100, None, NOW, True),
    ("Đã xong rồi!", D, 100, None, NOW, True),
    ("nhiệm vụ này đã hoàn thành", D, 100, None, NOW, True),
    ("phòng em đã hoàn thành, đã gửi văn bản lên Sở", D, 100, None, NOW, True),
    ("đã ban hành kế hoạch, hoàn thành nhiệm vụ", D, 100, None, NOW, True),
    ("hoàn tất rồi", D, 100, None, NOW, True),
    ("done", D, 100, None, NOW, False),
    ("xong rồi nhé", D, 100, None, NOW, True),
    ("đã làm xong", D, 100, None, NOW, True),
    ("báo cáo anh việc này em đã xong", D, 100, None, NOW, True),
    ("✅ xong", D, 100, None, NOW, False),
    ("đạt 100% rồi", D, 100, None, NOW, True),
    ("đã thực hiện xong, văn bản số 123/SKHCN-VP", D, 100, None, NOW, True),
    # extension
    ("xin gia hạn đến 15/12 do chờ quyết định phê duyệt", E, None, "2026-12-15", NOW, True),
    ("xin gia hạn đến ngày 15 tháng 12", E, None, "2026-12-15", NOW, True),
    ("đề nghị gia hạn đến thứ sáu tuần này", E, None, "2026-12-04", NOW, True),
    ("xin gia hạn đến cuối tháng", E, None, "2026-12-31", NOW, True),
    ("xin gia hạn hết tháng 12", E, None, "2026-12-31", NOW, True),
    ("xin gia hạn thêm 5 ngày", E, None, None, NOW, True),
    ("cho em xin thêm thời gian", E, None, None, NOW, True),
    ("xin lùi hạn sang tuần sau", E, None, None, NOW, True),
    ("xin gia hạn đến 20/12/2026 vì chờ số liệu của các huyện", E, None, "2026-12-20", NOW, True),
    ("xong 80% nhưng xin thêm 1 tuần", E, None, None, NOW, True),
    ("được 70% rồi, xin gia hạn đến 10/12", E, None, "2026-12-10", NOW, True),
    ("kính đề nghị lãnh đạo cho gia hạn đến 31/12", E, None, "2026-12-31", NOW, True),
    ("Em xin phép lùi hạn đến thứ 6 tuần sau ạ", E, None, "2026-12-11", NOW, True),
    ("xin gia hạn", E, None, None, NOW, True),
    ("cần thêm thời gian, đề nghị gia hạn", E, None, None, NOW, True),
    ("xin điều chỉnh thời hạn đến 25/12", E, None, "2026-12-25", NOW, True),
    ("xin kéo dài thời hạn đến hết tháng 1", E, None, "2027-01-31", NOW, True),
    ("xin gia hạn đến 15/1", E, None, "2027-01-15", LATE, True),
    ("xin gia hạn đến ngày 5 tháng 1 năm 2027", E, None, "2027-01-05", LATE, True),
    ("mong anh cho gia hạn đến cuối tháng", E, None, "2026-12-31", NOW, True),
    ("việc này chưa kịp, xin thêm 2 tuần", E, None, None, NOW, True),
    ("xin dời hạn đến 18/12 do đang chờ ý kiến Sở Tài chính", E, None, "2026-12-18", NOW, True),
    ("đề nghị gia hạn đến 30-12", E, None, "2026-12-30", NOW, True),
    ("gia hạn giúp em đến 22/12 nhé", E, None, "2026-12-22", NOW, True),
    ("xin gia hạn tới thứ năm", E, None, "2026-12-03", NOW, True),
    ("xin gia hạn đến ngày mai", E, None, "2026-12-02", NOW, True),
    ("xin lùi thời hạn 1 tháng", E, None, None, NOW, True),
    ("xin gia hạn đến 15/12, hiện đã được 60%", E, None, "2026-12-15", NOW, True),
    ("đề nghị cho nộp chậm đến 12/12", E, None, "2026-12-12", NOW, True),
    # approve
    ("đồng ý", A, None, None, NOW, True),
    ("Đồng ý gia hạn", A, None, None, NOW, True),
    ("đồng ý gia hạn đến 20/12", A, None, None, NOW, True),
    ("ok duyệt", A, None, None, NOW, True),
    ("duyệt", A, None, None, NOW, False),
    ("chấp thuận", A, None, None, NOW, True),
    ("nhất trí", A, None, None, NOW, True),
    ("anh đồng ý, em cố gắng hoàn thành trước 20/12 nhé", A, None, None, NOW, True),
    ("Đồng ý cho gia hạn đến ngày 15 tháng 12", A, None, None, NOW, True),
    ("đồng ý, lần sau chú ý tiến độ", A, None, None, NOW, True),
    ("ừ đồng ý", A, None, None, NOW, True),
    ("thống nhất gia hạn", A, None, None, NOW, True),
    ("đồng ý nhé", A, None, None, NOW, True),
    ("chị đồng ý", A, None, None, NOW, True),
    # refuse
    ("không đồng ý", R, None, None, NOW, True),
    ("Không đồng ý, việc này phải xong đúng hạn", R, None, None, NOW, True),
    ("không đồng ý, sao trễ vậy?", R, None, None, NOW, True),
    ("không duyệt", R, None, None, NOW, True),
    ("từ chối", R, None, None, NOW, True),
    ("chưa đồng ý, em báo cáo lại lý do cụ thể", R, None, None, NOW, True),
    ("không chấp thuận gia hạn đến 30/12", R, None, None, NOW, True),
    ("anh không đồng ý gia hạn, tại sao đến giờ mới báo?", R, None, None, NOW, True),
    ("không được, phải xong trước 15/12", R, None, None, NOW, True),
    ("không đồng ý vì UBND tỉnh đã yêu cầu báo cáo trước 10/12", R, None, None, NOW, True),
    ("không cho gia hạn", R, None, None, NOW, True),
    ("từ chối đề nghị gia hạn", R, None, None, NOW, True),
    # thanks
    ("ok em", T, None, None, NOW, True),
    ("dạ vâng", T, None, None, NOW, True),
    ("cảm ơn", T, None, None, NOW, True),
    ("👍", T, None, None, NOW, False),
    ("ok", T, None, None, NOW, False),
    ("dạ em cảm ơn anh", T, None, None, NOW, True),
    ("cám ơn bot nhé", T, None, None, NOW, True),
    ("thanks", T, None, None, NOW, False),
    ("dạ", T, None, None, NOW, False),
    ("vâng ạ", T, None, None, NOW, True),
    ("em nhận được rồi ạ", T, None, None, NOW, True),
    ("ok cảm ơn", T, None, None, NOW, True),
    ("🙏", T, None, None, NOW, False),
    ("dạ em đã nhận thông tin", T, None, None, NOW, True),
    ("rõ rồi", T, None, None, NOW, True),
    ("cảm ơn nhiều nhé", T, None, None, NOW, True),
    ("ok anh", T, None, None, NOW, True),
    ("Dạ vâng, em cảm ơn chị ạ", T, None, None, NOW, True),
    ("ghi nhận", T, None, None, NOW, True),
    ("👌👌", T, None, None, NOW, False),
    # question
    ("tôi còn bao nhiêu việc", Q, None, None, NOW, True),
    ("việc quá hạn của chi cục", Q, None, None, NOW, True),
    ("hạn của việc này là ngày nào?", Q, None, None, NOW, True),
    ("đã xong chưa?", Q, None, None, NOW, True),
    ("việc này giao cho phòng nào?", Q, None, None, NOW, True),
    ("hồ sơ trễ hạn tháng này", Q, None, None, NOW, True),
    ("phòng em còn mấy việc chưa xong", Q, None, None, NOW, True),
    ("điểm CCHC dự kiến bao nhiêu", Q, None, None, NOW, True),
    ("ai phụ trách nhiệm vụ này vậy", Q, None, None, NOW, True),
    ("làm sao để gửi file kiểm chứng?", Q, None, None, NOW, True),
    ("sao lại nhắc việc này nữa?", Q, None, None, NOW, True),
    ("nhiệm vụ này hạn khi nào", Q, None, None, NOW, True),
    ("danh sách việc sắp đến hạn", Q, None, None, NOW, True),
    ("cho em hỏi việc này đã gia hạn chưa ạ", Q, None, None, NOW, False),
    ("những việc nào của phòng em đang quá hạn", Q, None, None, NOW, True),
    ("báo cáo tuần", Q, None, None, NOW, True),
    ("tiến độ hiện tại là bao nhiêu phần trăm?", Q, None, None, NOW, True),
    ("em phải báo cáo cho ai?", Q, None, None, NOW, True),
    # note
    ("chưa xong, đang chờ ký", N, None, None, NOW, True),
    ("đã ban hành KH 59/KH-SKHCN ngày 31/1", N, None, None, NOW, True),
    ("đang trình ký", N, None, None, NOW, True),
    ("đã gửi dự thảo xin ý kiến các phòng", N, None, None, NOW, True),
    ("đang chờ Sở Tài chính thẩm định", N, None, None, NOW, True),
    ("sắp xong rồi", N, None, None, NOW, True),
    ("gần xong", N, None, None, NOW, True),
    ("đã họp với các đơn vị liên quan, đang tổng hợp ý kiến", N, None, None, NOW, True),
    ("hoàn thành một phần", N, None, None, NOW, True),
    ("phòng em đang triển khai, dự kiến tuần sau xong", N, None, None, NOW, True),
    ("đã chuyển văn thư phát hành", N, None, None, NOW, True),
    ("chưa thực hiện được do thiếu kinh phí", N, None, None, NOW, True),
    ("đang làm", N, None, None, NOW, True),
    ("đã giao chuyên viên theo dõi", N, None, None, NOW, True),
    ("văn bản đang ở bộ phận văn thư", N, None, None, NOW, True),
    ("đã gửi báo cáo qua email cho Văn phòng", N, None, None, NOW, True),
    ("em đã nhắc chuyên viên, chiều nay gửi bản dự thảo", N, None, None, NOW, True),
    ("đã hoàn thiện hồ sơ, chờ lãnh đạo Sở ký duyệt", N, None, None, NOW, True),
    ("chưa hoàn thành vì đang chờ số liệu của các huyện", N, None, None, NOW, True),
    ("đang tổng hợp số liệu quý IV", N, None, None, NOW, True),
    ("hoàn thành dự thảo, đang lấy ý kiến", N, None, None, NOW, True),
    ("đã tổ chức kiểm tra 3 đơn vị, còn 2 đơn vị", N, None, None, NOW, True),
    # unclear
    ("xong 8o%", U, None, None, NOW, True),
    ("-5%", U, None, None, NOW, False),
    ("180%", U, None, None, NOW, False),
    ("xong 180%", U, None, None, NOW, True),
    ("80", U, None, None, NOW, False),
    ("95.", U, None, None, NOW, False),
    ("đạt 8O%", U, None, None, NOW, True),
    ("xong l00%", U, None, None, NOW, True),
    ("được -20%", U, None, None, NOW, True),
    ("150 %", U, None, None, NOW, False),
    (".", U, None, None, NOW, False),
    ("???", U, None, None, NOW, False),
    ("xong 5o%", U, None, None, NOW, True),
    ("tiến độ 1000%", U, None, None, NOW, True),
]

# Written after the parser was built and never used to tune it: the "held-out"
# style measures how the rules generalise to phrasings they were not fitted on.
HELD_OUT: list[tuple[str, str, object, str | None, str, bool]] = [
    ("Dạ em báo cáo, nhiệm vụ đã đạt khoảng 40% ạ", P, 40, None, NOW, False),
    ("tiến độ tới nay 15%", P, 15, None, NOW, False),
    ("được 2/3 rồi, tầm 65%", P, 65, None, NOW, False),
    ("đang ở mức 90%", P, 90, None, NOW, False),
    ("cap nhat tien do 20%", P, 20, None, NOW, False),
    ("da dat 55,5% khoi luong", P, 55.5, None, NOW, False),
    ("Kết quả: hoàn thành 30% kế hoạch", P, 30, None, NOW, False),
    ("phòng đã triển khai được 45 phần trăm", P, 45, None, NOW, False),
    ("Xong hết rồi anh ơi", D, 100, None, NOW, False),
    ("đã hoàn thành và gửi báo cáo về Văn phòng", D, 100, None, NOW, False),
    ("xong r nhé", D, 100, None, NOW, False),
    ("em làm xong rồi ạ", D, 100, None, NOW, False),
    ("nhiệm vụ đã hoàn tất 100%", D, 100, None, NOW, False),
    ("hoàn thành rồi", D, 100, None, NOW, False),
    ("Đã ban hành Quyết định, nhiệm vụ hoàn thành", D, 100, None, NOW, False),
    ("xin phép gia hạn sang 10/1 năm sau", E, None, "2027-01-10", NOW, False),
    ("em xin gia hạn thêm 1 tuần nữa ạ", E, None, None, NOW, False),
    ("xin lui han den 28/12", E, None, "2026-12-28", NOW, False),
    ("Kính đề nghị Phó Giám đốc cho phép gia hạn đến ngày 20 tháng 12 năm 2026", E, None, "2026-12-20", NOW, False),
    ("xin gia han den t6 tuan sau", E, None, "2026-12-11", NOW, False),
    ("cho em xin gia hạn tới cuối tháng 1", E, None, "2027-01-31", NOW, False),
    ("do chờ ý kiến của Bộ nên xin gia hạn đến 31/12", E, None, "2026-12-31", NOW, False),
    ("việc này cần thêm thời gian khoảng 2 tuần", E, None, None, NOW, False),
    ("xin gia hạn tới 5/1/2027", E, None, "2027-01-05", NOW, False),
    ("được 50% rồi nhưng xin gia hạn đến 18/12", E, None, "2026-12-18", NOW, False),
    ("ok, đồng ý", A, None, None, NOW, False),
    ("Đồng ý cho gia hạn", A, None, None, NOW, False),
    ("duyệt nhé em", A, None, None, NOW, False),
    ("anh chấp thuận", A, None, None, NOW, False),
    ("Nhất trí gia hạn đến 31/12", A, None, None, NOW, False),
    ("dong y", A, None, None, NOW, False),
    ("không đồng ý nhé", R, None, None, NOW, False),
    ("ko dong y, lam cho xong di", R, None, None, NOW, False),
    ("không duyệt, đã gia hạn một lần rồi", R, None, None, NOW, False),
    ("Không đồng ý. Tại sao báo cáo chậm vậy?", R, None, None, NOW, False),
    ("từ chối, phải hoàn thành đúng hạn", R, None, None, NOW, False),
    ("Dạ vâng ạ", T, None, None, NOW, False),
    ("okie", T, None, None, NOW, False),
    ("cảm ơn bạn", T, None, None, NOW, False),
    ("em cảm ơn ạ 🙏", T, None, None, NOW, False),
    ("👍👍👍", T, None, None, NOW, False),
    ("vâng, em nhận", T, None, None, NOW, False),
    ("ok thanks", T, None, None, NOW, False),
    ("việc này hạn bao giờ?", Q, None, None, NOW, False),
    ("phòng tôi còn mấy việc quá hạn?", Q, None, None, NOW, False),
    ("làm sao để xin gia hạn?", Q, None, None, NOW, False),
    ("ai là người phụ trách việc này", Q, None, None, NOW, False),
    ("hồ sơ quá hạn của chi cục tháng này", Q, None, None, NOW, False),
    ("tiến độ đang được ghi nhận là bao nhiêu?", Q, None, None, NOW, False),
    ("đang chờ ký ban hành", N, None, None, NOW, False),
    ("đã gửi xin ý kiến Sở Nội vụ, chưa có phản hồi", N, None, None, NOW, False),
    ("chuyên viên đang soạn dự thảo", N, None, None, NOW, False),
    ("Đã họp triển khai, đang phân công nhiệm vụ", N, None, None, NOW, False),
    ("chưa làm được vì chưa có kinh phí", N, None, None, NOW, False),
    ("đã trình ký lãnh đạo Sở", N, None, None, NOW, False),
    ("sắp hoàn thành", N, None, None, NOW, False),
    ("xong 7O%", U, None, None, NOW, False),
    ("200%", U, None, None, NOW, False),
    ("50", U, None, None, NOW, False),
    ("đạt -10%", U, None, None, NOW, False),
]

SHORTHAND = [(r"\bkhông\b", "ko"), (r"\bđược\b", "dc"), (r"\brồi\b", "r"), (r"\bem\b", "e"), (r"\banh\b", "a"),
             (r"\bvới\b", "vs"), (r"\bcảm ơn\b", "tks"), (r"\bhoàn thành\b", "ht"), (r"\bnhiệm vụ\b", "nv")]
POLITE_HEAD = ("Dạ kính gửi anh, ", "Dạ em chào chị, ", "Kính gửi Văn phòng, ", "Dạ báo cáo lãnh đạo, ")
POLITE_TAIL = (" Em xin cảm ơn anh ạ.", " Trân trọng cảm ơn!", " Em cảm ơn chị nhiều ạ.", " Kính mong lãnh đạo quan tâm.")
EMOJI = ("🙏", "😊", "👍", "🙂", "😅")
TELEX = "fsrxj"
# Words a slip is never put into: a slip there changes the meaning (a negation,
# a leader's answer) or is a number; the rest of the message is fair game.
NO_SLIP = {"không", "chưa", "đồng", "ý", "duyệt", "sắp", "gần", "một", "phần", "từ", "chối"}


def plain(text: str) -> str:
    return strip_diacritics(text)


def shorthand(text: str) -> str | None:
    out = text
    for pattern, repl in SHORTHAND:
        out = re.sub(pattern, repl, out, flags=re.IGNORECASE)
    return out if out != text else None


def slip(text: str, rng: random.Random) -> str | None:
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 4 and w.lower() not in NO_SLIP]
    if not idx:
        return None
    i = rng.choice(idx)
    w = words[i]
    kind = rng.choice(("double", "drop", "swap", "telex"))
    j = rng.randrange(1, len(w) - 1)
    if kind == "double":
        w = w[:j] + w[j] + w[j:]
    elif kind == "drop":
        w = w[:j] + w[j + 1:]
    elif kind == "swap":
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    else:
        w = plain(w) + rng.choice(TELEX)
    words[i] = w
    return " ".join(words)


def rows() -> list[dict[str, str]]:
    rng = random.Random(16)
    out = []

    def add(style: str, text: str, base) -> None:
        _text, intent, percent, until, now, _derive = base
        out.append({"style": style, "now": now, "text": text, "intent": intent,
                    "percent": "" if percent is None else str(percent), "until": until or ""})

    for base in HELD_OUT:
        add("held-out", base[0], base)
    for base in BASES:
        text, intent, _p, _u, _now, derive = base
        add("diacritics" if plain(text) != text else "plain", text, base)
        if not derive:
            continue
        if plain(text) != text:
            add("plain", plain(text), base)
        short = shorthand(text)
        if short:
            add("abbrev", plain(short) if rng.random() < 0.5 else short, base)
        typo = slip(text, rng)
        if typo:
            add("typo", typo, base)
        add("emoji", f"{text} {rng.choice(EMOJI)}", base)
        if intent in ("progress", "done", "extension", "note", "question"):
            add("polite", rng.choice(POLITE_HEAD) + text[0].lower() + text[1:] + "." + rng.choice(POLITE_TAIL), base)
    return out


def main() -> None:
    data = rows()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["style", "now", "text", "intent", "percent", "until"],
                                delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    print(f"{len(data)} replies → {OUT}")


if __name__ == "__main__":
    main()
