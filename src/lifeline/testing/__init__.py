"""Test support shared by every app: factories for a small city and the standard personas."""
