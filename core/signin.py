"""Sign-in throttling with django-axes, on every login form: the shop's and the dashboard's (Oscar,
e-mail and password), the checkout's "returning customer", the Django admin and Wagtail's admin.

All of them call ``django.contrib.auth.authenticate`` with the request, and the first backend,
``SignInThrottleBackend``, refuses anyone locked out before a password is even checked. Failures are
counted per account name and client address (``core.network.client_ip``) in the database, so every
web process sees the same count; ``AXES_FAILURE_LIMIT`` failures lock that pair out for
``AXES_COOLOFF_TIME``, and the user gets ``locked_out``'s page (HTTP 429). Staff can lift a lockout
in the Django admin ("Access attempts") or with ``manage.py axes_reset``.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.contrib.auth import get_user_model
from django.shortcuts import render


class SignInThrottleBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-in forms (which always pass the request).

    A call without a request is not a sign-in form: Oscar authenticates the account it has just
    registered (with the password just chosen), and the test client's ``login()``. Those are let
    through to the real backends instead of failing the request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def username_of(request, credentials) -> str:
    """The account a failure counts against, however it was named: the shop's forms take an e-mail
    address, the admins a user name, and a successful sign-in reports the user name. An address that
    belongs to exactly one account counts as that account's user name; case never matters."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "POST", {})
        # Oscar's sign-in form has the prefix "login"; the others post "username".
        value = data.get("username") or data.get("login-username") or ""
    value = str(value).strip()
    if "@" in value:
        user_model = get_user_model()
        owners = list(
            user_model._default_manager.filter(email__iexact=value).values_list(
                user_model.USERNAME_FIELD, flat=True
            )[:2]
        )
        if len(owners) == 1:
            value = owners[0]
    return value.lower()


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (HTTP 429): what happened, for how long, what to do."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return render(request, "core/signin_locked.html", {"minutes": minutes}, status=429)
