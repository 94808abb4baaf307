"""Counselling endpoints of the desk: who is on duty now (public), the line's contacts,
referrals and callbacks. Creates take an Idempotency-Key."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from lifeline.api.auth import AuthedRequest
from lifeline.api.creates import IdempotencyKey, create_once
from lifeline.api.pagination import PageParams, page_of, paginate
from lifeline.api.schemas import ERRORS, Id
from lifeline.core.errors import NotFound
from lifeline.counselling import selectors, services
from lifeline.counselling.api.schemas import (
    CounsellingCallbackDoneIn,
    CounsellingCallbackIn,
    CounsellingCallbackOut,
    CounsellingContactIn,
    CounsellingContactOut,
    CounsellingLineFilter,
    CounsellingOnDutyListOut,
    CounsellingReferralIn,
    CounsellingReferralOut,
    callback_out,
    contact_out,
    referral_out,
)
from lifeline.registry.models import Area, Unit

router = Router(tags=["counselling"])


def line_of(pk: int) -> Unit:
    # Whether the caller answers this line is the service's check (404 when not).
    line = Unit.objects.filter(pk=pk, kind=Unit.Kind.COUNSELLING_LINE).first()
    if line is None:
        raise NotFound()
    return line


def _optional(model: Any, pk: int | None) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


@router.get("/on-duty", auth=None, response={200: CounsellingOnDutyListOut, **ERRORS})
def on_duty(request: HttpRequest) -> Any:
    """Public: the counsellors on duty now with their published numbers, nobody else."""
    rows = selectors.on_duty_now()
    items = [
        {
            "name": r.name,
            "phone": r.phone,
            "languages": r.languages,
            "line": r.line,
            "until": r.until,
        }
        for r in rows
    ]
    return {"count": len(items), "items": items}


@router.get("/contacts", response={200: page_of(CounsellingContactOut), **ERRORS})
def contacts_list(
    request: AuthedRequest, filters: Query[CounsellingLineFilter], page: Query[PageParams]
) -> Any:
    """The line's contacts, newest first, with the least data: no name, a phone masked."""
    qs = selectors.contact_list(actor=request.auth)
    if filters.line_id is not None:
        qs = qs.filter(line_id=filters.line_id)
    answer = paginate(qs, page)
    answer["items"] = [contact_out(c) for c in answer["items"]]
    return answer


@router.post("/contacts", response={201: CounsellingContactOut, **ERRORS})
def contacts_create(
    request: AuthedRequest, payload: CounsellingContactIn, key: IdempotencyKey
) -> Any:
    """Log a contact: anonymous unless ``consent_contact`` (then a name or phone may be
    kept). ``risk: "high"`` flags it and tells the supervisor at once."""
    actor = request.auth

    def make() -> dict[str, Any]:
        contact = services.contact_log(
            actor=actor,
            line=line_of(payload.line_id),
            enterprise=_optional(Unit, payload.enterprise_id),
            area=_optional(Area, payload.area_id),
            **payload.model_dump(exclude={"line_id", "enterprise_id", "area_id"}),
        )
        return contact_out(contact)

    return create_once(request, key=key, payload=payload, make=make, out=CounsellingContactOut)


@router.post("/contacts/{contact_id}/flag", response={200: CounsellingContactOut, **ERRORS})
def contacts_flag(request: AuthedRequest, contact_id: Id) -> Any:
    """Flag a contact high-risk (self-harm): the supervisor is told now."""
    contact = selectors.contact_get(actor=request.auth, pk=contact_id)
    return contact_out(services.contact_flag_high_risk(actor=request.auth, contact=contact))


@router.post("/contacts/{contact_id}/referrals", response={201: CounsellingReferralOut, **ERRORS})
def referrals_create(
    request: AuthedRequest, contact_id: Id, payload: CounsellingReferralIn, key: IdempotencyKey
) -> Any:
    """Refer the caller to medical care: ``basis: "consent"`` when the contact records the
    caller's consent, else ``"life_at_risk"`` with the ``reason``. ``status`` says whether
    it went to medical care as a work order (``sent``) or the line phones it (``to_phone``)."""
    actor = request.auth

    def make() -> dict[str, Any]:
        contact = selectors.contact_get(actor=actor, pk=contact_id)
        referral = services.referral_make(actor=actor, contact=contact, **payload.model_dump())
        states = selectors.referral_order_states([referral])
        return referral_out(referral, states.get(referral.pk, ""))

    return create_once(request, key=key, payload=payload, make=make, out=CounsellingReferralOut)


@router.get("/referrals", response={200: page_of(CounsellingReferralOut), **ERRORS})
def referrals_list(
    request: AuthedRequest, filters: Query[CounsellingLineFilter], page: Query[PageParams]
) -> Any:
    """The line's referrals, newest first, each with the state of its work order."""
    qs = selectors.referral_list(actor=request.auth)
    if filters.line_id is not None:
        qs = qs.filter(line_id=filters.line_id)
    answer = paginate(qs, page)
    states = selectors.referral_order_states(answer["items"])
    answer["items"] = [referral_out(r, states.get(r.pk, "")) for r in answer["items"]]
    return answer


@router.get("/callbacks", response={200: page_of(CounsellingCallbackOut), **ERRORS})
def callbacks_list(
    request: AuthedRequest, filters: Query[CounsellingLineFilter], page: Query[PageParams]
) -> Any:
    """Waiting callbacks, oldest missed call first."""
    qs = selectors.callback_queue(actor=request.auth)
    if filters.line_id is not None:
        qs = qs.filter(line_id=filters.line_id)
    answer = paginate(qs, page)
    answer["items"] = [callback_out(c, request.auth) for c in answer["items"]]
    return answer


@router.post("/callbacks", response={201: CounsellingCallbackOut, **ERRORS})
def callbacks_create(
    request: AuthedRequest, payload: CounsellingCallbackIn, key: IdempotencyKey
) -> Any:
    """A missed call: owed a call back within 30 minutes (a number already waiting is
    not queued twice)."""
    actor = request.auth

    def make() -> dict[str, Any]:
        callback = services.callback_request(
            actor=actor,
            line=line_of(payload.line_id),
            phone=payload.phone,
            missed_at=payload.missed_at,
        )
        return callback_out(callback, actor)

    return create_once(request, key=key, payload=payload, make=make, out=CounsellingCallbackOut)


@router.post("/callbacks/{callback_id}/take", response={200: CounsellingCallbackOut, **ERRORS})
def callbacks_take(request: AuthedRequest, callback_id: Id) -> Any:
    """Take a waiting callback to call it; a colleague's is refused (409 ``taken``)."""
    callback = selectors.callback_get(actor=request.auth, pk=callback_id)
    taken = services.callback_take(actor=request.auth, callback=callback)
    return callback_out(taken, request.auth)


@router.post("/callbacks/{callback_id}/complete", response={200: CounsellingCallbackOut, **ERRORS})
def callbacks_complete(
    request: AuthedRequest, callback_id: Id, payload: CounsellingCallbackDoneIn
) -> Any:
    """Called back (``reached``) or not reachable; the number is erased."""
    callback = selectors.callback_get(actor=request.auth, pk=callback_id)
    done = services.callback_complete(
        actor=request.auth, callback=callback, reached=payload.reached
    )
    return callback_out(done, request.auth)
