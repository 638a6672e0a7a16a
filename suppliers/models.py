"""Suppliers (cooperatives, enterprises, family farms), their production bases and certifications.

A ``Supplier`` becomes one-to-one with Oscar's ``Partner`` when staff approve it, so stock records,
order lines and Oscar's partner-user rules all hang off the partner. Status changes go through
``suppliers.services`` only; each leaves a ``SupplierStatusChange`` behind.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from core.places import County
from core.uploads import private_storage
from suppliers.validators import (
    validate_cn_phone,
    validate_document_upload,
    validate_image_upload,
    validate_sc_licence,
    validate_uscc,
)


@deconstructible
class RandomName:
    """Kept only because old migrations name it. Fields now give a folder, and the storage names the
    file (random name, extension from the content: ``core.uploads``)."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        return f"suppliers/{self.folder}/{filename}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder


class SupplierQuerySet(models.QuerySet):
    def public(self):
        """Suppliers a buyer may see: approved ones (a suspended supplier disappears with its products)."""
        return self.filter(status=Supplier.Status.APPROVED)


class Supplier(models.Model):
    """A cooperative (合作社), enterprise (企业) or family farm (家庭农场) that sells through the shop."""

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("Cooperative")
        ENTERPRISE = "enterprise", _("Enterprise")
        FAMILY_FARM = "family_farm", _("Family farm")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")
        REJECTED = "rejected", _("Rejected")

    partner = models.OneToOneField(
        "partner.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplier",
        verbose_name=_("partner"),
        help_text=_("Created when staff approve the application."),
    )
    slug = models.SlugField(_("slug"), max_length=128, blank=True, allow_unicode=True)
    legal_name = models.CharField(_("legal name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=32)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        validators=[validate_uscc],
        help_text=_("18 characters, on the business licence (统一社会信用代码)."),
    )
    county = models.CharField(_("county"), max_length=16, choices=County.choices, db_index=True)
    address = models.CharField(_("address"), max_length=255)
    contact_name = models.CharField(_("contact person"), max_length=64)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        validators=[validate_cn_phone],
        help_text=_("A mobile number, or a landline with its area code."),
    )
    email = models.EmailField(
        _("e-mail"), help_text=_("The portal invitation and certificate reminders are sent here.")
    )
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(
        _("logo"), upload_to="suppliers/logos/", blank=True, validators=[validate_image_upload]
    )
    households_supported = models.PositiveIntegerField(
        _("households supported"),
        default=0,
        help_text=_("Farm households whose income it lifts (带动农户数)."),
    )
    formerly_poor_county = models.BooleanField(
        _("in a formerly poor county"),
        default=False,
        help_text=_("Based in a county that left the national poverty list (脱贫县)."),
    )
    processes_food = models.BooleanField(
        _("makes processed food"),
        default=False,
        help_text=_("Packaged tea, oil, wine …: a food production licence is then required."),
    )
    food_licence_number = models.CharField(
        _("food production licence number"),
        max_length=16,
        blank=True,
        validators=[validate_sc_licence],
        help_text=_("“SC” followed by 14 digits."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        ordering = ["county", "short_name", "pk"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        permissions = [("use_portal", _("Can use the cooperative portal"))]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], name="suppliers_supplier_unique_uscc"),
            models.UniqueConstraint(
                fields=["slug"], condition=~Q(slug=""), name="suppliers_supplier_unique_slug"
            ),
            # Once approved a supplier sells through a partner and has a public address.
            models.CheckConstraint(
                condition=Q(status__in=["applied", "rejected"]) | (Q(partner__isnull=False) & ~Q(slug="")),
                name="suppliers_supplier_selling_has_partner",
            ),
            models.CheckConstraint(
                condition=Q(processes_food=False) | ~Q(food_licence_number=""),
                name="suppliers_supplier_food_maker_has_licence",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["applied", "approved", "suspended", "rejected"]),
                name="suppliers_supplier_status_valid",
            ),
        ]

    def __str__(self):
        return self.short_name or self.legal_name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.processes_food and not self.food_licence_number:
            raise ValidationError(
                {
                    "food_licence_number": _(
                        "Makers of processed food need a food production licence: enter its SC number."
                    )
                }
            )

    def get_absolute_url(self):
        return reverse("suppliers:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED


class SupplierStatusChange(models.Model):
    """Who moved a supplier from one status to another, when and why (an append-only log)."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("supplier")
    )
    old_status = models.CharField(_("old status"), max_length=16, choices=Supplier.Status.choices, blank=True)
    new_status = models.CharField(_("new status"), max_length=16, choices=Supplier.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.supplier}: {self.old_status or '—'} → {self.new_status}"


class SupplierDocument(models.Model):
    """A document sent with the application (business licence, food licence scan …); staff only."""

    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("Business licence")
        FOOD_LICENCE = "food_licence", _("Food production licence")
        OTHER = "other", _("Other document")

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="documents", verbose_name=_("supplier")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    #: Private: staff read it through the review desk (suppliers.views.staff.SupplierDocumentView).
    file = models.FileField(
        _("file"),
        upload_to="suppliers/documents/",
        storage=private_storage,
        validators=[validate_document_upload],
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["supplier", "kind", "pk"]
        verbose_name = _("supplier document")
        verbose_name_plural = _("supplier documents")

    def __str__(self):
        return f"{self.supplier} · {self.get_kind_display()}"


class ProductionBase(models.Model):
    """A place where a supplier grows or makes its products (生产基地)."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="bases", verbose_name=_("supplier")
    )
    name = models.CharField(_("name"), max_length=64)
    county = models.CharField(_("county"), max_length=16, choices=County.choices)
    township = models.CharField(
        _("township"), max_length=32, help_text=_("Town or township (乡镇), e.g. 土城镇.")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    area_mu = models.DecimalField(
        _("area (mu)"), max_digits=9, decimal_places=1, help_text=_("In 亩 (1 mu ≈ 667 m²).")
    )
    altitude_m = models.PositiveIntegerField(_("altitude (m)"), null=True, blank=True)
    main_crops = models.CharField(_("main crops"), max_length=128)
    in_water_source_protection_area = models.BooleanField(
        _("in the water-source protection area"),
        default=False,
        help_text=_("Inside the Danjiangkou reservoir's drinking-water source protection area."),
    )
    plot_names = models.TextField(_("plot names"), blank=True, help_text=_("One plot per line."))
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["supplier", "name", "pk"]
        verbose_name = _("production base")
        verbose_name_plural = _("production bases")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "name"], name="suppliers_base_unique_name"),
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="suppliers_base_area_positive"),
            # A coarse box around Shiyan; the exact outline is checked in Python (suppliers.geo).
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=31.4, latitude__lte=33.4, longitude__gte=109.3, longitude__lte=111.7
                ),
                name="suppliers_base_in_shiyan_box",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from suppliers.validators import validate_in_shiyan

        if self.latitude is not None and self.longitude is not None:
            from django.core.exceptions import ValidationError

            try:
                validate_in_shiyan(self.latitude, self.longitude)
            except ValidationError as error:
                raise ValidationError({"latitude": error})

    def get_absolute_url(self):
        return reverse("suppliers:base", kwargs={"slug": self.supplier.slug, "pk": self.pk})

    @property
    def plots(self) -> list[str]:
        return [line.strip() for line in self.plot_names.splitlines() if line.strip()]


class BasePhoto(models.Model):
    base = models.ForeignKey(
        ProductionBase, on_delete=models.CASCADE, related_name="photos", verbose_name=_("production base")
    )
    image = models.ImageField(_("photo"), upload_to="suppliers/bases/", validators=[validate_image_upload])
    caption = models.CharField(_("caption"), max_length=128, blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["base", "display_order", "pk"]
        verbose_name = _("base photo")
        verbose_name_plural = _("base photos")

    def __str__(self):
        return self.caption or f"{self.base} #{self.pk}"


class CertificationQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(valid_from__lte=day, valid_until__gte=day)

    def valid_today(self):
        """Valid at read time, so an expired badge disappears everywhere the moment it expires."""
        return self.valid_on(timezone.localdate())


class Certification(models.Model):
    """A certificate a supplier holds (organic, green food, geographical indication, SC licence …)."""

    class Kind(models.TextChoices):
        ORGANIC = "organic", _("Organic")
        GREEN_FOOD = "green_food", _("Green Food")
        GEOGRAPHICAL_INDICATION = "gi", _("Geographical indication")
        SC_LICENCE = "sc_licence", _("Food production licence (SC)")
        OTHER = "other", _("Other")

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="certifications", verbose_name=_("supplier")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(
        _("name"),
        max_length=64,
        blank=True,
        help_text=_("What it certifies, e.g. 房县香菇 (for “Other”, its name)."),
    )
    number = models.CharField(_("certificate number"), max_length=64)
    issuer = models.CharField(_("issued by"), max_length=128)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    #: Private: served by views that check who asks (the public profile shows valid ones only).
    scan = models.FileField(
        _("scanned certificate"),
        upload_to="suppliers/certificates/",
        storage=private_storage,
        blank=True,
        validators=[validate_document_upload],
        help_text=_("A PDF or a photo of the certificate, at most 10 MB."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["supplier", "kind", "valid_until", "pk"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "kind", "number"], name="suppliers_certification_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="suppliers_certification_dates_in_order"
            ),
        ]
        indexes = [models.Index(fields=["valid_until"], name="suppliers_cert_valid_until")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity comes before its start.")})
        if self.kind == self.Kind.SC_LICENCE and self.number:
            try:
                validate_sc_licence(self.number)
            except ValidationError as error:
                raise ValidationError({"number": error})

    @property
    def label(self) -> str:
        return self.name if self.kind == self.Kind.OTHER and self.name else self.get_kind_display()

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day <= self.valid_until

    @property
    def is_valid(self) -> bool:
        return self.is_valid_on(timezone.localdate())

    @property
    def days_left(self) -> int:
        return (self.valid_until - timezone.localdate()).days


class CertificationReminder(models.Model):
    """One expiry reminder sent for one certificate at one threshold (30 or 7 days): never twice."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("certification")
    )
    threshold_days = models.PositiveSmallIntegerField(_("days before expiry"))
    valid_until = models.DateField(_("expiry date reminded of"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_to = models.EmailField(_("sent to"))

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("certification reminder")
        verbose_name_plural = _("certification reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "threshold_days"], name="suppliers_reminder_once_per_threshold"
            ),
        ]

    def __str__(self):
        return f"{self.certification} −{self.threshold_days}d"


class ApplicationUsage(models.Model):
    """How much of the daily allowance for anonymous applications one network has used on one day.

    The public application form takes files from anyone, so each network (an IPv4 address, or an
    IPv6 /64) may send ``SUPPLIER_APPLY_DAILY_LIMIT`` applications and ``SUPPLIER_APPLY_DAILY_MB``
    of documents a day. Kept in the database, so every web process counts against the same row
    (``suppliers.services.application_allowance_take`` raises it with one conditional UPDATE).
    """

    network = models.CharField(_("network"), max_length=64)
    day = models.DateField(_("day"))
    applications = models.PositiveIntegerField(_("applications"), default=0)
    bytes_uploaded = models.PositiveBigIntegerField(_("bytes uploaded"), default=0)

    class Meta:
        ordering = ["-day", "network"]
        verbose_name = _("application usage")
        verbose_name_plural = _("application usage")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "day"], name="suppliers_usage_one_row_per_network_day"
            ),
        ]

    def __str__(self):
        return f"{self.network} {self.day}: {self.applications}, {self.bytes_uploaded} B"


class PortalInvitation(models.Model):
    """The e-mail that gives a supplier's user a link to set a password and open the portal."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("supplier")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")

    def __str__(self):
        return f"{self.supplier} → {self.user}"


class SuspensionHiddenProduct(models.Model):
    """A product a suspension took off sale (``is_public`` set false), to restore exactly on reinstatement."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="hidden_products", verbose_name=_("supplier")
    )
    product = models.OneToOneField(
        "catalogue.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    hidden_at = models.DateTimeField(_("hidden at"), default=timezone.now)

    class Meta:
        ordering = ["supplier", "product"]
        verbose_name = _("product hidden by a suspension")
        verbose_name_plural = _("products hidden by a suspension")

    def __str__(self):
        return f"{self.supplier}: {self.product_id}"
