"""What the command line needs from the composition root, passed in by `main.py`.

The commands never open engines, run migrations or start the scheduler
themselves: they ask the root, so the command line stays a channel like the
messenger adapters and `main.py` stays the only place that wires things.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from settings import Settings


@dataclass(frozen=True)
class Root:
    # overrides → Settings from env/.env, with the org file put in force
    load_settings: Callable[..., Settings]
    # settings → session factory of the migrated database
    open_database: Callable[[Settings], Any]
    # (settings, factory, clock) → the conversation core
    build_core: Callable[..., Any]
    # (settings, revision) → number of tables / None
    upgrade_database: Callable[[Settings, str], int]
    downgrade_database: Callable[[Settings, str], None]
    # (settings, start moment or None, called once every channel is up) → serve every configured messenger until stopped
    run_channels: Callable[[Settings, datetime | None, Callable[[], None]], None]
    # (settings, factory, clock, show, only, keep_running) → (lines sent to others, stop)
    console_delivery: Callable[..., tuple[int, Callable[[], None]]]
