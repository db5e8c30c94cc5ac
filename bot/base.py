"""What every messenger adapter offers the rest of the bot.

The core (``handlers/``) and the outbound dispatcher (``scheduler/``) only
see this protocol, so a reminder can go out through Telegram, Zalo or the
console without either side knowing which SDK carries it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from handlers.core.messages import IncomingMessage, Reply

#: The core entry point an adapter feeds: one incoming message in, replies out.
Handle = Callable[[IncomingMessage], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Capabilities:
    """What a channel can render, so shared code can pick a fallback.

    ``markup`` is ``"html"`` (Telegram) or ``"plain"`` (Zalo, console); a
    channel without ``buttons`` shows them as numbered choices instead.
    """

    buttons: bool
    max_text: int
    markup: str = "plain"


@runtime_checkable
class ChannelAdapter(Protocol):
    """A messenger connection: receives messages for the core, sends replies."""

    name: str
    capabilities: Capabilities

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Deliver ``reply``; return the id of the last message sent (None if nothing was sent)."""
        ...

    async def start(self) -> None:
        """Connect and begin passing incoming messages to the core."""
        ...

    async def stop(self) -> None:
        """Stop receiving and release connections; pending sends finish first."""
        ...
