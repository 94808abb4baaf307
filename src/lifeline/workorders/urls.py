"""Work-order pages: the resident form (/r/), the hotline console, queues, orders, metrics."""

from django.urls import path

from lifeline.workorders.pages import common, hotline, metrics, resident, staff

app_name = "workorders"

urlpatterns = [
    # Residents, no login (mobile-first).
    path("r/", resident.start, name="resident_start"),
    path("r/code/", resident.verify, name="resident_verify"),
    path("r/home/", resident.home, name="resident_home"),
    path("r/new/", resident.create, name="resident_create"),
    path("r/orders/<str:number>/", resident.order, name="resident_order"),
    path("r/confirm/", resident.confirm, name="resident_confirm"),
    path("r/leave/", resident.leave, name="resident_leave"),
    # Shared fragments (public reference data only).
    path("workorders/fields/", common.category_fields, name="category_fields"),
    path("workorders/emergency/", common.emergency_check, name="emergency_check"),
    # Staff.
    path("workorders/hotline/", hotline.console, name="hotline"),
    path("workorders/hotline/new/", hotline.create, name="hotline_create"),
    path("workorders/hotline/<int:pk>/comment/", hotline.comment, name="hotline_comment"),
    path("workorders/", staff.queue, name="queue"),
    path("workorders/mine/", staff.my_queue, name="mine"),
    path("workorders/metrics/", metrics.metrics, name="metrics"),
    path("workorders/<int:pk>/", staff.order_page, name="order"),
    path("workorders/<int:pk>/act/<slug:action>/", staff.act, name="act"),
    path("workorders/<int:pk>/contact/reveal/", staff.contact_reveal, name="contact_reveal"),
    path("workorders/photos/<int:pk>/", staff.photo, name="photo"),
]
