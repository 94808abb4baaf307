"""Log-in forms of the login page and the admin, both refusing locked accounts and
addresses (``accounts.lockout``) before any password is checked.

``Client.login`` and ``force_login`` in tests, and ``authenticate`` in a shell, do not go
through these forms and are not counted.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from lifeline.accounts.lockout import client_address, login_failure_record, login_refusal
from lifeline.core.actors import system


class LockoutMixin:
    """``AuthenticationForm.clean`` with the lock checked first and each failure counted."""

    channel = "login"

    def clean(self) -> Any:
        form: Any = self
        username = form.cleaned_data.get("username")
        password = form.cleaned_data.get("password")
        if username is not None and password:
            refusal = login_refusal(username=username, address=client_address(form.request))
            if refusal is not None:
                raise ValidationError(refusal.message(), code="locked")
        return super().clean()  # type: ignore[misc]

    def get_invalid_login_error(self) -> ValidationError:
        # Called by AuthenticationForm.clean once the password was wrong (or the account
        # inactive): the one place a failure is known, so it is counted here.
        form: Any = self
        refusal = login_failure_record(
            actor=system("login lockout"),
            username=form.cleaned_data.get("username", ""),
            address=client_address(form.request),
            channel=self.channel,
        )
        if refusal is not None:
            return ValidationError(refusal.message(), code="locked")
        error: ValidationError = super().get_invalid_login_error()  # type: ignore[misc]
        return error


class LoginForm(LockoutMixin, AuthenticationForm):
    channel = "login"


class AdminLoginForm(LockoutMixin, AdminAuthenticationForm):
    channel = "admin login"
