"""The suite hashes passwords with a fast hasher (``lifeline.testing.fixtures``); the
service itself must not: its settings keep Django's PBKDF2 first."""

from __future__ import annotations

import importlib

from django.conf import global_settings

from lifeline.testing.fixtures import FAST_HASHERS


def test_the_service_hashes_passwords_with_pbkdf2_and_only_tests_use_the_fast_hasher() -> None:
    production = importlib.import_module("lifeline.settings")
    hashers = getattr(production, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert not set(FAST_HASHERS) & set(hashers)


def test_the_suite_runs_with_the_fast_hasher(settings: object) -> None:
    from django.contrib.auth.hashers import get_hasher

    assert get_hasher().algorithm == "md5"
