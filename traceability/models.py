"""Batches (lots) from a production base to a Beijing order line.

The core records every part of the traceability room builds on: a ``Batch`` of one product from
one production base, its lineage (``BatchInput``: which batches it was made from) and the
allocation of order lines to batches (``BatchAllocation``). Events, inspections and certificates
live beside them. Invariants are database constraints: a lot code is unique per product, a batch
never has less than zero left, an allocation is never empty.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

#: GS1 lot/batch (AI 10): at most 20 characters of GS1's ASCII subset; we allow the safe part of it.
LOT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-._/]{0,19}$")

validate_lot_code = RegexValidator(
    LOT_CODE_RE,
    _(
        "A lot code has 1 to 20 characters: Latin letters, digits and - . _ / "
        "(GS1 lot numbers are ASCII), starting with a letter or digit."
    ),
    code="lot_code",
)


class BatchUnit(models.TextChoices):
    """What a batch's quantity counts. Sellable batches count the product's sales unit."""

    PIECE = "piece", _("piece (pack, bottle, box)")
    KG = "kg", _("kilogram")
    JIN = "jin", _("jin (500 g)")
    LITRE = "l", _("litre")


class Batch(models.Model):
    """One lot of one product from one production base (GS1 lot, the unit of recall)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        ON_HOLD = "on_hold", _("on hold")
        RECALLED = "recalled", _("recalled")
        SOLD_OUT = "sold_out", _("sold out")

    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="batches", verbose_name=_("product")
    )
    base = models.ForeignKey(
        "suppliers.ProductionBase",
        on_delete=models.PROTECT,
        related_name="batches",
        verbose_name=_("production base"),
    )
    lot_code = models.CharField(_("lot code"), max_length=20, validators=[validate_lot_code])
    harvest_date = models.DateField(
        _("harvest or production date"), help_text=_("The day it was harvested (fresh) or made (processed).")
    )
    packing_date = models.DateField(_("packing date"), null=True, blank=True)
    best_before = models.DateField(_("best before"))
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=8, choices=BatchUnit.choices, default=BatchUnit.PIECE)
    #: Units of this batch not yet allocated to an order line. Only published batches are sold.
    quantity_remaining = models.PositiveIntegerField(_("quantity remaining"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    #: Random, unguessable code printed as a QR on the label; minted when the batch is published.
    trace_code = models.CharField(_("trace code"), max_length=32, null=True, blank=True, unique=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_reason = models.CharField(_("reason for the status"), max_length=255, blank=True)

    class Meta:
        ordering = ["best_before", "pk"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        indexes = [models.Index(fields=["product", "status", "best_before"], name="trace_batch_saleable")]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "lot_code"], name="trace_batch_unique_lot_per_product"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="trace_batch_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_remaining__gte=0) & Q(quantity_remaining__lte=F("quantity")),
                name="trace_batch_remaining_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(best_before__gte=F("harvest_date")), name="trace_batch_best_before_after_harvest"
            ),
            models.CheckConstraint(
                condition=Q(packing_date__isnull=True) | Q(packing_date__gte=F("harvest_date")),
                name="trace_batch_packed_after_harvest",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(trace_code__isnull=False),
                name="trace_batch_published_has_code",
            ),
        ]

    def __str__(self):
        return f"{self.lot_code} · {self.product_id}"

    def clean(self):
        errors = {}
        if self.harvest_date and self.best_before and self.best_before < self.harvest_date:
            errors["best_before"] = _("The best-before date cannot be before the harvest date.")
        if self.harvest_date and self.packing_date and self.packing_date < self.harvest_date:
            errors["packing_date"] = _("The packing date cannot be before the harvest date.")
        if errors:
            raise ValidationError(errors)

    @property
    def supplier(self):
        return self.base.supplier

    @property
    def is_saleable(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.quantity_remaining > 0


class BatchInput(models.Model):
    """Lineage: ``output`` was made from ``quantity`` ``unit`` of ``input`` (fresh leaf → tea)."""

    output = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="inputs", verbose_name=_("made"))
    input = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="outputs", verbose_name=_("made from")
    )
    quantity = models.DecimalField(_("quantity used"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=BatchUnit.choices)

    class Meta:
        ordering = ["output", "pk"]
        verbose_name = _("batch input")
        verbose_name_plural = _("batch inputs")
        constraints = [
            models.UniqueConstraint(fields=["output", "input"], name="trace_batchinput_unique"),
            models.CheckConstraint(condition=~Q(output=F("input")), name="trace_batchinput_not_itself"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="trace_batchinput_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.input_id} → {self.output_id}"


class BatchAllocation(models.Model):
    """``quantity`` units of an order line come from ``batch`` (written when the order is placed)."""

    line = models.ForeignKey(
        "order.Line", on_delete=models.CASCADE, related_name="batch_allocations", verbose_name=_("order line")
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("batch")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["line", "batch__best_before", "pk"]
        verbose_name = _("batch allocation")
        verbose_name_plural = _("batch allocations")
        constraints = [
            models.UniqueConstraint(fields=["line", "batch"], name="trace_allocation_unique_line_batch"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="trace_allocation_quantity_positive"),
        ]
        indexes = [models.Index(fields=["batch", "line"], name="trace_allocation_by_batch")]

    def __str__(self):
        return f"{self.quantity} × {self.batch_id} → line {self.line_id}"
