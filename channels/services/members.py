"""Members: invitations by e-mail, accepting them, roles, leaving.

An invitation link carries ``invitation_token(invitation)``: the invitation's id and nonce, signed
with the site's secret key. Nothing stored lets anyone forge a link; renewing an invitation gives
it a new nonce, which voids the links sent before. Accepting needs the signed-in account's e-mail to
be the invited address, or creates that account when none exists yet.

Sending is one small function, ``invitation_send`` (run by a Celery task queued after commit), so it
can move onto an outbox without touching the rest.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from channels.models import Invitation, Membership, Organisation, invitation_expiry, new_nonce
from channels.services.organisations import require_admin
from channels.terms import forget_non_member
from core.outbox import outbox_add, outbox_key

logger = logging.getLogger(__name__)

TOKEN_SALT = "channels.invitation"  # noqa: S105 (a signing salt, not a secret)
Role = Membership.Role
#: Organisations whose members may invite and be joined.
OPEN_STATUSES = {Organisation.Status.APPROVED, Organisation.Status.SUSPENDED}


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=TOKEN_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, whatever its state; ``None`` for a forged or voided link."""
    try:
        pk, nonce = signing.loads(token, salt=TOKEN_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Invitation.objects.select_related("organisation").filter(pk=pk, nonce=nonce).first()


def _site_url() -> str:
    return (getattr(settings, "SHOP_BASE_URL", "") or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, role: str, by) -> Invitation:
    """Invite ``email`` to join as ``role``, or renew the open invitation to that address (new link,
    new expiry); the e-mail goes in the outbox (``core.outbox``), sent after commit."""
    require_admin(by, organisation)
    if organisation.status not in OPEN_STATUSES:
        raise ValidationError(_("Members can be invited once the organisation is approved."), code="not_open")
    email = get_user_model().objects.normalize_email((email or "").strip()).lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
    invitation = (
        Invitation.objects.select_for_update()
        .filter(
            organisation=organisation, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .first()
    )
    if invitation is None:
        invitation = Invitation(organisation=organisation, email=email)
    invitation.role = role
    invitation.created_by = by
    invitation.nonce = new_nonce()
    invitation.expires_at = invitation_expiry()
    invitation.sent_at = None
    invitation.full_clean()
    invitation.save()
    # Keyed by the invitation's nonce: inviting the same address again sends a new e-mail.
    outbox_add(
        kind="channels.invitation",
        payload={"invitation_id": invitation.pk},
        key=outbox_key("channels", "invitation", invitation.pk, invitation.nonce),
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    require_admin(by, invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_problem(invitation: Invitation | None) -> str:
    """Why this invitation cannot be accepted, or "" when it can."""
    if invitation is None:
        return str(_("This invitation link is not valid. Ask for a new invitation."))
    if invitation.accepted_at is not None:
        return str(_("This invitation has already been accepted."))
    if invitation.revoked_at is not None:
        return str(_("This invitation was withdrawn."))
    if invitation.expires_at <= timezone.now():
        return str(_("This invitation has expired. Ask the organisation's administrator for a new one."))
    if invitation.organisation.status not in OPEN_STATUSES:
        return str(_("This organisation cannot take new members at the moment."))
    return ""


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Make ``user`` a member with the invited role; the invitation can be used once."""
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem, code="invitation_closed")
    if (user.email or "").lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s: sign in with that address to accept it."),
            code="other_email",
            params={"email": invitation.email},
        )
    current = Membership.objects.select_related("organisation").filter(user=user).first()
    if current is not None:
        raise ValidationError(
            _("You already belong to %(organisation)s: one account buys for one organisation."),
            code="already_member",
            params={"organisation": current.organisation},
        )
    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    user_id = user.pk
    forget_non_member(user_id)
    transaction.on_commit(lambda: forget_non_member(user_id))
    return membership


@transaction.atomic
def invitation_accept_new_account(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> Membership:
    """Create the invited address's account (there is none yet) and accept with it."""
    from oscar.apps.customer.forms import generate_username

    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem, code="invitation_closed")
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            _("An account with %(email)s exists already: sign in to accept."),
            code="account_exists",
            params={"email": invitation.email},
        )
    user = User(
        username=generate_username(),
        email=invitation.email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages})
    user.set_password(password)
    user.save()
    return invitation_accept(invitation=invitation, user=user)


def _lock_member(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)


def _other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, by) -> Membership:
    require_admin(by, membership.organisation)
    # The organisation's memberships are locked in id order, so two admins demoting each other
    # cannot leave it without one.
    list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id)
        .order_by("pk")
    )
    membership = _lock_member(membership)
    if membership.role == Role.ADMIN and role != Role.ADMIN and not _other_admins(membership):
        raise ValidationError(_("The organisation needs at least one administrator."), code="last_admin")
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    """An administrator removes a member, or a member leaves (never the last administrator)."""
    if getattr(by, "pk", None) != membership.user_id:
        require_admin(by, membership.organisation)
    list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id)
        .order_by("pk")
    )
    membership = _lock_member(membership)
    if membership.role == Role.ADMIN and not _other_admins(membership):
        raise ValidationError(_("The organisation needs at least one administrator."), code="last_admin")
    membership.delete()


def require_member(user, organisation: Organisation) -> Membership:
    membership = Membership.objects.filter(
        user_id=getattr(user, "pk", None), organisation=organisation
    ).first()
    if membership is None:
        raise PermissionDenied
    return membership


# --- Sending ----------------------------------------------------------------------------------------------
def invitation_send(*, invitation_id: int) -> bool:
    """E-mail the invitation once: claimed by stamping ``sent_at`` first, released if sending fails.
    An invitation closed meanwhile is not sent."""
    claimed = Invitation.objects.filter(
        pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(sent_at=timezone.now())
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("organisation", "created_by").get(pk=invitation_id)
    link = _site_url() + reverse("channels:invitation", kwargs={"token": invitation_token(invitation)})
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": invitation.created_by,
        "link": link,
        "expires_at": invitation.expires_at,
    }
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string("channels/email/invitation_subject.txt", context).strip()
            body = render_to_string("channels/email/invitation_body.txt", context)
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except Exception:
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return True
