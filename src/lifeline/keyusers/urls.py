"""The key-users pages under /keyusers/: the register and the interruptions."""

from lifeline.keyusers.pages import interruptions, register

app_name = "keyusers"

urlpatterns = [*register.urlpatterns, *interruptions.urlpatterns]
