"""Pass endpoints: apply, the approval queue, approve/refuse, revoke, the published key list
and revocation list (public: checkpoints fetch them before going offline), live checks and
the upload of offline checks, checkpoint figures and relay hand-offs.

Views only translate: selectors read, services write and refuse."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.schemas import ERRORS, SAFE, Id, InSchema, bounded
from lifeline.core.errors import NotFound, ServiceError
from lifeline.passes import checkpoints, key_store, selectors, services
from lifeline.passes.models import CHECK_RESULT_LABELS, MovementPass, PassApplication
from lifeline.registry import selectors as registry
from lifeline.registry import tree
from lifeline.registry.models import Unit

router = Router(tags=["passes"])

Code = Annotated[str, bounded(32, min_length=1), SAFE]


class PassTypeOut(Schema):
    code: str
    name: str
    name_en: str
    applicant_kinds: list[str]
    approver_kind: str
    approval_minutes: int
    max_validity_hours: int
    scope_kind: str
    household_daily_quota: int | None
    rules: dict[str, Any]


class ApplicationIn(InSchema):
    pass_type: Code
    applicant_kind: Annotated[str, bounded(12, min_length=1), SAFE]
    area: Id | None = None
    person: Id | None = None
    holder_label: Annotated[str, bounded(24), SAFE] = ""
    on_behalf_of: Annotated[str, bounded(150), SAFE] = ""
    scope_areas: list[Code] = Field(default_factory=list, max_length=32)
    route: Annotated[str, bounded(120), SAFE] = ""
    purpose: Annotated[str, bounded(200, min_length=1), SAFE]
    valid_from: dt.datetime
    valid_until: dt.datetime
    # A unit applying for its own vehicle or crew (kind "unit"): which unit, who drives,
    # and the phone told of the decision.
    applicant_unit: Id | None = None
    driver_name: Annotated[str, bounded(50), SAFE] = ""
    holder_phone: Annotated[str, bounded(20), SAFE] = ""


class ApplicationOut(Schema):
    id: int
    pass_type: str
    status: str
    holder_label: str
    on_behalf_of: str
    route: str
    scope_areas: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    approver_unit: str
    submitted_at: dt.datetime
    due_at: dt.datetime
    escalation_level: int
    refusal_code: str
    refusal_reason: str
    pass_id: str | None


def application_out(a: PassApplication) -> dict[str, Any]:
    issued = getattr(a, "issued", None) if a.status == "approved" else None
    return {
        "id": a.pk,
        "pass_type": a.pass_type.code,
        "status": a.status,
        "holder_label": a.holder_label,
        "on_behalf_of": a.on_behalf_of,
        "route": a.route,
        "scope_areas": a.scope_areas,
        "valid_from": a.valid_from,
        "valid_until": a.valid_until,
        "approver_unit": a.approver_unit.code,
        "submitted_at": a.submitted_at,
        "due_at": a.due_at,
        "escalation_level": a.escalation_level,
        "refusal_code": a.refusal_code,
        "refusal_reason": a.refusal_reason,
        "pass_id": issued.pass_id if issued else None,
    }


class PassOut(Schema):
    pass_id: str
    pass_type: str
    holder_label: str
    issuer_unit: str
    status: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    text: str


def pass_out(p: MovementPass) -> dict[str, Any]:
    return {
        "pass_id": p.pass_id,
        "pass_type": p.pass_type.code,
        "holder_label": p.holder_label,
        "issuer_unit": p.issuer_unit.code,
        "status": p.status,
        "valid_from": p.valid_from,
        "valid_until": p.valid_until,
        "text": p.text,
    }


class PassReasonIn(InSchema):
    reason: Annotated[str, bounded(300, min_length=1), SAFE]


class VerifyIn(InSchema):
    checkpoint: Code
    text: Annotated[str, bounded(600, min_length=1)]
    client_id: Annotated[str, bounded(64, min_length=8), SAFE]


class LookupIn(InSchema):
    checkpoint: Code
    pass_id: Annotated[str, bounded(32, min_length=1), SAFE]
    client_id: Annotated[str, bounded(64, min_length=8), SAFE]


class VerifyOut(Schema):
    status: str
    reason: str
    pass_id: str | None
    holder: str | None
    pass_type: str | None
    valid_until: int | None
    live_status: str | None


class CheckIn(InSchema):
    client_id: Annotated[str, bounded(64, min_length=8), SAFE]
    pass_id: Annotated[str, bounded(32), SAFE] = ""
    result: Annotated[str, bounded(32, min_length=1), SAFE]
    checked_at: dt.datetime


class UploadIn(InSchema):
    checkpoint: Code
    checks: list[CheckIn] = Field(max_length=checkpoints.MAX_UPLOAD)


class UploadOut(Schema):
    received: int
    stored: int
    duplicates: int


class CrossingOut(Schema):
    hour: dt.datetime
    total: int
    ok: int
    refused: int


class RelayIn(InSchema):
    goods: Annotated[str, bounded(200, min_length=1), SAFE]
    from_party: Annotated[str, bounded(100), SAFE] = ""
    to_party: Annotated[str, bounded(100, min_length=1), SAFE]


class RelayStepIn(InSchema):
    status: Annotated[str, bounded(12, min_length=1), SAFE]
    signed_by_name: Annotated[str, bounded(50), SAFE] = ""


class RelayOut(Schema):
    id: int
    checkpoint: str = Field(alias="checkpoint.code")
    goods: str
    from_party: str
    to_party: str
    status: str
    registered_at: dt.datetime
    disinfected_at: dt.datetime | None
    signed_at: dt.datetime | None
    signed_by_name: str
    logbook_returned_at: dt.datetime | None


@router.get("/passes/types", response={200: list[PassTypeOut], **ERRORS})
def pass_types(request: AuthedRequest) -> Any:
    return list(selectors.pass_type_list())


@router.post("/passes/applications", response={201: ApplicationOut, **ERRORS})
def application_create(request: AuthedRequest, payload: ApplicationIn, key: IdempotencyKey) -> Any:
    actor = request.auth

    def make() -> dict[str, Any]:
        person = registry.person_get(actor=actor, pk=payload.person) if payload.person else None
        unit, area = None, None
        if payload.applicant_unit is not None:
            # A unit's own pass: the unit and the place come from what its members may apply
            # for (a unit-only membership holds no area of its own).
            choices = selectors.apply_choices(actor=actor)
            unit = choices.unit(payload.applicant_unit)
            if unit is None:
                message = _("You may not apply for that unit.")
                raise ServiceError(message, fields={"applicant_unit": [message]})
            area = next((a for a in choices.unit_areas if a.pk == payload.area), None)
        elif payload.area:
            area = tree.area_get(actor=actor, pk=payload.area)
        if area is None and person is not None:
            area = person.grid
        if area is None:
            message = _("Choose the area or the resident the pass is for.")
            raise ServiceError(message, fields={"area": [message]})
        application = services.pass_application_submit(
            actor=actor,
            pass_type_code=payload.pass_type,
            applicant_kind=payload.applicant_kind,
            area=area,
            person=person,
            holder_label=payload.holder_label,
            on_behalf_of=payload.on_behalf_of,
            scope_areas=payload.scope_areas,
            route=payload.route,
            purpose=payload.purpose,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
            applicant_unit=unit,
            driver_name=payload.driver_name,
            holder_phone=payload.holder_phone,
        )
        return application_out(application)

    return create_once(request, key=key, payload=payload, make=make, out=ApplicationOut)


@router.get("/passes/applications", response={200: list[ApplicationOut], **ERRORS})
def application_list(request: AuthedRequest) -> Any:
    rows = selectors.application_list(actor=request.auth).select_related("issued")[:200]
    return [application_out(a) for a in rows]


@router.get("/passes/queue", response={200: list[ApplicationOut], **ERRORS})
def application_queue(request: AuthedRequest) -> Any:
    return [application_out(a) for a in selectors.application_queue(actor=request.auth)[:200]]


@router.post("/passes/applications/{pk}/approve", response={200: PassOut, **ERRORS})
def application_approve(request: AuthedRequest, pk: Id) -> Any:
    return pass_out(services.pass_application_approve(actor=request.auth, application_id=pk))


@router.post("/passes/applications/{pk}/refuse", response={200: ApplicationOut, **ERRORS})
def application_refuse(request: AuthedRequest, pk: Id, payload: PassReasonIn) -> Any:
    application = services.pass_application_refuse(
        actor=request.auth, application_id=pk, reason=payload.reason
    )
    return application_out(application)


@router.post("/passes/{pass_id}/revoke", response={200: PassOut, **ERRORS})
def pass_revoke(request: AuthedRequest, pass_id: Code, payload: PassReasonIn) -> Any:
    return pass_out(
        services.pass_revoke(actor=request.auth, pass_id=pass_id, reason=payload.reason)
    )


@router.get("/passes/keys", auth=None, response={200: dict[str, Any], **ERRORS})
def key_list(request: HttpRequest) -> Any:
    return key_store.key_list_published()


class RotateIn(InSchema):
    unit: Code


class KeyOut(Schema):
    kid: str
    unit_code: str
    not_before: int
    not_after: int | None


@router.post("/passes/keys/rotate", response={201: KeyOut, **ERRORS})
def key_rotate(request: AuthedRequest, payload: RotateIn, key: IdempotencyKey) -> Any:
    """Start a new signing key for a unit; the old one stays listed for its passes."""

    def make() -> Any:
        unit = Unit.objects.filter(code=payload.unit).first()
        if unit is None:
            raise NotFound(_("No such unit."))
        return key_store.signing_key_rotate(actor=request.auth, unit=unit)

    return create_once(request, key=key, payload=payload, make=make, out=KeyOut)


@router.get("/passes/revocations", auth=None, response={200: dict[str, Any], **ERRORS})
def revocations(request: HttpRequest, since: Query[int | None] = None) -> Any:
    return key_store.revocation_published(since=since if since and since > 0 else None)


@router.post("/passes/checks/verify", response={200: VerifyOut, **ERRORS})
def check_verify(request: AuthedRequest, payload: VerifyIn) -> Any:
    outcome = checkpoints.pass_check_online(
        actor=request.auth,
        checkpoint_code=payload.checkpoint,
        text=payload.text,
        client_id=payload.client_id,
    )
    return verify_out(outcome)


def verify_out(outcome: checkpoints.CheckOutcome) -> dict[str, Any]:
    claims = outcome.result.claims
    live = outcome.check.movement_pass
    return {
        "status": outcome.result.status.value,
        "reason": str(CHECK_RESULT_LABELS.get(outcome.result.status.value, "")),
        "pass_id": claims.pass_id if claims else None,
        "holder": claims.holder if claims else None,
        "pass_type": claims.pass_type if claims else None,
        "valid_until": claims.valid_until if claims else None,
        "live_status": live.status if live else None,
    }


@router.post("/passes/checks/lookup", response={200: VerifyOut, **ERRORS})
def check_by_number(request: AuthedRequest, payload: LookupIn) -> Any:
    """The short pass number typed at a checkpoint: looked up, verified, logged, audited."""
    outcome = checkpoints.pass_check_by_number(
        actor=request.auth,
        checkpoint_code=payload.checkpoint,
        pass_id=payload.pass_id,
        client_id=payload.client_id,
    )
    return verify_out(outcome)


@router.post("/passes/checks/upload", response={200: UploadOut, **ERRORS})
def checks_upload(request: AuthedRequest, payload: UploadIn) -> Any:
    return checkpoints.pass_checks_upload(
        actor=request.auth,
        checkpoint_code=payload.checkpoint,
        checks=[c.model_dump() for c in payload.checks],
    )


@router.get("/passes/checkpoints/{code}/crossings", response={200: list[CrossingOut], **ERRORS})
def crossings(request: AuthedRequest, code: Code, day: dt.date) -> Any:
    actor = request.auth
    checkpoint = selectors.checkpoint_get(actor=actor, code=code)
    return selectors.crossings_per_hour(actor=actor, checkpoint=checkpoint, day=day)


@router.post("/passes/checkpoints/{code}/relays", response={201: RelayOut, **ERRORS})
def relay_register(
    request: AuthedRequest, code: Code, payload: RelayIn, key: IdempotencyKey
) -> Any:
    def make() -> Any:
        return checkpoints.relay_register(
            actor=request.auth,
            checkpoint_code=code,
            goods=payload.goods,
            from_party=payload.from_party,
            to_party=payload.to_party,
        )

    return create_once(request, key=key, payload=payload, make=make, out=RelayOut)


@router.post("/passes/relays/{pk}/advance", response={200: RelayOut, **ERRORS})
def relay_advance(request: AuthedRequest, pk: Id, payload: RelayStepIn) -> Any:
    return checkpoints.relay_advance(
        actor=request.auth,
        relay_id=pk,
        to_status=payload.status,
        signed_by_name=payload.signed_by_name,
    )
