"""Telegram channel: python-telegram-bot used as transport only."""

from bot.common.retry import RetryPolicy
from bot.telegram.adapter import ALLOWED_UPDATES, TelegramAdapter, build_application
from bot.telegram.runner import serve_telegram
from bot.telegram.sender import TelegramSender

__all__ = ["ALLOWED_UPDATES", "RetryPolicy", "TelegramAdapter", "TelegramSender", "build_application", "serve_telegram"]
