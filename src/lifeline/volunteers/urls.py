"""The volunteers pages under /volunteers/: the coordinator's, and the volunteer's phone
pages under /volunteers/v/."""

from lifeline.volunteers.pages import (
    coordinator,
    exports,
    feed,
    heads,
    phone,
    rosters,
    selfservice,
    sheet,
    testing_calls,
)

app_name = "volunteers"

urlpatterns = [
    *coordinator.urlpatterns,
    *rosters.urlpatterns,
    *sheet.urlpatterns,
    *exports.urlpatterns,
    *testing_calls.urlpatterns,
    *phone.urlpatterns,
    *selfservice.urlpatterns,
    *feed.urlpatterns,
    *heads.urlpatterns,
]
