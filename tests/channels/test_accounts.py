"""Payment terms on account: the method, invoices at placement, the credit limit, payments staff
record, statements, overdue reminders, fapiao requests, and who may open what (PostgreSQL)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from channels import statements
from channels.models import FapiaoRequest, Invoice, InvoiceReminder, Organisation, Statement
from channels.payment import OnAccount
from channels.services import accounts
from core.models import OutboxMessage
from core.sales_channels import SalesChannel
from shop.checkout.payment_methods import registry
from shop.order.services import order_cancel
from tests.checkout import flow
from tests.factories.channels import OrganisationFactory, channel_manager, member_of
from tests.factories.order import basket_with, place_order, product_for_sale

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.LANGUAGES = [("en", "English")]


@pytest.fixture
def school():
    return OrganisationFactory(
        payment_mode=Organisation.PaymentMode.ON_ACCOUNT, credit_limit=Decimal("1000.00"), net_days=30
    )


@pytest.fixture
def buyer(school):
    return member_of(school)


@pytest.fixture
def mushrooms():
    return product_for_sale(title="房县香菇 250克", price="40.00", stock=500)


@pytest.fixture
def manager():
    return channel_manager(SalesChannel.SCHOOL)


def order_on_account(user, product, quantity):
    """Place an order on account as the checkout does (order, then the method, in one transaction)."""
    basket = basket_with((product, quantity), owner=user)
    with transaction.atomic():
        order = place_order(basket=basket, user=user)
        OnAccount().order_placed(order=order, user=user)
    return order


# --- The method and the invoice -----------------------------------------------------------------------
def test_on_account_is_offered_only_to_members_of_an_organisation_on_account(school, buyer):
    pay_now = member_of(OrganisationFactory())
    suspended = member_of(
        OrganisationFactory(payment_mode="on_account", credit_limit=100, status=Organisation.Status.SUSPENDED)
    )

    def offered(user):
        return "on-account" in [m.code for m in registry.available(basket=None, user=user)]

    assert offered(buyer)
    assert not offered(pay_now) and not offered(suspended) and not offered(UserFactory())


def test_an_order_on_account_gets_its_invoice_due_in_net_days_with_9_percent_per_line(
    client, buyer, mushrooms
):
    client.force_login(buyer)
    flow.add_to_basket(client, mushrooms, 10)
    flow.enter_address(client)
    assert flow.choose_payment(client, "on-account").status_code == 302

    response = flow.place_order(client)

    assert response.status_code == 302 and response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    invoice = order.channel_invoice
    assert order.status == "Awaiting shipment"
    assert invoice.amount == Decimal("400.00") and invoice.status == Invoice.Status.OPEN
    assert invoice.due_on == timezone.localdate() + datetime.timedelta(days=30)
    [line] = invoice.lines.all()
    assert (line.quantity, line.amount, line.tax_rate) == (10, Decimal("400.00"), Decimal("0.0900"))
    assert line.tax_amount == invoice.tax_amount == Decimal("33.03")  # 400 − 400 / 1.09
    assert invoice.number in client.get(response["Location"]).content.decode()


def test_the_tax_rate_follows_the_setting_per_product_class(settings, buyer, mushrooms):
    settings.CHANNELS_TAX_RATES = {mushrooms.get_product_class().slug: "0.13"}

    invoice = order_on_account(buyer, mushrooms, 3).channel_invoice

    assert invoice.lines.get().tax_rate == Decimal("0.1300")


def test_an_order_past_the_credit_limit_is_refused_with_a_clear_message_and_nothing_placed(
    client, buyer, mushrooms
):
    order_on_account(buyer, mushrooms, 20)  # ¥800 of ¥1000 used
    client.force_login(buyer)
    flow.add_to_basket(client, mushrooms, 6)  # ¥240: does not fit the ¥200 left
    flow.enter_address(client)
    flow.choose_payment(client, "on-account")

    response = flow.place_order(client)

    assert response.status_code == 200
    page = response.content.decode()
    assert "more than the credit" in page and "¥200.00" in page and "Nothing was ordered" in page
    assert Order.objects.count() == 1
    assert mushrooms.stockrecords.get().num_allocated == 20


def test_credit_comes_back_when_an_order_is_cancelled_or_paid(buyer, mushrooms, manager):
    first = order_on_account(buyer, mushrooms, 20)
    with pytest.raises(accounts.CreditLimitExceeded):
        order_on_account(buyer, mushrooms, 6)

    order_cancel(order=first)

    assert Invoice.objects.get(order=first).status == Invoice.Status.CANCELLED
    second = order_on_account(buyer, mushrooms, 25)
    accounts.payment_record(
        invoice=second.channel_invoice, amount=Decimal("1000.00"), paid_on=timezone.localdate(), by=manager
    )
    order_on_account(buyer, mushrooms, 25)  # fits again


# --- Payments -----------------------------------------------------------------------------------------
def test_staff_record_payments_and_an_overpayment_is_refused(client, buyer, mushrooms, manager):
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    client.force_login(manager)
    url = reverse("channels:desk-invoice", kwargs={"pk": invoice.pk})
    today = timezone.localdate().isoformat()

    part = client.post(
        url, {"amount": "150.00", "paid_on": today, "method": "bank_transfer", "reference": "B1"}
    )
    over = client.post(url, {"amount": "250.01", "paid_on": today, "method": "bank_transfer"})

    assert part.status_code == 302
    assert over.status_code == 400 and "more than is still owed" in over.content.decode()
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.status) == (Decimal("150.00"), Invoice.Status.OPEN)
    rest = client.post(url, {"amount": "250.00", "paid_on": today, "method": "cash"})
    assert rest.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.status) == (Decimal("400.00"), Invoice.Status.PAID)
    assert invoice.payments.count() == 2


def test_terms_are_set_on_the_desk_by_a_manager_of_the_channel_only(client, manager):
    restaurant = OrganisationFactory(channel=SalesChannel.RESTAURANT)
    school = OrganisationFactory()
    client.force_login(manager)

    refused = client.post(
        reverse("channels:desk-account", kwargs={"pk": school.pk}),
        {"payment_mode": "on_account", "net_days": "45", "credit_limit": "0"},
    )
    saved = client.post(
        reverse("channels:desk-account", kwargs={"pk": school.pk}),
        {"payment_mode": "on_account", "net_days": "45", "credit_limit": "5000"},
    )
    other = client.get(reverse("channels:desk-account", kwargs={"pk": restaurant.pk}))

    assert refused.status_code == 400 and "credit limit above zero" in refused.content.decode()
    assert saved.status_code == 302
    school.refresh_from_db()
    assert (school.payment_mode, school.net_days, school.credit_limit) == (
        "on_account",
        45,
        Decimal("5000.00"),
    )
    assert other.status_code == 403


# --- Who may open what ----------------------------------------------------------------------------------
def test_another_organisations_invoice_and_statement_are_not_found(
    client, buyer, mushrooms, django_capture_on_commit_callbacks
):
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    month = f"{timezone.localdate():%Y-%m}"
    with django_capture_on_commit_callbacks(execute=True):
        statements.statement_request(
            organisation=invoice.organisation, month=timezone.localdate().replace(day=1)
        )
    stranger = member_of(OrganisationFactory(payment_mode="on_account", credit_limit=100))
    client.force_login(stranger)

    assert client.get(reverse("channels:org-invoice", kwargs={"pk": invoice.pk})).status_code == 404
    assert client.post(reverse("channels:org-invoice", kwargs={"pk": invoice.pk}), {}).status_code == 404
    own = client.get(reverse("channels:org-statement", kwargs={"month": month})).content.decode()
    assert invoice.number not in own
    for fmt in ("pdf", "xlsx"):
        url = reverse("channels:org-statement-file", kwargs={"month": month, "fmt": fmt})
        assert client.get(url).status_code == 404


def test_a_manager_of_another_channel_cannot_open_the_invoice_or_statement(client, buyer, mushrooms):
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    client.force_login(channel_manager(SalesChannel.RESTAURANT))
    month = f"{timezone.localdate():%Y-%m}"

    assert client.get(reverse("channels:desk-invoice", kwargs={"pk": invoice.pk})).status_code == 403
    url = reverse("channels:desk-statement", kwargs={"pk": invoice.organisation_id, "month": month})
    assert client.get(url).status_code == 403
    assert client.get(reverse("channels:desk-accounts")).status_code == 200
    assert invoice.organisation.name not in client.get(reverse("channels:desk-accounts")).content.decode()


def test_a_retail_buyer_has_no_account_pages(client):
    client.force_login(UserFactory())

    assert client.get(reverse("channels:org-invoices")).status_code == 403


# --- Statements -----------------------------------------------------------------------------------------
def test_the_months_statement_shows_the_order_and_its_files_are_made_in_celery(
    client, buyer, mushrooms, manager, django_capture_on_commit_callbacks
):
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    accounts.payment_record(
        invoice=invoice, amount=Decimal("100.00"), paid_on=timezone.localdate(), by=manager
    )
    client.force_login(buyer)
    month = f"{timezone.localdate():%Y-%m}"
    url = reverse("channels:org-statement", kwargs={"month": month})

    page = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302

    assert invoice.number in page and "¥300.00" in page  # ¥400 charged, ¥100 received
    statement = Statement.objects.get()
    assert statement.state == Statement.State.READY and statement.closing_balance == Decimal("300.00")
    pdf = client.get(reverse("channels:org-statement-file", kwargs={"month": month, "fmt": "pdf"}))
    xlsx = client.get(reverse("channels:org-statement-file", kwargs={"month": month, "fmt": "xlsx"}))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert b"".join(xlsx.streaming_content).startswith(b"PK")


def test_a_statement_lists_what_is_overdue_with_the_balance_brought_forward(buyer, mushrooms):
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    long_ago = timezone.localdate() - datetime.timedelta(days=70)
    Invoice.objects.filter(pk=invoice.pk).update(
        issued_on=long_ago, due_on=long_ago + datetime.timedelta(days=30)
    )

    data = statements.statement_for(invoice.organisation, timezone.localdate().replace(day=1))

    assert data.opening == Decimal("400.00") and data.entries == []
    assert [i.number for i in data.overdue] == [invoice.number]
    assert data.overdue_total == Decimal("400.00")


# --- Overdue reminders -------------------------------------------------------------------------------
def test_overdue_reminders_go_once_per_step_through_the_outbox(
    buyer, mushrooms, django_capture_on_commit_callbacks
):
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    today = timezone.localdate()
    Invoice.objects.filter(pk=invoice.pk).update(due_on=today - datetime.timedelta(days=8))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = accounts.overdue_reminders_record(today=today)
    with django_capture_on_commit_callbacks(execute=True):
        again = accounts.overdue_reminders_record(today=today)

    assert (first, again) == (1, 0)
    assert sorted(InvoiceReminder.objects.values_list("step", flat=True)) == [1, 7]
    assert OutboxMessage.objects.filter(kind="channels.overdue_reminder").count() == 1
    [message] = mail.outbox
    assert invoice.number in message.subject and "8 days overdue" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        later = accounts.overdue_reminders_record(today=today + datetime.timedelta(days=22))
    assert later == 1 and len(mail.outbox) == 2


def test_a_paid_invoice_is_not_reminded(buyer, mushrooms, manager):
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    accounts.payment_record(invoice=invoice, amount=invoice.amount, paid_on=timezone.localdate(), by=manager)
    Invoice.objects.filter(pk=invoice.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=40))

    assert accounts.overdue_reminders_record() == 0


def test_the_desk_lists_overdue_accounts(client, buyer, mushrooms, manager, school):
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    Invoice.objects.filter(pk=invoice.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(manager)

    home = client.get(reverse("channels:desk")).content.decode()
    accounts_page = client.get(reverse("channels:desk-accounts")).content.decode()

    for page in (home, accounts_page):
        assert school.name in page and "3 days overdue" in page and "¥400.00" in page


# --- Fapiao -----------------------------------------------------------------------------------------
def test_a_fapiao_request_is_recorded_exported_defused_and_marked_issued(
    client, buyer, mushrooms, manager, school
):
    Organisation.objects.filter(pk=school.pk).update(invoice_title='=HYPERLINK("http://x")')
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    client.force_login(buyer)

    asked = client.post(reverse("channels:org-invoice", kwargs={"pk": invoice.pk}), {"note": "请开专票"})
    twice = client.post(reverse("channels:org-invoice", kwargs={"pk": invoice.pk}), {"note": ""})

    assert asked.status_code == 302
    assert twice.status_code == 400 and "already requested" in twice.content.decode()
    request = FapiaoRequest.objects.get()
    assert (request.tax_number, request.amount, request.tax_amount) == (
        school.tax_number,
        Decimal("400.00"),
        Decimal("33.03"),
    )
    client.force_login(manager)
    exported = client.get(reverse("channels:desk-fapiao-export", kwargs={"fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[1][4] == '\'=HYPERLINK("http://x")'
    assert rows[1][12:17] == ["10", "40.00", "400.00", "0.0900", "33.03"]
    assert client.get(reverse("channels:desk-fapiao-export", kwargs={"fmt": "xlsx"})).content.startswith(
        b"PK"
    )

    issued = client.post(
        reverse("channels:desk-fapiao-issued", kwargs={"pk": request.pk}),
        {"fapiao_number": "24112000000012345678"},
    )

    assert issued.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.fapiao_number) == ("issued", "24112000000012345678")
    client.force_login(channel_manager(SalesChannel.RESTAURANT))
    other = client.post(
        reverse("channels:desk-fapiao-issued", kwargs={"pk": request.pk}), {"fapiao_number": "1"}
    )
    assert other.status_code == 403


def test_an_order_on_account_holds_its_stock_without_a_payment_deadline(buyer, mushrooms):
    from shop.checkout.holds import orders_past_hold

    order = order_on_account(buyer, mushrooms, 10)
    Order.objects.filter(pk=order.pk).update(date_placed=timezone.now() - datetime.timedelta(days=60))

    assert order.pk not in list(orders_past_hold())


def test_the_pages_and_the_refusal_read_in_chinese(settings, client, buyer, mushrooms, manager):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.LANGUAGES = [("zh-hans", "简体中文")]
    invoice = order_on_account(buyer, mushrooms, 10).channel_invoice
    Invoice.objects.filter(pk=invoice.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(buyer)

    account = client.get(reverse("channels:org-invoices")).content.decode()
    with pytest.raises(accounts.CreditLimitExceeded, match="超过了.*剩余的月结信用额度"):
        order_on_account(buyer, mushrooms, 20)
    client.force_login(manager)
    desk = client.get(reverse("channels:desk-accounts")).content.decode()

    assert "账户与账单" in account and "剩余额度" in account and "逾期 3 天" in account
    assert "月结机构" in desk and "逾期 3 天" in desk
