"""Payment terms on account (月结): invoices, payments staff record, statements, reminders, fapiao.

An organisation on account (``Organisation.payment_mode``) orders without paying; each such order
gets an ``Invoice`` inside the placement transaction, due ``net_days`` after, and is placed only if
the organisation's open invoices plus the new one stay within its credit limit (checked under the
organisation's row lock: ``channels.services.accounts``). Staff record ``InvoicePayment`` rows
against invoices (never more than is owed); an invoice paid in full is "paid". A monthly
``Statement`` keeps the PDF and XLSX of a month's statement of account (made in Celery). Overdue
invoices are reminded 1, 7 and 30 days past due, once per step (``InvoiceReminder``). A
``FapiaoRequest`` records what the accountant needs to issue a fapiao (the platform issues none).

Imported by ``channels.models`` (one line), so the app's models and migrations see these.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.uploads import private_storage

ZERO = Decimal("0.00")


class Invoice(models.Model):
    """What an organisation owes for one order placed on account."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        "channels.Organisation",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("organisation"),
    )
    order = models.OneToOneField(
        "order.Order", on_delete=models.PROTECT, related_name="channel_invoice", verbose_name=_("order")
    )
    number = models.CharField(_("invoice number"), max_length=32, unique=True)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"), db_index=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    tax_amount = models.DecimalField(_("of which tax"), max_digits=12, decimal_places=2, default=ZERO)
    amount_paid = models.DecimalField(_("paid"), max_digits=12, decimal_places=2, default=ZERO)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    paid_at = models.DateTimeField(_("paid in full at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["organisation", "status", "due_on"], name="channels_inv_org_status_due")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="channels_invoice_amount_gte_0"),
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="channels_invoice_paid_gte_0"),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("amount")), name="channels_invoice_no_overpayment"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "paid", "cancelled"]), name="channels_invoice_status_valid"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def outstanding(self) -> Decimal:
        if self.status == self.Status.CANCELLED:
            return ZERO
        return self.amount - self.amount_paid

    def days_overdue(self, today) -> int:
        if self.status != self.Status.OPEN or today <= self.due_on:
            return 0
        return (today - self.due_on).days


class InvoiceLine(models.Model):
    """One line of an invoice: an order line (or the delivery charge), with its tax rate."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    order_line = models.OneToOneField(
        "order.Line",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoice_line",
        verbose_name=_("order line"),
    )
    description = models.CharField(_("description"), max_length=255)
    sku = models.CharField(_("product code"), max_length=128, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    tax_amount = models.DecimalField(_("tax"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["invoice", "pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lt=1), name="channels_invoice_line_rate_valid"
            ),
        ]

    def __str__(self):
        return f"{self.invoice} · {self.description}"


class InvoicePayment(models.Model):
    """Money received against an invoice, recorded by staff (append-only)."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("received on"))
    method = models.CharField(
        _("paid by"), max_length=16, choices=Method.choices, default=Method.BANK_TRANSFER
    )
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, help_text=_("E.g. the bank's transaction number.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["invoice", "paid_on", "pk"]
        verbose_name = _("invoice payment")
        verbose_name_plural = _("invoice payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="channels_payment_amount_gt_0")]

    def __str__(self):
        return f"{self.invoice} · {self.amount}"


class InvoiceReminder(models.Model):
    """A reminder of an overdue invoice, at most one per step (days past due)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("invoice")
    )
    step = models.PositiveSmallIntegerField(_("days overdue"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["invoice", "step"]
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step"], name="channels_reminder_once_per_step")
        ]

    def __str__(self):
        return f"{self.invoice} · {self.step}"


class Statement(models.Model):
    """A month's statement of account of an organisation, as files (made in Celery)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "channels.Organisation",
        on_delete=models.CASCADE,
        related_name="statements",
        verbose_name=_("organisation"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    pdf = models.FileField(
        _("PDF"), upload_to="channels/statements", storage=private_storage, blank=True, max_length=200
    )
    xlsx = models.FileField(
        _("XLSX"), upload_to="channels/statements", storage=private_storage, blank=True, max_length=200
    )
    closing_balance = models.DecimalField(_("closing balance"), max_digits=12, decimal_places=2, default=ZERO)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    generated_at = models.DateTimeField(_("made at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["organisation", "-month"]
        verbose_name = _("statement of account")
        verbose_name_plural = _("statements of account")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="channels_statement_one_per_month")
        ]

    def __str__(self):
        return f"{self.organisation} · {self.month:%Y-%m}"


class FapiaoRequest(models.Model):
    """An organisation's request for a fapiao (发票) for one invoice, with the billing details as they
    were when asked; the accountant issues it in the tax software and staff mark it issued."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ISSUED = "issued", _("Issued")

    organisation = models.ForeignKey(
        "channels.Organisation",
        on_delete=models.PROTECT,
        related_name="fapiao_requests",
        verbose_name=_("organisation"),
    )
    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, related_name="fapiao_request", verbose_name=_("invoice")
    )
    invoice_title = models.CharField(_("invoice title"), max_length=128)
    tax_number = models.CharField(_("taxpayer number"), max_length=20)
    billing_address = models.CharField(_("billing address"), max_length=255)
    billing_phone = models.CharField(_("billing phone"), max_length=20)
    bank_name = models.CharField(_("bank"), max_length=128)
    bank_account = models.CharField(_("bank account"), max_length=32)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    tax_amount = models.DecimalField(_("of which tax"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    fapiao_number = models.CharField(_("fapiao number"), max_length=32, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked issued by"),
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("fapiao request")
        verbose_name_plural = _("fapiao requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="requested") | ~Q(fapiao_number=""),
                name="channels_fapiao_issued_has_number",
            ),
        ]

    def __str__(self):
        return f"{self.invoice} · {self.get_status_display()}"
