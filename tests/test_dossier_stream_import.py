"""Importing an export batch by batch (the command line's path for ten-year files):
the office must see exactly what it saw when the whole file was read first —
the later row of a repeated code kept, the repeat reported, each dossier
counted once — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from handlers.demo.dossier_samples import generate_dossiers, write_export_csv
from handlers.dossiers.export_reader import ExportStream, read_dossier_export
from handlers.dossiers.figures import RETURNED
from handlers.dossiers.store import ExportAborted, import_export, upsert_dossiers
from models.db import transaction
from models.dossiers import Dossier

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_DATA_ROW = 3  # title, header, then dossiers


@pytest.fixture(scope="module")
def records():
    return generate_dossiers(12, date(2026, 1, 1), date(2026, 3, 31), seed=7)


def _open_one(records):
    return next(r for r in records if r.status not in (3, 7, 9, 10))


def _later_row_of(r):
    """The same dossier listed again after it was returned to the citizen."""
    done = r.received_at + timedelta(days=2)
    return dataclasses.replace(r, status=RETURNED, resolved_at=done, returned_at=done)


def _import(factory, data: bytes, batch_size: int):
    stream = ExportStream("ho_so.csv", data, batch_size=batch_size)
    with transaction(factory) as session:
        stats = import_export(session, stream, TZ)
    return stream.result, stats


def _stored(factory, code: str) -> Dossier:
    with transaction(factory) as session:
        return session.scalars(select(Dossier).where(Dossier.code == code)).one()


def _count(factory) -> int:
    with transaction(factory) as session:
        return session.scalar(select(func.count()).select_from(Dossier))


def test_a_code_repeated_in_a_later_batch_keeps_the_later_row_and_is_reported(factory, records):
    repeated = _open_one(records)
    later = _later_row_of(repeated)
    rest = [r for r in records if r is not repeated]
    data = write_export_csv([repeated, *rest[:8], later, *rest[8:]])  # rows 3 and 12: three batches apart

    result, stats = _import(factory, data, batch_size=3)

    assert (stats.added, stats.updated, stats.unchanged) == (12, 0, 0)
    whole = read_dossier_export("ho_so.csv", data)  # what reading the whole file reports
    assert result.duplicates_in_file == whole.duplicates_in_file == [repeated.code]
    assert result.duplicate_rows == whole.duplicate_rows == {repeated.code: [FIRST_DATA_ROW, FIRST_DATA_ROW + 9]}
    assert result.summary_vi() == whole.summary_vi()
    assert "1 mã hồ sơ xuất hiện nhiều lần trong tệp (đã lấy dòng cuối): " + repeated.code in result.summary_vi()
    kept = _stored(factory, repeated.code)
    assert kept.status == RETURNED and kept.outcome is not None and kept.closed_on == later.resolved_at.date()
    assert _count(factory) == 12


def test_rows_in_the_database_are_the_same_whatever_the_batch_size(factory, records):
    later = _later_row_of(records[0])
    data = write_export_csv([*records, later])
    _import(factory, data, batch_size=5)
    columns = [c for c in Dossier.__table__.columns if c.name not in ("id", "updated_at")]
    with transaction(factory) as session:
        streamed = session.execute(select(*columns).order_by(Dossier.code)).all()
    with transaction(factory) as session:
        session.execute(Dossier.__table__.delete())
        upsert_dossiers(session, read_dossier_export("ho_so.csv", data).records, TZ)
    with transaction(factory) as session:
        whole = session.execute(select(*columns).order_by(Dossier.code)).all()
    assert streamed == whole and len(whole) == 12


@pytest.mark.parametrize("order", ["changed first", "changed last"])
def test_a_repeated_code_is_counted_once_against_what_was_stored(factory, records, order):
    """A newer export lists one dossier twice in different batches: counted once,
    by its last row compared with the row stored before this import."""
    _import(factory, write_export_csv(records), batch_size=4)
    one = _open_one(records)
    changed = _later_row_of(one)
    rest = [r for r in records if r is not one]
    rows = [one, *rest, changed] if order == "changed last" else [changed, *rest, one]
    result, stats = _import(factory, write_export_csv(rows), batch_size=4)

    assert result.duplicates_in_file == [one.code]
    if order == "changed last":
        assert (stats.added, stats.updated, stats.unchanged) == (0, 1, 11)
        assert _stored(factory, one.code).status == RETURNED
    else:  # the later row is what was already stored: nothing changed in the end
        assert (stats.added, stats.updated, stats.unchanged) == (0, 0, 12)
        assert _stored(factory, one.code).status == one.status


def test_a_file_unreadable_part_way_saves_nothing(factory, records):
    many = generate_dossiers(6200, date(2025, 1, 1), date(2026, 3, 31), seed=8)  # a bulk load (SQLite drops indexes)
    data = write_export_csv(many)
    broken = data + b"X-1," + b"x" * 200_000 + b"\r\n"  # a cell beyond csv's field limit, in the last line
    with pytest.raises(ExportAborted):
        _import(factory, broken, batch_size=5000)
    assert _count(factory) == 0
    stream = ExportStream("ho_so.csv", broken, batch_size=5000)
    assert list(stream.batches()) and stream.aborted
    assert stream.result.summary_vi().startswith("Đã đọc 0 hồ sơ hợp lệ.")
    assert "Không đọc được tệp ho_so.csv" in stream.result.errors[-1].reason_vi


def test_a_bulk_load_leaves_the_same_indexes_and_figures(factory, engine):
    many = generate_dossiers(6200, date(2025, 1, 1), date(2026, 3, 31), seed=9)
    before = _index_names(engine)
    result, stats = _import(factory, write_export_csv(many), batch_size=5000)
    assert stats.added == 6200 and result.errors == []
    assert _index_names(engine) == before
    with transaction(factory) as session:  # the rebuilt indexes answer the figures' queries
        on_time = session.scalar(select(func.count()).select_from(Dossier).where(Dossier.outcome == "on_time"))
    assert on_time == sum(1 for r in read_dossier_export("x.csv", write_export_csv(many)).records
                          if r.status in (9, 10) and (r.resolved_at or r.returned_at).date()
                          == (r.original_due_at or r.due_at or r.received_at).date())


def _index_names(engine) -> list[str]:
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dossier' ORDER BY name"
        else:
            sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'dossier' ORDER BY indexname"
        return [r[0] for r in conn.execute(text(sql))]


def test_a_batched_import_and_its_reimport_keep_the_monthly_roll_up_exact(factory, records):
    """The import writes past the ORM; the figures read from the roll-up must still equal the live count."""
    from handlers.dossiers.figures import period_figures

    def both() -> tuple:
        with factory() as s:
            return tuple(period_figures(s, date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31), live=live)
                         for live in (False, True))

    _import(factory, write_export_csv(records), batch_size=5)
    rolled, live = both()
    assert rolled == live and rolled.resolved_total > 0
    moved = [_later_row_of(r) for r in records[:3]]  # a newer export: three dossiers returned instead
    _import(factory, write_export_csv([*records, *moved]), batch_size=5)
    rolled_again, live_again = both()
    assert rolled_again == live_again and rolled_again != rolled


def test_a_csv_on_disk_is_read_like_the_same_bytes(tmp_path, records):
    data = write_export_csv([*records, _later_row_of(records[0])], delimiter=";")
    path = tmp_path / "ho so.csv"
    path.write_bytes(data)
    streamed = ExportStream("ho so.csv", path, batch_size=4)
    got = [r for batch in streamed.batches() for r in batch.records]
    whole = read_dossier_export("ho so.csv", data)
    assert {r.code: r for r in got} == {r.code: r for r in whole.records}
    assert streamed.result.duplicate_rows == whole.duplicate_rows and streamed.result.kept == len(whole.records)


@pytest.mark.parametrize("sample", ["export_cp1258_semicolon.csv", "utf16"])
def test_other_encodings_on_disk_are_read_like_the_same_bytes(tmp_path, sample):
    from tests.test_dossier_import import DATA

    cp1258 = (DATA / "export_cp1258_semicolon.csv").read_bytes()
    data = cp1258 if sample != "utf16" else cp1258.decode("cp1258").encode("utf-16")
    path = tmp_path / "hs.csv"
    path.write_bytes(data)
    streamed = ExportStream("hs.csv", path)
    got = [r for batch in streamed.batches() for r in batch.records]
    whole = read_dossier_export("hs.csv", data)
    assert got == whole.records and streamed.result.errors == whole.errors == []
    assert [r.code for r in got] == ["HS-0001", "HS-0002", "HS-0003"]
    assert got[0].procedure == "Cấp chứng chỉ nhân viên bức xạ"
