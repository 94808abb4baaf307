"""A URLconf mounting only the work-order router, so its endpoints are tested the same way
whether or not the project's API has mounted them yet."""

from django.urls import path

from lifeline.api import errors
from lifeline.api.auth import api_auth
from lifeline.api.router import LifelineAPI, ObjectParser
from lifeline.workorders.api import router

api = LifelineAPI(
    title="Lifeline work orders (test)",
    version="test",
    urls_namespace="workorders_test_api",
    auth=api_auth(),
    parser=ObjectParser(),
)
errors.install(api)
api.add_router("/", router)

urlpatterns = [path("api/v1/", api.urls)]
