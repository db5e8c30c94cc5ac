"""Token redaction; kept at this path for existing imports (see :mod:`bot.common.logfilter`)."""

from bot.common.logfilter import TokenRedactingFilter, install_token_redaction, redact, redact_record

__all__ = ["TokenRedactingFilter", "install_token_redaction", "redact", "redact_record"]
