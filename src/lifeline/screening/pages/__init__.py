"""Screening pages, one module per area of work (console, lists, policies, rounds, sites,
sessions, review); ``common`` holds what they share."""
