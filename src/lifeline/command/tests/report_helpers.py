"""The daily report tests' small world: the command desk of ``helpers`` with the units of
the ladder (a street office, the district bureau, the city's command centre), a street
officer, a logistics group to own actions, and the PDF's text read back."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass

from django.utils import timezone

from lifeline.accounts.models import Role, User
from lifeline.command.tests.helpers import Desk, make_desk
from lifeline.registry.models import Area, Unit
from lifeline.testing.factories import SmallCity, make_user


@dataclass
class ReportDesk:
    desk: Desk
    street_staff: User
    street_office: Unit
    bureau: Unit
    centre: Unit
    logistics: Unit

    @property
    def city(self) -> SmallCity:
        return self.desk.city


def _unit(code: str, name: str, kind: str, area: Area, name_en: str = "") -> Unit:
    unit = Unit.objects.create(code=code, name=name, name_en=name_en, kind=kind)
    unit.areas.set([area])
    return unit


def make_report_desk(city: SmallCity) -> ReportDesk:
    desk = make_desk(city)
    desk.district.display_name = "王区长"
    desk.district.save(update_fields=["display_name"])
    desk.command.display_name = "李指挥"
    desk.command.save(update_fields=["display_name"])
    return ReportDesk(
        desk=desk,
        street_staff=make_user("cmd_street", role=Role.STREET_STAFF, area=city.street),
        street_office=_unit("U-STREET", "嵩山路街道办", Unit.Kind.STREET_OFFICE, city.street),
        bureau=_unit("U-DIST", "天元区防控办", Unit.Kind.DISTRICT_BUREAU, city.district),
        centre=_unit("U-CMD", "市指挥部", Unit.Kind.COMMAND_CENTRE, city.city, "City command"),
        logistics=_unit("U-LOG", "市物资保障组", Unit.Kind.LOGISTICS, city.city),
    )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A local time of ``day`` (hour 24 is the next midnight)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start + dt.timedelta(hours=hour, minutes=minute)


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(raw):
        c = raw[i : i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            out += simple.get(nxt, nxt)
            i += 2
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text of an fpdf2 PDF with an embedded font: each string's two-byte glyph ids
    read through the font's ToUnicode map (enough for tests; not a general reader)."""
    streams = []
    for body in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(body))
        except zlib.error:
            streams.append(body)
    glyphs: dict[int, str] = {}
    for stream in streams:
        for gid, code in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]{4,8})>", stream):
            glyphs[int(gid, 16)] = bytes.fromhex(code.decode()).decode("utf-16-be")
    lines = []
    for stream in streams:
        for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", stream, re.S):
            ids = _unescape(raw)
            lines.append(
                "".join(
                    glyphs.get(int.from_bytes(ids[n : n + 2], "big"), "?")
                    for n in range(0, len(ids), 2)
                )
            )
    return "\n".join(lines)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))
