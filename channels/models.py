"""Institutional buyers in the four channels (农超, 农企, 农校, 农餐) and their prices.

An ``Organisation`` applies, a channel manager approves it (or rejects or suspends it, with a
reason); each status change goes through ``channels.services`` and leaves an
``OrganisationStatusChange``. Its people are ``Membership`` rows (one organisation per user, so
which prices a signed-in user sees is decided by the database alone), invited by e-mail. A
``PriceList`` holds a channel's prices, or one organisation's contract prices, one
``PriceListEntry`` per product and validity period. ``OrganisationOrder`` links an Oscar order to the
organisation it was placed for (the order itself stores only the channel code: the order room does
not import this one). Later issues (quotes, bulk and standing orders, credit, delivery documents)
hang their rows off ``Organisation`` and ``DeliverySite``.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channels.validators import validate_bank_account, validate_tax_number
from core.places import BeijingDistrict
from core.sales_channels import INSTITUTIONAL, INSTITUTIONAL_CHOICES
from core.uploads import private_storage
from suppliers.validators import validate_cn_phone, validate_uscc

INSTITUTIONAL_VALUES = [channel.value for channel in INSTITUTIONAL]


class OrganisationQuerySet(models.QuerySet):
    def in_channels(self, channels):
        return self.filter(channel__in=list(channels))


class Organisation(models.Model):
    """A supermarket chain, company canteen, school or restaurant that buys for itself (机构买家)."""

    class Status(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("organisation status", "Applied")
        APPROVED = "approved", pgettext_lazy("organisation status", "Approved")
        REJECTED = "rejected", pgettext_lazy("organisation status", "Rejected")
        SUSPENDED = "suspended", pgettext_lazy("organisation status", "Suspended")

    class PaymentMode(models.TextChoices):
        PAY_NOW = "pay_now", _("Pay when ordering")
        ON_ACCOUNT = "on_account", _("On account (monthly statement)")

    name = models.CharField(_("legal name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16, choices=INSTITUTIONAL_CHOICES, db_index=True)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        validators=[validate_uscc],
        help_text=_("18 characters, on the business or institution licence (统一社会信用代码)."),
    )
    contact_name = models.CharField(_("contact person"), max_length=64)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        validators=[validate_cn_phone],
        help_text=_("A mobile number, or a landline with its area code (e.g. 010-65001234)."),
    )
    email = models.EmailField(_("e-mail"), help_text=_("Where the channel manager writes to."))
    address = models.CharField(_("registered address"), max_length=255)

    # Billing details, as printed on a fapiao (发票).
    invoice_title = models.CharField(
        _("invoice title"), max_length=128, help_text=_("The name on the fapiao (发票抬头).")
    )
    tax_number = models.CharField(
        _("taxpayer number"),
        max_length=20,
        validators=[validate_tax_number],
        help_text=_("纳税人识别号: usually the unified social credit code."),
    )
    billing_address = models.CharField(_("billing address"), max_length=255)
    billing_phone = models.CharField(_("billing phone"), max_length=20, validators=[validate_cn_phone])
    bank_name = models.CharField(_("bank"), max_length=128, help_text=_("Bank and branch (开户行)."))
    bank_account = models.CharField(_("bank account"), max_length=32, validators=[validate_bank_account])

    # Payment terms: the fields exist; the behaviour (on-account orders, credit, statements) comes
    # with the payment-terms issue. Until then every organisation pays when ordering.
    payment_mode = models.CharField(
        _("payment terms"), max_length=16, choices=PaymentMode.choices, default=PaymentMode.PAY_NOW
    )
    net_days = models.PositiveSmallIntegerField(
        _("days to pay"), default=30, help_text=_("On account: the statement is due this many days after.")
    )
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=12, decimal_places=2, default=0, help_text=_("In yuan; 0: no credit.")
    )
    approval_threshold = models.DecimalField(
        _("approval threshold"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Orders above this amount need an approver of the organisation; empty: none do."),
    )
    yearly_pledge = models.DecimalField(
        _("yearly purchase pledge"),
        max_digits=14,
        decimal_places=2,
        default=0,
        help_text=_("What the organisation pledged to buy from Shiyan this year (消费帮扶 pledge), in yuan."),
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
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applicant"),
    )
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["channel", "short_name", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [("use_desk", _("Can use the channel managers' desk"))]
        constraints = [
            # A rejected application stays on record; the organisation may apply again.
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(status="rejected"), name="channels_organisation_unique_uscc"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=INSTITUTIONAL_VALUES), name="channels_organisation_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["applied", "approved", "rejected", "suspended"]),
                name="channels_organisation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(payment_mode__in=["pay_now", "on_account"]),
                name="channels_organisation_payment_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="channels_organisation_credit_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(net_days__lte=180), name="channels_organisation_net_days_lte_180"
            ),
            models.CheckConstraint(
                condition=Q(approval_threshold__isnull=True) | Q(approval_threshold__gt=0),
                name="channels_organisation_threshold_gt_0",
            ),
            models.CheckConstraint(
                condition=Q(yearly_pledge__gte=0), name="channels_organisation_pledge_gte_0"
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    @property
    def may_order(self) -> bool:
        return self.status == self.Status.APPROVED


class OrganisationStatusChange(models.Model):
    """Who moved an organisation from one status to another, when and why (append-only)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("organisation")
    )
    old_status = models.CharField(
        _("old status"), max_length=16, choices=Organisation.Status.choices, blank=True
    )
    new_status = models.CharField(_("new status"), max_length=16, choices=Organisation.Status.choices)
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
        verbose_name = _("organisation status change")
        verbose_name_plural = _("organisation status changes")

    def __str__(self):
        return f"{self.organisation}: {self.old_status or '—'} → {self.new_status}"


class DeliverySite(models.Model):
    """A place in Beijing an organisation has goods delivered to (a campus, a canteen, a store)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sites", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=64, help_text=_("E.g. 海淀校区 or 朝阳店."))
    district = models.CharField(_("district"), max_length=8, choices=BeijingDistrict.choices)
    address = models.CharField(_("address"), max_length=255, help_text=_("Street, number, building, gate."))
    contact_name = models.CharField(_("contact person"), max_length=64)
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_cn_phone])
    notes = models.CharField(
        _("delivery notes"), max_length=255, blank=True, help_text=_("Receiving hours, loading bay …")
    )
    # Later rows (standing deliveries, delivery notes) keep pointing at a site no longer used.
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["organisation", "-is_active", "name", "pk"]
        verbose_name = _("delivery site")
        verbose_name_plural = _("delivery sites")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="channels_site_unique_name"),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user bound to an organisation with a role; a user belongs to at most one organisation."""

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        APPROVER = "approver", _("Approver")
        ADMIN = "admin", _("Administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="channel_membership",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.BUYER)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "role", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["buyer", "approver", "admin"]), name="channels_membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def new_nonce() -> str:
    return secrets.token_hex(16)


def invitation_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.CHANNELS_INVITATION_DAYS)


class Invitation(models.Model):
    """An e-mail asking someone to join an organisation. The link carries a token signed with the
    site's secret over the invitation and its nonce (``channels.services.invitation_token``): nothing
    stored here lets anyone forge one, and a new nonce voids every earlier link."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        _("role"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.BUYER
    )
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), default=invitation_expiry)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One open invitation per address and organisation: inviting again renews it.
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="channels_invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["buyer", "approver", "admin"]), name="channels_invitation_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.email}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ManagerAssignment(models.Model):
    """A channel manager's channel: a manager sees and acts on that channel's organisations and
    prices only (the group "Channel managers" gives the desk; this row gives the channel)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="channel_assignments",
        verbose_name=_("manager"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=INSTITUTIONAL_CHOICES)
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        ordering = ["user", "channel"]
        verbose_name = _("channel manager assignment")
        verbose_name_plural = _("channel manager assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="channels_assignment_unique"),
            models.CheckConstraint(
                condition=Q(channel__in=INSTITUTIONAL_VALUES), name="channels_assignment_channel_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_channel_display()}"


class PriceList(models.Model):
    """A channel's price list, or one organisation's contract prices (which beat the channel's).

    ``revision`` goes up with every change of its entries; buyers' cached price books are keyed by
    it, and writers lock this row, so two imports into one list never interleave.
    """

    channel = models.CharField(_("channel"), max_length=16, choices=INSTITUTIONAL_CHOICES)
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contract_price_list",
        verbose_name=_("organisation"),
        help_text=_("Empty: the channel's own list. Set: this organisation's contract prices."),
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["channel", "organisation", "pk"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.UniqueConstraint(
                fields=["channel"],
                condition=Q(organisation__isnull=True),
                name="channels_pricelist_one_per_channel",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=INSTITUTIONAL_VALUES), name="channels_pricelist_channel_valid"
            ),
        ]

    def __str__(self):
        if self.organisation_id:
            return f"{self.get_channel_display()} · {self.organisation}"
        return str(self.get_channel_display())

    @property
    def is_contract(self) -> bool:
        return self.organisation_id is not None


class PriceListEntry(models.Model):
    """One product's price, minimum order and case size in a list, from a day to a day (inclusive).

    "Product" is the product that has the stock record: a standalone product or a variant (child),
    never a parent. No two entries of one list overlap for a product: the import checks it under the
    list's row lock with a per-row message, and on PostgreSQL an exclusion constraint (migration
    0003) refuses it in the database too.
    """

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("price list")
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, help_text=_("Per unit, in yuan.")
    )
    moq = models.PositiveIntegerField(_("minimum order"), default=1)
    case_size = models.PositiveIntegerField(_("case size"), default=1, help_text=_("Units per case."))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: until changed.")
    )

    class Meta:
        ordering = ["price_list", "product", "valid_from", "pk"]
        verbose_name = _("price list entry")
        verbose_name_plural = _("price list entries")
        indexes = [models.Index(fields=["price_list", "product"], name="channels_entry_list_product")]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="channels_entry_price_gt_0"),
            models.CheckConstraint(condition=Q(moq__gte=1), name="channels_entry_moq_gte_1"),
            models.CheckConstraint(condition=Q(case_size__gte=1), name="channels_entry_case_gte_1"),
            # Integer division on both databases: moq is a whole number of cases.
            models.CheckConstraint(
                condition=Q(case_size__lt=1) | Q(moq=F("moq") / F("case_size") * F("case_size")),
                name="channels_entry_moq_whole_cases",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="channels_entry_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.price_list} · {self.product_id} · {self.price}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class OrganisationOrder(models.Model):
    """The organisation an order was placed for, by whom, from what, and the PO number and note that
    travel with it to every document (written inside the placement)."""

    class Source(models.TextChoices):
        BASKET = "basket", _("Basket")
        SHEET = "sheet", _("Order sheet")
        REORDER = "reorder", _("Re-order")
        QUOTE = "quote", _("Quote")
        STANDING = "standing", _("Standing delivery")

    order = models.OneToOneField(
        "order.Order", on_delete=models.CASCADE, related_name="organisation_link", verbose_name=_("order")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="order_links", verbose_name=_("organisation")
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placed by"),
    )
    source = models.CharField(_("placed from"), max_length=16, choices=Source.choices, default=Source.BASKET)
    po_number = models.CharField(
        _("PO number"),
        max_length=40,
        blank=True,
        help_text=_("The organisation's own purchase-order number; printed on every document of the order."),
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Bulk orders (issue 13, part 4): a channel manager confirms each order of the channel.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("organisation order")
        verbose_name_plural = _("organisation orders")

    def __str__(self):
        return f"{self.organisation} · {self.order_id}"


class Delivery(models.Model):
    """What one drop at one delivery site on one day carries: the unit of the delivery note (送货单)
    and of the canteen's receiving packet (索证索票).

    Contract: every line of an organisation's order belongs to exactly one delivery
    (``DeliveryLine``, one-to-one with the order line), written inside the placement transaction; an
    order may have several deliveries (lines to different sites, or on different days). A retail
    order has none.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DISPATCHED = "dispatched", _("Dispatched")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    organisation_order = models.ForeignKey(
        OrganisationOrder, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("order")
    )
    site = models.ForeignKey(
        DeliverySite, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("delivery site")
    )
    date = models.DateField(_("delivery date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["date", "site", "pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_order", "site", "date"], name="channels_delivery_one_per_site_and_day"
            ),
        ]

    def __str__(self):
        return f"{self.site} · {self.date:%Y-%m-%d}"


class DeliveryLine(models.Model):
    """An order line's place in a delivery (see ``Delivery``)."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="lines", verbose_name=_("delivery")
    )
    line = models.OneToOneField(
        "order.Line", on_delete=models.CASCADE, related_name="delivery_link", verbose_name=_("order line")
    )

    class Meta:
        ordering = ["delivery", "line"]
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")

    def __str__(self):
        return f"{self.delivery} · {self.line_id}"


# --- Quotes (询价, issue 13, part 3) ------------------------------------------------------------------
class QuoteQuerySet(models.QuerySet):
    def in_channels(self, channels):
        return self.filter(organisation__channel__in=list(channels))

    def open(self):
        return self.filter(status__in=[Quote.Status.REQUESTED, Quote.Status.PRICED])


class Quote(models.Model):
    """A member asks for prices (products, quantities, a delivery site and day); a channel manager
    prices it with a validity date; a member accepts it once, before it expires, and it becomes an
    order at the quoted prices (``channels.services.quotes``)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("quote status", "Requested")
        PRICED = "priced", pgettext_lazy("quote status", "Priced")
        ACCEPTED = "accepted", pgettext_lazy("quote status", "Accepted")
        DECLINED = "declined", pgettext_lazy("quote status", "Declined")
        EXPIRED = "expired", pgettext_lazy("quote status", "Expired")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("organisation")
    )
    site = models.ForeignKey(
        DeliverySite, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("delivery site")
    )
    delivery_date = models.DateField(_("delivery date"))
    note = models.TextField(_("note"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    priced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("priced by"),
    )
    priced_at = models.DateTimeField(_("priced at"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    manager_note = models.TextField(_("channel manager's note"), blank=True, max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted or declined by"),
    )
    decided_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote",
        verbose_name=_("order"),
    )
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"", editable=False)
    pdf_made_at = models.DateTimeField(_("PDF made at"), null=True, blank=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "priced", "accepted", "declined", "expired"]),
                name="channels_quote_status_valid",
            ),
            # Priced (and everything after pricing but a refusal) carries a validity date.
            models.CheckConstraint(
                condition=~Q(status__in=["priced", "accepted"]) | Q(valid_until__isnull=False),
                name="channels_quote_priced_has_validity",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(order__isnull=False),
                name="channels_quote_accepted_has_order",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"Q{self.pk:06d}" if self.pk else "Q—"

    def is_expired_on(self, day: datetime.date) -> bool:
        return self.valid_until is not None and day > self.valid_until


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote"))
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    list_price = models.DecimalField(
        _("list price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The organisation's price when the quote was priced."),
    )
    price = models.DecimalField(
        _("quoted price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Per unit, in yuan."),
    )

    class Meta:
        ordering = ["quote", "pk"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="channels_quoteline_quantity_gte_1"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gt=0), name="channels_quoteline_price_gt_0"
            ),
            models.UniqueConstraint(fields=["quote", "product"], name="channels_quoteline_one_per_product"),
        ]

    def __str__(self):
        return f"{self.quote} · {self.product_id} × {self.quantity}"

    @property
    def line_total(self):
        return (self.price or 0) * self.quantity


# Payment terms on account (invoices, payments, statements, reminders, fapiao): issue 13, part 5.
from channels.accounts_models import (  # noqa: E402, F401
    FapiaoRequest,
    Invoice,
    InvoiceLine,
    InvoicePayment,
    InvoiceReminder,
    Statement,
)

# --- Standing deliveries and delivery documents (issue 13, parts 6 and 7) ---------------------------
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class StandingOrder(models.Model):
    """A standing delivery (定期配送): the same lines to one site on given weekdays, from a day to a
    day, except the skip dates (school holidays), unless paused. ``channels.services.standing`` turns
    each due day into an order a few days ahead (``CHANNELS_STANDING_LEAD_DAYS``), once: one
    ``StandingRun`` per schedule and day."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="standing_orders", verbose_name=_("organisation")
    )
    site = models.ForeignKey(
        DeliverySite,
        on_delete=models.PROTECT,
        related_name="standing_orders",
        verbose_name=_("delivery site"),
    )
    name = models.CharField(_("name"), max_length=64, help_text=_("E.g. 每周一三五蔬菜."))
    #: Weekdays delivered, 0 = Monday … 6 = Sunday.
    weekdays = models.JSONField(_("weekdays"), default=list)
    starts_on = models.DateField(_("first delivery on or after"))
    ends_on = models.DateField(_("last delivery on or before"), null=True, blank=True)
    #: ISO dates ("2026-07-15") on which nothing is delivered.
    skip_dates = models.JSONField(_("dates skipped"), default=list, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    po_number = models.CharField(_("PO number"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["organisation", "name", "pk"]
        verbose_name = _("standing delivery")
        verbose_name_plural = _("standing deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="channels_standing_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.name}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def is_due_on(self, day: datetime.date) -> bool:
        """Whether a delivery falls on ``day`` (pausing is checked by the caller)."""
        return (
            day.weekday() in self.weekdays
            and self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
            and day.isoformat() not in self.skip_dates
        )

    def weekday_labels(self) -> list[str]:
        names = dict(WEEKDAYS)
        return [str(names[day]) for day in sorted(self.weekdays) if day in names]


class StandingOrderLine(models.Model):
    standing_order = models.ForeignKey(
        StandingOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("standing delivery")
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["standing_order", "pk"]
        verbose_name = _("standing delivery line")
        verbose_name_plural = _("standing delivery lines")
        constraints = [
            models.UniqueConstraint(
                fields=["standing_order", "product"], name="channels_standing_line_unique"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="channels_standing_line_qty_gte_1"),
        ]

    def __str__(self):
        return f"{self.standing_order} · {self.product_id} × {self.quantity}"


class StandingRun(models.Model):
    """One due day of a standing delivery: the order it became, or why it did not (yet).

    Unique per schedule and day: two runs of the job cannot both place it. "placed" and "refused"
    are final; "shortfall" is tried again by the next run of the job until the day comes."""

    class Status(models.TextChoices):
        PLACED = "placed", _("Order placed")
        SHORTFALL = "shortfall", _("Short of stock")
        REFUSED = "refused", _("Refused")

    standing_order = models.ForeignKey(
        StandingOrder, on_delete=models.CASCADE, related_name="runs", verbose_name=_("standing delivery")
    )
    date = models.DateField(_("delivery date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    organisation_order = models.OneToOneField(
        OrganisationOrder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="standing_run",
        verbose_name=_("order"),
    )
    message = models.TextField(_("message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["date", "standing_order", "pk"]
        verbose_name = _("standing delivery run")
        verbose_name_plural = _("standing delivery runs")
        constraints = [
            models.UniqueConstraint(fields=["standing_order", "date"], name="channels_standing_run_once"),
            models.CheckConstraint(
                condition=Q(status__in=["placed", "shortfall", "refused"]),
                name="channels_standing_run_status",
            ),
        ]

    def __str__(self):
        return f"{self.standing_order} · {self.date:%Y-%m-%d} · {self.status}"


class AssistancePledge(models.Model):
    """What an organisation pledged to buy from Shiyan in one calendar year (消费帮扶 pledge), set by
    its administrator; its assistance ledger shows the year's purchases against it
    (``channels.ledger``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="pledges", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("pledged amount"), max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        ordering = ["organisation", "-year"]
        verbose_name = _("assistance pledge")
        verbose_name_plural = _("assistance pledges")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="channels_pledge_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="channels_pledge_amount_gt_0"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.year}"


class GeneratedDocument(models.Model):
    """A delivery note (送货单), receiving packet (索证索票), purchase ledger (进货台账) or assistance
    ledger (消费帮扶台账, ``month`` the 1st of January of its year), made by a
    Celery worker (``channels.documents``) and served only to the organisation, its channel's
    managers and staff."""

    class Kind(models.TextChoices):
        DELIVERY_NOTE = "delivery_note", _("Delivery note")
        RECEIVING_PACKET = "receiving_packet", _("Receiving packet")
        PURCHASE_LEDGER = "purchase_ledger", _("Purchase ledger")
        ASSISTANCE_LEDGER = "assistance_ledger", _("Assistance ledger")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="documents", verbose_name=_("organisation")
    )
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("delivery"),
    )
    month = models.DateField(
        _("month"),
        null=True,
        blank=True,
        help_text=_("The 1st of the month (of the year, for an assistance ledger)."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(
        _("file"), upload_to="channels/documents/", storage=private_storage, blank=True, max_length=200
    )
    file_name = models.CharField(_("file name"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="channels_document_state_beat")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]), name="channels_document_state"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["purchase_ledger", "assistance_ledger"], month__isnull=False)
                | Q(kind__in=["delivery_note", "receiving_packet"], delivery__isnull=False),
                name="channels_document_target",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.organisation} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
