"""The dispatcher: sends due messages once, in order, retries, dead-letters, and never sends stale reminders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from handlers.core.messages import Reply
from handlers.core.outbox import enqueue, notification_row, reply_payload
from models.db import transaction
from models.outbox import Notification, SentMessage
from scheduler.dispatcher import backoff, dispatch_once
from handlers.core.messages import SendFailed
from tests import factories as f
from tests.conftest import NOW


@dataclass
class ListSender:
    """A channel double: remembers what was sent; can be told to fail."""

    sent: list[tuple[str, Reply]] = field(default_factory=list)
    fail_with: SendFailed | Exception | None = None
    clock: object = None
    at: list[datetime] = field(default_factory=list)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((chat_id, reply))
        if self.clock is not None:
            self.at.append(self.clock())
        return f"m{len(self.sent)}"

    def to(self, chat_id: str) -> list[Reply]:
        return [r for c, r in self.sent if c == chat_id]


def _queue(factory, person_key: str, n: int, kind: str = "extension", at: datetime = NOW, ref: str | None = None):
    with transaction(factory) as s:
        from models.org import Identity

        pid = s.scalar(select(Identity.person_id).where(Identity.external_id == person_key))
        rows = [notification_row(f"t:{person_key}:{i}", pid, kind, reply_payload(Reply(f"tin {i}", context_ref=ref)),
                                 at + timedelta(seconds=i), subject_ref=ref) for i in range(n)]
        return enqueue(s, rows)


def _statuses(factory) -> dict[str, int]:
    with factory() as s:
        return dict(s.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())


@pytest.fixture
def people(factory):
    with transaction(factory) as s:
        f.person(s, "hong", role="head", unit_code="VP")
        f.person(s, "lan", role="admin", unit_code="VP", name="Bùi Thị Lan")


async def test_sends_each_due_message_once_in_order_and_records_what_it_was_about(factory, settings, people):
    assert _queue(factory, "hong", 3, ref="task:1") == 3
    assert _queue(factory, "hong", 3, ref="task:1") == 0  # same keys: nothing new
    sender = ListSender()
    assert await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(minutes=1)) == 3
    assert await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(minutes=2)) == 0
    assert [r.text for r in sender.to("hong")] == ["tin 0", "tin 1", "tin 2"]
    assert _statuses(factory) == {"sent": 3}
    with factory() as s:
        assert s.scalar(select(func.count(SentMessage.id)).where(SentMessage.context_ref == "task:1")) == 3


async def test_not_due_yet_waits(factory, settings, people):
    _queue(factory, "hong", 1, at=NOW + timedelta(hours=1))
    sender = ListSender()
    assert await dispatch_once(factory, settings, {"console": sender}, NOW) == 0
    assert await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(hours=2)) == 1


async def test_reminders_wait_for_working_hours_but_answers_do_not(factory, settings, people):
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=NOW.tzinfo)
    _queue(factory, "hong", 1, kind="reminder", at=saturday - timedelta(days=1))
    _queue(factory, "lan", 1, kind="extension", at=saturday - timedelta(days=1))
    sender = ListSender()
    assert await dispatch_once(factory, settings, {"console": sender}, saturday) == 1
    assert [c for c, _ in sender.sent] == ["lan"]
    monday = datetime(2026, 11, 30, 7, 30, tzinfo=NOW.tzinfo)
    assert await dispatch_once(factory, settings, {"console": sender}, monday) == 1
    assert [c for c, _ in sender.sent] == ["lan", "hong"]


async def test_transient_failure_backs_off_then_succeeds(factory, settings, people):
    _queue(factory, "hong", 1)
    sender = ListSender(fail_with=SendFailed("timeout"))
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    with factory() as s:
        row = s.scalar(select(Notification))
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "timeout")
        assert row.not_before == NOW + backoff(1)
    sender.fail_with = None
    assert await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(seconds=10)) == 0  # backing off
    assert await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(minutes=1)) == 1
    assert _statuses(factory) == {"sent": 1}


async def test_permanent_failure_is_dead_lettered_and_the_office_told_once(factory, settings, people):
    _queue(factory, "hong", 1)
    sender = ListSender(fail_with=SendFailed("Forbidden: bot was blocked by the user", permanent=True))
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    sender.fail_with = None
    await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(seconds=1))
    await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(seconds=2))
    office = sender.to("lan")
    assert len(office) == 1
    assert "Người hong" in office[0].text and "đã chặn bot" in office[0].text and "tin 0" in office[0].text
    assert _statuses(factory) == {"dead": 1, "sent": 1}


async def test_too_many_transient_failures_end_dead(factory, settings, people):
    settings = settings.model_copy(update={"outbox_max_attempts": 3})
    _queue(factory, "hong", 1)
    sender = ListSender(fail_with=RuntimeError("connection reset"))
    now = NOW
    for _ in range(3):
        await dispatch_once(factory, settings, {"console": sender}, now)
        now += timedelta(hours=2)
    with factory() as s:
        row = s.scalar(select(Notification).where(Notification.kind == "extension"))
        assert (row.status, row.attempts) == ("dead", 3)


async def test_a_crash_after_claiming_is_retried_when_the_lock_expires(factory, settings, people):
    from scheduler.dispatcher import claim
    from handlers.worktime.calendar import default_calendar

    _queue(factory, "hong", 1)
    claimed = claim(factory, NOW, 10, default_calendar(), lock_seconds=60)  # then the process "dies"
    assert len(claimed) == 1
    sender = ListSender()
    assert await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(seconds=30)) == 0
    assert await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(seconds=61)) == 1
    assert len(sender.sent) == 1 and _statuses(factory) == {"sent": 1}


async def test_no_identity_on_a_known_channel_is_dead(factory, settings, people):
    _queue(factory, "hong", 1)
    await dispatch_once(factory, settings, {"telegram": ListSender()}, NOW)
    assert _statuses(factory).get("dead") == 1


async def test_reminder_for_finished_or_moved_task_is_cancelled_not_sent(factory, settings, people):
    with transaction(factory) as s:
        t = f.task(s, "Báo cáo quý", lead="VP", deadline=date(2026, 11, 30))
        from models.org import Identity

        pid = s.scalar(select(Identity.person_id).where(Identity.external_id == "hong"))
        ref = f"task:{t.id}"
        enqueue(s, [notification_row("r1", pid, "reminder", reply_payload(Reply("nhắc", context_ref=ref), deadline="2026-11-30"), NOW, ref),
                    notification_row("r2", pid, "reminder", reply_payload(Reply("nhắc cũ", context_ref=ref), deadline="2026-11-20"), NOW, ref)])
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    assert [r.text for _, r in sender.sent] == ["nhắc"]
    assert _statuses(factory) == {"sent": 1, "cancelled": 1}


async def _wait_for(predicate, seconds: float = 5.0) -> bool:
    import asyncio

    for _ in range(int(seconds / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


async def test_scheduler_jobs_run_the_planner_and_the_dispatcher_on_the_bot_loop(factory, settings, people):
    from scheduler.jobs import start_scheduler

    with transaction(factory) as s:
        f.task(s, "Báo cáo CCHC tháng 11", lead="VP", deadline=date(2026, 11, 25))
    sender = ListSender()
    handle = start_scheduler(factory, settings, {"console": sender}, clock=lambda: NOW)
    try:
        assert await _wait_for(lambda: len(sender.sent) >= 1)
    finally:
        handle.shutdown()
    assert "Báo cáo CCHC tháng 11" in sender.sent[0][1].text


def test_scheduler_runs_in_background_threads_without_a_loop(factory, settings, people):
    import time as _time

    from scheduler.jobs import start_scheduler

    _queue(factory, "hong", 2)
    sender = ListSender()
    handle = start_scheduler(factory, settings, {"console": sender}, clock=lambda: NOW + timedelta(minutes=1))
    try:
        for _ in range(100):
            if len(sender.sent) == 2:
                break
            _time.sleep(0.05)
    finally:
        handle.shutdown(wait=True)
    assert [r.text for _c, r in sender.sent] == ["tin 0", "tin 1"]


async def test_an_unreachable_person_gives_the_office_one_vietnamese_notice_naming_the_tasks(factory, settings):
    with transaction(factory) as s:
        hong = f.person(s, "hong", role="head", unit_code="VP", name="Trần Văn Hồng")  # console only: unreachable
        f.person(s, "lan", role="admin", unit_code="VP", name="Bùi Thị Lan", channel="telegram")
        quarter = f.task(s, "Báo cáo quý IV", lead="VP", deadline=date(2026, 11, 30))
        plan = f.task(s, "Kế hoạch CCHC 2027", lead="VP", deadline=date(2026, 12, 15))
        rows = [notification_row(f"r{i}", hong.id, "reminder",
                                 reply_payload(Reply(f"Nhắc {i}", context_ref=f"task:{t.id}"), deadline=t.deadline.isoformat()),
                                 NOW, subject_ref=f"task:{t.id}")
                for i, t in enumerate([quarter, quarter, plan])]
        enqueue(s, rows)
    sender = ListSender()
    await dispatch_once(factory, settings, {"telegram": sender}, NOW)
    await dispatch_once(factory, settings, {"telegram": sender}, NOW + timedelta(seconds=1))
    office = sender.to("lan")
    assert len(office) == 1, [r.text for r in office]  # one notice for the person and round, not one per message
    text = office[0].text
    assert "Trần Văn Hồng" in text and "Báo cáo quý IV" in text and "Kế hoạch CCHC 2027" in text
    assert "Không gửi được" in text and "no reachable" not in text
    assert _statuses(factory) == {"dead": 3, "sent": 1}


async def test_a_killed_senders_claims_are_sent_by_another_within_30_seconds(factory, settings, people):
    from handlers.worktime.calendar import default_calendar
    from scheduler.dispatcher import DEFAULT_LEASE_SECONDS, claim

    assert DEFAULT_LEASE_SECONDS <= 30
    _queue(factory, "hong", 2)
    killed_at = NOW + timedelta(seconds=1)
    assert len(claim(factory, killed_at, 10, default_calendar())) == 2  # then the process is killed
    sender = ListSender()
    assert await dispatch_once(factory, settings, {"console": sender}, killed_at + timedelta(seconds=DEFAULT_LEASE_SECONDS - 1)) == 0
    assert await dispatch_once(factory, settings, {"console": sender}, killed_at + timedelta(seconds=30)) == 2
    assert [r.text for r in sender.to("hong")] == ["tin 0", "tin 1"]


async def test_a_send_slower_than_the_lease_is_not_claimed_by_another_dispatcher(factory, settings, people):
    import asyncio
    import time

    from handlers.worktime.calendar import default_calendar
    from scheduler.dispatcher import claim

    _queue(factory, "hong", 1)
    lease = 0.3
    started = time.monotonic()
    stolen: list = []

    class SlowSender(ListSender):
        async def send(self, chat_id, reply):
            await asyncio.sleep(lease * 4)  # the send outlasts its lease four times over
            elapsed = timedelta(seconds=time.monotonic() - started)
            stolen.extend(await asyncio.to_thread(claim, factory, NOW + elapsed, 10, default_calendar()))
            return await super().send(chat_id, reply)

    sender = SlowSender()
    assert await dispatch_once(factory, settings, {"console": sender}, NOW, lock_seconds=lease) == 1
    assert stolen == [] and len(sender.sent) == 1
    assert _statuses(factory) == {"sent": 1}


@dataclass
class SlowSender:
    """Takes a moment per message (like a messenger's round trip); one chat can be told to fail."""

    failing: str | None = None
    sent: list[tuple[str, str]] = field(default_factory=list)
    busy: dict[str, int] = field(default_factory=dict)
    most_chats_at_once: int = 0
    most_in_one_chat: int = 0

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        import asyncio

        self.busy[chat_id] = self.busy.get(chat_id, 0) + 1
        self.most_in_one_chat = max(self.most_in_one_chat, self.busy[chat_id])
        self.most_chats_at_once = max(self.most_chats_at_once, sum(1 for n in self.busy.values() if n))
        try:
            await asyncio.sleep(0.02)
            if chat_id == self.failing:
                raise SendFailed("timeout")
            self.sent.append((chat_id, reply.text))
            return f"m{len(self.sent)}"
        finally:
            self.busy[chat_id] -= 1


async def test_sending_to_several_people_at_once_keeps_each_persons_order(factory, settings, people):
    """The bot's job serves several people at once; each person still gets their messages one by one, in
    order, and a person whose message failed gets nothing newer until it is retried."""
    with transaction(factory) as s:
        for k in range(4):
            f.person(s, f"p{k}", role="head", unit_code="VP")
    for k in range(4):
        _queue(factory, f"p{k}", 3)
    sender = SlowSender(failing="p3")
    assert await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(minutes=1), concurrency=10) == 12
    for k in range(3):
        assert [t for c, t in sender.sent if c == f"p{k}"] == ["tin 0", "tin 1", "tin 2"]
    assert [t for c, t in sender.sent if c == "p3"] == []
    assert sender.most_in_one_chat == 1
    assert sender.most_chats_at_once > 1
    with factory() as s:
        pending = s.execute(select(Notification.idem_key, Notification.attempts).where(
            Notification.status == "pending").order_by(Notification.idem_key)).all()
    assert pending == [("t:p3:0", 1), ("t:p3:1", 0), ("t:p3:2", 0)]  # the failed one waits to retry, the rest behind it
    assert _statuses(factory) == {"sent": 9, "pending": 3}
