"""Recall: a batch and every batch made from it leave sale at once; staff list and export the affected
order lines and buyers; each buyer is e-mailed exactly once, even when the task is retried."""

import csv
import io
import smtplib
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from core.models import OutboxMessage
from core.outbox import outbox_deliver, outbox_sweep
from tests.factories.order import UserFactory, basket_with, place_order
from tests.factories.traceability import net_stock, published, seller
from traceability import recall as recalls
from traceability import services
from traceability.chain import chain_verify
from traceability.models import Batch, Recall, RecallNotice, TraceEvent

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def _lineage(tea, depth: int) -> list[Batch]:
    """A chain of ``depth`` batches, each made from the one before (fresh leaf → tea → blend → …)."""
    leaves = seller(product_class_slug="fresh-tea-leaves", title="竹溪贡茶 鲜叶", supplier=tea.supplier)
    chain = [published(leaves, quantity=300, unit="kg", harvest=20, lot_code="LEAF-0")]
    for level in range(1, depth):
        product = (
            tea
            if level == 1
            else seller(product_class_slug="tea", title=f"竹溪 拼配茶 {level}", supplier=tea.supplier)
        )
        chain.append(
            published(
                product,
                quantity=20,
                harvest=20 - level,
                lot_code=f"LEVEL-{level}",
                inputs=[services.InputSpec(chain[-1], Decimal("5"), chain[-1].unit)],
            )
        )
    return chain


@pytest.fixture
def recaller():
    user = UserFactory(is_staff=True, email="qa@shiyan-select.example")
    user.user_permissions.add(Permission.objects.get(codename="add_recall"))
    return user


def _paid(order):
    """A paid order keeps its lines when a batch is recalled (an unpaid one loses them: see below)."""
    order.set_status("Paid")
    return order


def _buy(product, quantity, *, email):
    buyer = UserFactory(email=email)
    return _paid(place_order(basket=basket_with((product, quantity), owner=buyer), user=buyer))


# --- The service -----------------------------------------------------------------------------------
def test_a_recall_takes_the_batch_and_every_descendant_off_sale_at_any_depth(tea, recaller):
    chain = _lineage(tea, depth=5)
    unrelated = published(tea, quantity=7, lot_code="OTHER-1")
    stock_before = net_stock(tea.stockrecord)

    recall = recalls.batch_recall(batch=chain[0], reason="鲜叶农残超标（毒死蜱）", by=recaller)

    assert sorted(recall.batches.values_list("pk", flat=True)) == sorted(b.pk for b in chain)
    statuses = dict(Batch.objects.values_list("lot_code", "status"))
    assert all(statuses[b.lot_code] == "recalled" for b in chain)
    assert statuses["OTHER-1"] == "published"
    assert net_stock(tea.stockrecord) == stock_before - 20 == unrelated.quantity_remaining
    assert (recall.recalled_by, recall.reason, recall.batch) == (recaller, "鲜叶农残超标（毒死蜱）", chain[0])
    for batch in chain:
        last = TraceEvent.objects.filter(batch=batch).order_by("-sequence").first()
        assert (last.biz_step, last.disposition) == ("holding", "recalled")
        assert chain_verify(TraceEvent.objects.filter(batch=batch).order_by("sequence")).ok


def test_recalling_a_middle_batch_leaves_its_inputs_on_sale(tea):
    chain = _lineage(tea, depth=4)

    recall = recalls.batch_recall(batch=chain[2], reason="包装污染")

    assert set(recall.batches.all()) == {chain[2], chain[3]}
    assert Batch.objects.get(pk=chain[1].pk).status == "published"


def test_recalling_a_recalled_batch_changes_nothing(tea):
    batch = published(tea, quantity=5)
    recalls.batch_recall(batch=batch, reason="第一次")

    with pytest.raises(ValidationError) as refused:
        recalls.batch_recall(batch=batch, reason="第二次")

    assert "已召回" in refused.value.messages[0] or "recalled already" in refused.value.messages[0]
    assert Recall.objects.count() == 1
    assert Batch.objects.get(pk=batch.pk).status_reason == "第一次"


def test_a_recall_needs_a_reason(tea):
    batch = published(tea, quantity=5)

    with pytest.raises(ValidationError):
        recalls.batch_recall(batch=batch, reason="  ")

    assert Batch.objects.get(pk=batch.pk).status == "published"


def test_a_recalled_batch_cannot_be_bought_and_its_trace_page_says_so(client, tea):
    batch = published(tea, quantity=5)
    recalls.batch_recall(batch=batch, reason="农残超标")

    page = client.get(f"/t/{batch.trace_code}/").content.decode()

    assert net_stock(tea.stockrecord) == 0
    assert "tr-alert--recall" in page


# --- The staff desk ----------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["anonymous", "cooperative", "staff without permission"])
def test_only_staff_with_the_recall_permission_reach_the_desk(client, tea, who):
    batch = published(tea, quantity=5)
    recall = recalls.batch_recall(batch=batch, reason="农残超标")
    if who == "cooperative":
        client.force_login(tea.user())
    elif who == "staff without permission":
        client.force_login(UserFactory(is_staff=True))
    urls = [
        reverse("recall:list"),
        reverse("recall:create", args=[batch.pk]),
        reverse("recall:detail", args=[recall.pk]),
        reverse("recall:export-csv", args=[recall.pk]),
        reverse("recall:export-xlsx", args=[recall.pk]),
    ]

    for url in urls:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and reverse("customer:login") in response["Location"]
        else:
            assert response.status_code == 403
    other = published(tea, quantity=2)
    client.post(reverse("recall:create", args=[other.pk]), {"reason": "试图召回"})
    assert Batch.objects.get(pk=other.pk).status == "published"


def test_staff_find_a_batch_by_lot_code_confirm_with_a_reason_and_see_the_affected_buyers(
    client, tea, recaller, django_capture_on_commit_callbacks
):
    chain = _lineage(tea, depth=3)
    first = _buy(tea.product, 2, email="zhang@example.com")
    second = _buy(tea.product, 1, email="li@example.com")
    client.force_login(recaller)

    found = client.get(reverse("recall:list"), {"q": "LEAF"}).content.decode()
    confirm = client.get(reverse("recall:create", args=[chain[0].pk])).content.decode()
    refused = client.post(reverse("recall:create", args=[chain[0].pk]), {"reason": ""})
    still_on_sale = Batch.objects.get(pk=chain[0].pk).status == "published"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("recall:create", args=[chain[0].pk]), {"reason": "鲜叶农残超标"}, follow=True
        )

    assert reverse("recall:create", args=[chain[0].pk]) in found
    assert all(batch.lot_code in confirm for batch in chain)
    assert refused.status_code == 200 and still_on_sale
    page = done.content.decode()
    recall = Recall.objects.get()
    assert done.redirect_chain[-1][0] == reverse("recall:detail", args=[recall.pk])
    for order in (first, second):
        assert order.number in page
    assert "zhang@example.com" in page and "li@example.com" in page
    assert "LEVEL-1" in page
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.com", "zhang@example.com"]


def test_recalling_again_from_the_desk_says_so_and_changes_nothing(client, tea, recaller):
    batch = published(tea, quantity=5)
    recalls.batch_recall(batch=batch, reason="第一次")
    client.force_login(recaller)

    response = client.post(reverse("recall:create", args=[batch.pk]), {"reason": "第二次"}, follow=True)

    assert "已召回" in response.content.decode() or "recalled already" in response.content.decode()
    assert Recall.objects.count() == 1


def test_the_affected_lines_are_paginated_and_sortable(client, tea, recaller):
    batch = published(tea, quantity=200)
    orders = [_buy(tea.product, 1, email=f"buyer{n:02d}@example.com") for n in range(60)]
    recall = recalls.batch_recall(batch=batch, reason="抽检不合格")
    client.force_login(recaller)
    url = reverse("recall:detail", args=[recall.pk])

    first_page = client.get(url, {"sort": "order"})
    second_page = client.get(url, {"sort": "order", "page": 2})
    newest_first = client.get(url, {"sort": "-order"})

    numbers = sorted(order.number for order in orders)
    assert [row[7] for row in first_page.context["rows"]] == numbers[:50]
    assert [row[7] for row in second_page.context["rows"]] == numbers[50:]
    assert newest_first.context["rows"][0][7] == numbers[-1]
    assert first_page.context["summary"]["orders"] == 60


# --- Export ------------------------------------------------------------------------------------------
def test_csv_and_xlsx_list_every_affected_line_with_its_columns_and_defuse_formulas(client, tea, recaller):
    chain = _lineage(tea, depth=2)
    order = _buy(tea.product, 3, email="=cmd@example.com")
    address = order.shipping_address
    address.last_name = '=HYPERLINK("http://evil.example")'
    address.save()
    recall = recalls.batch_recall(batch=chain[0], reason="农残超标")
    client.force_login(recaller)

    csv_response = client.get(reverse("recall:export-csv", args=[recall.pk]))
    xlsx_response = client.get(reverse("recall:export-xlsx", args=[recall.pk]))

    assert csv_response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_response.content))
    sheet_rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    for table in (rows, sheet_rows):
        assert table[0] == [str(column.label) for column in recalls.COLUMNS]
        assert table[0][4] == "收货信息" and table[0][7] == "订单号"
        assert len(table) == 2
        lot, product, quantity, unit, ship_to, placed, buyer, number = table[1]
        assert (lot, product, str(quantity), number) == (
            "LEVEL-1",
            tea.product.get_title(),
            "3",
            order.number,
        )
        assert ship_to.startswith("'=HYPERLINK") and "朝阳区" in ship_to and "100022" in ship_to
        assert buyer.startswith("'=cmd@example.com")
        assert placed.startswith(str(order.date_placed.year))
        assert unit


def test_defuse_leaves_ordinary_values_alone():
    assert recalls.defuse("=1+1") == "'=1+1"
    assert recalls.defuse("+8613812345678") == "'+8613812345678"
    assert recalls.defuse("-x") == "'-x"
    assert recalls.defuse("@SUM(A1)") == "'@SUM(A1)"
    assert recalls.defuse("王小明") == "王小明"
    assert recalls.defuse(3) == 3


# --- E-mail, exactly once ------------------------------------------------------------------------------
class FlakyBackend(EmailBackend):
    """The mail server drops the connection on the second message, once."""

    failed = False

    def send_messages(self, messages):
        if len(mail.outbox) == 1 and not FlakyBackend.failed:
            FlakyBackend.failed = True
            raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


def test_each_buyer_is_emailed_once_even_when_the_mail_server_fails_and_delivery_is_retried(
    tea, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.traceability.test_recall.FlakyBackend"
    FlakyBackend.failed = False
    batch = published(tea, quantity=20)
    _buy(tea.product, 1, email="zhang@example.com")
    zhang_again = _paid(
        place_order(
            basket=basket_with((tea.product, 2)),
            guest_email="ZHANG@example.com",
        )
    )
    _buy(tea.product, 1, email="li@example.com")
    _buy(tea.product, 1, email="wang@example.com")

    # Delivered after commit, one message each: the mail server drops the second one.
    with django_capture_on_commit_callbacks(execute=True):
        recall = recalls.batch_recall(batch=batch, reason="农残超标")
    assert FlakyBackend.failed and len(mail.outbox) == 2
    [waiting] = OutboxMessage.objects.filter(kind="traceability.recall_email", state="pending")
    assert "connection lost" in waiting.last_error
    later = timezone.now() + timedelta(minutes=5)
    outbox_sweep(now=later)  # the sweeper, once the backoff has passed
    outbox_sweep(now=later)  # and again (a second beat, a duplicate run)
    for message in OutboxMessage.objects.all():
        outbox_deliver(message_id=message.pk)  # and a late duplicate of each after-commit task

    recipients = [message.to[0] for message in mail.outbox]
    assert sorted(recipients) == ["li@example.com", "wang@example.com", "zhang@example.com"]
    assert RecallNotice.objects.filter(recall=recall, sent_at__isnull=False).count() == 3
    zhang = next(m for m in mail.outbox if m.to == ["zhang@example.com"])
    assert zhang_again.number in zhang.body and "农残超标" in zhang.body
    assert "召回" in zhang.subject


def test_a_notice_is_unique_per_recall_and_recipient(tea):
    from django.db import IntegrityError, transaction

    batch = published(tea, quantity=2)
    recall = recalls.batch_recall(batch=batch, reason="农残超标")
    RecallNotice.objects.create(recall=recall, email="a@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        RecallNotice.objects.create(recall=recall, email="a@example.com")


def test_the_dashboard_menu_offers_recalls_only_to_those_who_may_recall(client, recaller):
    client.force_login(recaller)
    with_permission = client.get(reverse("dashboard:index")).content.decode()
    client.force_login(UserFactory(is_staff=True))
    without = client.get(reverse("dashboard:index")).content.decode()

    assert reverse("recall:list") in with_permission
    assert reverse("recall:list") not in without


def test_a_guest_is_not_sent_to_an_account_page_and_a_member_is(tea, django_capture_on_commit_callbacks):
    batch = published(tea, quantity=5)
    guest_order = _paid(place_order(basket=basket_with((tea.product, 1)), guest_email="guest@example.com"))
    _buy(tea.product, 1, email="member@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        recalls.batch_recall(batch=batch, reason="农残超标")

    guest = next(m for m in mail.outbox if m.to == ["guest@example.com"])
    member = next(m for m in mail.outbox if m.to == ["member@example.com"])
    assert guest_order.number in guest.body and "/accounts/orders/" not in guest.body
    assert "我们会就退款或换货与您联系。" in guest.body
    assert "/accounts/orders/" in member.body


# --- Any legal lot code, any hostile cell ----------------------------------------------------------
#: GS1 AI (10) lot codes: up to 20 characters of GS1 CSET 82.
GS1_CSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def _legal_lot_codes() -> list[str]:
    """Every CSET 82 character, in lot codes of 20; plus awkward whole codes (all quotes, "History")."""
    chunks = [GS1_CSET_82[i : i + 20] for i in range(0, len(GS1_CSET_82), 20)]
    return [*chunks, "'''''", "History", "////", "[a]:b*?", "<&>\"'", "'x'", "A"]


@pytest.mark.parametrize("lot_code", _legal_lot_codes())
def test_the_xlsx_opens_for_any_legal_gs1_lot_code(tea, lot_code):
    # Given a recalled batch whose lot code uses GS1's characters (stored as a partner's sheet may bring it)
    batch = published(tea, quantity=5)
    Batch.objects.filter(pk=batch.pk).update(lot_code=lot_code)
    _buy(tea.product, 1, email="zhang@example.com")
    recall = recalls.batch_recall(batch=Batch.objects.get(pk=batch.pk), reason="农残超标")

    # When the spreadsheet is written and opened again
    workbook = openpyxl.load_workbook(io.BytesIO(recalls.recall_xlsx(recall)))

    # Then it is one well-formed sheet with a name Excel accepts, holding the line
    [sheet] = workbook.worksheets
    assert 1 <= len(sheet.title) <= 31
    assert not set(sheet.title) & set("[]:*?/\\")
    assert sheet.title.casefold() != "history" and sheet.title[0] != "'" and sheet.title[-1] != "'"
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][7] == Order.objects.get().number
    assert rows[1][0] == recalls.defuse(lot_code)


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+8613812345678",
        "-x",
        "@SUM(A1)",
        "\t=cmd",
        "\r=cmd",
        "\n=cmd",
        " =HYPERLINK(1)",
        "\u3000=HYPERLINK(1)",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
    ],
)
def test_defuse_covers_formulas_hidden_behind_white_space_or_full_width_signs(value):
    assert recalls.defuse(value) == "'" + value


def test_csv_defuses_full_width_and_space_led_formulas(client, tea, recaller):
    batch = published(tea, quantity=5)
    order = _buy(tea.product, 1, email="zhang@example.com")
    address = order.shipping_address
    address.last_name = "＝HYPERLINK(1)"
    address.save()
    Order.objects.filter(pk=order.pk).update(guest_email="")
    order.user.email = " =cmd@example.com"
    order.user.save()
    recall = recalls.batch_recall(batch=batch, reason="农残超标")
    client.force_login(recaller)

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("recall:export-csv", args=[recall.pk])).content.decode("utf-8-sig")
            )
        )
    )

    assert rows[1][4].startswith("'＝HYPERLINK")
    assert rows[1][6].startswith("' =cmd@example.com")
