"""Recall (issue 4, part 8): pull a batch and everything made from it off sale, list who has it, tell them.

* ``batch_descendants`` walks the lineage (``BatchInput``: ``output`` made from ``input``) one level
  per query, any depth, on SQLite and PostgreSQL alike.
* ``batch_recall`` recalls a batch and its descendants at once, in one transaction: stock records
  locked first, then batches in primary-key order (the shop's lock order); what remains of a batch on
  sale leaves its stock record, every batch becomes "recalled", a ``Recall`` remembers who, when, why
  and which batches, and each batch's event chain gets a ``holding`` event with disposition
  ``recalled``. Each buyer's e-mail and each mobile number's SMS are recorded in the outbox in the
  same transaction (``recall_notices_record``), so they go out after the commit even if Redis is down.
  Lines of orders nobody has paid for yet come off the bill (``order_lines_unbill``: allocations
  given back, totals and a pending card payment lowered, an order left empty cancelled); their
  buyers are told they will not be charged for them.
* ``recall_rows`` lists every affected order line (one row per batch allocation) as plain tuples,
  sortable; ``recall_csv`` and ``recall_xlsx`` write them as a spreadsheet with formula injection
  defused.
* ``recall_notice_send`` (the outbox handler's service) e-mails each buyer once (``RecallNotice``:
  unique per recall and address, stamped when sent), so a retried delivery never mails twice.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import CharField, Count, Sum
from django.db.models.functions import Cast, Coalesce, Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from core.outbox import outbox_add_many, outbox_key, sms_message
from core.sheets import defuse  # noqa: F401  (recalls.defuse: tests and callers read it here too)
from shop.order import statuses as order_statuses
from shop.order.services import UNBILL_ADJUSTED, UNBILL_CANCELLED, order_lines_unbill
from traceability.models import (
    Batch,
    BatchAllocation,
    BatchInput,
    BatchUnit,
    BizStep,
    Disposition,
    Recall,
    RecallNotice,
)

logger = logging.getLogger(__name__)

StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Status = Batch.Status


# --- Lineage -----------------------------------------------------------------------------------------
def batch_descendants(batch_id: int) -> list[int]:
    """``batch_id`` and every batch made from it, at any depth (one query per level), sorted."""
    seen = {batch_id}
    frontier = {batch_id}
    while frontier:
        children = set(BatchInput.objects.filter(input_id__in=frontier).values_list("output_id", flat=True))
        frontier = children - seen
        seen |= frontier
    return sorted(seen)


# --- Recalling ---------------------------------------------------------------------------------------
def _site_url() -> str:
    return (getattr(settings, "SHOP_BASE_URL", "") or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


@transaction.atomic
def batch_recall(*, batch: Batch, reason: str, by=None) -> Recall:
    """Recall ``batch`` and every batch made from it; raises ``ValidationError`` if it is recalled already."""
    from traceability.selectors import trace_page_forget
    from traceability.services import batch_stockrecords, trace_event_record

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the batch is recalled.")})
    affected_ids = batch_descendants(batch.pk)
    # Lock order: orders not yet paid that hold units of these batches (their lines come off the
    # bill below), as order_cancel locks an order before its stock records; then stock records, batches.
    _lock_unpaid_orders(affected_ids)
    batches = list(Batch.objects.filter(pk__in=affected_ids).select_related("base__supplier").order_by("pk"))
    # Lock order: stock records (by primary key), then batches (by primary key), as a checkout does.
    record_pks = {}
    for item in batches:
        key = (item.product_id, item.base.supplier_id)
        if key not in record_pks:
            record_pks[key] = batch_stockrecords(item).order_by("pk").values_list("pk", flat=True).first()
    locked_records = {
        record.pk: record
        for record in StockRecord.objects.select_for_update()
        .filter(pk__in=[pk for pk in record_pks.values() if pk])
        .order_by("pk")
    }
    records = {key: locked_records.get(pk) for key, pk in record_pks.items()}
    locked = {
        item.pk: item
        for item in Batch.objects.filter(pk__in=affected_ids)
        .select_for_update(of=("self",))
        .select_related("base__supplier")
        .order_by("pk")
    }
    root = locked[batch.pk]
    if root.status == Status.RECALLED:
        raise ValidationError(
            _("Batch %(lot)s was recalled already; nothing was changed.") % {"lot": root.lot_code},
            code="already_recalled",
        )

    now = timezone.now()
    changed = []
    for pk in affected_ids:
        item = locked[pk]
        if item.status == Status.RECALLED:
            continue  # recalled before (through another batch): stays as it is
        record = records[(item.product_id, item.base.supplier_id)]
        if item.status == Status.PUBLISHED and item.quantity_remaining and record is not None:
            target = (record.num_in_stock or 0) - item.quantity_remaining
            allocated = record.num_allocated or 0
            if target < allocated:
                logger.warning(
                    "recall of batch %s: stock record %s cannot give up %s units; set to %s",
                    item.pk,
                    record.pk,
                    item.quantity_remaining,
                    allocated,
                )
                target = allocated
            record.num_in_stock = target
            record.save(update_fields=["num_in_stock", "date_updated"])
        item.status = Status.RECALLED
        item.status_changed_at = now
        item.status_reason = reason[:255]
        item.save(update_fields=["status", "status_changed_at", "status_reason"])
        changed.append(item)

    recall = Recall.objects.create(batch=root, reason=reason, recalled_by=by)
    recall.batches.set(affected_ids)
    for item in changed:
        trace_event_record(
            batch=item,
            biz_step=BizStep.HOLDING,
            disposition=Disposition.RECALLED,
            event_time=now,
            base=item.base,
            actor=str(settings.OSCAR_SHOP_NAME),
            recorded_by=by,
            details={"recall": recall.pk, "reason": reason, "recalled_lot": root.lot_code},
        )
    trace_page_forget(*changed)
    # Who to tell is read before unpaid lines come off (their allocations go with them).
    recipients, phones = _recipients(recall), recall_phones(recall)
    unbilled, cancelled = _unbill_unpaid_lines(recall=recall, batch_ids=affected_ids, by=by)
    recall_notices_record(
        recall=recall, recipients=recipients, phones=phones, unbilled=unbilled, cancelled=cancelled
    )
    return recall


def _unpaid_allocations(batch_ids):
    return BatchAllocation.objects.filter(
        batch_id__in=batch_ids, line__order__status__in=order_statuses.AWAITING_PAYMENT
    )


def _lock_unpaid_orders(batch_ids) -> list[int]:
    order_ids = set(_unpaid_allocations(batch_ids).values_list("line__order_id", flat=True))
    return list(
        Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk").values_list("pk", flat=True)
    )


def _unbill_unpaid_lines(*, recall: Recall, batch_ids, by=None) -> tuple[set[str], set[str]]:
    """Lines of orders nobody has paid for yet (card pending, bank transfer, pay on delivery) that hold
    recalled units come off the bill (``order_lines_unbill``); an order left with nothing is cancelled.

    Returns the numbers of the orders adjusted and of those cancelled. Paid orders keep their lines:
    their buyers are told and staff arrange refunds or replacements, as before.
    """
    lines_by_order = defaultdict(set)
    for order_id, line_id in _unpaid_allocations(batch_ids).values_list("line__order_id", "line_id"):
        lines_by_order[order_id].add(line_id)
    unbilled, cancelled = set(), set()
    note = _("Recalled (lot %(lot)s): %(reason)s") % {"lot": recall.batch.lot_code, "reason": recall.reason}
    for order in Order.objects.filter(pk__in=lines_by_order).order_by("pk"):
        outcome = order_lines_unbill(order=order, line_ids=lines_by_order[order.pk], note=note, user=by)
        if outcome == UNBILL_ADJUSTED:
            unbilled.add(order.number)
        elif outcome == UNBILL_CANCELLED:
            cancelled.add(order.number)
    return unbilled, cancelled


# --- Affected order lines ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    label: object
    order_by: tuple[str, ...] | None = None


#: The spreadsheet's columns, in order; ``order_by`` makes a column sortable (``?sort=key`` / ``-key``).
COLUMNS = (
    Column("lot", gettext_lazy("Lot"), ("batch__lot_code",)),
    Column("product", gettext_lazy("Product"), ("line__title",)),
    Column("quantity", gettext_lazy("Quantity"), ("quantity",)),
    Column("unit", gettext_lazy("Unit")),
    Column("ship_to", gettext_lazy("Ship to"), ("line__order__shipping_address__line4",)),
    Column("order_date", gettext_lazy("Order date"), ("line__order__date_placed",)),
    Column("buyer", gettext_lazy("Buyer contact"), ("line__order__guest_email", "line__order__user__email")),
    Column("order", gettext_lazy("Order reference"), ("line__order__number",)),
)
SORTABLE = {column.key for column in COLUMNS if column.order_by}
DEFAULT_SORT = "-order_date"

_FIELDS = (
    "batch__lot_code",
    "line__title",
    "quantity",
    "batch__unit",
    "line__order__shipping_address__first_name",
    "line__order__shipping_address__last_name",
    "phone",
    "line__order__shipping_address__state",
    "line__order__shipping_address__line4",
    "line__order__shipping_address__line1",
    "line__order__shipping_address__line2",
    "line__order__shipping_address__postcode",
    "placed",
    "line__order__guest_email",
    "line__order__user__email",
    "line__order__number",
    "line__order_id",
    "line_id",
)


def recall_sort(value: str | None) -> str:
    """A valid sort key (``lot``, ``-order_date`` …) from a query parameter, else the default."""
    value = (value or "").strip()
    return value if value.lstrip("-") in SORTABLE else DEFAULT_SORT


def _order_by(sort: str) -> list[str]:
    descending = sort.startswith("-")
    column = next(column for column in COLUMNS if column.key == sort.lstrip("-"))
    fields = [f"-{f}" if descending else f for f in column.order_by]
    return [*fields, "-line__order__number" if descending else "line__order__number", "line_id", "batch_id"]


def recall_allocations(recall: Recall, sort: str = DEFAULT_SORT):
    """The allocations of the recalled batches to order lines (orders cancelled gave theirs back)."""
    batch_ids = Recall.batches.through.objects.filter(recall_id=recall.pk).values("batch_id")
    return BatchAllocation.objects.filter(batch_id__in=batch_ids).order_by(*_order_by(recall_sort(sort)))


def _join(*parts, separator=" ") -> str:
    return separator.join(part for part in parts if part)


_UNITS = dict(BatchUnit.choices)


def _local_minute(text: str | None, tz) -> str:
    """``2026-11-08 06:03:11.123+00`` (PostgreSQL) or ``2026-11-08 06:03:11.123`` (SQLite, UTC) → local."""
    if not text:
        return ""
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def recall_rows(recall: Recall, sort: str = DEFAULT_SORT, *, queryset=None):
    """Rows ``(lot, product, quantity, unit, ship_to, order_date, buyer, order_number)`` in ``sort`` order.

    Read straight as values (no model instances): a recall of thousands of lines lists in a blink. The
    phone number and the order time are read as text: parsing 10,000 of them into PhoneNumber and
    datetime objects (psycopg's pure-Python parser) would cost more than the query itself.
    """
    queryset = recall_allocations(recall, sort) if queryset is None else queryset
    units = {key: str(label) for key, label in _UNITS.items()}
    tz = timezone.get_current_timezone()
    queryset = queryset.annotate(
        phone=Cast("line__order__shipping_address__phone_number", CharField()),
        placed=Cast("line__order__date_placed", CharField()),
    )
    # One plain fetch, not a server-side cursor: PostgreSQL plans a cursor for its first rows, and the
    # first rows in date order are found by walking every order.
    for values in list(queryset.values_list(*_FIELDS)):
        (lot, title, quantity, unit, first, last, phone, state, line4, line1, line2, postcode) = values[:12]
        placed, guest_email, user_email, number = values[12:16]
        ship_to = _join(_join(last, first), phone, _join(state, line4, line1, line2, separator=""), postcode)
        buyer = user_email or guest_email or ""
        if phone:
            buyer = _join(buyer, phone)
        yield (lot, title, quantity, units.get(unit, unit), ship_to, _local_minute(placed, tz), buyer, number)


def recall_summary(recall: Recall) -> dict:
    """How many lines, orders, buyers (e-mail addresses) and units the recall touches, in one query."""
    allocations = recall_allocations(recall).order_by()
    totals = allocations.aggregate(
        lines=Count("line_id", distinct=True),
        orders=Count("line__order_id", distinct=True),
        buyers=Count(Lower(Coalesce("line__order__user__email", "line__order__guest_email")), distinct=True),
        units=Sum("quantity"),
    )
    totals["units"] = totals["units"] or 0
    return totals


# --- Export ------------------------------------------------------------------------------------------
def _header() -> list[str]:
    return [str(column.label) for column in COLUMNS]


def recall_csv(recall: Recall, sort: str = DEFAULT_SORT) -> bytes:
    """The affected lines as CSV (UTF-8 with BOM, so Excel opens Chinese text right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    writer.writerows([defuse(cell) for cell in row] for row in recall_rows(recall, sort))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Characters Excel refuses in a worksheet's name.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str) -> str:
    """``text`` as a worksheet name Excel accepts: none of ``[]:*?/\\``, at most 31 characters, no
    apostrophe at either end, not blank and not "History" (reserved); plain text, not yet XML-escaped."""
    title = _SHEET_FORBIDDEN.sub("_", _XML_INVALID.sub("", text))
    title = title.strip("'")[:31].strip("'").strip()
    if not title or title.casefold() == "history":
        title = "Recall"
    return title


def _cell(value) -> str:
    """One cell, placed by its order in the row (the optional ``r`` reference is left out)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(str(defuse(value)))}</t></is></c>'


def recall_xlsx(recall: Recall, sort: str = DEFAULT_SORT) -> bytes:
    """The affected lines as an XLSX workbook (Office Open XML, one sheet, inline strings).

    Written directly rather than through openpyxl: the same file for a fraction of the time, which
    matters for a recall of tens of thousands of lines (see bench/recall.py).
    """
    letters = [_column_letter(i) for i in range(len(COLUMNS))]
    parts = []
    for row in [_header(), *recall_rows(recall, sort)]:
        parts.append("<row>" + "".join(map(_cell, row)) + "</row>")
    widths = (14, 28, 10, 8, 48, 17, 30, 16)
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
        ' state="frozen"/></sheetView></sheetViews>'
        # Control characters are not allowed in XML: dropped once over the whole sheet (the markup has none).
        f"<cols>{cols}</cols><sheetData>{_XML_INVALID.sub('', ''.join(parts))}</sheetData>"
        f'<autoFilter ref="A1:{letters[-1]}{len(parts)}"/></worksheet>'
    )
    title = sheet_title(_("Recall %(lot)s") % {"lot": recall.batch.lot_code})
    # In the defined name the title is quoted, its own apostrophes doubled; both go into XML escaped.
    sheet_name = escape(title, {'"': "&quot;"})
    filter_ref = escape("'" + title.replace("'", "''") + "'")
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets>'
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f"{filter_ref}!$A$1:${letters[-1]}${len(parts)}</definedName></definedNames></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- Notifying buyers ----------------------------------------------------------------------------------
@dataclass
class Recipient:
    """One buyer address to tell: the affected orders, whether it is a member (has an order page), and
    the orders whose recalled lines were taken off the bill (``unbilled``) or that were cancelled."""

    orders: list[str]
    member: bool = False
    unbilled: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


def recall_recipients(recall: Recall) -> dict[str, list[str]]:
    """E-mail address → the numbers of that buyer's affected orders (members' and guests' addresses)."""
    return {email: recipient.orders for email, recipient in _recipients(recall).items()}


def _recipients(recall: Recall) -> dict[str, Recipient]:
    orders = defaultdict(set)
    members = set()
    rows = (
        recall_allocations(recall)
        .order_by()
        .values_list("line__order__user__email", "line__order__guest_email", "line__order__number")
        .distinct()
    )
    for user_email, guest_email, number in rows:
        email = (user_email or guest_email or "").strip().lower()
        if email:
            orders[email].add(number)
            if user_email:
                members.add(email)
    return {
        email: Recipient(orders=sorted(numbers), member=email in members)
        for email, numbers in sorted(orders.items())
    }


def recall_phones(recall: Recall) -> dict[str, list[str]]:
    """Mobile number (the delivery address's phone, E.164) → that number's affected orders."""
    orders = defaultdict(set)
    rows = (
        recall_allocations(recall)
        .order_by()
        .annotate(phone=Cast("line__order__shipping_address__phone_number", CharField()))
        .values_list("phone", "line__order__number")
        .distinct()
    )
    for phone, number in rows:
        phone = (phone or "").strip()
        if phone:
            orders[phone].add(number)
    return {phone: sorted(numbers) for phone, numbers in sorted(orders.items())}


def recall_notices_record(
    *,
    recall: Recall,
    recipients: dict[str, Recipient] | None = None,
    phones: dict[str, list[str]] | None = None,
    unbilled: set[str] = frozenset(),
    cancelled: set[str] = frozenset(),
) -> int:
    """Inside the recall's transaction: an e-mail per buyer address and an SMS per mobile number, in the
    outbox (sent after the commit, whatever the state of Redis); returns the number of addresses.

    ``unbilled`` and ``cancelled`` are the order numbers whose recalled lines were taken off the bill
    or that were cancelled outright because of it (unpaid orders): their buyers are told they will not
    be charged. Keyed by recall and recipient, so recording again sends nothing twice.
    """
    recipients = _recipients(recall) if recipients is None else recipients
    phones = recall_phones(recall) if phones is None else phones
    RecallNotice.objects.bulk_create(
        [RecallNotice(recall=recall, email=email) for email in recipients], ignore_conflicts=True
    )
    messages = []
    for email, recipient in recipients.items():
        payload = {
            "recall_id": recall.pk,
            "email": email,
            "orders": recipient.orders,
            "member": recipient.member,
            "unbilled": sorted(set(recipient.orders) & set(unbilled)),
            "cancelled": sorted(set(recipient.orders) & set(cancelled)),
        }
        messages.append(
            ("traceability.recall_email", payload, outbox_key("recall", recall.pk, "email", email))
        )
    for phone, numbers in phones.items():
        text = recall_sms_text(recall, orders=numbers, unbilled=set(unbilled), cancelled=set(cancelled))
        sms = sms_message(to=phone, text=text, key=outbox_key("recall", recall.pk, "sms", phone))
        messages.append((sms["kind"], sms["payload"], sms["key"]))
    outbox_add_many(messages)
    return len(recipients)


def recall_sms_text(recall: Recall, *, orders: list[str], unbilled: set[str], cancelled: set[str]) -> str:
    """The recall SMS, in the site's language: short, what to do, and whether the buyer pays for it."""
    batch = recall.batch
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "shop": str(settings.OSCAR_SHOP_NAME),
            "product": batch.product.get_title()[:30],
            "lot": batch.lot_code,
            "orders": "、".join(orders),
            "reason": " ".join(recall.reason.split())[:40],
        }
        text = (
            _("[%(shop)s] Recall: %(product)s (lot %(lot)s) from your order %(orders)s. Reason: %(reason)s.")
            % values
        )
        if set(orders) <= cancelled:
            text += " " + _("The order was cancelled: you will not be charged.")
        elif set(orders) & (unbilled | cancelled):
            text += " " + _("It was taken off your unpaid order: you will not be charged for it.")
        else:
            text += " " + _("Please do not eat it; we will contact you about a refund or a replacement.")
    return text


def recall_notice_send(
    *,
    notice_id: int,
    orders: list[str] | None = None,
    member: bool | None = None,
    unbilled: list[str] = (),
    cancelled: list[str] = (),
) -> bool:
    """E-mail one buyer about the recall, once: claimed by stamping ``sent_at`` first, released on failure."""
    claimed = RecallNotice.objects.filter(pk=notice_id, sent_at__isnull=True).update(sent_at=timezone.now())
    if not claimed:
        return False
    notice = RecallNotice.objects.select_related(
        "recall__batch__product", "recall__batch__base__supplier"
    ).get(pk=notice_id)
    recall = notice.recall
    if orders is None or member is None:
        recipient = _recipients(recall).get(notice.email, Recipient(orders=[]))
        orders = recipient.orders if orders is None else orders
        member = recipient.member if member is None else member
    batch = recall.batch
    context = {
        "recall": recall,
        "batch": batch,
        "product": batch.product.get_title(),
        "orders": orders,
        "unbilled": [number for number in orders if number in unbilled and number not in cancelled],
        "cancelled": [number for number in orders if number in cancelled],
        "charged": [number for number in orders if number not in unbilled and number not in cancelled],
        "trace_url": _site_url() + batch.get_trace_url() if batch.trace_code else "",
        # Guests have no account to sign in to: they get the order numbers, not the order list.
        "orders_url": _site_url() + reverse("customer:order-list") if member else "",
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string("traceability/email/recall_subject.txt", context).strip()
            body = render_to_string("traceability/email/recall_body.txt", context)
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [notice.email])
    except Exception:
        RecallNotice.objects.filter(pk=notice_id).update(sent_at=None)
        raise
    return True


def recall_for_batch(batch: Batch) -> Recall | None:
    """The recall that took ``batch`` off sale (as the batch recalled or one made from it), if any."""
    return (
        Recall.objects.filter(batches=batch)
        .select_related("batch", "recalled_by")
        .order_by("-created_at")
        .first()
    )


def batches_matching(query: str, *, limit: int = 30):
    """Batches whose lot code starts with (or contains) ``query``, for the recall search."""
    query = (query or "").strip()
    if not query:
        return Batch.objects.none()
    return (
        Batch.objects.filter(lot_code__icontains=query)
        .exclude(status=Status.DRAFT)
        .select_related("product", "base__supplier")
        .order_by("lot_code", "pk")[:limit]
    )
