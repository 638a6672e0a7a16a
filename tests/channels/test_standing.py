"""Standing deliveries: each due day becomes one order N days ahead (once, even when the job runs
twice at the same time), priced at the organisation's terms and allocated to batches; skip dates,
pauses and end dates are kept; a shortfall is reported before the day and tried again; a product
gone off sale refuses the day with a clear message. The organisation's admin keeps the schedules on
its own pages; the desk and the organisation see the coming week."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from channels.models import (
    Delivery,
    Membership,
    OrganisationOrder,
    PriceListEntry,
    StandingOrder,
    StandingOrderLine,
    StandingRun,
)
from channels.services import standing as service
from core.models import OutboxMessage
from core.sales_channels import SalesChannel
from tests.factories.channels import (
    DeliverySiteFactory,
    OrganisationFactory,
    channel_manager,
    member_of,
    price,
)
from tests.factories.traceability import published, seller
from traceability.models import BatchAllocation

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.CHANNELS_STANDING_LEAD_DAYS = 2


def next_weekday(weekday: int, *, after: datetime.date | None = None) -> datetime.date:
    day = (after or timezone.localdate()) + datetime.timedelta(days=1)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day


class World:
    def __init__(self, *, stock=60):
        self.seller = seller(title="房县香菇 250克", price="39.80", product_class_slug="dried-fungi")
        self.batch = published(self.seller, quantity=stock)
        self.product = self.seller.product
        price(self.product, "31.00", channel=SalesChannel.SCHOOL, moq=6, case_size=6)
        self.school = OrganisationFactory(channel=SalesChannel.SCHOOL, short_name="海淀实验中学")
        self.site = DeliverySiteFactory(organisation=self.school, name="海淀校区")
        self.admin = member_of(self.school, role=Membership.Role.ADMIN, email="admin@school.example")

    def schedule(self, *, day: datetime.date, quantity=12, **fields) -> StandingOrder:
        standing = StandingOrder.objects.create(
            organisation=self.school,
            site=self.site,
            name="每周蔬菜",
            weekdays=[day.weekday()],
            starts_on=fields.pop("starts_on", timezone.localdate()),
            created_by=self.admin,
            po_number="PO-STAND-1",
            **fields,
        )
        StandingOrderLine.objects.create(standing_order=standing, product=self.product, quantity=quantity)
        return standing


@pytest.fixture
def world():
    return World()


def test_a_due_day_becomes_one_order_at_the_organisations_price_allocated_to_batches(world):
    day = timezone.localdate() + datetime.timedelta(days=2)
    standing = world.schedule(day=day, quantity=12)

    counts = service.standing_orders_place()

    assert counts == {"placed": 1}
    run = StandingRun.objects.get()
    assert (run.standing_order, run.date, run.status) == (standing, day, StandingRun.Status.PLACED)
    link = run.organisation_order
    assert link.source == OrganisationOrder.Source.STANDING and link.po_number == "PO-STAND-1"
    assert link.organisation == world.school and link.placed_by == world.admin
    order = link.order
    line = order.lines.get()
    assert (line.quantity, line.unit_price_incl_tax) == (12, Decimal("31.00"))
    assert order.channel == SalesChannel.SCHOOL
    assert order.sources.get().source_type.code == "bank-transfer"
    delivery = Delivery.objects.get()
    assert (delivery.site, delivery.date, delivery.organisation_order) == (world.site, day, link)
    assert list(delivery.lines.values_list("line", flat=True)) == [line.pk]
    assert BatchAllocation.objects.get(line=line).batch == world.batch
    world.batch.refresh_from_db()
    assert world.batch.quantity_remaining == 60 - 12

    # The job again (the next hour): nothing more.
    assert service.standing_orders_place() == {"skipped": 1}
    assert Order.objects.count() == 1


def test_the_payment_method_is_a_setting(world, settings):
    settings.CHANNELS_STANDING_PAYMENT_METHOD = "cash-on-delivery"
    world.schedule(day=timezone.localdate() + datetime.timedelta(days=1))
    service.standing_orders_place()
    assert Order.objects.get().sources.get().source_type.code == "cash-on-delivery"


def test_an_organisation_on_account_gets_its_standing_deliveries_on_account_within_its_credit(world):
    from channels.models import Invoice, Organisation

    world.school.payment_mode = Organisation.PaymentMode.ON_ACCOUNT
    world.school.credit_limit = Decimal("1000.00")
    world.school.net_days = 30
    world.school.save()
    first = timezone.localdate() + datetime.timedelta(days=1)
    world.schedule(day=first)

    service.standing_orders_place()

    order = Order.objects.get()
    assert order.sources.get().source_type.code == "on-account"
    invoice = Invoice.objects.get(order_id=order.pk)
    assert invoice.organisation == world.school and invoice.amount == order.total_incl_tax

    # The credit used up: the next day is refused, saying why, and nothing more is placed.
    world.school.credit_limit = order.total_incl_tax
    world.school.save()
    next_day = first + datetime.timedelta(days=1)
    world.schedule(day=next_day)

    service.standing_orders_place()

    refused = StandingRun.objects.get(date=next_day)
    assert refused.status == StandingRun.Status.REFUSED and refused.message
    assert Order.objects.count() == 1


def test_days_beyond_the_lead_are_not_ordered_yet(world):
    world.schedule(day=timezone.localdate() + datetime.timedelta(days=3))
    assert service.standing_orders_place() == {}
    assert not StandingRun.objects.exists()


@pytest.mark.parametrize("case", ["skipped date", "paused", "ended", "not started"])
def test_skip_dates_pauses_and_the_schedules_span_are_kept(world, case):
    day = timezone.localdate() + datetime.timedelta(days=2)
    fields = {
        "skipped date": {"skip_dates": [day.isoformat()]},
        "paused": {"paused_at": timezone.now()},
        "ended": {"ends_on": day - datetime.timedelta(days=1), "starts_on": day - datetime.timedelta(days=7)},
        "not started": {"starts_on": day + datetime.timedelta(days=1)},
    }[case]
    world.schedule(day=day, **fields)
    service.standing_orders_place()
    assert not Order.objects.exists()
    assert not StandingRun.objects.exists()


def test_a_shortfall_orders_nothing_tells_the_organisation_once_and_is_tried_again(world):
    day = timezone.localdate() + datetime.timedelta(days=2)
    world.schedule(day=day, quantity=66)  # 60 in stock

    assert service.standing_orders_place() == {"shortfall": 1}
    run = StandingRun.objects.get()
    assert run.status == StandingRun.Status.SHORTFALL
    assert "房县香菇" in run.message and "60" in run.message
    assert not Order.objects.exists() and not Delivery.objects.exists()
    assert OutboxMessage.objects.filter(kind="channels.standing_problem").count() == 1

    # Still short an hour later: reported once only.
    assert service.standing_orders_place() == {"shortfall": 1}
    assert OutboxMessage.objects.filter(kind="channels.standing_problem").count() == 1

    # More stock arrives: the next run places it.
    published(world.seller, quantity=30)
    assert service.standing_orders_place() == {"placed": 1}
    run.refresh_from_db()
    assert run.status == StandingRun.Status.PLACED and run.attempts == 3
    assert run.organisation_order.order.lines.get().quantity == 66


def test_the_shortfall_e_mail_names_the_product_and_goes_to_the_organisation(world, mailoutbox):
    world.schedule(day=timezone.localdate() + datetime.timedelta(days=1), quantity=66)
    service.standing_orders_place()
    run = StandingRun.objects.get()
    assert service.standing_problem_send(run_id=run.pk)
    mail = mailoutbox[-1]
    assert set(mail.to) == {world.school.email, "admin@school.example"}
    assert "每周蔬菜" in mail.subject and "short of stock" in mail.subject
    assert "房县香菇" in mail.body


@pytest.mark.parametrize("case", ["off sale", "no price", "not in whole cases", "suspended"])
def test_a_day_that_cannot_be_ordered_as_scheduled_is_refused_with_a_clear_message(world, case):
    day = timezone.localdate() + datetime.timedelta(days=1)
    world.schedule(day=day, quantity=7 if case == "not in whole cases" else 12)
    if case == "off sale":
        world.product.is_public = False
        world.product.save()
    elif case == "no price":
        PriceListEntry.objects.all().delete()
    elif case == "suspended":
        world.school.status = world.school.Status.SUSPENDED
        world.school.save()

    assert service.standing_orders_place() == {"refused": 1}
    run = StandingRun.objects.get()
    expected = {
        "off sale": "房县香菇 250克 is no longer on sale.",
        "no price": "has no price for your organisation",
        "not in whole cases": "whole cases of 6 (not 7)",
        "suspended": "suspended",
    }[case]
    assert expected in run.message
    assert not Order.objects.exists() and not Delivery.objects.exists()
    assert StockRecord.objects.get(pk=world.seller.stockrecord.pk).num_allocated == 0
    # Refused is final for that day: the next run does not try again.
    assert service.standing_orders_place() == {"skipped": 1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_jobs_at_the_same_time_place_each_day_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    world = World(stock=500)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for n in range(4):
        site = DeliverySiteFactory(organisation=world.school, name=f"校区{n}")
        standing = world.schedule(day=tomorrow, quantity=6)
        standing.site = site
        standing.save()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def job():
        try:
            barrier.wait()
            results.append(service.standing_orders_place())
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sum(result.get("placed", 0) for result in results) == 4
    assert Order.objects.count() == 4
    assert StandingRun.objects.filter(status=StandingRun.Status.PLACED).count() == 4
    assert Delivery.objects.count() == 4


# --- The organisation's pages -----------------------------------------------------------------------
def _form_data(world, **overrides):
    day = next_weekday(0)
    data = {
        "name": "每周一蔬菜",
        "site": world.site.pk,
        "weekdays": ["0", "2"],
        "starts_on": day.isoformat(),
        "ends_on": "",
        "skip_dates": "2026-10-01, 2026-10-02",
        "po_number": "PO-9",
        "note": "早上7点前送到",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": world.product.pk,
        "lines-0-quantity": "12",
        "lines-1-product": "",
        "lines-1-quantity": "",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_changes_pauses_and_resumes_a_standing_delivery(world, client):
    client.force_login(world.admin)
    assert client.get(reverse("channels:org-standing-create")).status_code == 200
    response = client.post(reverse("channels:org-standing-create"), _form_data(world))
    assert response.status_code == 302
    standing = StandingOrder.objects.get()
    assert standing.weekdays == [0, 2] and standing.skip_dates == ["2026-10-01", "2026-10-02"]
    assert list(standing.lines.values_list("product", "quantity")) == [(world.product.pk, 12)]

    url = reverse("channels:org-standing-update", args=[standing.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(world, **{"lines-0-quantity": "18", "weekdays": ["4"]}))
    assert response.status_code == 302
    standing.refresh_from_db()
    assert standing.weekdays == [4] and standing.lines.get().quantity == 18

    client.post(reverse("channels:org-standing-pause", args=[standing.pk]), {"paused": "1"})
    standing.refresh_from_db()
    assert standing.is_paused
    client.post(reverse("channels:org-standing-pause", args=[standing.pk]), {"paused": "0"})
    standing.refresh_from_db()
    assert not standing.is_paused
    page = client.get(reverse("channels:org-standing"))
    assert "每周一蔬菜" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lines-0-quantity": "7"}, "whole cases of 6 (not 7)"),
        ({"lines-0-quantity": "", "lines-0-product": ""}, "Add at least one product."),
        ({"weekdays": []}, "This field is required."),
        ({"skip_dates": "2026-13-01"}, "is not a date"),
    ],
)
def test_the_form_refuses_what_cannot_be_ordered(world, client, overrides, message):
    client.force_login(world.admin)
    response = client.post(reverse("channels:org-standing-create"), _form_data(world, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StandingOrder.objects.exists()


def test_the_form_refuses_a_product_gone_off_sale(world, client):
    world.product.is_public = False
    world.product.save()
    client.force_login(world.admin)
    response = client.post(reverse("channels:org-standing-create"), _form_data(world))
    assert response.status_code == 400
    assert not StandingOrder.objects.exists()


def test_buyers_see_but_only_admins_change_and_other_organisations_get_404(world, client):
    standing = world.schedule(day=next_weekday(2))
    buyer = member_of(world.school)
    client.force_login(buyer)
    assert client.get(reverse("channels:org-standing")).status_code == 200
    assert client.get(reverse("channels:org-standing-create")).status_code == 403
    assert (
        client.post(reverse("channels:org-standing-pause", args=[standing.pk]), {"paused": "1"}).status_code
        == 403
    )

    other = OrganisationFactory(channel=SalesChannel.SCHOOL)
    client.force_login(member_of(other, role=Membership.Role.ADMIN))
    assert client.get(reverse("channels:org-standing-update", args=[standing.pk])).status_code == 404
    assert (
        client.post(reverse("channels:org-standing-pause", args=[standing.pk]), {"paused": "1"}).status_code
        == 404
    )
    standing.refresh_from_db()
    assert not standing.is_paused


def test_the_desk_shows_the_coming_week_with_any_shortfall_to_the_channels_managers_only(world, client):
    placed_day = timezone.localdate() + datetime.timedelta(days=1)
    world.schedule(day=placed_day, quantity=12)
    service.standing_orders_place()
    short_day = timezone.localdate() + datetime.timedelta(days=5)
    short = world.schedule(day=short_day, quantity=54)  # 48 left after the first order
    short.name = "周五加量"
    short.save()

    rows = service.standing_outlook(channels=[SalesChannel.SCHOOL])
    assert [(row.date, bool(row.delivery), row.problem) for row in rows if row.date == placed_day][0][:2] == (
        placed_day,
        True,
    )
    pending = [row for row in rows if row.standing == short]
    assert pending and "房县香菇 250克: 6 short" in pending[0].problem

    client.force_login(channel_manager(SalesChannel.SCHOOL))
    page = client.get(reverse("channels:desk")).content.decode()
    assert "Deliveries of the coming week" in page and "房县香菇 250克: 6 short" in page
    assert "海淀实验中学" in page

    client.force_login(channel_manager(SalesChannel.RESTAURANT))
    page = client.get(reverse("channels:desk")).content.decode()
    assert "海淀实验中学" not in page

    client.force_login(world.admin)
    page = client.get(reverse("channels:org-deliveries")).content.decode()
    assert "房县香菇 250克: 6 short" in page


def test_the_pages_speak_chinese(world, client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    world.schedule(day=timezone.localdate() + datetime.timedelta(days=3), quantity=66)
    client.force_login(world.admin)
    page = client.get(reverse("channels:org-standing"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "定期配送" in page and "未来一周" in page and "缺 6" in page and "周" in page
    page = client.get(
        reverse("channels:org-standing-create"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "首次配送不早于" in page and "不配送的日期" in page


def test_the_hourly_job_fans_the_due_schedules_out_to_the_workers_in_chunks(world, monkeypatch):
    from shop.celery_app import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the chunk's task runs here, as a worker would
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for n in range(3):
        standing = world.schedule(day=tomorrow, quantity=6)
        standing.site = DeliverySiteFactory(organisation=world.school, name=f"分校{n}")
        standing.save()
    world.schedule(day=tomorrow + datetime.timedelta(days=3))  # not due within the lead

    assert service.standing_orders_fan_out(chunk=2) == {"queued": 3}
    assert StandingRun.objects.filter(status=StandingRun.Status.PLACED).count() == 3
    assert service.standing_orders_fan_out(chunk=2) == {"queued": 3}  # queued again, placed nothing more
    assert Order.objects.count() == 3
