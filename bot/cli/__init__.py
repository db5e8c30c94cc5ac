"""The command line as one more channel: thin commands over the same handlers the chat uses.

`main.py` builds the :class:`~bot.cli.root.Root` (database, core, channels) and
calls :func:`~bot.cli.app.build_app`; each module here parses arguments,
calls a handler function and prints.
"""
