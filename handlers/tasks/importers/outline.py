"""The numbering tree of a conclusion's body: I. → 1. → a) → (1) → - bullets.

A marker only opens an item when it continues the numbering in force (the
next number or letter at its level, or the first one of a new level), so a
wrapped line that happens to start with "4." is read as text. After OCR or
diacritic stripping "đ)" prints as a second "d)"; a repeated "d" is read as
"đ" so references stay as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

VN_LETTERS = "a b c d đ e g h i k l m n o p q r s t u v x y".split()
LATIN_LETTERS = list("abcdefghijklmnopqrstuvwxyz")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}

_MARKERS = [
    ("roman", re.compile(r"^([IVXL]{1,7})[.)]\s+(.*)$", re.S)),
    ("arabic", re.compile(r"^(\d{1,2})[.)]\s+(.*)$", re.S)),
    ("letter", re.compile(r"^([a-zđ])[).]\s+(.*)$", re.S)),
    ("paren", re.compile(r"^\((\d{1,2}|[a-zđ])\)\s+(.*)$", re.S)),
    ("bullet", re.compile(r"^[-–+•]\s*(.*)$", re.S)),
]


@dataclass
class Node:
    kind: str  # root | roman | arabic | letter | paren | bullet | assign
    label: str
    text: str
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # continuation paragraphs and table rows

    @property
    def ref(self) -> str:
        """Numbering path as printed: "II.1.b", "3", "(4)"."""
        parts: list[str] = []
        node: Node | None = self
        while node is not None and node.kind != "root":
            if node.kind in ("roman", "arabic", "letter"):
                parts.append(node.label)
            elif node.kind == "paren":
                parts.append(f"({node.label})")
            node = node.parent
        return ".".join(reversed(parts))

    def add(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        return child

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def roman_value(label: str) -> int:
    total = 0
    for i, ch in enumerate(label):
        value = _ROMAN_VALUES[ch]
        nxt = _ROMAN_VALUES[label[i + 1]] if i + 1 < len(label) else 0
        total += -value if value < nxt else value
    return total


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def parse_marker(text: str) -> tuple[str, str, str] | None:
    for kind, regex in _MARKERS:
        m = regex.match(text)
        if m:
            if kind == "bullet":
                return kind, "-", m.group(1).strip()
            return kind, m.group(1), m.group(2).strip()
    return None


def _next_label(kind: str, prev: str, label: str) -> str | None:
    """``label`` adjusted (d→đ) if it follows ``prev`` at one level, else None."""
    if kind == "roman":
        if roman_value(label) == roman_value(prev) + 1:
            return label
        expected = _roman(roman_value(prev) + 1)
        # OCR miscounts strokes ("II." for "III.", "li." for "III."): strokes only, next one expected
        if set(label) == {"I"} and set(expected) == {"I"}:
            return expected
        return None
    if kind == "bullet":
        return label
    if prev.isdigit() or label.isdigit():
        return label if prev.isdigit() and label.isdigit() and int(label) == int(prev) + 1 else None
    if prev == "d" and label == "d":
        return "đ"
    for seq in (VN_LETTERS, LATIN_LETTERS):
        if prev in seq and seq.index(prev) + 1 < len(seq) and seq[seq.index(prev) + 1] == label:
            return label
    return None


def _is_first(kind: str, label: str) -> bool:
    return label in ("I", "1", "a", "-")


class OutlineBuilder:
    """Feeds paragraphs one by one into a numbering tree."""

    def __init__(self) -> None:
        self.root = Node("root", "", "")
        self.stack: list[Node] = [self.root]

    def add_item(self, text: str) -> Node | None:
        """Open a numbered item if ``text`` starts a valid one; None means "plain text"."""
        parsed = parse_marker(text)
        if parsed is None:
            return None
        kind, label, rest = parsed
        for i in range(len(self.stack) - 1, 0, -1):
            node = self.stack[i]
            if node.kind == kind:
                adjusted = _next_label(kind, node.label, label)
                if adjusted is None:
                    return None
                del self.stack[i:]
                return self._push(Node(kind, adjusted, rest))
        if _is_first(kind, label) or self.stack[-1] is self.root:
            return self._push(Node(kind, label, rest))
        return None

    def add_assignment(self, text: str) -> Node:
        """An unnumbered "Phân công: …" paragraph: a sibling of the items it assigns."""
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].kind in ("roman", "arabic", "letter", "paren"):
                del self.stack[i:]
                break
        return self._push(Node("assign", "", text))

    def add_text(self, text: str) -> None:
        if self.stack[-1] is not self.root:
            self.stack[-1].extra.append(text)

    def _push(self, node: Node) -> Node:
        self.stack[-1].add(node)
        self.stack.append(node)
        return node
