"""OASIS CAP 1.2 documents of published notices and the Atom index of the active ones.

One ``<info>`` per language (zh-CN and en-US), one ``<area>`` per target area with its
name and its boundary from the registry as ``<polygon>`` ("lat,lon" pairs, first = last;
simplified so a feed stays small) or, without a boundary, a 1 km ``<circle>`` round its
centre. An Update or Cancel carries ``<references>`` "sender,identifier,sent" of the
notice it follows. Every document is checked against the OASIS schema vendored in
``schemas/CAP-v1.2.xsd`` before a notice is published and in the tests.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xmlschema
from django.conf import settings
from django.utils import timezone, translation

from lifeline.notices.models import Notice
from lifeline.registry.geo import boundary_shape
from lifeline.registry.models import Area

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
XSD = Path(__file__).parent / "schemas" / "CAP-v1.2.xsd"
SIMPLIFY_DEGREES = 0.0002  # about 20 m
MAX_POINTS = 200


class CapInvalid(ValueError):
    """A generated document that the OASIS schema refuses."""


@functools.cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def validate(document: bytes) -> None:
    errors = list(_schema().iter_errors(document.decode()))
    if errors:
        raise CapInvalid(str(errors[0].reason or errors[0]))


def sender() -> str:
    return str(getattr(settings, "LIFELINE_CAP_SENDER", "") or "lifeline@localhost")


def cap_time(moment: Any) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def references_of(notice: Notice) -> str:
    original = notice.references
    if original is None or original.published_at is None:
        return ""
    return f"{sender()},{original.identifier},{cap_time(original.published_at)}"


def _add(parent: ET.Element, tag: str, value: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    child.text = value
    return child


def _polygons(area: Area) -> list[str]:
    geometry = boundary_shape(area.boundary)
    if geometry is None:
        return []
    geometry = geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    parts = getattr(geometry, "geoms", [geometry])
    found = []
    for part in parts:
        exterior = getattr(part, "exterior", None)
        if exterior is None:
            continue
        points = list(exterior.coords)[:MAX_POINTS]
        if len(points) < 3:
            continue
        if points[0] != points[-1]:
            points.append(points[0])
        found.append(" ".join(f"{lat:.6f},{lng:.6f}" for lng, lat, *_z in points))
    return found


def _area_name(area: Area, english: bool) -> str:
    def name(a: Area) -> str:
        return (a.name_en or a.name) if english else a.name

    parent = area.parent
    return f"{name(parent)} · {name(area)}" if parent is not None else name(area)


def _info(notice: Notice, areas: list[Area], language: str) -> ET.Element:
    english = language.startswith("en")
    info = ET.Element(f"{{{CAP_NS}}}info")
    _add(info, "language", language)
    _add(info, "category", "Health")
    with translation.override("en" if english else "zh-hans"):
        _add(info, "event", str(notice.get_category_display()))
    _add(info, "urgency", notice.urgency)
    _add(info, "severity", notice.severity)
    _add(info, "certainty", notice.certainty)
    if notice.published_at is not None:
        _add(info, "effective", cap_time(notice.published_at))
    _add(info, "expires", cap_time(notice.expires_at))
    _add(info, "senderName", "Lifeline" if english else "生命线")
    _add(info, "headline", notice.title_en if english else notice.title_zh)
    _add(info, "description", notice.body_en if english else notice.body_zh)
    for area in areas:
        element = ET.SubElement(info, f"{{{CAP_NS}}}area")
        _add(element, "areaDesc", _area_name(area, english))
        polygons = _polygons(area)
        for polygon in polygons:
            _add(element, "polygon", polygon)
        if not polygons and area.lat is not None and area.lng is not None:
            _add(element, "circle", f"{area.lat:.6f},{area.lng:.6f} 1.0")
        geocode = ET.SubElement(element, f"{{{CAP_NS}}}geocode")
        _add(geocode, "valueName", "GB/T 2260")
        _add(geocode, "value", area.code)
    return info


def alert_xml(notice: Notice) -> bytes:
    """The CAP 1.2 document of ``notice`` (published, or being published)."""
    ET.register_namespace("", CAP_NS)
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _add(alert, "identifier", notice.identifier)
    _add(alert, "sender", sender())
    _add(alert, "sent", cap_time(notice.published_at or notice.created_at))
    _add(alert, "status", notice.cap_status)
    _add(alert, "msgType", notice.msg_type)
    _add(alert, "scope", "Public")
    references = references_of(notice)
    if references:
        _add(alert, "references", references)
    areas = list(notice.target_areas.select_related("parent").order_by("path"))
    alert.append(_info(notice, areas, "zh-CN"))
    alert.append(_info(notice, areas, "en-US"))
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)


def atom_feed(notices: Iterable[Notice], *, base: str, updated: Any) -> bytes:
    """An Atom index of ``notices``: one entry each, linking its CAP document."""
    ET.register_namespace("", ATOM_NS)

    def add(parent: ET.Element, tag: str, value: str = "", **attrs: str) -> ET.Element:
        child = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if value:
            child.text = value
        return child

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    add(feed, "id", f"{base}/notices/cap/feed.atom")
    add(feed, "title", "Lifeline public notices")
    add(feed, "updated", cap_time(updated))
    author = add(feed, "author")
    add(author, "name", sender())
    add(feed, "link", rel="self", href=f"{base}/notices/cap/feed.atom")
    for notice in notices:
        entry = add(feed, "entry")
        add(entry, "id", f"urn:lifeline:notice:{notice.identifier}")
        add(entry, "title", f"{notice.title_zh} / {notice.title_en}")
        add(entry, "updated", cap_time(notice.published_at))
        add(entry, "summary", notice.title_en)
        add(
            entry,
            "link",
            rel="alternate",
            type="application/cap+xml",
            href=f"{base}/notices/cap/{notice.identifier}.xml",
        )
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
