"""The registry: which feature answers which command, button, text and file.

Built once by the composition root (:func:`handlers.features.build_registry`)
and handed to the router; nothing registers itself by mutating a global at
import time. Order is explicit where it matters: free-text handlers are tried
in the order they were added, after the person's open question (see
:mod:`handlers.core.conversation`), which always comes first.

A button may name the permission it needs and how to find the object it acts
on; the router then checks, in one place (:mod:`handlers.people.permissions`),
that this person may act on this object now, before the feature runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from handlers.core.context import Ctx
from handlers.core.conversation import Pending
from handlers.core.messages import Reply

Replies = Reply | list[Reply] | None
CommandHandler = Callable[[Ctx, str], Replies]
ButtonHandler = Callable[[Ctx, str], Replies]
TextHandler = Callable[[Ctx], Replies]
FlowHandler = Callable[[Ctx, Pending], Replies]
Pager = Callable[[Ctx, str, int], Reply]
Loader = Callable[[Session, str], Any]
StrangerHandler = Callable[[Ctx, str | None, str], Reply]
# (session, person, action, object) → None when allowed, else the line to answer
Authorizer = Callable[[Session, Any, str, Any], str | None]


@dataclass(frozen=True)
class ButtonRoute:
    """A button prefix: its handler, and the permission it needs on what object."""

    handler: ButtonHandler
    # a handlers.people.permissions.Action (or a function of the argument giving one); None = nothing to guard
    action: str | Callable[[str], str] | None = None
    load: Loader | None = None  # button argument → the object acted on (None when it is gone)

    def action_for(self, arg: str) -> str | None:
        return self.action(arg) if callable(self.action) else self.action


@dataclass(frozen=True)
class Command:
    """A chat command; ``names`` are the Vietnamese name first, then aliases."""

    names: tuple[str, ...]
    handler: CommandHandler


@dataclass
class Registry:
    """Every way a message reaches a feature, assembled explicitly."""

    commands: dict[str, Command] = field(default_factory=dict)
    buttons: dict[str, ButtonRoute] = field(default_factory=dict)
    text: list[tuple[str, TextHandler]] = field(default_factory=list)
    attachments: list[tuple[str, TextHandler]] = field(default_factory=list)
    flows: dict[str, FlowHandler] = field(default_factory=dict)
    pagers: dict[str, Pager] = field(default_factory=dict)
    stranger: StrangerHandler | None = None
    authorize: Authorizer | None = None

    def command(self, names: tuple[str, ...] | str, handler: CommandHandler) -> None:
        names = (names,) if isinstance(names, str) else names
        entry = Command(names, handler)
        for name in names:
            if name in self.commands:
                raise ValueError(f"command /{name} registered twice")
            self.commands[name] = entry

    def button(self, prefix: str, handler: ButtonHandler, action: str | Callable[[str], str] | None = None,
               load: Loader | None = None) -> None:
        if prefix in self.buttons:
            raise ValueError(f"button prefix {prefix!r} registered twice")
        if (action is None) != (load is None):
            raise ValueError(f"button {prefix!r}: a guarded button needs both an action and a loader")
        self.buttons[prefix] = ButtonRoute(handler, action, load)

    def on_text(self, name: str, handler: TextHandler) -> None:
        self.text.append((name, handler))

    def on_attachment(self, name: str, handler: TextHandler) -> None:
        self.attachments.append((name, handler))

    def flow(self, flow_id: str, handler: FlowHandler) -> None:
        if flow_id in self.flows:
            raise ValueError(f"flow {flow_id!r} registered twice")
        self.flows[flow_id] = handler

    def pager(self, name: str, pager: Pager) -> None:
        self.pagers[name] = pager

    def validate(self) -> None:
        """Fail at start-up, not on a message, when the registry cannot route safely."""
        if self.stranger is None:
            raise ValueError("the registry needs a handler for unregistered people")
        guarded = [prefix for prefix, route in self.buttons.items() if route.action is not None]
        if guarded and self.authorize is None:
            raise ValueError(f"buttons {guarded} need a permission check, but the registry has none")
