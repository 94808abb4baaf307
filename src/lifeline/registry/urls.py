from django.urls import path

from lifeline.registry import views

app_name = "registry"

urlpatterns = [
    path("areas/", views.area_tree, name="area_tree"),
]
