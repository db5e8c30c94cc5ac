"""Period figures must match the province's own report, rule by rule."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from handlers.demo.dossier_samples import generate_samples, write_export_xlsx
from handlers.dossiers.figures import (
    DossierRecord,
    by_field,
    by_unit,
    format_int_vi,
    format_percent_vi,
    late_summary_vi,
    period_figures,
    report_lines_vi,
    with_late_lists,
)
from handlers.dossiers.export_reader import read_dossier_export
from tests.dossier_db import store

from tests.test_dossier_import import TET_2026, TetCalendar  # one test calendar for both files

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
NOW = datetime(2026, 4, 10, 9, 0)


def rec(code="X", received="2026-03-02 08:00", due="2026-03-10 08:00", resolved=None, status=4,
        original_due=None, apology=None, channel="online", unit="QLCN", field="ATBX") -> DossierRecord:
    p = lambda s: datetime.fromisoformat(s) if s else None  # noqa: E731
    return DossierRecord(
        code=code, procedure="P", field=field, unit=unit, received_at=p(received), due_at=p(due),
        original_due_at=p(original_due), resolved_at=p(resolved), returned_at=None, status=status,
        channel=channel, service_level=None, apology_at=p(apology), new_due_at=p(due) if original_due else None,
    )


@pytest.fixture
def session(factory):
    with factory() as s:
        yield s


@pytest.fixture
def figs(session):
    """Store the records (real upsert, derived columns) and count the period in SQL."""

    def count(*records, start=MARCH[0], end=MARCH[1], now=NOW):
        store(session, records)
        return with_late_lists(session, period_figures(session, start, end, now))

    return count


# ---------------------------------------------------------------- classification


def test_resolved_on_the_due_date_is_on_time_whatever_the_hour(figs):
    f = figs(rec(due="2026-03-10 08:00", resolved="2026-03-10 16:55", status=10))
    assert (f.early, f.on_time, f.late) == (0, 1, 0)


def test_resolved_the_day_before_is_early(figs):
    f = figs(rec(due="2026-03-10 08:00", resolved="2026-03-09 23:59", status=9))
    assert (f.early, f.on_time, f.late) == (1, 0, 0)


def test_resolved_the_day_after_is_late(figs):
    f = figs(rec(due="2026-03-10 17:00", resolved="2026-03-11 07:30", status=10))
    assert (f.early, f.on_time, f.late) == (0, 0, 1)
    assert [d.code for d in f.late_resolved] == ["X"]
    assert f.late_resolved[0].days_late == 1  # working days


def test_withdrawal_is_its_own_group_never_resolved_never_late(figs):
    f = figs(rec(due="2026-03-10", resolved="2026-03-20", status=7))
    assert f.resolved_total == 0 and f.withdrawn == 1 and f.received_total == 1
    assert (f.late, f.in_progress_total, f.returned_or_withdrawn) == (0, 0, 1)


def test_refused_at_reception_is_not_received_but_returned_later_is(figs):
    refused = rec("R", received="2026-03-02 08:00", resolved="2026-03-02 10:00", status=3)
    returned = rec("T", received="2026-03-02 08:00", resolved="2026-03-05 10:00", status=3)
    f = figs(refused, returned)
    assert (f.rejected, f.returned, f.received_total, f.received_online) == (1, 1, 1, 1)
    assert f.received_total == f.resolved_total + f.returned_or_withdrawn + f.in_progress_total


def test_open_dossier_past_the_period_end_is_late(figs):
    f = figs(rec(due="2026-03-30 08:00"))
    assert (f.in_progress_within_due, f.in_progress_past_due) == (0, 1)
    assert [d.code for d in f.late_open] == ["X"]


def test_open_dossier_due_after_the_end_is_within_due(figs):
    f = figs(rec(due="2026-04-02 08:00"))
    assert (f.in_progress_within_due, f.in_progress_past_due) == (1, 0)


def test_open_dossier_due_on_the_end_date_is_within_due(figs):
    assert figs(rec(due="2026-03-31 08:00")).in_progress_within_due == 1


def test_open_dossier_is_judged_at_now_when_now_is_before_the_end(figs):
    f = figs(rec(due="2026-03-12"), rec("Y", due="2026-03-20"), now=datetime(2026, 3, 15, 10))
    assert (f.in_progress_past_due, f.in_progress_within_due) == (1, 1)


def test_dossier_resolved_after_the_period_was_in_progress_at_its_end(figs):
    f = figs(rec(due="2026-04-03", resolved="2026-04-02", status=10))
    assert (f.resolved_total, f.in_progress_within_due) == (0, 1)


def test_apology_before_the_original_due_date_is_in_time(figs):
    r = rec(original_due="2026-03-10 08:00", due="2026-03-20 08:00", apology="2026-03-09 16:00",
            resolved="2026-03-18", status=10)
    f = figs(r)
    # The re-appointment does not make it on time: judged against 10/03.
    assert (f.on_time, f.late) == (0, 1)
    assert f.late_resolved[0].days_late == 6  # working days 11–18/03, not 8 calendar days
    assert f.late_without_apology == 0


def test_apology_on_or_after_the_original_due_date_is_not_in_time(figs):
    same_day = rec("A", original_due="2026-03-10", due="2026-03-20", apology="2026-03-10 07:00",
                   resolved="2026-03-18", status=10)
    after = rec("B", original_due="2026-03-10", due="2026-03-20", apology="2026-03-12",
                resolved="2026-03-18", status=10)
    none = rec("C", due="2026-03-10", resolved="2026-03-18", status=10)
    open_late = rec("D", due="2026-03-10")
    f = figs(same_day, after, none, open_late)
    assert (f.late_without_apology, f.late_without_apology_codes) == (4, ["A", "B", "C", "D"])


def test_paused_dossiers_are_open_within_due_never_late(figs):
    f = figs(rec(status=5, due="2026-03-05"), rec("Y", status=6), rec("Z", status=8, due="2026-03-03"))
    assert (f.waiting_supplement, f.stopped) == (2, 1)
    assert (f.in_progress_total, f.in_progress_within_due, f.in_progress_past_due) == (3, 3, 0)


def test_carried_over_dossiers_are_split_and_flagged(figs):
    f = figs(
        rec("OLD-DONE", received="2026-02-10", due="2026-02-20", resolved="2026-02-25", status=10),
        rec("OLD-LATE", received="2026-02-10", due="2026-02-27", resolved="2026-03-03", status=10),
        rec("OLD-OPEN", received="2026-02-12", due="2026-03-02"),
        rec("NEW-LATE", received="2026-03-02", due="2026-03-09", resolved="2026-03-10", status=9),
    )
    assert (f.received_carried_over, f.received_in_period, f.received_total) == (2, 1, 3)
    assert (f.late_carried_over, f.late_in_period) == (1, 1)
    assert [(d.code, d.carried_over) for d in f.late_resolved] == [("OLD-LATE", True), ("NEW-LATE", False)]
    assert [(d.code, d.carried_over) for d in f.late_open] == [("OLD-OPEN", True)]
    assert "2 hồ sơ, trong đó 1 hồ sơ tồn từ kỳ trước" in late_summary_vi(f)


def test_channels_and_online_share_count_dossiers_received_in_the_period(figs):
    f = figs(rec("A"), rec("B"), rec("C", channel="direct"), rec("D", channel="postal"),
             rec("OLD", received="2026-02-02", channel="direct"))
    assert (f.received_online, f.received_direct, f.received_postal) == (2, 1, 1)
    assert f.online_share == 50.0


# ---------------------------------------------------------------- wording


def test_report_lines_use_the_departments_wording_and_decimal_comma(figs):
    records = [rec(f"E{i}", due="2026-03-20", resolved="2026-03-10", status=10) for i in range(137)]
    records += [rec(f"L{i}", due="2026-03-05", resolved="2026-03-10", status=10) for i in range(3)]
    lines = report_lines_vi(figs(*records))
    text = "\n".join(lines)
    assert "trả trước hạn: 137 hồ sơ" in text
    assert "trả quá hạn: 3 hồ sơ" in text
    assert "Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn: 97,86%." in text
    assert "Hồ sơ trễ hạn chưa có phiếu xin lỗi trước ngày hẹn trả: 3 hồ sơ (L0, L1, L2)." in text


@pytest.mark.parametrize("value, text", [(93.176, "93,18"), (80.08, "80,08"), (100.0, "100,00"), (1234.5, "1.234,50")])
def test_vietnamese_number_format(value, text):
    assert format_percent_vi(value) == text + "%"


def test_thousands_separator():
    assert format_int_vi(1234567) == "1.234.567"


# ---------------------------------------------------------------- acceptance: 2,000 dossiers across Tết


@pytest.fixture(scope="module")
def tet_samples():
    """A generated Q1/2026 export (known outcomes) read back through the importer."""
    samples = generate_samples(2000, date(2026, 1, 1), date(2026, 3, 31), seed=11, calendar=TetCalendar())
    result = read_dossier_export("q1.xlsx", write_export_xlsx([s.record for s in samples]))
    assert result.errors == [] and len(result.records) == 2000
    return samples, result.records


@pytest.fixture
def tet_export(tet_samples, session):
    """The export stored through the real import path."""
    store(session, tet_samples[1])
    return tet_samples[0], tet_samples[1], session


def _independent(records, start: date, end: date, now: datetime) -> dict:
    """A second, deliberately plain computation of the period table."""
    cut = min(end, now.date())
    c = Counter()
    late_resolved, late_open, no_apology = [], [], set()
    for r in records:
        got = r.received_at.date()
        if got > end:
            continue
        if r.status in (9, 10):
            fin = (r.resolved_at or r.returned_at).date()
        elif r.status in (3, 7):
            fin = (r.resolved_at or r.returned_at or r.received_at).date()
        else:
            fin = None
        if got < start and fin is not None and fin < start:
            continue
        old = "carried" if got < start else "new"
        deadline = (r.original_due_at or r.due_at).date()
        apologised = r.apology_at is not None and r.apology_at.date() < deadline
        if r.status == 3 and fin == got:  # refused at reception: not received
            c["rejected"] += 1 if fin >= start else 0
            continue
        c["received_" + old] += 1
        if old == "new":
            c["ch_" + r.channel] += 1
        if fin is not None and fin <= end:
            if r.status == 3:
                c["returned"] += 1
            elif r.status == 7:
                c["withdrawn"] += 1
            elif fin < deadline:
                c["early_" + old] += 1
            elif fin == deadline:
                c["ontime_" + old] += 1
            else:
                c["late_" + old] += 1
                late_resolved.append((r.code, old == "carried"))
                if not apologised:
                    no_apology.add(r.code)
        elif fin is None and r.status in (5, 6):
            c["waiting"] += 1
        elif fin is None and r.status == 8:
            c["stopped"] += 1
        elif deadline < cut:
            c["past_due"] += 1
            late_open.append((r.code, old == "carried"))
            if not apologised:
                no_apology.add(r.code)
        else:
            c["within"] += 1
    return {"c": c, "late_resolved": sorted(late_resolved), "late_open": sorted(late_open),
            "no_apology": sorted(no_apology)}


def _as_table(f) -> dict:
    return {
        "received_carried": f.received_carried_over, "received_new": f.received_in_period,
        "ch_online": f.received_online, "ch_direct": f.received_direct, "ch_postal": f.received_postal,
        "early_carried": f.early_carried_over, "early_new": f.early_in_period,
        "ontime_carried": f.on_time_carried_over, "ontime_new": f.on_time_in_period,
        "late_carried": f.late_carried_over, "late_new": f.late_in_period,
        "withdrawn": f.withdrawn, "rejected": f.rejected, "returned": f.returned, "waiting": f.waiting_supplement,
        "stopped": f.stopped, "past_due": f.in_progress_past_due, "within": f.in_progress_active_within_due,
    }


@pytest.mark.parametrize(
    "start, end, now",
    [
        (date(2026, 2, 1), date(2026, 2, 28), datetime(2026, 3, 31, 17)),  # the Tết month, seen later
        (date(2026, 2, 1), date(2026, 2, 28), datetime(2026, 2, 18, 10)),  # asked during Tết
        (date(2026, 1, 1), date(2026, 3, 31), datetime(2026, 3, 31, 17)),  # the quarter
    ],
)
def test_each_figure_matches_an_independent_count(tet_export, start, end, now):
    _, records, session = tet_export
    f = with_late_lists(session, period_figures(session, start, end, now))
    exp = _independent(records, start, end, now)
    table = _as_table(f)
    assert table == {k: exp["c"].get(k, 0) for k in table}
    assert f.received_total == exp["c"]["received_carried"] + exp["c"]["received_new"]
    assert f.resolved_total == sum(exp["c"][k] for k in ("early_carried", "early_new", "ontime_carried",
                                                         "ontime_new", "late_carried", "late_new"))
    resolved = f.early + f.on_time + f.late
    assert f.on_time_rate == pytest.approx(100 * (f.early + f.on_time) / resolved)
    assert f.online_share == pytest.approx(100 * exp["c"]["ch_online"] / exp["c"]["received_new"])
    assert sorted((d.code, d.carried_over) for d in f.late_resolved) == exp["late_resolved"]
    assert sorted((d.code, d.carried_over) for d in f.late_open) == exp["late_open"]
    assert f.late_without_apology == len(exp["no_apology"])
    # The report quotes ten of them (earliest appointment first), in code order.
    sample = f.late_without_apology_codes
    assert len(sample) == min(10, len(exp["no_apology"])) and set(sample) <= set(exp["no_apology"])
    assert sample == sorted(sample)
    # Every dossier received lands in exactly one column.
    assert f.received_total == f.resolved_total + f.returned_or_withdrawn + f.in_progress_total
    # The sample is realistic: mostly online, a few percent late.
    assert 0.5 < f.online_share / 100 < 0.7
    assert 0.01 < f.late / resolved < 0.06


def test_quarter_figures_match_the_generators_intended_outcomes(tet_export):
    """For the whole export window the intended outcome of each dossier is known."""
    samples, records, session = tet_export
    start, end = date(2026, 1, 1), date(2026, 3, 31)
    f = period_figures(session, start, end, datetime(2026, 3, 31, 17))
    bucket = {"early": "early", "on_time": "ontime", "late": "late", "late_open": "past_due",
              "open": "within", "withdrawn": "withdrawn", "rejected": "rejected", "waiting": "waiting",  # refused
              "financial": "waiting", "stopped": "stopped"}
    expected = Counter()
    for s in samples:
        r = s.record
        finished = r.resolved_at or r.returned_at
        if r.received_at.date() < start and finished and finished.date() < start:
            continue
        key = bucket[s.outcome]
        if key in ("early", "ontime", "late"):
            key += "_carried" if r.received_at.date() < start else "_new"
        expected[key] += 1
    table = _as_table(f)
    for key in ("early_carried", "early_new", "ontime_carried", "ontime_new", "late_carried", "late_new",
                "withdrawn", "rejected", "waiting", "stopped", "past_due", "within"):
        assert table[key] == expected[key], key


def test_tet_is_skipped_by_the_generated_appointments(tet_export):
    samples, _, _ = tet_export
    dues = [s.record.original_due_at or s.record.due_at for s in samples]
    assert not [d for d in dues if d.date() in TET_2026 or d.weekday() >= 5]
    across = [s.record for s in samples if date(2026, 2, 9) <= s.record.received_at.date() <= date(2026, 2, 13)]
    assert across, "some dossiers are received the week before Tết"


def test_unit_and_field_breakdowns_add_up(tet_export):
    _, _, session = tet_export
    start, end, now = date(2026, 2, 1), date(2026, 2, 28), datetime(2026, 3, 31)
    total = period_figures(session, start, end, now)
    units = by_unit(session, start, end, now)
    for groups in (units, by_field(session, start, end, now)):
        for attr in ("received_total", "early", "on_time", "late", "withdrawn", "in_progress_past_due",
                     "in_progress_within_due", "waiting_supplement", "rejected"):
            assert sum(getattr(g, attr) for g in groups.values()) == getattr(total, attr), attr
    assert set(units) == {"QLKH", "QLCN", "TDC"}


def test_an_apology_recorded_later_updates_the_figures(figs, session):
    """The chat's "Đã gửi phiếu xin lỗi" changes one dossier through the ORM: its
    derived columns follow, so the count of late dossiers without an apology drops."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from models.dossiers import Dossier

    assert figs(rec("A", due="2026-03-10 08:00")).late_without_apology == 1
    d = session.scalar(select(Dossier).where(Dossier.code == "A"))
    d.apology_at = datetime(2026, 3, 9, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    session.flush()
    f = period_figures(session, *MARCH, NOW)
    assert (f.in_progress_past_due, f.late_without_apology) == (1, 0)
