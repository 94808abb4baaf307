"""The enterprise liaison's pages under /enterprises/."""

from lifeline.enterprises.pages import liaison

app_name = "enterprises"

urlpatterns = [*liaison.urlpatterns]
