"""The passes tests' URLconf: the project's own, now that the API assembly mounts the
passes router under /api/v1, so endpoints and pages are tested where clients reach them."""

from lifeline.api.router import api
from lifeline.urls import urlpatterns

__all__ = ["api", "urlpatterns"]
