"""Organisations apply, and channel managers approve, reject, suspend and reinstate them: only through
services, each move recorded, with a reason where the organisation is told one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from oscar.test.factories import UserFactory

from channels.models import Membership, Organisation, OrganisationStatusChange
from channels.services import organisations
from core.sales_channels import SalesChannel
from suppliers.validators import uscc_check_character
from tests.factories.channels import OrganisationFactory, beijing_uscc, channel_manager, member_of

pytestmark = pytest.mark.django_db

Status = Organisation.Status


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def application(**changes):
    fields = {
        "name": "北京市海淀实验中学",
        "short_name": "海淀实验中学",
        "channel": SalesChannel.SCHOOL,
        "uscc": beijing_uscc(77, prefix="12", division="110108"),
        "contact_name": "郑老师",
        "phone": "139 1100 0003",
        "email": "canteen@school.example",
        "address": "北京市海淀区中关村南大街12号",
        "invoice_title": "北京市海淀实验中学",
        "tax_number": beijing_uscc(77, prefix="12", division="110108"),
        "billing_address": "北京市海淀区中关村南大街12号",
        "billing_phone": "010-6234 5678",
        "bank_name": "北京银行海淀支行",
        "bank_account": "2000 0003 1234 5678 9012",
    }
    return {**fields, **changes}


def test_an_application_makes_the_applicant_its_administrator_and_is_recorded():
    applicant = UserFactory()

    organisation = organisations.organisation_apply(user=applicant, **application())

    assert organisation.status == Status.APPLIED
    assert organisation.phone == "13911000003" and organisation.bank_account == "20000003123456789012"
    assert Membership.objects.get(user=applicant).role == Membership.Role.ADMIN
    [change] = organisation.status_changes.all()
    assert (change.old_status, change.new_status, change.changed_by) == ("", Status.APPLIED, applicant)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("uscc", "12110108MA0200077X", "check character"),
        ("uscc", "1211010", "18 characters"),
        ("tax_number", "ABC", "taxpayer number"),
        ("bank_account", "12-34", "8 to 32 digits"),
        ("phone", "12345", "mobile number"),
        ("channel", "retail", "not a valid choice"),
    ],
)
def test_a_bad_application_is_refused_field_by_field_and_nothing_is_saved(field, value, message):
    with pytest.raises(ValidationError) as refused:
        organisations.organisation_apply(user=UserFactory(), **application(**{field: value}))

    assert message in " ".join(refused.value.message_dict[field]).lower()
    assert not Organisation.objects.exists() and not Membership.objects.exists()


def test_one_account_buys_for_one_organisation():
    member = member_of(OrganisationFactory())

    with pytest.raises(ValidationError, match="already belong"):
        organisations.organisation_apply(user=member, **application())


def test_an_organisation_already_registered_cannot_apply_twice_but_a_rejected_one_can_again():
    first = organisations.organisation_apply(user=UserFactory(), **application())
    with pytest.raises(ValidationError, match="already registered"):
        organisations.organisation_apply(user=UserFactory(), **application())
    organisations.organisation_reject(
        organisation=first, by=channel_manager(SalesChannel.SCHOOL), reason="营业执照不清晰"
    )

    again = organisations.organisation_apply(user=first.applicant, **application())

    assert again.pk != first.pk and again.status == Status.APPLIED
    assert Membership.objects.get(user=first.applicant).organisation == again


def test_the_application_page_records_it_and_shows_the_organisation(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("channels:apply"), application(invoice_title="", tax_number=""))

    assert response.status_code == 302 and response["Location"] == reverse("channels:org")
    organisation = Organisation.objects.get()
    assert organisation.invoice_title == organisation.name and organisation.tax_number == organisation.uscc
    assert "being checked" in client.get(reverse("channels:org")).content.decode()


def test_the_application_page_keeps_what_was_typed_and_says_what_is_wrong(client):
    client.force_login(UserFactory())

    response = client.post(reverse("channels:apply"), application(uscc="12110108MA0200077X"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "check character" in page and "北京市海淀实验中学" in page
    assert not Organisation.objects.exists()


def test_an_anonymous_visitor_is_asked_to_sign_in_before_applying(client):
    response = client.get(reverse("channels:apply"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("customer:login"))


@pytest.mark.parametrize(
    ("start", "decide", "reason", "end"),
    [
        (Status.APPLIED, organisations.organisation_approve, "", Status.APPROVED),
        (Status.APPLIED, organisations.organisation_reject, "资质不符", Status.REJECTED),
        (Status.APPROVED, organisations.organisation_suspend, "拖欠货款", Status.SUSPENDED),
        (Status.SUSPENDED, organisations.organisation_reinstate, "已结清", Status.APPROVED),
    ],
)
def test_each_decision_moves_the_status_and_leaves_a_record(start, decide, reason, end):
    organisation = OrganisationFactory(status=start)
    manager = channel_manager(SalesChannel.SCHOOL)

    decide(organisation=organisation, by=manager, reason=reason)

    organisation.refresh_from_db()
    assert organisation.status == end and organisation.status_changed_by == manager
    change = OrganisationStatusChange.objects.get(organisation=organisation)
    assert (change.old_status, change.new_status, change.changed_by) == (start, end, manager)


@pytest.mark.parametrize(
    "decide",
    [
        organisations.organisation_reject,
        organisations.organisation_suspend,
        organisations.organisation_reinstate,
    ],
)
def test_refusing_suspending_or_reinstating_needs_a_reason(decide):
    organisation = OrganisationFactory(
        status=Status.SUSPENDED if decide is organisations.organisation_reinstate else Status.APPROVED
    )
    if decide is organisations.organisation_reject:
        Organisation.objects.filter(pk=organisation.pk).update(status=Status.APPLIED)

    with pytest.raises(ValidationError, match="Say why"):
        decide(organisation=organisation, by=channel_manager(SalesChannel.SCHOOL), reason="  ")

    assert not OrganisationStatusChange.objects.exists()


def test_a_decision_that_does_not_fit_the_status_is_refused():
    organisation = OrganisationFactory(status=Status.REJECTED)

    with pytest.raises(ValidationError, match="cannot become"):
        organisations.organisation_approve(organisation=organisation, by=channel_manager(SalesChannel.SCHOOL))


def test_a_manager_of_another_channel_cannot_decide_even_by_calling_the_service():
    organisation = OrganisationFactory(status=Status.APPLIED)

    with pytest.raises(PermissionDenied):
        organisations.organisation_approve(
            organisation=organisation, by=channel_manager(SalesChannel.RESTAURANT)
        )

    organisation.refresh_from_db()
    assert organisation.status == Status.APPLIED


def test_a_manager_decides_on_the_desk_and_the_organisation_reads_the_reason(client):
    organisation = OrganisationFactory(status=Status.APPROVED)
    admin = member_of(organisation, role="admin")
    client.force_login(channel_manager(SalesChannel.SCHOOL))

    response = client.post(
        reverse("channels:desk-organisation", kwargs={"pk": organisation.pk}),
        {"action": "suspend", "reason": "三张发票逾期未付"},
    )

    assert response.status_code == 302
    client.force_login(admin)
    assert "三张发票逾期未付" in client.get(reverse("channels:org")).content.decode()


def test_the_desk_refuses_a_decision_without_its_reason_and_changes_nothing(client):
    organisation = OrganisationFactory(status=Status.APPROVED)
    client.force_login(channel_manager(SalesChannel.SCHOOL))

    response = client.post(
        reverse("channels:desk-organisation", kwargs={"pk": organisation.pk}),
        {"action": "suspend", "reason": ""},
    )

    assert response.status_code == 200 and "Say why" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.status == Status.APPROVED


def test_the_uscc_check_character_is_the_one_gb_32100_gives():
    # 91350100M000100Y43 is the standard's worked example.
    assert uscc_check_character("91350100M000100Y4") == "3"
