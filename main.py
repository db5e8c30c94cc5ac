"""Composition root of the CCHC assistant: settings, clock, database, core, channels.

Only this file wires things together; the office commands live in `bot/cli/`
(a channel like the messengers) and receive what they need through a
:class:`bot.cli.root.Root` built here. `python3 main.py <command>`.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import datetime, timezone

from bot.cli.app import build_app
from bot.cli.root import Root
from settings import Settings


def load_settings(**overrides) -> Settings:
    """Settings from env/.env, with the org file they name put in force for chat and CLI alike."""
    from models.org_file import use_org_file

    settings = Settings(**overrides)
    use_org_file(settings.org_file)
    return settings


def real_clock() -> datetime:
    return datetime.now(timezone.utc)


def shifted_clock(moment: datetime | None) -> Callable[[], datetime]:
    """A running clock that starts at ``moment`` (``run --now``), or real time.

    Unlike a frozen clock it keeps ticking, so a long-running bot started
    "as of" a past date still plans and sends reminders as time passes.
    """
    if moment is None:
        return real_clock
    offset = moment - real_clock()
    return lambda: real_clock() + offset


def open_database(settings: Settings):
    """Session factory of the configured database, migrated (an empty one gets the org file)."""
    from models.db import make_engine, session_factory, upgrade
    from models.org_file import load_org, use_org_file

    from bot.common.leader import migration_lock

    use_org_file(settings.org_file)
    engine = make_engine(settings.database_url)
    with migration_lock(engine):  # two processes started together: one migrates, the other waits
        upgrade(engine, org=load_org(settings.org_file))
    return session_factory(engine)


def build_core(settings: Settings, factory, clock=None):
    from handlers.core.router import Core
    from handlers.features import build_registry

    return Core(factory, settings, build_registry(), clock=clock or real_clock)


def console_delivery(settings: Settings, factory, clock, show, only: str, keep_running: bool):
    """The console demo's outbound side: send what is due now (the person's own messages
    to ``show``, others only counted), then, if ``keep_running``, the scheduler."""
    from scheduler.dispatcher import dispatch_until_empty
    from scheduler.jobs import start_scheduler
    from scheduler.planner import tick_once
    from scheduler.senders import ConsoleSender

    others = io.StringIO()
    senders = {"console": ConsoleSender(stream=others, show=show, only=only)}
    now = clock()
    tick_once(factory, settings, now)
    asyncio.run(dispatch_until_empty(factory, settings, senders, clock=lambda: now))
    if not keep_running:
        return others.getvalue().count("\n"), lambda: None
    handle = start_scheduler(factory, settings, senders, clock=clock)
    # wait=True: let a running dispatch round finish before the interpreter exits
    return others.getvalue().count("\n"), lambda: handle.shutdown(wait=True)


def run_channels(settings: Settings, moment: datetime | None, on_up: Callable[[], None] = lambda: None) -> None:
    """Serve until stopped; ``on_up`` is called once every configured channel can send
    (before that, a failure is a start-up failure: see bot/cli/run.py)."""
    clock = shifted_clock(moment)
    factory = open_database(settings)
    core = build_core(settings, factory, clock)
    asyncio.run(_serve_channels(settings, factory, core, clock, on_up))


def _channel_hooks(core, channel: str) -> dict:
    """What every messenger adapter needs from the core besides ``handle``."""

    def on_sent(chat_id: str, message_ids: list[str], reply) -> None:
        if reply.context_ref and message_ids:
            core.record_sent(channel, chat_id, message_ids[-1], reply.context_ref)

    async def on_undelivered(chat_id: str, reply) -> bool:
        return await asyncio.to_thread(core.defer_reply, channel, chat_id, reply)

    async def still_waiting(chat_id: str) -> bool:
        return await asyncio.to_thread(core.has_deferred, channel, chat_id)

    return {"on_sent": on_sent, "on_undelivered": on_undelivered, "still_waiting": still_waiting}


async def _serve_channels(settings: Settings, factory, core, clock, on_up: Callable[[], None] = lambda: None) -> None:
    """Every configured messenger in one event loop, sharing the core and the
    outbound scheduler; stops cleanly on Ctrl-C or SIGTERM.

    Channels that long-poll run only while this process holds the polling
    lock (:mod:`bot.common.leader`: one poller per PostgreSQL database, any
    other process waits and takes over if it dies); webhook channels always
    run. The scheduler starts once every configured channel can send, so a
    waiting process never marks a message undeliverable for want of a sender.
    """
    import signal

    from bot.common.leader import poll_leadership
    from scheduler.jobs import start_scheduler

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    senders: dict = {}
    jobs: list = []
    channels: list[tuple[str, bool, Callable]] = []  # (name, polls, serve(stop_event))

    def started(channel: str):
        def on_started(adapter) -> None:
            senders[channel] = adapter  # the dispatcher looks channels up at send time
            if not jobs and len(senders) == len(channels):
                jobs.append(start_scheduler(factory, settings, senders, clock=clock, loop=loop))
                on_up()
        return on_started

    def stop_jobs() -> None:
        while jobs:
            jobs.pop().shutdown()

    if settings.telegram_bot_token is not None:
        from bot.telegram.runner import serve_telegram

        channels.append(("telegram", not settings.webhook_url, lambda until: serve_telegram(
            settings, core.handle, started("telegram"), stop_event=until, **_channel_hooks(core, "telegram"))))
    if settings.zalo_bot_token is not None:
        from bot.zalo import serve_zalo

        # One webhook port: when Telegram uses it, Zalo polls.
        zalo_options = {"use_webhook": False} if settings.telegram_bot_token is not None else {}
        zalo_polls = settings.telegram_bot_token is not None or not settings.webhook_url
        channels.append(("zalo", zalo_polls, lambda until: serve_zalo(
            settings, core.handle, started("zalo"), stop_event=until, memory_store=core.channel_memory("zalo"),
            **_channel_hooks(core, "zalo"), **zalo_options)))

    async def serve_polling(group: list[Callable]) -> None:
        engine = factory.kw["bind"]
        while not stop.is_set():
            async with poll_leadership(engine, stop) as lead:
                if not lead.held:
                    return
                try:
                    await asyncio.gather(*(serve(lead.ended) for serve in group))
                finally:
                    stop_jobs()  # a lost lock: send nothing until elected again

    serving = [serve(stop) for _name, polls, serve in channels if not polls]
    polling = [serve for _name, polls, serve in channels if polls]
    if polling:
        serving.append(serve_polling(polling))
    try:
        await asyncio.gather(*serving)
    finally:
        stop_jobs()


from models.db import downgrade_database, upgrade_database  # noqa: E402  (database commands of the CLI)

app = build_app(Root(
    load_settings=load_settings, open_database=open_database, build_core=build_core,
    upgrade_database=upgrade_database, downgrade_database=downgrade_database,
    run_channels=run_channels, console_delivery=console_delivery,
))

if __name__ == "__main__":
    app()
