"""The command pages."""

from django.urls import path

from lifeline.command.pages import alerts, dashboard

app_name = "command"

urlpatterns = [
    path("", dashboard.index, name="index"),
    path("areas/<int:pk>/", dashboard.area_page, name="area"),
    path("areas/<int:pk>/rules/", alerts.rules, name="rules"),
    path("areas/<int:pk>/export.<str:fmt>", alerts.export, name="export"),
    path("alerts/<int:pk>/acknowledge/", alerts.acknowledge, name="acknowledge"),
    path("rules/<int:pk>/retire/", alerts.rule_retire, name="rule_retire"),
]
