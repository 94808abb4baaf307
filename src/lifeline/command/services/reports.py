"""The daily report (日报) of the city or a district: generated as a draft, its narrative
written by the area, signed by whoever holds COMMAND_REPORT there.

A draft's snapshot (``command.snapshot``) is taken again each time it is generated; a
signed report is never changed again: generating it returns it as it is, with the same
content and hash. Data arriving after it was signed shows in the next day's report as
revisions. Every write is audited; the signature's record carries the content's hash.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from lifeline.accounts.permissions import Perm
from lifeline.accounts.scoping import require
from lifeline.command import snapshot
from lifeline.command.models import DailyReport, ReportStatus
from lifeline.core import clock
from lifeline.core.actors import Actor, user_of
from lifeline.core.audit import audit_log
from lifeline.core.errors import Conflict, ServiceError
from lifeline.core.safetext import has_unsafe, unsafe_message
from lifeline.registry.models import Area, AreaLevel

REPORT_LEVELS = (AreaLevel.CITY, AreaLevel.DISTRICT)
SECTION_LIMIT = 4000
OLDEST = dt.timedelta(days=366)


def check_level(area: Area) -> None:
    if area.level not in REPORT_LEVELS:
        message = _("Daily reports and review meetings are kept for the city and its districts.")
        raise ServiceError(message, fields={"area_id": [str(message)]})


def check_day(day: Any) -> dt.date:
    today = clock.today()
    if not isinstance(day, dt.date) or day > today or day < today - OLDEST:
        message = _("Choose a day within the last year, up to today.")
        raise ServiceError(message, fields={"day": [str(message)]})
    return day


def verified(report: DailyReport) -> bool:
    """Whether the stored content still hashes to the stored hash."""
    return snapshot.digest(report.content) == report.content_hash


def _stored(document: dict[str, Any]) -> tuple[str, str]:
    text = snapshot.canonical(document)
    return text, snapshot.digest(text)


def report_generate(*, actor: Actor, area: Area, day: Any) -> DailyReport:
    """The report of ``area`` for ``day`` (COMMAND_REPORT there): a new draft, a draft's
    snapshot taken again (its narrative kept), or the signed report as it was signed."""
    require(actor, Perm.COMMAND_REPORT, path=area.path)
    check_level(area)
    day = check_day(day)
    signed = DailyReport.objects.filter(area=area, day=day, status=ReportStatus.SIGNED).first()
    if signed is not None:
        return signed
    taken = snapshot.take(actor=actor, area=area, day=day)
    now = clock.now()
    with transaction.atomic():
        report = DailyReport.objects.select_for_update().filter(area=area, day=day).first()
        if report is not None and report.is_signed:
            return report
        if report is None:
            text, digest = _stored(snapshot.with_sections(taken, {}))
            try:
                with transaction.atomic():
                    report = DailyReport.objects.create(
                        area=area,
                        area_path=area.path,
                        day=day,
                        cutoff=snapshot.cutoff_of(day),
                        content=text,
                        content_hash=digest,
                        taken_at=now,
                        created_by=user_of(actor),
                        created_at=now,
                    )
            except IntegrityError:  # generated at the same moment by someone else
                raise Conflict(
                    _("The report was just opened by someone else; open it again.")
                ) from None
            action = "command.report.generate"
        else:
            sections = json.loads(report.content).get("sections", {})
            report.content, report.content_hash = _stored(snapshot.with_sections(taken, sections))
            report.taken_at = now
            report.version += 1
            report.save(update_fields=["content", "content_hash", "taken_at", "version"])
            action = "command.report.refresh"
        audit_log(
            actor=actor,
            action=action,
            obj=report,
            area_path=area.path,
            purpose=f"{day.isoformat()} sha256={report.content_hash}",
        )
    return report


def _clean_sections(sections: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, list[Any]] = {}
    clean: dict[str, str] = {}
    for name, value in sections.items():
        if name not in snapshot.SECTIONS:
            errors["sections"] = [_("Unknown section.")]
            continue
        text = "" if value is None else str(value).replace("\r\n", "\n").strip()
        if has_unsafe(text):
            errors[name] = [unsafe_message()]
        elif len(text) > SECTION_LIMIT:
            errors[name] = [_("At most 4,000 characters.")]
        clean[name] = text
    if errors:
        raise ServiceError(_("Please correct the marked fields."), fields=errors)
    return clean


def _locked_draft(report: DailyReport, expected_version: int | None) -> DailyReport:
    locked = DailyReport.objects.select_for_update().get(pk=report.pk)
    if locked.is_signed:
        raise Conflict(_("The report is signed and can no longer be changed."), code="signed")
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone changed the report since you opened it; look at it again."),
            code="changed",
        )
    return locked


def report_sections_save(
    *,
    actor: Actor,
    report: DailyReport,
    sections: Mapping[str, Any],
    expected_version: int | None = None,
) -> DailyReport:
    """Write the narrative sections named in ``sections`` (the others are kept) of a
    draft; a signed report refuses (409)."""
    require(actor, Perm.COMMAND_REPORT, path=report.area_path)
    clean = _clean_sections(sections)
    with transaction.atomic():
        locked = _locked_draft(report, expected_version)
        document = json.loads(locked.content)
        before = document.get("sections", {})
        merged = {name: clean.get(name, before.get(name, "")) for name in snapshot.SECTIONS}
        locked.content, locked.content_hash = _stored(snapshot.with_sections(document, merged))
        locked.version += 1
        locked.save(update_fields=["content", "content_hash", "version"])
        audit_log(
            actor=actor,
            action="command.report.sections",
            obj=locked,
            area_path=locked.area_path,
            fields=[f"sections.{name}" for name in clean if clean[name] != before.get(name, "")],
        )
    return locked


def report_sign(*, actor: Actor, report: DailyReport, expected_hash: str = "") -> DailyReport:
    """Sign the draft as it stands (COMMAND_REPORT at its area). ``expected_hash``, the
    hash of what the signer read, must still be the draft's; the figures must have been
    taken at or after the cut-off. From then on the report never changes."""
    require(actor, Perm.COMMAND_REPORT, path=report.area_path)
    with transaction.atomic():
        locked = _locked_draft(report, None)
        if expected_hash and expected_hash != locked.content_hash:
            raise Conflict(
                _("The report changed since you opened it; read it again, then sign."),
                code="changed",
            )
        if locked.taken_at < locked.cutoff:
            at = formats.date_format(timezone.localtime(locked.cutoff), "Y-m-d H:i")
            raise ServiceError(
                _("The figures were taken before the cut-off (%(at)s): take them again, then sign.")
                % {"at": at},
                code="before_cutoff",
            )
        if not verified(locked):
            raise ServiceError(_("The report's content does not match its hash."), code="hash")
        user = user_of(actor)
        locked.status = ReportStatus.SIGNED
        locked.signed_by = user
        locked.signer_name = (getattr(user, "display_name", "") or str(user or ""))[:150]
        locked.signed_at = clock.now()
        locked.version += 1
        locked.save(update_fields=["status", "signed_by", "signer_name", "signed_at", "version"])
        audit_log(
            actor=actor,
            action="command.report.sign",
            obj=locked,
            area_path=locked.area_path,
            purpose=f"{locked.day.isoformat()} sha256={locked.content_hash}",
            fields=["status", "signed_by", "signed_at"],
        )
    return locked
