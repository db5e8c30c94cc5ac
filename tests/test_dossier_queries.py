"""A dossier answer costs the same few queries and rows at 50 dossiers or
2,000: figures are SQL aggregates (whole ended months from the monthly
roll-up) and lists are read one page at a time."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event

from handlers.core.router import Core
from handlers.demo.data import load_demo
from handlers.demo.dossier_samples import generate_dossiers
from handlers.dossiers.store import upsert_dossiers
from models.db import transaction
from tests.conftest import NOW, Chat, text_of

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
QUESTIONS = (
    "hồ sơ trễ hạn tháng này",
    "hồ sơ quá hạn của chi cục",
    "hồ sơ tiếp nhận quý 3",
    "báo cáo tháng 11",
    "hồ sơ sắp đến hạn tuần này",
    "tỷ lệ hồ sơ trực tuyến năm nay",
    "hồ sơ chưa có phiếu xin lỗi",
    # Whole ended months, read from the roll-up (per unit for the office, and a year still running).
    "hồ sơ trễ hạn quý 3",
    "hồ sơ đã giải quyết năm nay",
)


class Meter:
    """Counts statements sent to the database and rows they returned."""

    def __init__(self, engine, factory) -> None:
        self.queries = 0
        self.rows = 0
        self.max_rows = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(factory, "do_orm_execute", self._orm)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.queries += 1

    def _orm(self, state):
        frozen = state.invoke_statement().freeze()
        rows = len(frozen.data) if frozen.data else 0
        self.rows += rows
        self.max_rows = max(self.max_rows, rows)
        return frozen()

    def reset(self) -> None:
        self.queries = self.rows = self.max_rows = 0


def _ask_all(engine, factory, core) -> dict[str, tuple[int, int, str]]:
    office = Chat(core, "admin")
    office.say("/huongdan")  # warm-up: person lookup, state tables
    meter = Meter(engine, factory)
    out = {}
    for q in QUESTIONS:
        meter.reset()
        text = text_of(office.say(q))
        out[q] = (meter.queries, meter.rows, text)
    event.remove(engine, "before_cursor_execute", meter._statement)
    event.remove(factory, "do_orm_execute", meter._orm)
    return out


def test_answer_cost_does_not_grow_with_the_number_of_dossiers(engine, factory, settings):
    from handlers.features import build_registry
    with transaction(factory) as s:
        load_demo(s, NOW.date(), TZ, dossier_count=50)
    core = Core(factory, settings, build_registry(), clock=lambda: NOW)
    small = _ask_all(engine, factory, core)
    with transaction(factory) as s:  # 40 times the dossiers, same period
        more = generate_dossiers(1950, NOW.date() - timedelta(days=365), NOW.date(), seed=4242)
        for r in more:
            r.code = "BIG-" + r.code
        upsert_dossiers(s, more, TZ)
    large = _ask_all(engine, factory, core)
    for q in QUESTIONS:
        (q_small, rows_small, text_small), (q_large, rows_large, text_large) = small[q], large[q]
        assert text_small != text_large, q  # the answer did see the new dossiers
        # The same few statements (person, state, audit, figures; a list adds its count and one page)…
        assert q_large <= q_small + 3 and q_large <= 20, (q, q_small, q_large)
        # …and rows bounded by a page, the group-by buckets and the demo tasks (a
        # report also counts tasks), far below the 2,000 dossiers stored.
        assert rows_large <= 200, (q, rows_small, rows_large)
