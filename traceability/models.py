"""Batches (lots) from a production base to a Beijing order line.

The core records every part of the traceability room builds on: a ``Batch`` of one product from
one production base, its lineage (``BatchInput``: which batches it was made from) and the
allocation of order lines to batches (``BatchAllocation``). Events, inspections and certificates
live beside them. Invariants are database constraints: a lot code is unique per product, a batch
never has less than zero left, an allocation is never empty.
"""

import datetime
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.uploads import private_storage
from suppliers.validators import validate_cn_phone, validate_pdf_upload

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

    class HoldKind(models.TextChoices):
        """Why a batch is on hold: put there by hand, or by a food-safety gate (``traceability.gates``)."""

        MANUAL = "manual", _("held by hand")
        GATE = "gate", _("held by a food-safety gate")
        EXPIRED = "expired", _("past its best-before date")

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
    #: Set with an ``on_hold`` status: who or what put the batch on hold ("" otherwise).
    hold_kind = models.CharField(_("kind of hold"), max_length=8, choices=HoldKind.choices, blank=True)

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

    def get_absolute_url(self) -> str:
        """The public trace page ``/t/<code>/``; "" while the batch has no trace code (a draft)."""
        if not self.trace_code:
            return ""
        return reverse("traceability:trace", kwargs={"code": self.trace_code})

    get_trace_url = get_absolute_url


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


# --- Events, farm inputs, inspections, certificates, API tokens (issue 4, parts 1–6) ----------------
#: Every event in Shiyan carries its offset; EPCIS wants it written out ("+08:00").
EVENT_TIMEZONE_OFFSET = "+08:00"
validate_timezone_offset = RegexValidator(
    r"^[+-](0[0-9]|1[0-3]):[0-5][0-9]$|^[+-]14:00$",
    _("A time-zone offset is written like +08:00."),
    code="timezone_offset",
)


@deconstructible
class TraceUploadName:
    """Kept only because old migrations name it. Fields now give a folder, and the storage names the
    file (random name, extension from the content: ``core.uploads``)."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        return f"traceability/{self.folder}/{filename}"

    def __eq__(self, other):
        return isinstance(other, TraceUploadName) and other.folder == self.folder


class EventType(models.TextChoices):
    """EPCIS 2.0 event types used here."""

    OBJECT = "ObjectEvent", _("object event")
    AGGREGATION = "AggregationEvent", _("aggregation event")
    TRANSFORMATION = "TransformationEvent", _("transformation event")


class EventAction(models.TextChoices):
    ADD = "ADD", _("add (the batch comes into being)")
    OBSERVE = "OBSERVE", _("observe")
    DELETE = "DELETE", _("delete (the batch ends)")


class BizStep(models.TextChoices):
    """CBV 2.0 business steps (the subset a farm-to-Beijing chain needs)."""

    COMMISSIONING = "commissioning", pgettext_lazy("EPCIS business step", "harvest (commissioning)")
    PACKING = "packing", pgettext_lazy("EPCIS business step", "packing")
    STORING = "storing", pgettext_lazy("EPCIS business step", "storing")
    SHIPPING = "shipping", pgettext_lazy("EPCIS business step", "shipping")
    TRANSPORTING = "transporting", pgettext_lazy("EPCIS business step", "transporting")
    RECEIVING = "receiving", pgettext_lazy("EPCIS business step", "receiving")
    SAMPLING = "sampling", pgettext_lazy("EPCIS business step", "sampling")
    INSPECTING = "inspecting", pgettext_lazy("EPCIS business step", "inspecting")
    HOLDING = "holding", pgettext_lazy("EPCIS business step", "holding")
    STOCKING = "stocking", pgettext_lazy("EPCIS business step", "on sale (stocking)")
    REPACKAGING = "repackaging", pgettext_lazy("EPCIS business step", "repackaging")
    DESTROYING = "destroying", pgettext_lazy("EPCIS business step", "destroying")
    OTHER = "other", pgettext_lazy("EPCIS business step", "other")


class Disposition(models.TextChoices):
    """CBV 2.0 dispositions: the state the batch is in after the event."""

    ACTIVE = "active", pgettext_lazy("EPCIS disposition", "active")
    IN_PROGRESS = "in_progress", pgettext_lazy("EPCIS disposition", "in progress")
    IN_TRANSIT = "in_transit", pgettext_lazy("EPCIS disposition", "in transit")
    SELLABLE_ACCESSIBLE = "sellable_accessible", pgettext_lazy("EPCIS disposition", "on sale")
    SELLABLE_NOT_ACCESSIBLE = (
        "sellable_not_accessible",
        pgettext_lazy("EPCIS disposition", "held back from sale"),
    )
    NON_SELLABLE_OTHER = "non_sellable_other", pgettext_lazy("EPCIS disposition", "not for sale")
    CONFORMANT = "conformant", pgettext_lazy("EPCIS disposition", "conformant")
    NON_CONFORMANT = "non_conformant", pgettext_lazy("EPCIS disposition", "non-conformant")
    RECALLED = "recalled", pgettext_lazy("EPCIS disposition", "recalled")
    EXPIRED = "expired", pgettext_lazy("EPCIS disposition", "expired")
    DESTROYED = "destroyed", pgettext_lazy("EPCIS disposition", "destroyed")
    RETURNED = "returned", pgettext_lazy("EPCIS disposition", "returned")


class EventLocked(ValidationError):
    """Raised when a stored event of a batch that has left draft would be changed or deleted."""


class Inspection(models.Model):
    """A laboratory report on a batch (检测报告): who tested what, when, with every item's result."""

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("batch")
    )
    laboratory = models.CharField(_("laboratory"), max_length=128)
    report_number = models.CharField(_("report number"), max_length=64)
    sampling_date = models.DateField(_("sampling date"))
    report_date = models.DateField(_("report date"), null=True, blank=True)
    #: True when every item passed; written by ``inspection_record`` from the items, never by hand.
    passed = models.BooleanField(_("passed"))
    conclusion = models.TextField(_("conclusion"), blank=True)
    #: Private: the portal and the trace page serve it through views that check who may see it.
    report_file = models.FileField(
        _("report (PDF)"),
        upload_to="traceability/reports/",
        storage=private_storage,
        blank=True,
        validators=[validate_pdf_upload],
    )
    #: SHA-256 of the report file as uploaded: a printed copy can be checked against it.
    report_sha256 = models.CharField(_("SHA-256 of the report"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["batch", "sampling_date", "pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.UniqueConstraint(
                fields=["laboratory", "report_number"], name="trace_inspection_unique_report"
            ),
            models.CheckConstraint(
                condition=Q(report_file="") | ~Q(report_sha256=""), name="trace_inspection_file_has_hash"
            ),
        ]

    def __str__(self):
        return f"{self.laboratory} {self.report_number}"


class InspectionItem(models.Model):
    """One analyte of a report: result against its limit (a null result means "not detected")."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="items", verbose_name=_("inspection")
    )
    analyte = models.CharField(
        _("analyte"), max_length=64, help_text=_("E.g. 毒死蜱 (chlorpyrifos), 铅 (lead).")
    )
    result = models.DecimalField(
        _("result"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Leave empty when not detected."),
    )
    limit = models.DecimalField(
        _("limit"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("The maximum allowed, e.g. from GB 2763 or GB 2762."),
    )
    unit = models.CharField(_("unit"), max_length=16, default="mg/kg")
    method = models.CharField(_("method"), max_length=64, blank=True)
    passed = models.BooleanField(_("passed"))

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        constraints = [
            # A measured result and a limit decide pass or fail; nobody can mark an exceedance as passed.
            models.CheckConstraint(
                condition=Q(result__isnull=True)
                | Q(limit__isnull=True)
                | Q(passed=True, result__lte=F("limit"))
                | Q(passed=False, result__gt=F("limit")),
                name="trace_item_pass_matches_limit",
            ),
            models.CheckConstraint(
                condition=Q(result__isnull=False) | Q(passed=True), name="trace_item_not_detected_passes"
            ),
            models.CheckConstraint(
                condition=Q(result__isnull=True) | Q(result__gte=0), name="trace_item_result_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.analyte}: {self.result if self.result is not None else 'ND'} {self.unit}"


class TraceEvent(models.Model):
    """One EPCIS 2.0 event in a batch's life (harvest, packing, shipping, inspection, hold …).

    Events form a hash chain per batch: ``content_hash`` is the SHA-256 of the event's canonical
    content including ``previous_hash`` (the hash of the event before it, "" for the first), so a
    silent edit of any stored event breaks the chain (``traceability.chain.chain_verify``). Once the
    batch has left draft, events are append-only: a correction is a new event that ``corrects`` the
    old one (exported as an EPCIS error declaration on the old event).
    """

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="events", verbose_name=_("batch"))
    sequence = models.PositiveIntegerField(_("number in the batch's chain"))
    event_id = models.UUIDField(_("event ID"), default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(
        _("event type"), max_length=24, choices=EventType.choices, default=EventType.OBJECT
    )
    action = models.CharField(_("action"), max_length=8, choices=EventAction.choices, blank=True)
    biz_step = models.CharField(_("business step"), max_length=24, choices=BizStep.choices)
    disposition = models.CharField(_("disposition"), max_length=32, choices=Disposition.choices, blank=True)
    event_time = models.DateTimeField(_("event time"))
    event_timezone_offset = models.CharField(
        _("time-zone offset"),
        max_length=6,
        default=EVENT_TIMEZONE_OFFSET,
        validators=[validate_timezone_offset],
    )
    #: Day precision: the event is known by its date only (a harvest day entered as a date).
    date_only = models.BooleanField(_("date only"), default=False)
    record_time = models.DateTimeField(_("recorded at"), default=timezone.now)
    base = models.ForeignKey(
        "suppliers.ProductionBase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trace_events",
        verbose_name=_("production base"),
    )
    place = models.CharField(
        _("place"), max_length=128, blank=True, help_text=_("Where, when not at a base.")
    )
    actor = models.CharField(_("who"), max_length=128, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, null=True, blank=True)
    parent_id = models.CharField(
        _("container ID"), max_length=255, blank=True, help_text=_("For packing: the case or pallet (a URI).")
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("inspection"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    previous_hash = models.CharField(_("previous event's hash"), max_length=64, blank=True)
    content_hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["batch", "sequence"]
        verbose_name = _("trace event")
        verbose_name_plural = _("trace events")
        constraints = [
            models.UniqueConstraint(fields=["batch", "sequence"], name="trace_event_unique_sequence"),
            models.CheckConstraint(
                condition=Q(event_type="TransformationEvent", action="")
                | (~Q(event_type="TransformationEvent") & Q(action__in=["ADD", "OBSERVE", "DELETE"])),
                name="trace_event_action_fits_type",
            ),
            models.CheckConstraint(
                condition=Q(base__isnull=False) | ~Q(place=""), name="trace_event_has_a_place"
            ),
            models.CheckConstraint(
                condition=Q(sequence=1, previous_hash="") | (Q(sequence__gt=1) & ~Q(previous_hash="")),
                name="trace_event_chained",
            ),
        ]

    def __str__(self):
        return f"{self.batch_id} #{self.sequence} {self.biz_step}"

    def save(self, *args, **kwargs):
        # The one guard below the services: a stored event of a batch that has left draft never changes
        # (admin, shell and services alike); only new events are appended.
        if not self._state.adding and Batch.objects.filter(pk=self.batch_id).exclude(status="draft").exists():
            raise EventLocked(
                _("Events of a published batch cannot be changed: record a correction instead.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Batch.objects.filter(pk=self.batch_id).exclude(status="draft").exists():
            raise EventLocked(
                _("Events of a published batch cannot be deleted: record a correction instead.")
            )
        return super().delete(*args, **kwargs)

    @property
    def where(self) -> str:
        return self.base.name if self.base_id else self.place


class FarmInput(models.Model):
    """Fertiliser or pesticide applied on a base (投入品使用记录), with a pesticide's pre-harvest interval."""

    class Kind(models.TextChoices):
        PESTICIDE = "pesticide", _("pesticide")
        FERTILISER = "fertiliser", _("fertiliser")
        OTHER = "other", _("other input")

    base = models.ForeignKey(
        "suppliers.ProductionBase",
        on_delete=models.CASCADE,
        related_name="farm_inputs",
        verbose_name=_("production base"),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("crop (product)"),
        help_text=_("Leave empty when it was applied to everything grown on the base."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("product name"), max_length=128, help_text=_("E.g. 10%吡虫啉可湿性粉剂."))
    dose = models.CharField(_("dose"), max_length=64, help_text=_("E.g. 20 g per mu, diluted 1:2000."))
    applied_on = models.DateField(_("applied on"))
    pre_harvest_interval_days = models.PositiveSmallIntegerField(
        _("pre-harvest interval (days)"),
        default=0,
        help_text=_("安全间隔期 on the label: no harvest until this many days after applying it."),
    )
    plot = models.CharField(_("plot"), max_length=64, blank=True)
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
        ordering = ["base", "-applied_on", "-pk"]
        verbose_name = _("farm input")
        verbose_name_plural = _("farm inputs")
        indexes = [models.Index(fields=["base", "applied_on"], name="trace_farminput_base_day")]

    def __str__(self):
        return f"{self.name} · {self.applied_on}"

    @property
    def harvest_allowed_from(self) -> datetime.date:
        return self.applied_on + datetime.timedelta(days=self.pre_harvest_interval_days)


class ComplianceCertificate(models.Model):
    """承诺达标合格证: the producer's signed promise for one batch of edible farm produce.

    Its content follows the certificate's fixed form (product, quantity, origin, issue time, issuer,
    contact, the promise and its basis). A lab-test basis points at the inspection it rests on.
    """

    class Basis(models.TextChoices):
        PROCESS_CONTROL = "process_control", _("internal quality control")
        SELF_TEST = "self_test", _("self-test")
        LAB_TEST = "lab_test", _("laboratory test")

    batch = models.OneToOneField(
        Batch, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("batch")
    )
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    product_name = models.CharField(_("product name"), max_length=128)
    quantity = models.DecimalField(_("quantity (weight)"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=BatchUnit.choices, default=BatchUnit.KG)
    origin = models.CharField(
        _("origin"), max_length=128, help_text=_("Province, city, county and township.")
    )
    issued_at = models.DateTimeField(_("issued at"))
    issuer = models.CharField(_("issuer"), max_length=128, help_text=_("The producer's name (主体名称)."))
    contact = models.CharField(_("contact phone"), max_length=20, validators=[validate_cn_phone])
    promise = models.TextField(_("promise"))
    basis = models.CharField(_("basis of the promise"), max_length=16, choices=Basis.choices)
    #: The last day the promise holds (empty: it lasts as long as the batch). Past it the batch is held.
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The last day the promise holds; leave empty when it covers the batch's whole life."),
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("inspection it rests on"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("compliance certificate")
        verbose_name_plural = _("compliance certificates")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="trace_certificate_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(basis="lab_test") | Q(inspection__isnull=False),
                name="trace_certificate_lab_test_has_inspection",
            ),
        ]

    def __str__(self):
        return self.number


class ApiToken(models.Model):
    """A supplier's key to the batch API. Only its SHA-256 is stored; the key is shown once."""

    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("supplier")
    )
    name = models.CharField(
        _("name"), max_length=64, help_text=_("What uses it, e.g. 仓库电脑 (warehouse PC).")
    )
    prefix = models.CharField(_("first characters"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["supplier", "-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Recall (issue 4, part 8) -------------------------------------------------------------------------
class Recall(models.Model):
    """Staff pulled a batch and every batch made from it (at any depth) off sale, for a reason."""

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="recalls", verbose_name=_("recalled batch")
    )
    reason = models.TextField(_("reason"))
    #: The batch itself and every descendant through lineage, as they were found at the recall.
    batches = models.ManyToManyField(Batch, related_name="+", verbose_name=_("batches affected"))
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recalled by"),
    )
    created_at = models.DateTimeField(_("recalled at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        constraints = [
            # One recall per root batch: recalling a recalled batch changes nothing.
            models.UniqueConstraint(fields=["batch"], name="trace_recall_unique_batch"),
        ]

    def __str__(self):
        return f"{self.batch.lot_code} ({self.created_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("recall:detail", kwargs={"pk": self.pk})


class RecallNotice(models.Model):
    """The recall e-mail to one buyer address: written once per recall and recipient, stamped when sent.

    The unique constraint and the ``sent_at`` stamp make the notification task safe to retry: a buyer
    already notified is skipped, whatever happened to the task before.
    """

    recall = models.ForeignKey(
        Recall, on_delete=models.CASCADE, related_name="notices", verbose_name=_("recall")
    )
    email = models.EmailField(_("e-mail address"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["recall", "email"]
        verbose_name = _("recall notice")
        verbose_name_plural = _("recall notices")
        constraints = [
            models.UniqueConstraint(fields=["recall", "email"], name="trace_recallnotice_once_per_recipient")
        ]

    def __str__(self):
        return f"{self.recall_id} → {self.email}"


# --- Sheet imports and API retries (issue 10) ---------------------------------------------------------
class BatchImport(models.Model):
    """A sheet of batches uploaded in the portal and read by a worker: its state, progress and outcome.

    The upload waits in private storage; ``traceability.import_jobs`` reads it in a Celery task (the
    parse itself in a bounded child process), counts rows as it checks them, and either creates every
    batch in one transaction, together with the status ``imported``, or none (``refused``: problems
    listed by row and column; ``failed``: the job could not finish, e.g. a worker died).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("being read")
        IMPORTED = "imported", _("imported")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")

    class Stage(models.TextChoices):
        READING = "reading", _("reading the file")
        CHECKING = "checking", _("checking the rows")
        SAVING = "saving", _("saving the batches")

    FINISHED = (Status.IMPORTED, Status.REFUSED, Status.FAILED)

    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.CASCADE,
        related_name="batch_imports",
        verbose_name=_("supplier"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(
        _("file"), upload_to=TraceUploadName("imports"), storage=private_storage, blank=True, max_length=200
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveIntegerField(_("file size (bytes)"))
    language = models.CharField(_("language"), max_length=10)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    #: Several sheets held data: the user picks one of these (the upload is kept until then).
    sheet_choices = models.JSONField(_("sheets to choose from"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    rows_total = models.PositiveIntegerField(_("rows in the sheet"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("batches created"), default=0)
    #: [{"row": 3, "column": "数量", "message": "…"}], the first MAX_STORED_ERRORS of error_count.
    errors = models.JSONField(_("problems"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("number of problems"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    #: Last sign of life: set when queued, when a worker takes it and as rows are checked.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    MAX_STORED_ERRORS = 1000

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("batch sheet import")
        verbose_name_plural = _("batch sheet imports")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="trace_import_status_beat")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "imported", "refused", "failed"]),
                name="trace_import_status_known",
            ),
            models.CheckConstraint(
                condition=Q(rows_checked__lte=F("rows_total")), name="trace_import_checked_within_total"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.status == self.Status.IMPORTED:
            return 100
        return int(100 * self.rows_checked / self.rows_total) if self.rows_total else 0


class ApiIdempotencyKey(models.Model):
    """The first answer to an API create sent with an ``Idempotency-Key`` header, kept for retries.

    One row per supplier and key (a unique constraint): of two concurrent requests with the same key,
    the second waits on the first's uncommitted row and then replays its answer, so nothing is ever
    created twice. ``fingerprint`` is the SHA-256 of the method, path and parsed body: the same key
    with another body is refused.
    """

    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="+", verbose_name=_("supplier")
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    #: 0 while the first request is still being answered (its row is not committed yet).
    status_code = models.PositiveSmallIntegerField(_("status code"), default=0)
    response_body = models.TextField(_("response body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API idempotency key")
        verbose_name_plural = _("API idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "key"], name="trace_idempotency_key_per_supplier")
        ]
        indexes = [models.Index(fields=["created_at"], name="trace_idempotency_created")]

    def __str__(self):
        return f"{self.supplier_id}: {self.key}"


# --- Chain anchors and daily roots (issue 11) --------------------------------------------------------
class ChainAnchor(models.Model):
    """Append-only: the head of one batch's event chain, and a hash of its own records, at one moment.

    Written by the services after every change they make to a batch's records (``traceability.anchors``),
    kept apart from the events: no foreign key (deleting a batch or its events leaves its anchors), and
    on PostgreSQL a trigger refuses every UPDATE and DELETE of a row. Each anchor links to the batch's
    anchor before it (``previous_hash``). An event edited, deleted (even the newest, or all of them) or a
    whole chain re-hashed no longer matches the newest anchor; nor does a batch, inspection or certificate
    field changed behind the services (``record_hash``).
    """

    batch_id = models.PositiveBigIntegerField(_("batch"), db_index=True)
    event_count = models.PositiveIntegerField(_("events in the chain"))
    head_hash = models.CharField(_("newest event's hash"), max_length=64, blank=True)
    #: SHA-256 of the batch's own fields, lineage, inspections and certificate ("deleted": a draft deleted).
    record_hash = models.CharField(_("hash of the batch's records"), max_length=64)
    previous_hash = models.CharField(_("previous anchor's hash"), max_length=64, blank=True)
    anchor_hash = models.CharField(_("anchor hash"), max_length=64, unique=True)
    #: Anchored by the migration that introduced anchors, over records as they then stood.
    on_trust = models.BooleanField(_("anchored on trust"), default=False)
    created_at = models.DateTimeField(_("anchored at"), default=timezone.now)

    class Meta:
        ordering = ["batch_id", "pk"]
        verbose_name = _("chain anchor")
        verbose_name_plural = _("chain anchors")

    def __str__(self):
        return f"{self.batch_id}: {self.event_count} @ {self.head_hash[:12]}"


class ChainRoot(models.Model):
    """Append-only: once a day, one hash over the newest anchor of every batch (and the root before)."""

    day = models.DateField(_("day"), unique=True)
    batch_count = models.PositiveIntegerField(_("batches covered"))
    last_anchor_id = models.PositiveBigIntegerField(_("last anchor covered"))
    previous_hash = models.CharField(_("previous root's hash"), max_length=64, blank=True)
    root_hash = models.CharField(_("root hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["day"]
        verbose_name = _("daily chain root")
        verbose_name_plural = _("daily chain roots")

    def __str__(self):
        return f"{self.day}: {self.root_hash[:12]}"
