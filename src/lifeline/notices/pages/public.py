"""Public pages, no login: the phone-first notice board of a community, the page the
acknowledgement link in a text opens (GET shows, POST acknowledges; idempotent), and the
CAP 1.2 documents with their Atom index. Nothing personal is shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifeline.core import clock
from lifeline.core.errors import NotFound
from lifeline.notices import selectors
from lifeline.notices.cap import alert_xml, atom_feed
from lifeline.notices.services import notice_acknowledge, receipt_for_token
from lifeline.notices.services.fanout import public_url
from lifeline.registry.selectors import communities_public

FEED_LIMIT = 100


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _shown(notice, english: bool) -> dict[str, object]:
    return {
        "identifier": notice.identifier,
        "title": notice.title_en if english else notice.title_zh,
        "body": notice.body_en if english else notice.body_zh,
        "category": notice.get_category_display(),
        "msg_type": notice.msg_type,
        "published_at": notice.published_at,
        "expires_at": notice.expires_at,
        "test": notice.cap_status == "Test",
    }


def board(request: HttpRequest) -> HttpResponse:
    """Choose a community; see its notices in force in the page's language."""
    english = _english()
    communities = list(communities_public())
    chosen = None
    wanted = request.GET.get("community", "")
    if wanted.isdigit():
        chosen = next((c for c in communities if c.pk == int(wanted)), None)
    notices = []
    if chosen is not None:
        notices = [_shown(n, english) for n in selectors.notices_for_area(area_path=chosen.path)]
    choices = [
        (
            c.pk,
            f"{(c.parent.name_en or c.parent.name) if english else c.parent.name} · "
            f"{(c.name_en or c.name) if english else c.name}"
            if c.parent
            else c.name,
        )
        for c in communities
    ]
    return render(
        request,
        "notices/board.html",
        {"choices": choices, "chosen": chosen, "notices": notices, "wanted": wanted},
    )


def notice_page(request: HttpRequest, identifier: str) -> HttpResponse:
    """One published notice (the link in texts to enterprises and key users)."""
    try:
        notice = selectors.notice_published(identifier=identifier)
    except NotFound:
        return render(request, "notices/gone.html", status=404)
    return render(request, "notices/notice.html", {"notice": _shown(notice, _english())})


@never_cache
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    try:
        row = receipt_for_token(token)
        if request.method == "POST":
            row = notice_acknowledge(token=token)
    except NotFound:
        return render(request, "notices/gone.html", status=404)
    context = {
        "notice": _shown(row.notice, _english()),
        "acknowledged": row.acknowledged_at is not None,
        "just_now": request.method == "POST",
    }
    return render(request, "notices/acknowledge.html", context)


def cap_document(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        notice = selectors.notice_published(identifier=identifier)
    except NotFound:
        return HttpResponse(status=404, content_type="text/plain")
    return HttpResponse(alert_xml(notice), content_type="application/cap+xml; charset=utf-8")


def cap_feed(request: HttpRequest) -> HttpResponse:
    notices = list(selectors.notices_active()[:FEED_LIMIT])
    updated = notices[0].published_at if notices else clock.now()
    body = atom_feed(notices, base=public_url(), updated=updated)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
