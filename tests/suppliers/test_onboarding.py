import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from suppliers.models import PortalInvitation, Supplier, SupplierDocument, SupplierStatusChange
from tests.factories.suppliers import ApplicationFactory, image_upload, make_uscc, pdf_upload

pytestmark = pytest.mark.django_db

Partner = get_model("partner", "Partner")
APPLY = "/shop/suppliers/apply/"


def _application(**overrides):
    data = {
        "legal_name": "竹溪县龙王垭茶叶专业合作社",
        "short_name": "龙王垭茶",
        "kind": "cooperative",
        "uscc": make_uscc(501, county="zhuxi"),
        "county": "zhuxi",
        "address": "湖北省十堰市竹溪县中峰镇",
        "contact_name": "李春梅",
        "phone": "139 7192 8888",
        "email": "lwy-tea@example.com",
        "description": "高山绿茶。",
        "households_supported": "86",
        "formerly_poor_county": "on",
        "processes_food": "on",
        "food_licence_number": "SC11442032400017",
        "business_licence": pdf_upload("营业执照.pdf"),
        "food_licence_scan": image_upload("sc.jpg"),
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _media_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_complete_application_is_saved_with_its_documents(client):
    response = client.post(APPLY, _application())

    assert response.status_code == 302
    supplier = Supplier.objects.get()
    assert supplier.status == Supplier.Status.APPLIED
    assert supplier.partner is None
    assert supplier.phone == "13971928888"
    assert set(supplier.documents.values_list("kind", flat=True)) == {"business_licence", "food_licence"}
    assert SupplierStatusChange.objects.get().new_status == "applied"


def test_a_half_filled_application_saves_nothing(client, settings):
    response = client.post(APPLY, _application(address=None, email=None))

    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"address", "email"}
    assert Supplier.objects.count() == 0
    assert SupplierDocument.objects.count() == 0
    assert _media_files(settings) == []


@pytest.mark.parametrize(
    ("field", "value", "code_fragment"),
    [
        ("uscc", "93420324MA00005010", "check character"),
        ("phone", "12345", "mobile"),
        ("food_licence_number", "SC123", "SC"),
    ],
)
def test_bad_identifiers_get_a_field_error_that_says_what_is_wrong(client, field, value, code_fragment):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    response = client.post(APPLY, _application(**{field: value}))

    errors = response.context["form"].errors
    assert field in errors
    assert code_fragment in " ".join(errors[field])
    assert Supplier.objects.count() == 0


def test_error_messages_are_in_chinese_by_default(client):
    response = client.post(APPLY, _application(uscc="93420324MA00005010"))

    assert "校验" in " ".join(response.context["form"].errors["uscc"])


def test_a_text_file_named_pdf_is_refused_and_nothing_is_saved(client, settings):
    fake = SimpleUploadedFile("营业执照.pdf", b"not a pdf at all", content_type="application/pdf")

    response = client.post(APPLY, _application(business_licence=fake))

    assert "business_licence" in response.context["form"].errors
    assert Supplier.objects.count() == 0
    assert _media_files(settings) == []


def test_a_processed_food_maker_must_give_its_sc_licence(client):
    response = client.post(APPLY, _application(food_licence_number="", food_licence_scan=None))

    errors = response.context["form"].errors
    assert {"food_licence_number", "food_licence_scan"} <= errors.keys()


def test_the_same_uscc_cannot_apply_twice(client):
    existing = ApplicationFactory()

    response = client.post(APPLY, _application(uscc=existing.uscc))

    assert "uscc" in response.context["form"].errors
    assert Supplier.objects.count() == 1


# --- Staff review ------------------------------------------------------------------------------------
REVIEW = "/shop/dashboard/suppliers/"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, email="staff@example.com"))
    return client


def test_review_pages_are_for_staff_only(client):
    application = ApplicationFactory()
    client.force_login(UserFactory())

    for url in [REVIEW, f"{REVIEW}{application.pk}/"]:
        assert client.get(url).status_code == 302
    response = client.post(f"{REVIEW}{application.pk}/", {"action": "approve"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Supplier.Status.APPLIED


def test_staff_see_applications_with_their_documents(staff_client, client):
    client.post(APPLY, _application())
    supplier = Supplier.objects.get()
    document = supplier.documents.get(kind="business_licence")

    listing = staff_client.get(REVIEW)
    detail = staff_client.get(f"{REVIEW}{supplier.pk}/")
    download = staff_client.get(f"{REVIEW}{supplier.pk}/documents/{document.pk}/")

    assert supplier.legal_name in listing.text
    assert detail.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_approval_creates_partner_and_portal_user_and_sends_the_invitation(
    staff_client, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(email="newcoop@example.com", legal_name="郧西县山里人家家庭农场")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"{REVIEW}{application.pk}/", {"action": "approve", "reason": ""})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Supplier.Status.APPROVED
    assert application.partner.name == "郧西县山里人家家庭农场"
    assert application.slug == application.partner.code
    assert staff_client.get(application.get_absolute_url()).status_code == 200  # a Chinese slug resolves
    user = application.partner.users.get()
    assert user.email == "newcoop@example.com"
    assert not user.has_usable_password()
    assert user.groups.filter(name="Cooperative users").exists()
    assert application.status_changed_by.email == "staff@example.com"
    assert len(mail.outbox) == 1
    link = re.search(r"http\S+/password-reset/confirm/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    assert PortalInvitation.objects.get().sent_at is not None


def test_the_invitation_link_lets_the_user_set_a_password_and_open_the_portal(
    staff_client, client, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(email="newcoop@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"{REVIEW}{application.pk}/", {"action": "approve"})
    staff_client.logout()
    path = re.search(r"http://[^/]+(/\S+/password-reset/confirm/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Xq7!mushroom", "new_password2": "Xq7!mushroom"}
    )
    client.post(
        "/shop/accounts/login/",
        {"login-username": "newcoop@example.com", "login-password": "Xq7!mushroom", "login_submit": "1"},
    )

    assert client.get("/shop/portal/").status_code == 200


def test_an_invitation_is_sent_once_however_often_it_is_delivered(
    staff_client, django_capture_on_commit_callbacks
):
    from core.models import OutboxMessage
    from core.outbox import outbox_deliver

    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"{REVIEW}{application.pk}/", {"action": "approve"})
    [message] = OutboxMessage.objects.filter(kind="suppliers.invitation")
    assert message.state == "sent"

    # A worker that died after sending, before its "sent" mark committed: delivered again.
    OutboxMessage.objects.filter(pk=message.pk).update(state="pending", sent_at=None)
    assert outbox_deliver(message_id=message.pk) == "sent"
    assert len(mail.outbox) == 1


def test_approving_twice_creates_one_partner(staff_client):
    application = ApplicationFactory()

    staff_client.post(f"{REVIEW}{application.pk}/", {"action": "approve"})
    response = staff_client.post(f"{REVIEW}{application.pk}/", {"action": "approve"})

    assert response.status_code == 200
    assert "form" in response.context and response.context["form"].non_field_errors()
    assert Partner.objects.count() == 1


def test_rejecting_needs_a_reason(staff_client):
    application = ApplicationFactory()

    response = staff_client.post(f"{REVIEW}{application.pk}/", {"action": "reject", "reason": " "})

    assert "reason" in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == Supplier.Status.APPLIED

    staff_client.post(f"{REVIEW}{application.pk}/", {"action": "reject", "reason": "营业执照与名称不符"})
    application.refresh_from_db()
    assert application.status == Supplier.Status.REJECTED
    assert application.status_reason == "营业执照与名称不符"
