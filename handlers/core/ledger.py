"""What the chat side must remember between messages, outside any one message.

Which sent message was about what (so a reply finds its task), replies a
channel could not deliver (kept in the outbox until it is back), and the
small per-chat memory of channels without buttons or reply-to (Zalo's
numbered choices). Each call opens its own short transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.core.messages import Reply
from handlers.core.outbox import enqueue, notification_row, reply_payload
from models.audit import ConversationState
from models.org import Identity
from models.outbox import Notification, OutboxStatus, SentMessage


class ChannelMemory:
    """Durable per-chat memory for one channel, kept with the person."""

    def __init__(self, ledger: ChatLedger, channel: str) -> None:
        self._ledger = ledger
        self._channel = channel

    def load(self, chat_id: str) -> dict | None:
        return self._ledger.chat_state(self._channel, chat_id)

    def save(self, chat_id: str, data: dict) -> None:
        self._ledger.chat_state(self._channel, chat_id, data)


class ChatLedger:
    def __init__(self, factory: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.factory = factory
        self.clock = clock

    def record_sent(self, channel: str, chat_id: str, message_id: str, context_ref: str) -> None:
        """Remember what a sent message was about, so a reply to it finds its task."""
        with self.factory() as session, session.begin():
            session.add(SentMessage(channel=channel, chat_id=str(chat_id), message_id=str(message_id),
                                    context_ref=context_ref))

    def defer_reply(self, channel: str, chat_id: str, reply: Reply) -> bool:
        """Keep a reply the channel could not deliver (API down) in the outbox, so the
        dispatcher sends it when the channel is back. False when the chat belongs to
        nobody registered (nothing worth keeping)."""
        with self.factory() as session, session.begin():
            person_id = person_for_chat(session, channel, chat_id)
            if person_id is None:
                return False
            row = notification_row(f"reply:{channel}:{chat_id}:{uuid4().hex}", person_id, "reply",
                                   reply_payload(reply), self.clock(), subject_ref=reply.context_ref)
            enqueue(session, [row])
        return True

    def has_deferred(self, channel: str, chat_id: str) -> bool:
        """Replies kept for this chat that the dispatcher has not sent yet."""
        with self.factory() as session:
            stmt = (select(Notification.id).join(Identity, Identity.person_id == Notification.person_id)
                    .where(Identity.channel == channel, Identity.chat_id == str(chat_id), Notification.kind == "reply",
                           Notification.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])).limit(1))
            return session.scalar(stmt) is not None

    def channel_memory(self, channel: str) -> ChannelMemory:
        return ChannelMemory(self, channel)

    def chat_state(self, channel: str, chat_id: str, data: dict | None = None) -> dict | None:
        """Read (``data`` None) or write this chat's channel memory."""
        key = f"channel:{channel}"
        with self.factory() as session, session.begin():
            person_id = person_for_chat(session, channel, chat_id)
            if person_id is None:
                return None
            row = session.get(ConversationState, person_id)
            state = dict(row.state or {}) if row else {}
            if data is None:
                return state.get(key)
            state[key] = data
            if row is None:
                session.add(ConversationState(person_id=person_id, state=state, updated_at=self.clock()))
            else:
                row.state = state
            return data


def person_for_chat(session: Session, channel: str, chat_id: str) -> int | None:
    """Whose messenger chat this is (None for a stranger)."""
    return session.scalar(select(Identity.person_id).where(
        Identity.channel == channel, Identity.chat_id == str(chat_id)))
