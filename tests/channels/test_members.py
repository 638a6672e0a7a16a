"""An organisation's administrator invites members by e-mail; the link works once, for that address,
until it expires or is withdrawn; roles change and members leave without leaving it unadministered."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from channels.models import Invitation, Membership, Organisation
from channels.services import members
from tests.factories.channels import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def school():
    return OrganisationFactory(name="北京市海淀实验中学")


@pytest.fixture
def admin(school):
    return member_of(school, role=Role.ADMIN, email="zheng@school.example")


def invite(school, admin, email="li@school.example", role=Role.BUYER):
    return members.invitation_create(organisation=school, email=email, role=role, by=admin)


def link_in(message) -> str:
    return re.search(r"http://testserver(/shop/channels/invitations/[^/\s]+/)", message.body).group(1)


def test_an_invitation_is_mailed_after_commit_with_a_link_that_joins_the_invited_address(
    client, school, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(school, admin, email="Li@School.example")
    [message] = mail.outbox
    assert message.to == ["li@school.example"]
    assert "北京市海淀实验中学" in message.subject
    colleague = UserFactory(email="li@school.example")
    client.force_login(colleague)

    response = client.post(link_in(message))

    assert response.status_code == 302
    assert Membership.objects.get(user=colleague).organisation == school
    assert Invitation.objects.get().accepted_by == colleague


def test_nothing_is_mailed_when_the_invitation_is_rolled_back(
    school, admin, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            invite(school, admin)
            raise RuntimeError

    assert mail.outbox == [] and not Invitation.objects.exists()


def test_sending_twice_sends_once(school, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(school, admin)

    assert members.invitation_send(invitation_id=invitation.pk) is False
    assert len(mail.outbox) == 1


def test_an_invited_address_without_an_account_creates_one_and_joins(
    client, school, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(school, admin, email="new@school.example", role=Role.APPROVER)
    url = link_in(mail.outbox[0])

    response = client.post(
        url,
        {
            "last_name": "李",
            "first_name": "老师",
            "password1": "Hd-canteen-2026",
            "password2": "Hd-canteen-2026",
        },
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new@school.example")
    assert membership.role == Role.APPROVER and membership.user.check_password("Hd-canteen-2026")
    assert client.get(reverse("channels:org")).status_code == 200  # signed in


def test_a_weak_password_is_refused_and_no_account_is_made(
    client, school, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(school, admin, email="new@school.example")

    response = client.post(
        link_in(mail.outbox[0]), {"last_name": "李", "password1": "12345678", "password2": "12345678"}
    )

    assert response.status_code == 200 and "too common" in response.content.decode()
    assert not Membership.objects.filter(user__email="new@school.example").exists()


def test_someone_signed_in_with_another_address_cannot_use_the_link(
    client, school, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(school, admin)
    client.force_login(UserFactory(email="someone@else.example"))

    response = client.post(link_in(mail.outbox[0]))

    assert response.status_code == 200 and "sent to li@school.example" in response.content.decode()
    assert Membership.objects.filter(organisation=school).count() == 1


@pytest.mark.parametrize("state", ["accepted", "withdrawn", "expired", "renewed", "forged"])
def test_a_used_withdrawn_expired_renewed_or_forged_link_joins_nobody(client, school, admin, state):
    invitation = invite(school, admin)
    url = reverse("channels:invitation", kwargs={"token": members.invitation_token(invitation)})
    if state == "accepted":
        members.invitation_accept(invitation=invitation, user=UserFactory(email="li@school.example"))
    elif state == "withdrawn":
        members.invitation_revoke(invitation=invitation, by=admin)
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    elif state == "renewed":
        invite(school, admin)  # a new link voids the old one
    else:
        url = url[:-3] + "xx/"
    before = Membership.objects.count()
    client.force_login(UserFactory(email="li@school.example") if state != "accepted" else UserFactory())

    response = client.post(url)

    assert response.status_code in (200, 404)
    assert Membership.objects.count() == before


def test_a_member_of_another_organisation_cannot_accept(client, school, admin):
    invitation = invite(school, admin)
    elsewhere = member_of(OrganisationFactory(), email="li@school.example")

    with pytest.raises(ValidationError, match="already belong"):
        members.invitation_accept(invitation=invitation, user=elsewhere)


def test_only_an_administrator_of_the_organisation_invites(school):
    buyer = member_of(school, role=Role.BUYER)
    other_admin = member_of(OrganisationFactory(), role=Role.ADMIN)

    for user in (buyer, other_admin, UserFactory()):
        with pytest.raises(PermissionDenied):
            members.invitation_create(organisation=school, email="x@example.com", role=Role.BUYER, by=user)
    assert not Invitation.objects.exists()


def test_an_organisation_not_yet_approved_cannot_invite():
    organisation = OrganisationFactory(status=Organisation.Status.APPLIED)
    admin = member_of(organisation, role=Role.ADMIN)

    with pytest.raises(ValidationError, match="once the organisation is approved"):
        members.invitation_create(organisation=organisation, email="x@example.com", role=Role.BUYER, by=admin)


def test_the_last_administrator_can_neither_step_down_nor_leave(school, admin):
    membership = Membership.objects.get(user=admin)

    with pytest.raises(ValidationError, match="at least one administrator"):
        members.membership_role_change(membership=membership, role=Role.BUYER, by=admin)
    with pytest.raises(ValidationError, match="at least one administrator"):
        members.membership_remove(membership=membership, by=admin)

    second = member_of(school, role=Role.ADMIN)
    members.membership_role_change(membership=membership, role=Role.BUYER, by=second)
    assert Membership.objects.get(user=admin).role == Role.BUYER


def test_a_member_may_leave_and_an_admin_may_remove_but_a_buyer_may_not_remove_others(school, admin):
    buyer = member_of(school)
    other = member_of(school)

    with pytest.raises(PermissionDenied):
        members.membership_remove(membership=Membership.objects.get(user=other), by=buyer)
    members.membership_remove(membership=Membership.objects.get(user=buyer), by=buyer)
    members.membership_remove(membership=Membership.objects.get(user=other), by=admin)

    assert list(Membership.objects.values_list("user", flat=True)) == [admin.pk]
