"""Mobile numbers verified by a one-time SMS code: a buyer's account, a guest's order, the codes sent.

A number is always stored as its 11 mainland digits (``services.mobile_clean``). A code is never
stored: only its HMAC (keyed with ``SECRET_KEY``, bound to the number and purpose), so a copy of the
database gives nobody a code that works.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Eleven digits, 1[3-9] first (the database's last word; ``core.validators.validate_cn_mobile``
#: checks the number ranges in use before anything is saved).
MOBILE_REGEX = r"^1[3-9][0-9]{9}$"


class VerifiedMobile(models.Model):
    """A buyer's mobile number, proven by a code: they sign in with it. One number per account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="verified_mobile",
        verbose_name=_("user"),
    )
    number = models.CharField(_("mobile number"), max_length=11, unique=True)
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)

    class Meta:
        ordering = ["-verified_at", "-pk"]
        verbose_name = _("verified mobile number")
        verbose_name_plural = _("verified mobile numbers")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=MOBILE_REGEX), name="phone_verified_number_format"
            )
        ]

    def __str__(self):
        return f"{self.number} → {self.user_id}"


class OneTimeCode(models.Model):
    """One code sent by SMS: stored hashed, good for ``TTL_MINUTES`` and ``MAX_ATTEMPTS`` tries, once.

    Only the newest code of a number and purpose can be used; asking again makes the older ones
    worthless. The rows also count the sends per number and per network (``services.code_send``).
    """

    class Purpose(models.TextChoices):
        SIGN_IN = "sign-in", _("Sign in or sign up")
        CHECKOUT = "checkout", _("Guest checkout")
        CLOSE_ACCOUNT = "close-account", _("Close the account")

    number = models.CharField(_("mobile number"), max_length=11)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    code_hash = models.CharField(_("code (HMAC-SHA256)"), max_length=64)
    network = models.CharField(_("requested from"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["number", "created_at"], name="phone_code_number_idx"),
            models.Index(fields=["network", "created_at"], name="phone_code_network_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=MOBILE_REGEX), name="phone_code_number_format"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="phone_code_expires"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class SendLock(models.Model):
    """One row per mobile number and per network that asked for a code. A send locks its two rows
    (the number's first, then the network's), so two requests can never both pass the hourly limits."""

    key = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.key


class GuestOrderMobile(models.Model):
    """The verified mobile number a guest checked out with (instead of an e-mail address)."""

    order = models.OneToOneField(
        "order.Order", on_delete=models.CASCADE, related_name="guest_mobile", verbose_name=_("order")
    )
    number = models.CharField(_("mobile number"), max_length=11)
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("guest's mobile number")
        verbose_name_plural = _("guests' mobile numbers")
        indexes = [models.Index(fields=["number"], name="phone_guest_number_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=MOBILE_REGEX), name="phone_guest_number_format")
        ]

    def __str__(self):
        return f"{self.order_id} → {self.number}"
