"""The official procedure catalogue: imported from a file or in chat, re-import
is an upsert, and the report's procedure and online-service figures use it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from handlers.core.messages import Attachment
from handlers.core.router import Core
from handlers.dossiers.figures import DossierRecord, procedure_figures, procedure_lines_vi
from handlers.dossiers.procedures import import_procedures
from handlers.dossiers.store import processing_days
from handlers.demo.data import load_demo
from models.db import transaction
from models.dossiers import Dossier, Procedure
from tests.conftest import NOW, Chat, text_of
from tests.dossier_db import store

CATALOGUE = Path(__file__).parent / "data" / "procedures_catalogue.csv"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _dossier(code: str, procedure: str, channel: str) -> DossierRecord:
    at = datetime(2026, 3, 2, 9)
    return DossierRecord(code=code, procedure=procedure, field=None, unit="QLKH", received_at=at,
                         due_at=datetime(2026, 3, 20, 17), original_due_at=None, resolved_at=None, returned_at=None,
                         status=4, channel=channel, service_level=None, apology_at=None, new_due_at=None)


def test_import_counts_errors_and_reimport_is_an_upsert(factory):
    data = CATALOGUE.read_bytes()
    with transaction(factory) as s:
        first = import_procedures(s, CATALOGUE.name, data)
    assert (first.added, first.updated, first.unchanged) == (7, 0, 0)
    assert [(e.row_number, "theo quy định" in e.reason) for e in first.errors] == [(9, True)]
    assert "7" in first.summary_vi() and "Dòng 9" in first.summary_vi()
    with transaction(factory) as s:
        again = import_procedures(s, CATALOGUE.name, data)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 7)
        changed = data.replace("8 ngày làm việc".encode(), "10 ngày làm việc".encode())
        third = import_procedures(s, CATALOGUE.name, changed)
        assert (third.added, third.updated, third.unchanged) == (0, 1, 6)
    with factory() as s:
        procs = {p.code: p for p in s.scalars(select(Procedure))}
        assert len(procs) == 7
        assert procs["1.001132"].processing_days == 10 and procs["1.001132"].online_level is None
        assert procs["1.008023"].online_level == "một phần"  # "Mức độ 3" read in current terms
        assert procs["1.000999"].online_level == "toàn trình"  # "Mức độ 4"
        assert procs["1.004513"].postal and procs["1.004513"].fee == "200.000 đồng"
        assert procs["1.002335"].unit.code == "QLKH" and procs["1.001132"].unit.code == "TDC"
        # Dossier exports without an appointment date get it from the catalogue.
        assert processing_days(s)["Cấp chứng chỉ nhân viên bức xạ"] == 5


def test_report_counts_come_from_the_catalogue_and_show_online_procedures_without_dossiers(factory):
    with transaction(factory) as s:
        import_procedures(s, CATALOGUE.name, CATALOGUE.read_bytes())
        store(s, [_dossier("A", "Cấp Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ", "online"),
                  _dossier("B", "cấp chứng chỉ nhân viên  bức xạ", "direct"),  # spelled differently
                  _dossier("C", "Thủ tục ngoài danh mục", "online")], replace=False)
    with factory() as s:
        pf = procedure_figures(s, date(2026, 1, 1), date(2026, 6, 30))
        linked = s.scalar(select(Procedure.code).join(Dossier, Dossier.procedure_id == Procedure.id)
                          .where(Dossier.code == "B"))
    assert linked == "1.004513"
    assert (pf.total, pf.online, pf.online_full, pf.online_partial, pf.from_catalogue) == (7, 6, 4, 2, True)
    assert "Cấp chứng chỉ nhân viên bức xạ" in pf.online_without_dossiers  # online service, no online dossier
    assert "Cấp Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ" not in pf.online_without_dossiers
    text = "\n".join(procedure_lines_vi(pf))
    assert "Sở đang thực hiện 7 thủ tục hành chính, trong đó 6 thủ tục cung cấp dịch vụ công trực tuyến" in text
    assert "toàn trình: 4, một phần: 2" in text and "mức độ" not in text.lower()
    assert "chưa phát sinh hồ sơ trực tuyến trong kỳ: 5 thủ tục" in text


def test_the_office_sends_the_catalogue_in_chat(factory, settings):
    from handlers.features import build_registry
    with transaction(factory) as s:
        load_demo(s, NOW.date(), TZ, dossier_count=0)
    office = Chat(Core(factory, settings, build_registry(), clock=lambda: NOW), "admin")
    data = CATALOGUE.read_bytes()
    att = Attachment(file_name="danh-muc-tthc.csv", mime_type="text/csv", data=data, size=len(data))
    text = text_of(office.say("", attachment=att))
    assert "Danh mục thủ tục" in text and "7" in text and "Dòng 9" in text
    with factory() as s:
        assert s.scalar(select(Procedure.id).where(Procedure.code == "1.002335")) is not None
