"""Rebuilds the small hand-written fixture files of this folder.

Run ``python tests/data/dossiers/make_fixtures.py``. The CSV is written the
way old Windows exports are: code page 1258 (Vietnamese, with separate tone
marks) and ``;`` as delimiter, with a title line above the header.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

CP1258_ROWS = [
    "BÁO CÁO DANH SÁCH HỒ SƠ - SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    "",
    "STT;Số hồ sơ;Tên TTHC;Lĩnh vực;Cơ quan xử lý;Ngày nhận;Hạn xử lý;Ngày có kết quả;Ngày trả kết quả;Tình trạng;Kênh",
    "1;HS-0001;Cấp chứng chỉ nhân viên bức xạ;An toàn bức xạ;Phòng QLCN;02/03/2026 08:15;09/03/2026 08:15;06/03/2026 10:00;06/03/2026 15:00;Đã trả kết quả;Trực tuyến",
    "2;HS-0002;Đăng ký công bố hợp quy;Tiêu chuẩn đo lường chất lượng;Chi cục TĐC;03/03/2026;10/03/2026;;;Đang xử lý;BCCI",
    "3;HS-0003;Đăng ký công bố hợp chuẩn;Tiêu chuẩn đo lường chất lượng;Chi cuc Tieu chuan Do luong Chat luong;04/03/2026;11/03/2026;05/03/2026;;Công dân rút hồ sơ;Trực tiếp",
]


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 keeps vowels with hats/horns precomposed but tones separate."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            tones = "".join(c for c in parts if c in TONES)
            out += (base + tones).encode("cp1258")
    return bytes(out)


def main() -> None:
    (HERE / "export_cp1258_semicolon.csv").write_bytes(encode_cp1258("\r\n".join(CP1258_ROWS) + "\r\n"))


if __name__ == "__main__":
    main()
