"""Telegram's HTML parse mode, as the fake Bot API server applies it.

Telegram turns an HTML message into plain text plus "entities" (bold,
italic, links, …) whose offsets count UTF-16 code units, and rejects text
with unknown or unbalanced tags. The fake does the same so that tests see
exactly what a person would see, and escaping bugs fail loudly.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# tag name -> entity type
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*)?)\s*>")
_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#\d{1,7}|#x[0-9A-Fa-f]{1,6});")
_HREF_RE = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


class EntityParseError(ValueError):
    """The text cannot be parsed; the message mirrors Telegram's wording."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    entity_type: str
    offset: int
    extra: dict = field(default_factory=dict)


def parse_html(text: str) -> tuple[str, list[dict]]:
    """Return (plain text, entities) or raise :class:`EntityParseError`."""
    out: list[str] = []
    position = 0  # in UTF-16 units of the plain text so far
    stack: list[_Open] = []
    entities: list[dict] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = _TAG_RE.match(text, i)
            byte_offset = len(text[:i].encode("utf-8"))
            if not match:
                raise EntityParseError(
                    f"can't parse entities: Unsupported start tag \"\" at byte offset {byte_offset}"
                )
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1].name != name:
                    expected = stack[-1].name if stack else ""
                    raise EntityParseError(
                        f"can't parse entities: Unmatched end tag at byte offset {byte_offset}, "
                        f'expected "</{expected}>", found "</{name}>"'
                    )
                opened = stack.pop()
                if position > opened.offset:
                    entity = {"type": opened.entity_type, "offset": opened.offset,
                              "length": position - opened.offset}
                    entity.update(opened.extra)
                    entities.append(entity)
            else:
                if name not in _TAGS:
                    raise EntityParseError(
                        f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {byte_offset}'
                    )
                extra = {}
                if name == "a":
                    href = _HREF_RE.search(attrs or "")
                    extra["url"] = html.unescape(next(g for g in href.groups() if g is not None)) if href else ""
                stack.append(_Open(name, _TAGS[name], position, extra))
            i = match.end()
            continue
        if char == "&":
            match = _ENTITY_RE.match(text, i)
            if match:
                decoded = html.unescape(match.group(0))
                out.append(decoded)
                position += utf16_len(decoded)
                i = match.end()
                continue
        out.append(char)
        position += utf16_len(char)
        i += 1
    if stack:
        raise EntityParseError(
            f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
