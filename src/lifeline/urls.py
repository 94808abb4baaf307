"""URL map: pages under /, the JSON API under /api/v1, the admin under /admin."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from lifeline.api.router import api

# The admin says whose it is, in the page's language (Django's default is "Django 管理").
admin.site.site_header = _("Lifeline administration")
admin.site.site_title = _("Lifeline administration")
admin.site.index_title = _("Records and settings")

handler500 = "lifeline.server_errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("lifeline.workorders.open311_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("lifeline.registry.import_urls")),
    path("", include("lifeline.workorders.urls")),
    path("", include("lifeline.passes.urls")),
    path("screening/", include("lifeline.screening.urls")),
    path("teams/", include("lifeline.teams.urls")),
    path("health/", include("lifeline.health.urls")),
    path("supplies/", include("lifeline.supplies.urls")),
    path("volunteers/", include("lifeline.volunteers.urls")),
    path("keyusers/", include("lifeline.keyusers.urls")),
    path("counselling/", include("lifeline.counselling.urls")),
    path("continuity/", include("lifeline.continuity.urls")),
    path("enterprises/", include("lifeline.enterprises.urls")),
    path("command/", include("lifeline.command.urls")),
    path("notices/", include("lifeline.notices.urls")),
    path("", include("lifeline.registry.urls")),
    path("", include("lifeline.web.urls")),
]
