"""Small project-wide records."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SiteFlag(models.Model):
    """A named marker the project sets once, e.g. that the demo data has been loaded."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    value = models.CharField(_("value"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("site flag")
        verbose_name_plural = _("site flags")

    def __str__(self):
        return self.key


class OutboxMessage(models.Model):
    """A side effect (e-mail, SMS, a call to an outside service) recorded with the change causing it.

    Written by ``core.outbox.outbox_add`` inside the business transaction, so it exists exactly when
    the change committed; delivered afterwards by a Celery task or, if the broker could not take it,
    by the minute sweeper. ``key`` is unique: the same notice is never recorded twice.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("gave up")

    kind = models.CharField(_("kind"), max_length=100)
    key = models.CharField(_("dedupe key"), max_length=255, unique=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The sweeper's question: pending messages that are due, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                name="core_outbox_pending_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["state", "kind"], name="core_outbox_state_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="sent") | models.Q(sent_at__isnull=False),
                name="core_outbox_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.key} ({self.state})"
