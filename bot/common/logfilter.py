"""Keep the bot token out of every log line.

The token is a password: anyone holding it controls the bot. PTB and httpx
put it in request URLs (``…/bot<token>/sendMessage``), and exceptions can
carry those URLs. Redaction happens when a log record is created, so it
covers every logger and every handler, including ones added later; the
same logic is also offered as a ``logging.Filter`` for explicit use.
"""

from __future__ import annotations

import io
import logging
import re
import traceback

_BOT_TOKEN_RE = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_TOKEN_RE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")
_tokens: set[str] = set()
_installed = False
_REDACTED_FLAG = "_token_redacted"


def redact(text: str) -> str:
    """Replace known tokens and anything shaped like ``bot<digits>:<secret>``."""
    text = _BOT_TOKEN_RE.sub("bot<redacted>", text)
    for token in _tokens:
        text = text.replace(token, "<redacted>")
    return _TOKEN_RE.sub("<redacted>", text)


def _format_exception(exc_info: tuple) -> str:
    # Same shape as logging.Formatter.formatException, so handlers print it unchanged.
    buffer = io.StringIO()
    traceback.print_exception(exc_info[0], exc_info[1], exc_info[2], None, buffer)
    text = buffer.getvalue()
    return text[:-1] if text.endswith("\n") else text


def redact_record(record: logging.LogRecord) -> None:
    """Rewrite a record in place: message, arguments, traceback and stack."""
    if getattr(record, _REDACTED_FLAG, False):
        return
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string must not hide the record
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact(_format_exception(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    setattr(record, _REDACTED_FLAG, True)


class TokenRedactingFilter(logging.Filter):
    """A filter that never drops a record, only removes secrets from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_token_redaction(*tokens: str) -> None:
    """Redact ``tokens`` (and any bot-token-shaped text) from all logging from now on.

    Also quiets httpx, whose INFO lines are full request URLs.
    """
    global _installed
    _tokens.update(t for t in tokens if t)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    if _installed:
        return
    _installed = True
    previous_factory = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous_factory(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    token_filter = TokenRedactingFilter()
    for name in ("", "httpx", "httpcore", "telegram", "telegram.ext", "aiohttp", "bot"):
        logging.getLogger(name).addFilter(token_filter)
    for handler in logging.getLogger().handlers:
        handler.addFilter(token_filter)
