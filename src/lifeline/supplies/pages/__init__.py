"""Supplies pages, one module per part; each module holds its ``urlpatterns``."""
