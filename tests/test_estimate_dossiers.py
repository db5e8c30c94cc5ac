"""The estimate reads the year's dossiers from the database: the on-time share
and the apology item are scored from the bands once dossiers were resolved,
and say "chưa có dữ liệu" only when there are none."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.scoring.data import current_estimate
from models.db import transaction
from models.dossiers import Dossier
from tests import factories as f
from tests.conftest import TZ

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
ON_TIME, APOLOGY = "3.3.1", "3.3.3"  # dept-2022-2030, the default framework


def _dt(m: int, d: int, hh: int = 9) -> datetime:
    return datetime(2026, m, d, hh, tzinfo=TZ)


def _estimate(factory, settings):
    with factory() as s:
        return current_estimate(s, NOW, settings)


def test_resolved_dossiers_are_scored_from_the_bands(factory, settings):
    with transaction(factory) as s:
        tdc = f.unit(s, "TDC")
        for i in range(18):  # resolved a day before the appointment date
            s.add(Dossier(code=f"HS-{i:02}", procedure_name="Thủ tục thử", unit=tdc, received_at=_dt(10, 1),
                          due_at=_dt(10, 15, 17), resolved_at=_dt(10, 14), status=10, channel="online"))
        # two returned late: one with the apology letter (Mẫu 04) sent before the appointment, one without
        s.add(Dossier(code="HS-LATE-OK", procedure_name="Thủ tục thử", unit=tdc, received_at=_dt(9, 1),
                      due_at=_dt(9, 15, 17), apology_at=_dt(9, 14), resolved_at=_dt(9, 22), status=10))
        s.add(Dossier(code="HS-LATE-NO", procedure_name="Thủ tục thử", unit=tdc, received_at=_dt(9, 1),
                      due_at=_dt(9, 15, 17), resolved_at=_dt(9, 22), status=10))
    est = _estimate(factory, settings)
    on_time, apology = est.leaf(ON_TIME), est.leaf(APOLOGY)
    assert on_time.status != "no_data" and on_time.figures != "chưa có dữ liệu"
    assert on_time.points == 1.5  # 18/20 = 90% → the ≥ 90% band: half of 3
    assert "18/20 hồ sơ giải quyết đúng hạn" in on_time.figures
    assert apology.status == "deducted" and apology.points == 0  # 1 of 2 late dossiers without a letter
    assert "1/2 hồ sơ trễ hạn có phiếu xin lỗi" in apology.figures
    (loss,) = [d for d in est.deductions if d.criterion_code == APOLOGY]
    assert "HS-LATE-NO" in loss.what and "HS-LATE-OK" not in loss.what


def test_no_dossiers_means_no_data(factory, settings):
    est = _estimate(factory, settings)
    for code in (ON_TIME, APOLOGY):
        leaf = est.leaf(code)
        assert (leaf.status, leaf.points, leaf.figures) == ("no_data", 0, "chưa có dữ liệu")
