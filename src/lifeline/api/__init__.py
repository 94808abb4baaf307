"""The JSON API (django-ninja) under /api/v1: assembly, auth, errors, Open311 adapter."""
