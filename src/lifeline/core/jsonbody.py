"""Reading a JSON request body: bounded in size and in nesting depth, refused plainly.

``json.loads`` recurses once per nesting level, so a body of 50,000 ``[`` raises
``RecursionError`` (a 500 if uncaught), and a body just under the interpreter's limit
parses into data that later code cannot walk or store. Every view and the API's parser
read bodies here instead: too large, too deep or unreadable is a ``ServiceError`` (400).
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from lifeline.core.errors import ServiceError

MAX_DEPTH = 32

# A string, or an unterminated one up to the end (then the body is not JSON anyway); the
# possessive repeat and the optional closing quote keep the scan linear.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


class BadJson(ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bad_json")


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, though Python's parser takes them.
    raise ValueError(name)


def depth_of(body: bytes) -> int:
    """The deepest nesting of arrays and objects in ``body`` (brackets inside strings do not
    count); linear in the body's size, without recursion."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b'""', body))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def read_json(body: bytes, *, max_bytes: int | None = None, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed body; ``BadJson`` when it is larger than ``max_bytes`` (by default
    Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``), nested deeper than ``max_depth`` or not
    JSON (``NaN`` and ``Infinity`` included)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if max_bytes is None else max_bytes
    if limit is not None and len(body) > limit:
        raise BadJson(_("The request is too large."))
    if depth_of(body) > max_depth:
        raise BadJson(_("The JSON is nested too deeply."))
    try:
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BadJson(_("The request could not be read. Send valid JSON.")) from None
