"""The command pages."""

from django.urls import path

from lifeline.command.pages import alerts, dashboard, meetings, reports

app_name = "command"

urlpatterns = [
    path("", dashboard.index, name="index"),
    path("areas/<int:pk>/", dashboard.area_page, name="area"),
    path("areas/<int:pk>/rules/", alerts.rules, name="rules"),
    path("areas/<int:pk>/export.<str:fmt>", alerts.export, name="export"),
    path("areas/<int:pk>/reports/", reports.area_reports, name="area_reports"),
    path("areas/<int:pk>/meetings/", meetings.area_meetings, name="meetings"),
    path("alerts/<int:pk>/acknowledge/", alerts.acknowledge, name="acknowledge"),
    path("rules/<int:pk>/retire/", alerts.rule_retire, name="rule_retire"),
    path("reports/<int:pk>/", reports.report_page, name="report"),
    path("reports/<int:pk>/print/", reports.report_print, name="report_print"),
    path("reports/<int:pk>/narrative/", reports.report_sections, name="report_sections"),
    path("reports/<int:pk>/sign/", reports.report_sign, name="report_sign"),
    path("reports/<int:pk>/report.<str:fmt>", reports.report_download, name="report_download"),
    path("meetings/<int:pk>/actions/", meetings.meeting_action_add, name="meeting_action"),
]
