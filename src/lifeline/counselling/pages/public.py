"""The public page (no login, on a phone): the counsellors on duty now, with the number
to call. Nothing is shown about those off duty."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from lifeline.counselling import selectors


@never_cache
def on_duty(request: HttpRequest) -> HttpResponse:
    return render(request, "counselling/public.html", {"rows": selectors.on_duty_now()})


urlpatterns = [path("", on_duty, name="public")]
