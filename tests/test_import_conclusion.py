"""Conclusion importer: the two seed conclusions as the office would check them."""

from __future__ import annotations

from benches.bench_import_conclusion import docx_bytes

import io
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.tasks.importers.conclusion import parse_conclusion
from handlers.tasks.importers.readers import read_document
from handlers.text.fold import strip_diacritics

DATA = Path(__file__).parent / "data" / "conclusions"
SEED_000 = "000_ac2fbbd9d4a28b6a.txt"
SEED_003 = "003_f96fe6ac96a9506c.txt"
COMPARED = ("ref", "lead_units", "support_units", "all_units", "deadline", "recurrence")


def seed(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def tasks_by_ref(text: str) -> dict[str, dict]:
    return {t["ref"]: t for t in parse_conclusion(text).to_json()["tasks"]}


def essentials(text: str) -> list[tuple]:
    return [tuple(t[k] for k in COMPARED) for t in parse_conclusion(text).to_json()["tasks"]]


def test_seed_copies_match_shared_seeds():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.exists():
        pytest.skip("shared/ not checked out beside the repository")
    for name in (SEED_000, SEED_003):
        assert (shared / name).read_text(encoding="utf-8") == seed(name)


# -- acceptance 1 ---------------------------------------------------------------------
def test_000_ten_numbered_items_become_ten_tasks():
    tasks = tasks_by_ref(seed(SEED_000))
    assert list(tasks) == [str(i) for i in range(1, 11)]
    assert tasks["3"]["lead_units"] == ["VP", "QLCN", "TDC"]
    assert tasks["3"]["deadline"] == "2021-12-31"
    assert tasks["7"]["lead_units"] == ["TTRA", "TDC"]
    assert tasks["3"]["content"].startswith("Giao Văn phòng Sở")
    assert "mỗi phòng, đơn vị đăng ký" in tasks["3"]["content"]  # broken wraps re-joined


def test_000_all_units_target_and_header():
    draft = parse_conclusion(seed(SEED_000))
    tasks = {t.ref: t for t in draft.tasks}
    assert tasks["1"].all_units and tasks["4"].all_units and not tasks["3"].all_units
    assert "≥ 50%" in tasks["4"].target
    assert tasks["9"].lead_units == [] and not tasks["9"].all_units
    doc = draft.to_json()["doc"]
    assert doc["number"] is None  # this extract has no "Số:" line
    assert doc["date"] == "2021-05-18"  # no issue date: the meeting date, with a warning
    assert draft.warnings and "18/05/2021" in draft.warnings[0]
    assert doc["signer"] == "Nguyễn Văn Thành"
    assert doc["title"].startswith("Kết luận của Giám đốc Sở tại buổi Tọa đàm")
    assert "Trên đây là" not in tasks["10"].content


def test_003_sections_with_assignments():
    tasks = tasks_by_ref(seed(SEED_003))
    assert list(tasks) == [
        *(f"I.1.{x}" for x in "abcd"),
        *(f"II.1.{x}" for x in ["a", "b", "c", "d", "đ", "e", "g"]),
        "III.1", "IV.1", "IV.2",
        *(f"V.1.{x}" for x in ["a", "b", "c", "d", "đ"]),
    ]
    assert tasks["I.1.b"]["persons"] == ["Trần Công Hòa", "Phạm Thành Phương"]
    assert tasks["I.1.b"]["lead_units"] == ["TDC"]
    assert tasks["II.1.đ"]["lead_units"] == ["QLCN"] and tasks["II.1.đ"]["persons"] == ["Trần Công Hòa"]
    assert tasks["II.1.g"]["lead_units"] == ["TTUD"]
    assert tasks["II.1.g"]["persons"] == ["Phan Văn Hiếu", "Trần Thị Cẩm Vân"]
    assert tasks["II.1.a"]["all_units"]  # "Đơn vị phối hợp: Các phòng, đơn vị thuộc Sở"
    assert tasks["III.1"]["lead_units"] == ["TTRA"] and tasks["III.1"]["all_units"]
    assert tasks["V.1.đ"]["recurrence"] == "yearly"
    assert tasks["V.1.c"]["deadline"] is None  # "đạt điểm thấp trong năm 2020" is history
    assert "Trên 50%" in tasks["II.1.a"]["target"]


def test_003_header():
    doc = parse_conclusion(seed(SEED_003)).to_json()["doc"]
    assert doc == {
        "number": None,  # "Số: /KL-SKHCN" has no number yet
        "date": "2021-08-16",
        "signer": "Nguyễn Văn Thành",
        "title": doc["title"],
    }
    assert doc["title"].startswith("Kết luận của Giám đốc Sở Khoa học và Công nghệ tại cuộc họp")


def test_number_date_and_deputy_signer():
    text = (
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ\nSố: 664/KL-SKH&CN\nQuảng Ngãi, ngày 27 tháng 5 năm 2021\n\nKẾT LUẬN\n"
        "của Giám đốc Sở về công tác CCHC\n\nGiám đốc Sở kết luận như sau:\n"
        "1. Văn phòng Sở chủ trì, phối hợp với Thanh tra Sở tổng hợp, báo cáo hàng tháng.\n"
        "2. Phòng Quản lý Khoa học hoàn thành trước ngày 30/6.\n"
        "3. Chi cục TĐC thực hiện trong quý III; phấn đấu đạt 100% hồ sơ đúng hạn.\n"
        "4. Phòng Kế hoạch – Tài chính thường xuyên theo dõi.\n"
        "5. Phòng Tổ chức cán bộ rà soát trong tháng 6/2021.\n\n"
        "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n\n(Đã ký)\n\nTrần Công Hòa\n"
    )
    draft = parse_conclusion(text).to_json()
    assert draft["doc"]["number"] == "664/KL-SKH&CN"
    assert draft["doc"]["date"] == "2021-05-27"
    assert draft["doc"]["signer"] == "Trần Công Hòa"
    t = {x["ref"]: x for x in draft["tasks"]}
    assert (t["1"]["lead_units"], t["1"]["support_units"], t["1"]["recurrence"]) == (["VP"], ["TTRA"], "monthly")
    assert t["1"]["deadline"] is None
    assert (t["2"]["lead_units"], t["2"]["deadline"]) == (["QLKH"], "2021-06-30")
    assert (t["3"]["lead_units"], t["3"]["deadline"]) == (["TDC"], "2021-09-30")
    assert "100%" in t["3"]["target"]
    assert (t["4"]["lead_units"], t["4"]["deadline"], t["4"]["recurrence"]) == (["KHTC"], None, None)
    assert t["5"]["lead_units"] == ["Phòng Tổ chức cán bộ"] and t["5"]["deadline"] == "2021-06-30"


def test_background_sections_and_inline_assignment():
    text = (
        "Số: 12/KL-SKHCN\nQuảng Ngãi, ngày 10 tháng 3 năm 2022\nKẾT LUẬN\nvề công tác CCHC\n"
        "Giám đốc Sở kết luận như sau:\n"
        "I. Đánh giá kết quả thực hiện năm 2021\n1. Kết quả đạt được: Văn phòng Sở đã hoàn thành 100% kế hoạch.\n"
        "2. Tồn tại, hạn chế: Thanh tra Sở còn chậm.\n"
        "II. Nhiệm vụ trọng tâm năm 2022\n"
        "a) Rà soát thủ tục hành chính.\nb) Cập nhật cổng thông tin.\nc) Tổ chức tập huấn.\n"
        "Phân công: Văn phòng Sở chủ trì tham mưu thực hiện các nội dung tại điểm a, b; "
        "Trung tâm Ứng dụng thực hiện nội dung tại điểm c, hoàn thành trước ngày 30/9/2022.\n"
    )
    t = tasks_by_ref(text)
    assert list(t) == ["II.a", "II.b", "II.c"]
    assert t["II.a"]["lead_units"] == ["VP"] and t["II.b"]["lead_units"] == ["VP"]
    assert t["II.c"]["lead_units"] == ["TTUD"] and t["II.c"]["deadline"] == "2022-09-30"


# -- acceptance 2: no diacritics, OCR ------------------------------------------------
@pytest.mark.parametrize("name", [SEED_000, SEED_003])
def test_stripped_diacritics_give_same_tasks(name):
    text = seed(name)
    assert essentials(strip_diacritics(text)) == essentials(text)


def test_ocr_letter_confusions():
    text = (
        "Giam doc So ket luan nhu sau:\n"
        "1. Giao Van phong S0 va Chi cuc Tieu chuan Do luong Chat Iuong bao cao hang thang.\n"
        "2. Trung tarn Ung dung va Dich vu Khoa hoc va Cong nghe thuc hien trong quy III/2021.\n"
    )
    t = tasks_by_ref(text)
    assert t["1"]["lead_units"] == ["VP", "TDC"] and t["1"]["recurrence"] == "monthly"
    assert t["2"]["lead_units"] == ["TTUD"] and t["2"]["deadline"] == "2021-09-30"


# -- acceptance 3: same text through .docx and .pdf ------------------------------------
def _docx_bytes(text: str) -> bytes:
    return docx_bytes(text)


def _pdf_bytes(text: str) -> bytes:
    """A text-layer PDF (matplotlib, DejaVu Sans embedded as TrueType), wrapped like print."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    lines: list[str] = []
    for para in text.splitlines():
        lines.extend(textwrap.wrap(para, 95) or [""])
    out = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(out) as pdf:
        for start in range(0, len(lines), 50):
            fig = plt.figure(figsize=(8.27, 11.69))
            for i, line in enumerate(lines[start : start + 50]):
                fig.text(0.04, 0.96 - i * 0.018, line, fontsize=7.5, family="DejaVu Sans")
            pdf.savefig(fig)
            plt.close(fig)
    return out.getvalue()


@pytest.mark.parametrize("name", [SEED_000, SEED_003])
def test_docx_and_pdf_give_same_tasks_as_txt(name):
    text = seed(name)
    expected = essentials(read_document(name, text.encode("utf-8")))
    from_docx = read_document("ket_luan.docx", _docx_bytes(text))
    assert essentials(from_docx) == expected
    from_pdf = read_document("ket_luan.pdf", _pdf_bytes(text))
    assert "Giám đốc" in from_pdf  # Vietnamese survives the PDF text layer
    assert essentials(from_pdf) == expected


# -- robustness -------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("1aIđ.)(-:;, \nPhòngVăn SởChi cụchàng thángtrước ngày30/6")), max_size=300))
def test_never_raises(text):
    draft = parse_conclusion(text, strict=True).to_json()  # strict: a crash fails the test
    assert set(draft) == {"doc", "tasks"}


def test_empty_text():
    assert parse_conclusion("").to_json() == {
        "doc": {"number": None, "date": None, "signer": None, "title": None},
        "tasks": [],
    }
