"""Organisations: applications, the channel managers' decisions, billing details and delivery sites.

Status moves only through here, each move leaving an ``OrganisationStatusChange``:
applied → approved | rejected; approved → suspended; suspended → approved (reinstated). The row is
locked first, so two managers deciding at once apply one decision and refuse the other.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels.models import DeliverySite, Membership, Organisation, OrganisationStatusChange
from channels.permissions import require_channel
from channels.terms import forget_non_member
from channels.validators import normalise_bank_account, normalise_tax_number
from suppliers.validators import normalise_cn_phone, normalise_uscc

Status = Organisation.Status

APPLICATION_FIELDS = (
    "name",
    "short_name",
    "channel",
    "uscc",
    "contact_name",
    "phone",
    "email",
    "address",
    "invoice_title",
    "tax_number",
    "billing_address",
    "billing_phone",
    "bank_name",
    "bank_account",
)
#: What an organisation's administrator may change; name, USCC and channel stay with managers.
BILLING_FIELDS = (
    "contact_name",
    "phone",
    "email",
    "address",
    "invoice_title",
    "tax_number",
    "billing_address",
    "billing_phone",
    "bank_name",
    "bank_account",
)
SITE_FIELDS = ("name", "district", "address", "contact_name", "phone", "notes")


def _normalised(fields: dict) -> dict:
    fields = dict(fields)
    for name, normalise in (
        ("uscc", normalise_uscc),
        ("tax_number", normalise_tax_number),
        ("bank_account", normalise_bank_account),
        ("phone", normalise_cn_phone),
        ("billing_phone", normalise_cn_phone),
    ):
        if name in fields:
            fields[name] = normalise(fields[name])
    for name, value in fields.items():
        if isinstance(value, str) and name not in ("uscc", "tax_number", "bank_account"):
            fields[name] = value.strip()
    return fields


def _save(instance, **fields):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def _only(fields: dict, allowed: tuple[str, ...]) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not accepted here: {sorted(unknown)}")
    return fields


# --- Applications ------------------------------------------------------------------------------------
@transaction.atomic
def organisation_apply(*, user, **fields) -> Organisation:
    """Record an application (status "applied") and make the applicant its administrator.

    A user belongs to one organisation: someone already in one cannot apply for another, except
    after a rejection, whose membership this application replaces.
    """
    fields = _normalised(_only(fields, APPLICATION_FIELDS))
    current = Membership.objects.select_related("organisation").filter(user=user).first()
    if current is not None:
        if current.organisation.status != Status.REJECTED:
            raise ValidationError(
                _("You already belong to %(organisation)s: one account buys for one organisation."),
                code="already_member",
                params={"organisation": current.organisation},
            )
        current.delete()
    if Organisation.objects.filter(uscc=fields.get("uscc", "")).exclude(status=Status.REJECTED).exists():
        raise ValidationError(
            {
                "uscc": _(
                    "An organisation with this unified social credit code is already registered or "
                    "waiting for approval: ask its administrator to invite you."
                )
            }
        )
    organisation = _save(
        Organisation(status=Status.APPLIED, status_changed_at=timezone.now(), applicant=user), **fields
    )
    OrganisationStatusChange.objects.create(
        organisation=organisation,
        old_status="",
        new_status=Status.APPLIED,
        changed_by=user,
        reason=str(_("Application submitted")),
    )
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMIN)
    user_id = user.pk
    transaction.on_commit(lambda: forget_non_member(user_id))
    return organisation


# --- Managers' decisions ---------------------------------------------------------------------------------
def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _change_status(organisation: Organisation, *, allowed_from: set[str], new: str, by, reason: str):
    if organisation.status not in allowed_from:
        raise ValidationError(
            _("An organisation whose status is “%(status)s” cannot become “%(new)s”."),
            code="status_transition",
            params={"status": organisation.get_status_display(), "new": Status(new).label},
        )
    old = organisation.status
    organisation.status = new
    organisation.status_changed_at = timezone.now()
    organisation.status_changed_by = by if by is not None and by.is_authenticated else None
    organisation.status_reason = reason
    organisation.full_clean()
    organisation.save()
    OrganisationStatusChange.objects.create(
        organisation=organisation,
        old_status=old,
        new_status=new,
        changed_by=organisation.status_changed_by,
        changed_at=organisation.status_changed_at,
        reason=reason,
    )
    return organisation


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the organisation is told the reason.")})
    return reason


def _decide(organisation, *, by, allowed_from, new, reason):
    organisation = _lock(organisation)
    require_channel(by, organisation.channel)
    return _change_status(organisation, allowed_from=allowed_from, new=new, by=by, reason=reason)


@transaction.atomic
def organisation_approve(*, organisation: Organisation, by, reason: str = "") -> Organisation:
    """Approve an application: its members see the channel's prices from their next page on."""
    return _decide(
        organisation,
        by=by,
        allowed_from={Status.APPLIED},
        new=Status.APPROVED,
        reason=(reason or "").strip() or str(_("Application approved")),
    )


@transaction.atomic
def organisation_reject(*, organisation: Organisation, by, reason: str) -> Organisation:
    return _decide(
        organisation,
        by=by,
        allowed_from={Status.APPLIED},
        new=Status.REJECTED,
        reason=_require_reason(reason),
    )


@transaction.atomic
def organisation_suspend(*, organisation: Organisation, by, reason: str) -> Organisation:
    """Suspend an organisation: its members can order nothing (they are told why) until reinstated."""
    return _decide(
        organisation,
        by=by,
        allowed_from={Status.APPROVED},
        new=Status.SUSPENDED,
        reason=_require_reason(reason),
    )


@transaction.atomic
def organisation_reinstate(*, organisation: Organisation, by, reason: str) -> Organisation:
    return _decide(
        organisation,
        by=by,
        allowed_from={Status.SUSPENDED},
        new=Status.APPROVED,
        reason=_require_reason(reason),
    )


# --- What the organisation's administrator keeps up to date ------------------------------------------
def require_admin(user, organisation: Organisation) -> Membership:
    """The user's membership, if they administer ``organisation``; ``PermissionDenied`` otherwise."""
    from django.core.exceptions import PermissionDenied

    membership = Membership.objects.filter(
        user_id=getattr(user, "pk", None), organisation=organisation
    ).first()
    if membership is None or not membership.is_admin:
        raise PermissionDenied(_("Only an administrator of the organisation may do this."))
    return membership


@transaction.atomic
def organisation_billing_update(*, organisation: Organisation, by, **fields) -> Organisation:
    require_admin(by, organisation)
    organisation = _lock(organisation)
    return _save(organisation, **_normalised(_only(fields, BILLING_FIELDS)))


@transaction.atomic
def delivery_site_create(*, organisation: Organisation, by, **fields) -> DeliverySite:
    require_admin(by, organisation)
    site = DeliverySite(organisation=organisation)
    return _save(site, **_site_fields(organisation, fields))


@transaction.atomic
def delivery_site_update(*, site: DeliverySite, by, **fields) -> DeliverySite:
    require_admin(by, site.organisation)
    return _save(site, **_site_fields(site.organisation, fields, exclude=site.pk))


@transaction.atomic
def delivery_site_set_active(*, site: DeliverySite, by, active: bool) -> DeliverySite:
    """Stop (or resume) delivering to a site; it stays on record for what was delivered there."""
    require_admin(by, site.organisation)
    return _save(site, is_active=active)


def _site_fields(organisation, fields, exclude=None) -> dict:
    fields = _normalised(_only(fields, SITE_FIELDS))
    taken = DeliverySite.objects.filter(organisation=organisation, name=fields.get("name", ""))
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": _("The organisation already has a delivery site of this name.")})
    return fields
