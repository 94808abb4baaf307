"""The one rule for free text: control characters and bidirectional overrides are refused
with a translated message, wherever the text comes in."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import translation

from lifeline.core.errors import ServiceError
from lifeline.core.safetext import SafeCharField, has_unsafe, refuse_unsafe

UNSAFE = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202a", "\u202e", "\u2066", "\u2069"]


@pytest.mark.parametrize("char", UNSAFE)
def test_control_characters_and_direction_overrides_are_unsafe(char):
    assert has_unsafe(f"1栋{char}101")


def test_tabs_newlines_and_ordinary_text_are_safe():
    assert not has_unsafe("家里没菜了\n\t3栋2单元\r\n Ünïcode — “quotes” ١٢٣ עברית")


def test_a_form_field_refuses_a_direction_override_with_a_plain_message():
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        SafeCharField().clean("abc\u202eevil")
    assert [e.code for e in refused.value.error_list] == ["unsafe_text"]
    assert "control characters" in refused.value.messages[0]


def test_posted_values_with_unsafe_text_are_named_and_the_csrf_token_is_ignored():
    data = QueryDict(mutable=True)
    data.update({"csrfmiddlewaretoken": "x", "address": "1栋\x00", "note": "好"})
    data.update({"bad\u202ename": "v"})
    with pytest.raises(ServiceError) as refused:
        refuse_unsafe(data)
    assert refused.value.status == 400 and refused.value.code == "unsafe_text"
    # the unsafe field name is never echoed back
    assert set(refused.value.fields) == {"address", "field"}
