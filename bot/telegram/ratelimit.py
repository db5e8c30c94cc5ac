"""Send pacing; kept at this path for existing imports (see :mod:`bot.common.ratelimit`)."""

from bot.common.ratelimit import RateLimiter, RateLimits

__all__ = ["RateLimiter", "RateLimits"]
