from django.urls import path

from lifeline.registry import views

app_name = "registry"

urlpatterns = [
    path("areas/", views.area_tree, name="area_tree"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("grids/<int:pk>/", views.grid, name="grid"),
    path("grids/<int:pk>/vulnerable/", views.grid_vulnerable, name="grid_vulnerable"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    # The field to reveal travels in the POST body: a reveal URL is always ".../reveal/".
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("search/", views.search, name="search"),
]
