"""The notices pages: public (board, acknowledgement, CAP and Atom) and staff."""

from django.urls import path

from lifeline.notices.pages import public, reach, staff

app_name = "notices"

urlpatterns = [
    path("", public.board, name="board"),
    path("a/<str:token>", public.acknowledge, name="acknowledge"),
    path("n/<str:identifier>", public.notice_page, name="notice"),
    path("cap/feed.atom", public.cap_feed, name="cap_feed"),
    path("cap/<str:identifier>.xml", public.cap_document, name="cap"),
    path("staff/", staff.home, name="home"),
    path("staff/new/", staff.draft_new, name="new"),
    path("staff/<int:pk>/", staff.detail, name="detail"),
    path("staff/<int:pk>/submit/", staff.submit, name="submit"),
    path("staff/<int:pk>/approve/", staff.approve, name="approve"),
    path("staff/<int:pk>/follow-up/", staff.follow_up, name="follow_up"),
    path("staff/<int:pk>/edit/", staff.edit, name="edit"),
    path("staff/<int:pk>/withdraw/", staff.withdraw, name="withdraw"),
    path("reach/", reach.reach, name="reach"),
    path("reach/<int:pk>/reached/", reach.reach_mark, name="reach_mark"),
    path("reach/visits/", reach.visits, name="visits"),
    path("reach/notice/<int:pk>/export/", reach.reach_export, name="reach_export"),
]
