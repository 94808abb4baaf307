"""The key-users pages under /keyusers/: the register and the interruptions."""

from lifeline.keyusers.pages import edit, exports, interruptions, maps, register

app_name = "keyusers"

urlpatterns = [
    *register.urlpatterns,
    *edit.urlpatterns,
    *maps.urlpatterns,
    *exports.urlpatterns,
    *interruptions.urlpatterns,
]
