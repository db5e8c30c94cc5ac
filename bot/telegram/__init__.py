"""Telegram channel: python-telegram-bot used as transport only."""

from bot.telegram.adapter import ALLOWED_UPDATES, TelegramAdapter, build_application
from bot.telegram.logfilter import TokenRedactingFilter, install_token_redaction, redact
from bot.telegram.ratelimit import RateLimiter, RateLimits
from bot.telegram.runner import open_sender, run_telegram, serve_telegram
from bot.telegram.sender import RetryPolicy, SendFailed, TelegramSender

__all__ = [
    "ALLOWED_UPDATES", "RateLimiter", "RateLimits", "RetryPolicy", "SendFailed", "TelegramAdapter",
    "TelegramSender", "TokenRedactingFilter", "build_application", "install_token_redaction", "redact",
    "open_sender", "run_telegram", "serve_telegram",
]
