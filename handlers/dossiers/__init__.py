"""Dossiers: importing, storing, the period figures and alerts."""

from handlers.dossiers import derived as _derived  # noqa: F401  (keeps derived columns filled on every save)
