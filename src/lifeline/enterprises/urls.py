"""The enterprise liaison's pages under /enterprises/."""

from lifeline.enterprises.pages import liaison, whitelist

app_name = "enterprises"

urlpatterns = [*liaison.urlpatterns, *whitelist.urlpatterns]
