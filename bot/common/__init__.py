"""Channel-independent pieces shared by the messenger channels (Telegram, Zalo).

Nothing here imports a messenger SDK, so a channel can use these helpers
without dragging another channel's dependencies along.
"""
