"""The assistance ledger (issue 13, part 9): an organisation's purchases from Shiyan in a year, ordered,
delivered and paid (paid as the impact figures count sales), against the pledge it sets; its pages,
who may see them, and the XLSX download.

Every figure is computed by hand from the small data set below (``world``).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from channels import documents
from channels.ledger import ledger_year, organisation_ledger
from channels.models import AssistancePledge, Delivery, GeneratedDocument, Membership, Organisation
from channels.services.pledges import assistance_pledge_set
from core.places import County
from core.sales_channels import SalesChannel
from tests.factories.channels import DeliverySiteFactory, OrganisationFactory, channel_manager, member_of
from tests.factories.suppliers import SupplierFactory
from tests.impact.conftest import at, deliver, order_of, pay, product_of, refund

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Category = get_model("catalogue", "Category")
YEAR = 2026
TODAY = datetime.date(2026, 12, 5)


def placed(order, when):
    Order.objects.filter(pk=order.pk).update(date_placed=when)
    return order


class World:
    """The data set, by hand (2026, Beijing time):

    School (pays when ordering), pledge ¥1,000:
      S1 placed 1 Mar: 房县香菇 100 + 竹山绿茶 50, paid 2 Mar, delivered 5 Mar.
      S2 placed 10 Apr: 房县黑木耳 200, paid 11 Apr, delivered 12 Apr, 50 refunded 1 May.
      S3 placed 1 May: 房县香菇 80, paid, then cancelled: nothing anywhere.
      S4 placed 1 Jun: 郧西茶 30 and a cancelled line of 40, never paid, not delivered.
      S5 placed 31 Dec 2025 23:00, paid 1 Jan 2026 00:30: 竹山绿茶 60 (ordered last year, paid this).
      S6 placed 1 Jul: 房县黑木耳 60, paid, refunded in full.
      → ordered 150 + 200 + 30 + 60 = 440 (4 orders); delivered 150 + 200 = 350;
        paid 150 + 150 + 60 = 360 (Jan 60, Mar 150, Apr 150); products 黑木耳 150, 绿茶 110, 香菇 100;
        suppliers 房县甲社 250, 竹山乙社 110; counties 房县 250, 竹山 110.
    On-account canteen: A1 placed 1 Aug, 绿茶 120, delivered 3 Aug, unpaid (counts when delivered);
      A2 placed 2 Aug, 郧西茶 70, planned: ordered 190, delivered 120, paid 120.
    Not the school's: another school's order of 郧西茶 500, a retail order of 郧西茶 45.
    """


@pytest.fixture
def world(db):
    w = World()
    tea = Category.add_root(name="茶叶")
    w.a = SupplierFactory(county=County.FANGXIAN, short_name="房县甲社", legal_name="房县甲合作社")
    w.b = SupplierFactory(county=County.ZHUSHAN, short_name="竹山乙社", legal_name="竹山乙合作社")
    w.c = SupplierFactory(county=County.YUNXI, short_name="郧西丙社", legal_name="郧西丙合作社")
    w.mushroom = product_of(w.a, brand="房县香菇", category=tea, title="房县香菇")
    w.fungus = product_of(w.a, brand="房县黑木耳", category=tea, title="房县黑木耳")
    w.tea = product_of(w.b, brand="竹山绿茶", category=tea, title="竹山绿茶")
    w.yunxi = product_of(w.c, brand="郧西茶", category=tea, title="郧西马头山茶")

    w.school = OrganisationFactory(channel=SalesChannel.SCHOOL)
    w.site = DeliverySiteFactory(organisation=w.school)
    AssistancePledge.objects.create(organisation=w.school, year=YEAR, amount=Decimal("1000.00"))
    school = SalesChannel.SCHOOL

    s1 = placed(
        order_of([(w.mushroom, 2, "100.00"), (w.tea, 1, "50.00")], channel=school), at("2026-03-01 09:00")
    )
    deliver(s1, w.site, when=at("2026-03-05 10:00"), status=Delivery.Status.DELIVERED)
    pay(s1, at("2026-03-02 10:00"))
    s2 = placed(order_of([(w.fungus, 4, "200.00")], channel=school), at("2026-04-10 09:00"))
    deliver(s2, w.site, when=at("2026-04-12 10:00"), status=Delivery.Status.DELIVERED)
    pay(s2, at("2026-04-11 10:00"))
    refund(s2, at("2026-05-01 10:00"), "50.00")
    s3 = placed(order_of([(w.mushroom, 1, "80.00")], channel=school), at("2026-05-01 09:00"))
    deliver(s3, w.site)
    pay(s3, at("2026-05-01 10:00"))
    Order.objects.filter(pk=s3.pk).update(status="Cancelled")
    s4 = placed(
        order_of(
            [(w.yunxi, 1, "30.00"), (w.mushroom, 1, "40.00", "Cancelled")], channel=school, status="Pending"
        ),
        at("2026-06-01 09:00"),
    )
    deliver(s4, w.site)
    s5 = placed(order_of([(w.tea, 1, "60.00")], channel=school), at("2025-12-31 23:00"))
    deliver(s5, w.site)
    pay(s5, at("2026-01-01 00:30"))
    s6 = placed(order_of([(w.fungus, 1, "60.00")], channel=school), at("2026-07-01 09:00"))
    deliver(s6, w.site)
    pay(s6, at("2026-07-01 10:00"))
    refund(s6, at("2026-07-02 10:00"), "60.00")

    w.canteen = OrganisationFactory(
        channel=SalesChannel.ENTERPRISE, payment_mode=Organisation.PaymentMode.ON_ACCOUNT
    )
    canteen_site = DeliverySiteFactory(organisation=w.canteen)
    a1 = placed(
        order_of([(w.tea, 2, "120.00")], channel=SalesChannel.ENTERPRISE, status="Shipped"),
        at("2026-08-01 09:00"),
    )
    deliver(a1, canteen_site, when=at("2026-08-03 10:00"), status=Delivery.Status.DELIVERED)
    a2 = placed(
        order_of([(w.yunxi, 1, "70.00")], channel=SalesChannel.ENTERPRISE, status="Shipped"),
        at("2026-08-02 09:00"),
    )
    deliver(a2, canteen_site)

    w.other = OrganisationFactory(channel=SalesChannel.SCHOOL)
    other_site = DeliverySiteFactory(organisation=w.other)
    o1 = placed(order_of([(w.yunxi, 5, "500.00")], channel=school), at("2026-03-01 09:00"))
    deliver(o1, other_site, when=at("2026-03-03 10:00"), status=Delivery.Status.DELIVERED)
    pay(o1, at("2026-03-03 10:00"))
    retail = order_of([(w.yunxi, 1, "45.00")])
    pay(retail, at("2026-03-03 10:00"))

    w.admin = member_of(w.school, role=Membership.Role.ADMIN)
    w.buyer = member_of(w.school)
    return w


# --- The figures --------------------------------------------------------------------------------------
def test_the_schools_figures_by_hand(world):
    ledger = organisation_ledger(world.school, YEAR, today=TODAY)

    assert ledger.ordered == Decimal("440.00") and ledger.order_count == 4
    assert ledger.delivered == Decimal("350.00")
    assert ledger.paid == Decimal("360.00")
    assert ledger.pledge == Decimal("1000.00") and ledger.progress == 36
    assert ledger.remaining == Decimal("640.00")
    by_month = {m.month.month: (m.ordered, m.delivered, m.paid) for m in ledger.months}
    assert len(ledger.months) == 12
    assert by_month[1] == (Decimal("0.00"), Decimal("0.00"), Decimal("60.00"))
    assert by_month[3] == (Decimal("150.00"), Decimal("150.00"), Decimal("150.00"))
    assert by_month[4] == (Decimal("200.00"), Decimal("200.00"), Decimal("150.00"))
    assert by_month[5] == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))  # S3 cancelled
    assert by_month[6] == (Decimal("30.00"), Decimal("0.00"), Decimal("0.00"))
    assert by_month[7] == (Decimal("60.00"), Decimal("0.00"), Decimal("0.00"))  # refunded in full
    assert [(p.name, p.quantity, p.amount) for p in ledger.products] == [
        ("房县黑木耳", 4, Decimal("150.00")),
        ("竹山绿茶", 2, Decimal("110.00")),
        ("房县香菇", 2, Decimal("100.00")),
    ]
    assert ledger.product_count == 3
    assert [(s.name, s.amount) for s in ledger.suppliers] == [
        ("房县甲合作社", Decimal("250.00")),
        ("竹山乙合作社", Decimal("110.00")),
    ]
    assert [(c.name, c.amount) for c in ledger.counties] == [
        (str(County.FANGXIAN.label), Decimal("250.00")),
        (str(County.ZHUSHAN.label), Decimal("110.00")),
    ]


def test_on_account_purchases_count_as_paid_when_delivered(world):
    ledger = organisation_ledger(world.canteen, YEAR, today=TODAY)

    assert (ledger.ordered, ledger.delivered, ledger.paid) == (
        Decimal("190.00"),
        Decimal("120.00"),
        Decimal("120.00"),
    )
    assert ledger.order_count == 2 and ledger.pledge is None and ledger.progress is None
    assert [(s.name, s.amount) for s in ledger.suppliers] == [("竹山乙合作社", Decimal("120.00"))]


def test_last_year_holds_only_what_was_ordered_then(world):
    ledger = organisation_ledger(world.school, YEAR - 1, today=TODAY)

    assert (ledger.ordered, ledger.delivered, ledger.paid) == (Decimal("60.00"), 0, 0)
    assert ledger.pledge is None and ledger.products == [] and ledger.supplier_count == 0


def test_paid_is_the_impact_figures_sales_of_the_organisations_orders(world):
    """The ledger's "paid" and the impact roll-ups are one definition: all organisations' paid sums
    to the roll-ups' channel sales of the year, less retail."""
    from impact.models import DailySales
    from impact.rollup import rollups_rebuild

    rollups_rebuild()
    institutional = sum(
        row.amount for row in DailySales.objects.filter(day__year=YEAR).exclude(channel=SalesChannel.RETAIL)
    )
    ledgers = [
        organisation_ledger(o, YEAR, today=TODAY).paid for o in (world.school, world.canteen, world.other)
    ]

    assert sum(ledgers) == institutional == Decimal("980.00")


def test_a_pledge_of_this_year_falls_back_on_the_organisations_recorded_pledge(world):
    Organisation.objects.filter(pk=world.canteen.pk).update(yearly_pledge=Decimal("240.00"))
    world.canteen.refresh_from_db()

    ledger = organisation_ledger(world.canteen, YEAR, today=TODAY)

    assert ledger.pledge == Decimal("240.00") and ledger.progress == 50
    assert organisation_ledger(world.canteen, YEAR - 1, today=TODAY).pledge is None


@pytest.mark.parametrize("value", ["abc", "2015", "2027", "20266", " "])
def test_a_bad_year_is_refused_with_a_clear_message(value):
    with pytest.raises(ValidationError) as refused:
        ledger_year(value, today=TODAY)

    assert "2016" in refused.value.messages[0] and "2026" in refused.value.messages[0]


def test_no_year_means_this_year():
    assert ledger_year(None, today=TODAY) == ledger_year("", today=TODAY) == 2026
    assert ledger_year("2019", today=TODAY) == 2019


# --- The pledge ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("amount", ["0", "-5"])
def test_a_pledge_must_be_above_zero(world, amount):
    with pytest.raises(ValidationError) as refused:
        assistance_pledge_set(
            organisation=world.school, year=2026, amount=Decimal(amount), by=world.admin, today=TODAY
        )

    assert refused.value.message_dict["amount"] == ["承诺金额必须大于 ¥0。"]
    assert AssistancePledge.objects.get(organisation=world.school).amount == Decimal("1000.00")


def test_a_closed_year_and_a_far_year_are_refused(world):
    for year in (2025, 2028):
        with pytest.raises(ValidationError) as refused:
            assistance_pledge_set(
                organisation=world.school, year=year, amount=Decimal("10"), by=world.admin, today=TODAY
            )
        assert "year" in refused.value.message_dict


def test_only_the_organisations_administrator_sets_its_pledge(world):
    for user in (world.buyer, member_of(world.other, role=Membership.Role.ADMIN), channel_manager("school")):
        with pytest.raises(PermissionDenied):
            assistance_pledge_set(
                organisation=world.school, year=2026, amount=Decimal("10"), by=user, today=TODAY
            )


def test_the_administrator_sets_and_changes_the_pledge_through_the_form(world, client):
    client.force_login(world.admin)
    url = reverse("channels:org-assistance-pledge")

    refused = client.post(url, {"year": str(TODAY.year), "amount": "0"})
    saved = client.post(url, {"year": str(TODAY.year), "amount": "2400"})

    assert refused.status_code == 200 and "承诺金额必须大于 ¥0。" in refused.content.decode()
    assert saved.status_code == 302
    pledge = AssistancePledge.objects.get(organisation=world.school, year=TODAY.year)
    assert pledge.amount == Decimal("2400.00") and pledge.set_by == world.admin
    assert client.get(url).status_code == 200
    client.force_login(world.buyer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"year": str(TODAY.year), "amount": "1"}).status_code == 403


# --- Pages and who may see them -----------------------------------------------------------------------
def test_a_member_sees_the_ledger_with_pledge_progress(world, client):
    client.force_login(world.buyer)

    page = client.get(reverse("channels:org-assistance"), {"year": YEAR})

    assert page.status_code == 200
    text = page.content.decode()
    assert "¥360.00" in text and "¥440.00" in text and "¥350.00" in text and "36%" in text
    assert "房县黑木耳" in text and "郧西马头山茶" not in text
    assert reverse("channels:org-assistance-pledge") not in text  # a buyer does not set the pledge


def test_a_bad_year_on_the_page_is_a_message_not_a_500(world, client):
    client.force_login(world.buyer)

    page = client.get(reverse("channels:org-assistance"), {"year": "nineteen"})

    assert page.status_code == 400 and "请选择 2016 至" in page.content.decode()


def test_another_organisations_member_sees_only_their_own_ledger(world, client):
    client.force_login(member_of(world.other))

    text = client.get(reverse("channels:org-assistance"), {"year": YEAR}).content.decode()

    assert "¥500.00" in text and "¥360.00" not in text and "房县黑木耳" not in text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("retail buyer", 403),
        ("member of another organisation", 403),
        ("manager of another channel", 403),
        ("manager of the channel", 200),
        ("plain staff", 403),
        ("platform staff", 200),
    ],
)
def test_the_desk_ledger_is_for_the_channels_managers_and_staff(world, client, who, status):
    users = {
        "retail buyer": lambda: UserFactory(),
        "member of another organisation": lambda: member_of(world.other, role=Membership.Role.ADMIN),
        "manager of another channel": lambda: channel_manager(SalesChannel.RESTAURANT),
        "manager of the channel": lambda: channel_manager(SalesChannel.SCHOOL),
        "plain staff": lambda: UserFactory(is_staff=True),
        "platform staff": lambda: UserFactory(is_staff=True, is_superuser=True),
    }
    if who in users:
        client.force_login(users[who]())

    response = client.get(
        reverse("channels:desk-organisation-assistance", args=[world.school.pk]), {"year": YEAR}
    )

    assert response.status_code == status
    if status == 200:
        assert "¥360.00" in response.content.decode()


def test_the_org_pages_and_the_desk_link_to_the_ledger(world, client):
    client.force_login(world.buyer)
    assert reverse("channels:org-assistance") in client.get(reverse("channels:org")).content.decode()
    client.force_login(channel_manager(SalesChannel.SCHOOL))
    detail = client.get(reverse("channels:desk-organisation", args=[world.school.pk])).content.decode()
    assert reverse("channels:desk-organisation-assistance", args=[world.school.pk]) in detail


def test_the_page_costs_the_same_queries_whatever_the_number_of_orders(
    world, client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.buyer)
    url = reverse("channels:org-assistance")
    client.get(url, {"year": YEAR})  # warm: the site, the content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"year": YEAR}).status_code == 200
    for n in range(10):
        order = placed(
            order_of([(world.yunxi, 1, "10.00"), (world.fungus, 1, "5.00")], channel=SalesChannel.SCHOOL),
            at(f"2026-09-{n + 1:02d} 09:00"),
        )
        deliver(order, world.site)
        pay(order, at(f"2026-09-{n + 1:02d} 10:00"))

    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url, {"year": YEAR})

    assert "¥510.00" in page.content.decode()  # 360 + 10 × 15
    assert len(few.captured_queries) <= 12


# --- The download ---------------------------------------------------------------------------------------
def _who(world, who):
    return {
        "member": lambda: world.buyer,
        "manager": lambda: channel_manager(SalesChannel.SCHOOL),
        "staff": lambda: UserFactory(is_staff=True),
        "other organisation": lambda: member_of(world.other, role=Membership.Role.ADMIN),
        "other channel's manager": lambda: channel_manager(SalesChannel.RESTAURANT),
        "someone": lambda: UserFactory(),
    }[who]()


@pytest.mark.parametrize("who", ["member", "manager", "staff"])
def test_the_organisation_its_managers_and_staff_download_the_ledger(world, client, who):
    client.force_login(_who(world, who))

    response = client.post(reverse("channels:assistance-download", args=[world.school.pk]), {"year": YEAR})

    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "channels:document", args=[document.pk]
    )
    assert document.kind == GeneratedDocument.Kind.ASSISTANCE_LEDGER and document.month == datetime.date(
        YEAR, 1, 1
    )
    documents.document_generate(document_id=document.pk)
    download = client.get(reverse("channels:document-download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"


@pytest.mark.parametrize("who", ["other organisation", "other channel's manager", "someone"])
def test_anyone_else_gets_404_and_nothing_is_queued(world, client, who):
    document = documents.document_request(
        kind=GeneratedDocument.Kind.ASSISTANCE_LEDGER,
        organisation=world.school,
        month=datetime.date(YEAR, 1, 1),
        by=world.admin,
    )
    documents.document_generate(document_id=document.pk)
    client.force_login(_who(world, who))

    asked = client.post(reverse("channels:assistance-download", args=[world.school.pk]), {"year": YEAR})
    seen = client.get(reverse("channels:document", args=[document.pk]))
    fetched = client.get(reverse("channels:document-download", args=[document.pk]))

    assert (asked.status_code, seen.status_code, fetched.status_code) == (404, 404, 404)
    assert GeneratedDocument.objects.count() == 1


def test_a_download_for_a_bad_year_is_refused_with_a_message(world, client):
    client.force_login(world.buyer)

    response = client.post(
        reverse("channels:assistance-download", args=[world.school.pk]),
        {"year": "1999", "next": "https://evil.example/"},
    )

    assert response.status_code == 302 and response["Location"] == reverse("channels:org-assistance")
    assert not GeneratedDocument.objects.exists()


def test_the_xlsx_holds_the_figures_every_product_and_defused_names(world):
    from openpyxl import load_workbook

    world.c.legal_name = '=HYPERLINK("http://x")郧西'
    world.c.save()
    order = placed(order_of([(world.yunxi, 1, "30.00")], channel=SalesChannel.SCHOOL), at("2026-10-01 09:00"))
    deliver(order, world.site)
    pay(order, at("2026-10-01 10:00"))
    document = documents.document_request(
        kind=GeneratedDocument.Kind.ASSISTANCE_LEDGER,
        organisation=world.school,
        month=datetime.date(YEAR, 1, 1),
        by=world.admin,
    )

    assert documents.document_generate(document_id=document.pk)

    document.refresh_from_db()
    assert document.file_name == f"xiaofeibangfu-{world.school.pk}-{YEAR}.xlsx"
    with document.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    summary = {}
    for label, value, *_rest in book.worksheets[0].iter_rows(values_only=True):
        if label == "统计口径":
            break
        summary[label] = value
    assert summary["年份"] == YEAR and summary["认购承诺"] == 1000
    assert (summary["已下单"], summary["已送达"], summary["已付款（计入帮扶）"]) == (470, 350, 390)
    assert summary["覆盖供货方"] == 3 and summary["覆盖县区"] == 3 and summary["覆盖商品"] == 4
    months = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert months[0] == ("2026-01", 0, 0, 60) and months[9] == ("2026-10", 30, 0, 30)
    products = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in products] == ["房县黑木耳", "竹山绿茶", "房县香菇", "郧西马头山茶"]
    suppliers = [row[0] for row in book.worksheets[3].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")郧西' in suppliers


# --- Demo data ----------------------------------------------------------------------------------------
def test_the_demo_organisations_show_a_year_of_purchases_and_the_school_a_pledge():
    from django.core.management.base import BaseCommand

    from catalogue import demo as catalogue_demo
    from channels import demo as channels_demo
    from channels.demo import PRICED_PRODUCTS, _products, assistance
    from core import demo_accounts
    from suppliers import demo as suppliers_demo

    command = BaseCommand(stdout=io.StringIO())
    catalogue_demo.seed(command)
    demo_accounts.seed(command)
    suppliers_demo.seed(command)
    channels_demo.seed(command)
    products = [product for key, product in sorted(_products().items()) if key in PRICED_PRODUCTS]
    summer = datetime.date(2026, 7, 1)

    assistance.seed(command, products=products, manager_email=channels_demo.MANAGER_EMAIL, today=summer)
    made = Order.objects.filter(number__startswith=assistance.PREFIX).count()
    assistance.seed(command, products=products, manager_email=channels_demo.MANAGER_EMAIL, today=summer)

    assert (
        Order.objects.filter(number__startswith=assistance.PREFIX).count() == made == 4 * 12
    )  # January to June, two a month
    school = Organisation.objects.get(channel=SalesChannel.SCHOOL)
    ledger = organisation_ledger(school, 2026, today=summer)
    assert ledger.pledge == assistance.SCHOOL_PLEDGE and 0 < ledger.progress
    assert ledger.ordered == ledger.delivered == ledger.paid > 0  # on account: paid when delivered
    assert all(month.paid > 0 for month in ledger.months[:6]) and ledger.supplier_count >= 2
    shop = organisation_ledger(Organisation.objects.get(channel=SalesChannel.SUPERMARKET), 2026, today=summer)
    assert shop.paid == shop.ordered > 0 and shop.pledge == Decimal("500000.00")  # the recorded pledge
