"""The supplies pages under /supplies/ (staff) and the residents' and receivers' phone
pages; each part keeps its own patterns in :mod:`lifeline.supplies.pages`."""

from lifeline.supplies.pages import donations, home, needs, packages, shipments, stock

app_name = "supplies"

urlpatterns = [
    *home.urlpatterns,
    *stock.urlpatterns,
    *donations.urlpatterns,
    *needs.urlpatterns,
    *shipments.urlpatterns,
    *packages.urlpatterns,
]
