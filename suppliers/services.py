"""Writes: applications, staff decisions (approve, reject, suspend, reinstate), the portal's records,
invitations and certificate reminders. Keyword-only, validated with ``full_clean()``, atomic."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.outbox import outbox_add
from shop.partner.stock_owners import products_with_owned_stock
from suppliers.models import (
    ApplicationUsage,
    BasePhoto,
    Certification,
    CertificationReminder,
    PortalInvitation,
    ProductionBase,
    Supplier,
    SupplierDocument,
    SupplierStatusChange,
    SuspensionHiddenProduct,
)
from suppliers.selectors import (
    certification_reminders_due,
    partner_ids_off_sale,
    partner_ids_off_sale_forget,
)

logger = logging.getLogger(__name__)

Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")

COOPERATIVE_GROUP = "Cooperative users"
# Slugs the public URLs use for pages of their own; a supplier never gets one of them.
RESERVED_SLUGS = {"apply", "map", "portal", "review"}

Status = Supplier.Status


def _site_url() -> str:
    """Base URL for links in e-mails sent outside a request (tasks): SHOP_BASE_URL, else Wagtail's."""
    return (getattr(settings, "SHOP_BASE_URL", "") or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def _save(instance, **fields):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


# --- Applications ---------------------------------------------------------------------------------
@transaction.atomic
def supplier_apply(*, documents: list[tuple[str, object]], **fields) -> Supplier:
    """Record an application (status "applied") with its documents: all of it or, on error, nothing."""
    supplier = _save(Supplier(status=Status.APPLIED, status_changed_at=timezone.now()), **fields)
    for kind, upload in documents:
        if upload:
            _save(SupplierDocument(supplier=supplier), kind=kind, file=upload)
    SupplierStatusChange.objects.create(
        supplier=supplier, old_status="", new_status=Status.APPLIED, reason=str(_("Application submitted"))
    )
    return supplier


def application_limit_message(*, uploads: bool) -> str:
    """What an address over today's allowance is told (the size budget or the number of applications)."""
    if uploads:
        return _(
            "The documents sent from your network today have reached the daily limit of %(mb)s MB. "
            "Please try again tomorrow, or send smaller scans (a photo of a page is enough)."
        ) % {"mb": settings.SUPPLIER_APPLY_DAILY_MB}
    return _(
        "Your network has already sent %(count)s applications today, the daily limit. "
        "Please try again tomorrow; if you need to correct an application, write to the platform staff."
    ) % {"count": settings.SUPPLIER_APPLY_DAILY_LIMIT}


@transaction.atomic
def application_allowance_take(*, network: str, upload_bytes: int) -> None:
    """Count one anonymous application of ``upload_bytes`` against ``network``'s allowance for today.

    One conditional UPDATE (``applications < limit AND bytes + upload_bytes <= budget``) takes it or
    not, so two web processes can never both take the last one. Raises ``ValidationError`` (nothing
    counted) when it would go over. Called inside the application's transaction: an application that
    is not saved counts for nothing. Rows of earlier days are dropped on the way.
    """
    today = timezone.localdate()
    budget = settings.SUPPLIER_APPLY_DAILY_MB * 1024 * 1024
    ApplicationUsage.objects.filter(day__lt=today).delete()
    usage, _created = ApplicationUsage.objects.get_or_create(network=network, day=today)
    taken = ApplicationUsage.objects.filter(
        pk=usage.pk,
        applications__lt=settings.SUPPLIER_APPLY_DAILY_LIMIT,
        bytes_uploaded__lte=budget - upload_bytes,
    ).update(applications=F("applications") + 1, bytes_uploaded=F("bytes_uploaded") + upload_bytes)
    if not taken:
        usage.refresh_from_db()
        over_count = usage.applications >= settings.SUPPLIER_APPLY_DAILY_LIMIT
        raise ValidationError(application_limit_message(uploads=not over_count), code="application_limit")


# --- Staff decisions ---------------------------------------------------------------------------------
def _lock(supplier: Supplier) -> Supplier:
    return Supplier.objects.select_for_update().get(pk=supplier.pk)


def _check_transition(supplier: Supplier, *, allowed_from: set[str], new: str) -> None:
    if supplier.status not in allowed_from:
        raise ValidationError(
            _("A supplier whose status is “%(status)s” cannot become “%(new)s”."),
            code="status_transition",
            params={"status": supplier.get_status_display(), "new": Status(new).label},
        )


def _change_status(supplier: Supplier, *, allowed_from: set[str], new: str, by, reason: str) -> None:
    _check_transition(supplier, allowed_from=allowed_from, new=new)
    old = supplier.status
    supplier.status = new
    supplier.status_changed_at = timezone.now()
    supplier.status_changed_by = by if by and by.is_authenticated else None
    supplier.status_reason = reason
    supplier.full_clean()
    supplier.save()
    SupplierStatusChange.objects.create(
        supplier=supplier,
        old_status=old,
        new_status=new,
        changed_by=supplier.status_changed_by,
        changed_at=supplier.status_changed_at,
        reason=reason,
    )
    # Sale gates read a cached list of off-sale partners: forget it now (this transaction's later
    # reads) and after commit (so no request that read the old rows keeps them cached).
    partner_ids_off_sale_forget()
    transaction.on_commit(partner_ids_off_sale_forget)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the supplier is told the reason.")})
    return reason


def _public_slug(code: str) -> str:
    return f"{code}-supplier" if code in RESERVED_SLUGS else code


def _portal_user(supplier: Supplier):
    """The user account for the supplier's e-mail: an existing one, or a new one without a password."""
    from oscar.apps.customer.forms import generate_username

    User = get_user_model()
    email = User.objects.normalize_email(supplier.email)
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is None:
        user = User(username=generate_username(), email=email, first_name=supplier.contact_name[:150])
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def supplier_approve(*, supplier: Supplier, by, reason: str = "") -> Supplier:
    """Approve an application: create its partner and portal user, and invite the user by e-mail."""
    supplier = _lock(supplier)
    _check_transition(supplier, allowed_from={Status.APPLIED}, new=Status.APPROVED)
    partner = Partner.objects.create(name=supplier.legal_name[:128])
    supplier.partner = partner
    supplier.slug = _public_slug(partner.code)
    _change_status(
        supplier,
        allowed_from={Status.APPLIED},
        new=Status.APPROVED,
        by=by,
        reason=reason.strip() or str(_("Application approved")),
    )
    user = _portal_user(supplier)
    partner.users.add(user)
    user.groups.add(Group.objects.get(name=COOPERATIVE_GROUP))
    invitation = PortalInvitation.objects.create(supplier=supplier, user=user)
    outbox_add(
        kind="suppliers.invitation",
        payload={"invitation_id": invitation.pk},
        key=f"suppliers:invitation:{invitation.pk}",
    )
    return supplier


@transaction.atomic
def supplier_reject(*, supplier: Supplier, by, reason: str) -> Supplier:
    reason = _require_reason(reason)
    supplier = _lock(supplier)
    _change_status(supplier, allowed_from={Status.APPLIED}, new=Status.REJECTED, by=by, reason=reason)
    return supplier


def _sellers(product) -> set[int]:
    return set(
        StockRecord.objects.filter(
            product__in=[product.pk, *product.children.values_list("pk", flat=True)]
        ).values_list("partner_id", flat=True)
    )


@transaction.atomic
def supplier_suspend(*, supplier: Supplier, by, reason: str) -> Supplier:
    """Suspend a supplier: its products leave the storefront, search and every basket at once.

    Baskets and checkout: the shop's strategy treats a suspended supplier's stock as unavailable
    (``shop.partner.strategy``). Listings, search and product pages: every public product that only
    suspended suppliers sell is set non-public, and remembered so reinstatement restores exactly those.
    """
    reason = _require_reason(reason)
    supplier = _lock(supplier)
    _change_status(supplier, allowed_from={Status.APPROVED}, new=Status.SUSPENDED, by=by, reason=reason)
    blocked = set(partner_ids_off_sale())
    own = StockRecord.objects.filter(partner_id=supplier.partner_id)
    open_records = StockRecord.objects.exclude(partner_id__in=blocked)
    to_hide = (
        Product.objects.filter(parent=None, is_public=True)
        .filter(
            Exists(own.filter(product=OuterRef("pk"))) | Exists(own.filter(product__parent=OuterRef("pk")))
        )
        .exclude(
            Exists(open_records.filter(product=OuterRef("pk")))
            | Exists(open_records.filter(product__parent=OuterRef("pk")))
        )
        .select_for_update()
        .order_by("pk")
    )
    for product in to_hide:
        SuspensionHiddenProduct.objects.create(supplier=supplier, product=product)
        product.is_public = False
        # save(), not update(): anything listening to product saves (caches, search) hears of it.
        product.save(update_fields=["is_public"])
    return supplier


@transaction.atomic
def supplier_reinstate(*, supplier: Supplier, by, reason: str) -> Supplier:
    """Lift a suspension and put back on sale exactly the products that suspensions hid and that now
    have a seller again: those this suspension hid, and those another suspension hid that this
    supplier also sells. A product whose every seller is still suspended stays hidden."""
    reason = _require_reason(reason)
    supplier = _lock(supplier)
    _change_status(supplier, allowed_from={Status.SUSPENDED}, new=Status.APPROVED, by=by, reason=reason)
    blocked = set(partner_ids_off_sale())
    own = StockRecord.objects.filter(partner_id=supplier.partner_id)
    hidden_rows = (
        SuspensionHiddenProduct.objects.filter(
            Q(supplier=supplier)
            | Exists(own.filter(product=OuterRef("product_id")))
            | Exists(own.filter(product__parent=OuterRef("product_id")))
        )
        .select_related("product")
        .select_for_update()
        .order_by("pk")
    )
    for hidden in hidden_rows:
        product = hidden.product
        sellers = _sellers(product)
        still_blocked = sellers & blocked
        if sellers and sellers == still_blocked:
            # Every seller left is suspended: the product stays hidden until one of them returns.
            hidden.supplier = Supplier.objects.filter(partner_id__in=still_blocked).order_by("pk").first()
            hidden.save(update_fields=["supplier"])
            continue
        if not product.is_public:
            product.is_public = True
            product.save(update_fields=["is_public"])
        hidden.delete()
    return supplier


# --- The supplier's own records (the portal) --------------------------------------------------------
PROFILE_FIELDS = (
    "short_name",
    "address",
    "contact_name",
    "phone",
    "email",
    "description",
    "logo",
    "households_supported",
    "food_licence_number",
)


@transaction.atomic
def supplier_profile_update(*, supplier: Supplier, **fields) -> Supplier:
    """Change what a supplier may edit itself; legal name, USCC, kind and status stay with staff."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not editable by the supplier: {sorted(unknown)}")
    return _save(supplier, **fields)


@transaction.atomic
def production_base_create(*, supplier: Supplier, **fields) -> ProductionBase:
    return _save(ProductionBase(supplier=supplier), **fields)


@transaction.atomic
def production_base_update(*, base: ProductionBase, **fields) -> ProductionBase:
    return _save(base, **fields)


@transaction.atomic
def production_base_delete(*, base: ProductionBase) -> None:
    base.delete()


@transaction.atomic
def base_photo_add(*, base: ProductionBase, image, caption: str = "") -> BasePhoto:
    last = base.photos.order_by("-display_order").values_list("display_order", flat=True).first()
    return _save(BasePhoto(base=base), image=image, caption=caption, display_order=(last or 0) + 1)


@transaction.atomic
def base_photo_delete(*, photo: BasePhoto) -> None:
    photo.image.delete(save=False)
    photo.delete()


@transaction.atomic
def certification_create(*, supplier: Supplier, **fields) -> Certification:
    return _save(Certification(supplier=supplier), **fields)


@transaction.atomic
def certification_update(*, certification: Certification, **fields) -> Certification:
    old_until = (
        Certification.objects.filter(pk=certification.pk).values_list("valid_until", flat=True).first()
    )
    certification = _save(certification, **fields)
    if old_until != certification.valid_until:
        # A new expiry date deserves its own reminders.
        certification.reminders.all().delete()
    return certification


@transaction.atomic
def certification_delete(*, certification: Certification) -> None:
    certification.delete()


@transaction.atomic
def stockrecord_stock_set(
    *, supplier: Supplier, stockrecord_id: int, num_in_stock: int, low_stock_threshold: int | None
):
    """Set the units in stock of one of the supplier's own stock records, never below what is allocated."""
    record = StockRecord.objects.select_for_update().get(pk=stockrecord_id, partner_id=supplier.partner_id)
    if num_in_stock != record.num_in_stock and products_with_owned_stock([record.product_id]):
        raise ValidationError(
            {
                "num_in_stock": _(
                    "This product is sold through its batches: its stock is what its published batches "
                    "hold. Publish a new batch, or put one on hold, to change it."
                )
            }
        )
    allocated = record.num_allocated or 0
    if num_in_stock < allocated:
        raise ValidationError(
            {
                "num_in_stock": _(
                    "%(allocated)s units are already allocated to orders: stock cannot go below that."
                )
                % {"allocated": allocated}
            }
        )
    record.num_in_stock = num_in_stock
    record.low_stock_threshold = low_stock_threshold
    record.save(update_fields=["num_in_stock", "low_stock_threshold", "date_updated"])
    return record


# --- E-mails ------------------------------------------------------------------------------------------
def _send(*, template: str, to: str, context: dict) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"suppliers/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"suppliers/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to])


def portal_invitation_send(*, invitation_id: int) -> bool:
    """Send the invitation once: claimed by stamping ``sent_at`` first, released again if sending fails."""
    claimed = PortalInvitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    invitation = PortalInvitation.objects.select_related("supplier", "user").get(pk=invitation_id)
    user = invitation.user
    site = _site_url()
    if user.has_usable_password():
        link = site + reverse("customer:login")
    else:
        link = site + reverse(
            "password-reset-confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    try:
        _send(
            template="invitation",
            to=user.email,
            context={
                "supplier": invitation.supplier,
                "user": user,
                "link": link,
                "sets_password": not user.has_usable_password(),
                "portal_url": site + reverse("portal:home"),
            },
        )
    except Exception:
        PortalInvitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return True


def certification_reminders_record(*, today: datetime.date | None = None) -> int:
    """Record in the outbox a reminder for every certificate reaching 30 or 7 days before expiry.

    Keyed by certificate, threshold and expiry date: running it again (or twice a day) records
    nothing twice, and a certificate given a new expiry date gets reminders of its own.
    """
    due = certification_reminders_due(today=today)
    for certification, threshold in due:
        outbox_add(
            kind="suppliers.certification_reminder",
            payload={
                "certification_id": certification.pk,
                "threshold_days": threshold,
                "valid_until": certification.valid_until.isoformat(),
            },
            key=f"suppliers:certification:{certification.pk}:{threshold}:{certification.valid_until}",
        )
    return len(due)


def certification_reminder_send(
    *, certification_id: int, threshold_days: int, today: datetime.date | None = None
) -> bool:
    """E-mail the supplier that a certificate expires soon, at most once per certificate and threshold.

    The reminder row is inserted in the same transaction as the e-mail is sent: a concurrent run waits on
    the unique constraint and then finds it; a failed send rolls the row back so the next run retries.
    """
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            certification = Certification.objects.select_related("supplier").get(pk=certification_id)
            reminder = CertificationReminder.objects.create(
                certification=certification,
                threshold_days=threshold_days,
                valid_until=certification.valid_until,
                sent_to=certification.supplier.email,
            )
            _send(
                template="certification_reminder",
                to=reminder.sent_to,
                context={
                    "certification": certification,
                    "supplier": certification.supplier,
                    "days_left": (certification.valid_until - today).days,
                    "portal_url": _site_url() + reverse("portal:certifications"),
                },
            )
    except IntegrityError:
        logger.info("certificate %s: %s-day reminder already sent", certification_id, threshold_days)
        return False
    return True
