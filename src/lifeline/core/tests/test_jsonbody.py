"""JSON request bodies: bounded in size and depth, linear to check, refused as a 400."""

from __future__ import annotations

import time

import pytest

from lifeline.core.jsonbody import BadJson, depth_of, read_json


def test_depth_counts_arrays_and_objects_but_not_brackets_inside_strings():
    assert depth_of(b'{"a": [1, {"b": "[[[[{{"}], "c": "\\"["}') == 3
    assert depth_of(b"1") == 0


@pytest.mark.parametrize(
    "body",
    [b"[" * 50_000 + b"]" * 50_000, b'{"a":' * 33 + b"1" + b"}" * 33, b'{"x": NaN}', b"{", b"\xff"],
)
def test_deep_unreadable_or_non_json_bodies_are_bad_json(body):
    with pytest.raises(BadJson) as refused:
        read_json(body)
    assert refused.value.status == 400 and refused.value.code == "bad_json"


def test_a_body_over_the_size_limit_is_refused_before_it_is_parsed():
    with pytest.raises(BadJson):
        read_json(b'{"items": []}' + b" " * 100, max_bytes=50)


def test_checking_a_hostile_body_of_escaped_quotes_stays_linear():
    body = b'"\\"' * 500_000
    started = time.monotonic()
    depth_of(body)
    assert time.monotonic() - started < 2
