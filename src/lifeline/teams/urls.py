"""Field-team pages: the dispatcher's teams and plans (with the printable sheet and the
map), and the crew's phone page."""

from django.urls import path

from lifeline.teams.pages import dispatch, phone

app_name = "teams"

urlpatterns = [
    path("", dispatch.home, name="home"),
    path("plans/new/", dispatch.create, name="create"),
    path("plans/<int:pk>/", dispatch.plan_page, name="plan"),
    path("plans/<int:pk>/act/<slug:action>/", dispatch.act, name="act"),
    path("plans/<int:pk>/sheet/", dispatch.sheet, name="sheet"),
    path("plans/<int:pk>/map/", dispatch.map_page, name="map"),
    path("my/", phone.my_route, name="my_route"),
    path("stops/<int:pk>/<slug:action>/", phone.record, name="record"),
]
