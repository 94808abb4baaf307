"""The continuity pages under /continuity/: the duty desk's and the command centre's."""

from lifeline.continuity.pages import board, exports, setup

app_name = "continuity"

urlpatterns = [*board.urlpatterns, *setup.urlpatterns, *exports.urlpatterns]
