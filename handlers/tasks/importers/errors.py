"""The one error an importer shows to the user.

Importers reject bad input with a reason the office can act on (send another
file, save as .docx, …), so the message is Vietnamese and user-facing; the
handler replies with ``message_vi`` as is.
"""

from __future__ import annotations


class ImportRejected(Exception):
    """A file or document the importer will not read, with the reason to show."""

    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
