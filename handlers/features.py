"""Which features answer free text and files, in priority order.

Kept apart from the router so the router stays a dispatcher and each
feature can be switched on here in one line.
"""

from __future__ import annotations

_installed = False


def install_features() -> None:
    """Register feature handlers with the router once per process."""
    global _installed
    if _installed:
        return
    _installed = True
