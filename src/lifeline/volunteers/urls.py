"""The volunteers pages under /volunteers/: the coordinator's, and the volunteer's phone
pages under /volunteers/v/."""

from lifeline.volunteers.pages import coordinator, phone

app_name = "volunteers"

urlpatterns = [*coordinator.urlpatterns, *phone.urlpatterns]
