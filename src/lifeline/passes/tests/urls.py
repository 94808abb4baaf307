"""A URLconf with the project's URLs plus the passes router under /api/v1/passes, so the
endpoints and pages are tested the same way whether or not the project's API mounts them."""

from django.urls import path

from lifeline.api import errors
from lifeline.api.auth import api_auth
from lifeline.api.router import LifelineAPI, ObjectParser
from lifeline.passes.api import router
from lifeline.urls import urlpatterns as project_urlpatterns

api = LifelineAPI(
    title="Lifeline passes (test)",
    version="test",
    urls_namespace="passes_test_api",
    auth=api_auth(),
    parser=ObjectParser(),
)
errors.install(api)
api.add_router("/", router)

urlpatterns = [path("api/v1/", api.urls), *project_urlpatterns]
