"""Impact reporting: households declared by suppliers, yearly targets, and the sales roll-ups.

The roll-ups (``DailySales``, ``MonthlySales``, ``MonthlyDistrictSales``) are derived data: they are
written only by ``impact.rollup`` (from orders, see ``impact.figures`` for what counts) and can be
rebuilt from scratch at any time. Dashboards read nothing else.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.places import BeijingDistrict, County
from core.sales_channels import SalesChannel


class SupplierHouseholdDeclaration(models.Model):
    """How many farming households a supplier says it supports, as declared in a given year."""

    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.CASCADE,
        related_name="household_declarations",
        verbose_name=_("supplier"),
    )
    year = models.PositiveSmallIntegerField(_("year declared"))
    households = models.PositiveIntegerField(_("households"), validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["supplier", "-year"]
        verbose_name = _("household declaration")
        verbose_name_plural = _("household declarations")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "year"], name="impact_one_declaration_per_year"),
        ]

    def __str__(self):
        return f"{self.supplier_id} · {self.year}: {self.households}"

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": _("A declaration cannot be made for a year still to come.")})
        if self.year and self.year < 2016:
            raise ValidationError({"year": _("Declarations start with the 2016–2020 plan.")})


class YearTarget(models.Model):
    """What the platform aims at in one calendar year; the 2016–2020 plan figures are the baseline."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    sales = models.DecimalField(_("sales (yuan)"), max_digits=14, decimal_places=2)
    enterprises = models.PositiveIntegerField(_("enterprises"))
    products = models.PositiveIntegerField(_("products"))
    households = models.PositiveIntegerField(_("households"))
    note = models.CharField(_("note"), max_length=128, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("yearly target")
        verbose_name_plural = _("yearly targets")

    def __str__(self):
        return str(self.year)


class DirtyDay(models.Model):
    """A day whose roll-up rows must be computed again (written with the order change that caused it)."""

    day = models.DateField(_("day"), primary_key=True)
    marked_at = models.DateTimeField(_("marked at"), auto_now=True)

    class Meta:
        verbose_name = _("day to re-aggregate")
        verbose_name_plural = _("days to re-aggregate")

    def __str__(self):
        return self.day.isoformat()


class _Sales(models.Model):
    """Columns every roll-up carries: money (net, yuan), units and lines counted."""

    channel = models.CharField(_("channel"), max_length=16, choices=SalesChannel.choices)
    county = models.CharField(_("county"), max_length=16, choices=County.choices, blank=True)
    category_id = models.IntegerField(_("category"), null=True)
    amount = models.DecimalField(_("sales (yuan)"), max_digits=16, decimal_places=2)
    quantity = models.IntegerField(_("units"))
    lines = models.IntegerField(_("order lines"))

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.channel} {self.county}: {self.amount}"


class DailySales(_Sales):
    """One row per day × product × channel × Beijing district (``impact.rollup``)."""

    day = models.DateField(_("day"))
    product_id = models.IntegerField(_("product"), null=True)
    supplier_id = models.IntegerField(_("supplier"), null=True)
    brand = models.CharField(_("brand"), max_length=64, blank=True)
    district = models.CharField(_("district"), max_length=8, choices=BeijingDistrict.choices, blank=True)

    class Meta:
        verbose_name = _("daily sales")
        verbose_name_plural = _("daily sales")
        indexes = [
            models.Index(fields=["day"], name="impact_daily_day"),
            models.Index(fields=["supplier_id", "day"], name="impact_daily_supplier_day"),
        ]


class MonthlySales(_Sales):
    """``DailySales`` summed by month × product × channel (long periods read these)."""

    month = models.DateField(_("month"))
    product_id = models.IntegerField(_("product"), null=True)
    supplier_id = models.IntegerField(_("supplier"), null=True)
    brand = models.CharField(_("brand"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("monthly sales")
        verbose_name_plural = _("monthly sales")
        indexes = [models.Index(fields=["month"], name="impact_monthly_month")]


class MonthlyDistrictSales(_Sales):
    """``DailySales`` summed by month × Beijing district × channel × county × category."""

    month = models.DateField(_("month"))
    district = models.CharField(_("district"), max_length=8, choices=BeijingDistrict.choices, blank=True)

    class Meta:
        verbose_name = _("monthly sales by district")
        verbose_name_plural = _("monthly sales by district")
        indexes = [models.Index(fields=["month"], name="impact_monthdist_month")]


class YearReport(models.Model):
    """A yearly impact report (PDF) built by Celery for a staff member, who is e-mailed when it is ready."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")

    def __str__(self):
        return f"{self.year} · {self.state}"
