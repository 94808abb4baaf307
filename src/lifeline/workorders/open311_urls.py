"""Open311 GeoReport v2 under /open311/v2/: every resource as .json or .xml."""

from django.urls import path, re_path, register_converter

from lifeline.workorders import open311


class FormatConverter:
    """The format suffix; any short word matches so that ``.csv`` gets the spec's 404."""

    regex = "[A-Za-z0-9]{1,8}"

    def to_python(self, value: str) -> str:
        return value.lower()

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"

urlpatterns = [
    path("discovery.<open311fmt:fmt>", open311.discovery, name="discovery"),
    path("services.<open311fmt:fmt>", open311.services_list, name="services"),
    path(
        "services/<slug:service_code>.<open311fmt:fmt>",
        open311.service_definition,
        name="service_definition",
    ),
    path("requests.<open311fmt:fmt>", open311.requests_endpoint, name="requests"),
    path("requests/<slug:request_id>.<open311fmt:fmt>", open311.request_detail, name="request"),
    path("media/<int:photo_id>", open311.media, name="media"),
    path("tokens/<str:token>.<open311fmt:fmt>", open311.token_detail, name="token"),
    # Last: anything else under /open311/v2/ answers 404 in the spec's error format.
    re_path(r"^.*$", open311.unknown_path, name="unknown"),
]
