"""The enterprise liaison's pages under /enterprises/."""

from lifeline.enterprises.pages import exports, liaison, whitelist

app_name = "enterprises"

urlpatterns = [*liaison.urlpatterns, *whitelist.urlpatterns, *exports.urlpatterns]
