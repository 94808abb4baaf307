"""Open311 GeoReport v2 output: the same documents as JSON or XML, and the spec's error list.

JSON is a list (or an object for a service definition); XML has the spec's root and item
element names (``services/service``, ``service_requests/request``, ``errors/error``).
Times are ISO 8601 with the city's UTC offset, as the spec requires.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

# Plural element -> the name of each item inside it, for XML.
_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}


def w3_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_fill(parent: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_fill(ET.SubElement(parent, key), item)
    elif isinstance(value, list):
        child_name = _ITEM_NAMES.get(parent.tag, "item")
        for item in value:
            _xml_fill(ET.SubElement(parent, child_name), item)
    else:
        parent.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _xml_fill(element, value)
    body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()


def document(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """``value`` as JSON, or as XML under ``root`` (a list's items get the item name)."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, value), status=status, content_type=XML_TYPE)
    body = json.dumps(value, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=JSON_TYPE)


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The spec's error document: ``[{"code": 400, "description": "..."}]``, one per problem."""
    items = [{"code": status, "description": text} for text in descriptions]
    return document(fmt, "errors", items, status=status)
