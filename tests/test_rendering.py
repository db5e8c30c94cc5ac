"""Shared rendering fallbacks: splitting, escaping, numbered buttons."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rendering import (buttons_as_numbered, resolve_numbered_choice, split_text, strip_markup,
                           to_telegram_html, utf16_len)
from bot.telegram.render import plan_reply
from handlers.core.messages import Attachment, Button, Reply

words = st.text(alphabet="abcđêôơưáàảãạ ", min_size=0, max_size=12)
texts = st.lists(st.one_of(words, st.sampled_from(["\n", "\n\n", " "])), max_size=80).map("".join)


@settings(max_examples=200, deadline=None, database=None)
@given(text=texts, limit=st.integers(min_value=1, max_value=60))
def test_split_respects_limit_and_loses_nothing(text, limit):
    parts = split_text(text, limit)
    assert all(len(p) <= limit for p in parts)
    assert "".join(text.split()) == "".join("".join(parts).split())


@settings(max_examples=200, deadline=None, database=None)
@given(text=texts, limit=st.integers(min_value=8, max_value=60))
def test_split_never_cuts_a_word_that_fits(text, limit):
    parts = split_text(text, limit)
    pieces = [w for p in parts for w in p.split()]
    expected = []
    for word in text.split():
        if len(word) <= limit:
            expected.append(word)
        else:  # only over-long words are cut, into limit-sized chunks
            expected.extend(word[i:i + limit] for i in range(0, len(word), limit))
    assert pieces == expected


def test_split_prefers_paragraphs_then_lines():
    text = "Đoạn một.\n\nĐoạn hai dài hơn một chút.\nDòng ba."
    assert split_text(text, 40) == ["Đoạn một.\n\nĐoạn hai dài hơn một chút.", "Dòng ba."]
    assert split_text("ngắn", 10) == ["ngắn"]
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_split_counts_utf16_when_asked():
    text = "😀" * 10  # 20 UTF-16 units
    parts = split_text(text, 8, length=utf16_len)
    assert all(utf16_len(p) <= 8 for p in parts) and "".join(parts) == text


def test_html_escapes_user_text_and_renders_bold():
    assert to_telegram_html("<b>R&D</b>") == "&lt;b&gt;R&amp;D&lt;/b&gt;"
    assert to_telegram_html("Việc *quá hạn*: 3") == "Việc <b>quá hạn</b>: 3"
    assert to_telegram_html("5 * 3 * 2 và *") == "5 * 3 * 2 và *"
    assert to_telegram_html("*<i>*") == "<b>&lt;i&gt;</b>"
    assert strip_markup("Việc *quá hạn*") == "Việc quá hạn"


def test_buttons_as_numbered_choices():
    reply = Reply(text="Chọn việc:", buttons=[[Button("Đã xong", "done:1"), Button("Gia hạn", "ext:1")],
                                             [Button("Bỏ qua", "skip")]])
    text, mapping = buttons_as_numbered(reply)
    assert "1. Đã xong\n2. Gia hạn\n3. Bỏ qua" in text and text.startswith("Chọn việc:")
    assert mapping == {"1": "done:1", "2": "ext:1", "3": "skip"}
    assert resolve_numbered_choice(" 2. ", mapping) == "ext:1"
    assert resolve_numbered_choice("số 3", mapping) == "skip"
    assert resolve_numbered_choice("4", mapping) is None
    assert resolve_numbered_choice("2 việc", mapping) is None
    assert buttons_as_numbered(Reply(text="Không nút")) == ("Không nút", {})


def test_plan_puts_buttons_last_and_files_with_captions():
    buttons = [[Button("OK", "ok")]]
    parts = plan_reply(Reply(text="x " * 5000, buttons=buttons))
    assert len(parts) == 3 and [bool(p.buttons) for p in parts] == [False, False, True]
    [single] = plan_reply(Reply(text="Báo cáo", buttons=buttons, attachment=Attachment("a.pdf", data=b"1")))
    assert single.method == "document" and single.html == "Báo cáo" and single.buttons
    long_with_file = plan_reply(Reply(text="y " * 1000, attachment=Attachment("a.jpg", data=b"1", kind="photo")))
    assert [p.method for p in long_with_file] == ["text", "photo"]
    assert plan_reply(Reply(text="  ")) == []
