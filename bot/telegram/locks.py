"""Per-key locks; kept at this path for existing imports (see :mod:`bot.common.locks`)."""

from bot.common.locks import KeyedLocks, RecentKeys

__all__ = ["KeyedLocks", "RecentKeys"]
