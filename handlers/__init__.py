"""The channel-neutral conversation core and its features."""

import handlers.dossiers  # noqa: F401,E402  (registers the dossier save hook for every caller)
