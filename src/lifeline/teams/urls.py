"""Field-team pages: the dispatcher's teams and plans (with the printable sheet and the
map), and the crew's phone page."""

from django.urls import path

from lifeline.teams.pages import dispatch, jobs, maps, phone

app_name = "teams"

urlpatterns = [
    path("", dispatch.home, name="home"),
    path("plans/new/", jobs.create, name="create"),
    path("jobs/<int:pk>/", jobs.job_page, name="job"),
    path("jobs/<int:pk>/progress/", jobs.job_progress, name="job_progress"),
    path("plans/<int:pk>/urgent-choices/", dispatch.urgent_choices, name="urgent_choices"),
    path("plans/<int:pk>/", dispatch.plan_page, name="plan"),
    path("plans/<int:pk>/act/<slug:action>/", dispatch.act, name="act"),
    path("plans/<int:pk>/sheet/", dispatch.sheet, name="sheet"),
    path("plans/<int:pk>/map/", maps.map_page, name="map"),
    path("plans/<int:pk>/map.geojson", maps.map_data, name="map_data"),
    path("my/", phone.my_route, name="my_route"),
    path("stops/<int:pk>/contact/reveal/", phone.reveal_contact, name="reveal_contact"),
    path("stops/<int:pk>/<slug:action>/", phone.record, name="record"),
]
