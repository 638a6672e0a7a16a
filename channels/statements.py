"""Statements of account (对账单) and the fapiao requests' export for the accountant.

``statement_for(organisation, month)`` reads a month's statement: the balance brought forward, every
invoice issued and payment received in the month (in date order, with the running balance), the
balance carried forward, and the invoices overdue at the end of the month (or today, for the current
month). The page renders it live; the PDF (``core.pdf``) and XLSX are made in Celery
(``statement_request`` → ``statement_generate``) and kept on a ``Statement`` row, since a long month
is slow to draw. Beat makes last month's for every organisation on account on the 1st.

Exports put every text cell through ``core.sheets.defuse`` so no cell runs as a formula.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels.models import FapiaoRequest, Invoice, InvoicePayment, Organisation, Statement
from core import pdf
from core.queue import queue_now
from core.sheets import defuse

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")


def month_of(value: str | None) -> datetime.date | None:
    """``2026-11`` → 2026-11-01 (None when it is not a month)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return None


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@dataclass
class Entry:
    date: datetime.date
    kind: str  # "invoice" | "payment"
    reference: str
    description: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    balance: Decimal = ZERO
    invoice_id: int | None = None


@dataclass
class StatementData:
    organisation: Organisation
    month: datetime.date
    end: datetime.date
    opening: Decimal
    entries: list[Entry] = field(default_factory=list)
    invoiced: Decimal = ZERO
    received: Decimal = ZERO
    closing: Decimal = ZERO
    overdue: list[Invoice] = field(default_factory=list)
    overdue_total: Decimal = ZERO
    as_of: datetime.date | None = None


def _live_invoices(organisation):
    return Invoice.objects.filter(organisation=organisation).exclude(status=Invoice.Status.CANCELLED)


def statement_for(organisation: Organisation, month: datetime.date) -> StatementData:
    """The statement of ``month`` (its first day). Cancelled orders' invoices are left out. Five queries."""
    end = month_end(month)
    today = timezone.localdate()
    invoices = _live_invoices(organisation)
    payments = InvoicePayment.objects.filter(invoice__in=invoices)
    before_invoiced = invoices.filter(issued_on__lt=month).aggregate(total=Sum("amount"))["total"] or ZERO
    before_paid = payments.filter(paid_on__lt=month).aggregate(total=Sum("amount"))["total"] or ZERO
    data = StatementData(
        organisation=organisation, month=month, end=end, opening=before_invoiced - before_paid
    )
    entries = [
        Entry(
            date=invoice.issued_on,
            kind="invoice",
            reference=invoice.number,
            description=_("Order %(number)s, due %(due)s")
            % {"number": invoice.order.number, "due": invoice.due_on},
            debit=invoice.amount,
            invoice_id=invoice.pk,
        )
        for invoice in invoices.filter(issued_on__range=(month, end)).select_related("order")
    ]
    entries += [
        Entry(
            date=payment.paid_on,
            kind="payment",
            reference=payment.invoice.number,
            description=_("Payment received (%(method)s) %(reference)s")
            % {"method": payment.get_method_display(), "reference": payment.reference},
            credit=payment.amount,
            invoice_id=payment.invoice_id,
        )
        for payment in payments.filter(paid_on__range=(month, end)).select_related("invoice")
    ]
    entries.sort(key=lambda entry: (entry.date, entry.kind != "invoice", entry.reference))
    balance = data.opening
    for entry in entries:
        balance += entry.debit - entry.credit
        entry.balance = balance
    data.entries = entries
    data.invoiced = sum((entry.debit for entry in entries), start=ZERO)
    data.received = sum((entry.credit for entry in entries), start=ZERO)
    data.closing = balance
    as_of = min(end, today)
    data.as_of = as_of
    # Overdue at the statement's date: due before it, and not paid in full by then.
    paid_by = {
        row["invoice_id"]: row["total"]
        for row in payments.filter(paid_on__lte=as_of)
        .values("invoice_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    for invoice in (
        invoices.filter(issued_on__lte=as_of, due_on__lt=as_of)
        .select_related("order")
        .order_by("due_on", "pk")
    ):
        owed = invoice.amount - paid_by.get(invoice.pk, ZERO)
        if owed > 0:
            invoice.owed_then = owed
            invoice.days_late = (as_of - invoice.due_on).days
            data.overdue.append(invoice)
            data.overdue_total += owed
    return data


def statement_months(organisation: Organisation, today: datetime.date | None = None) -> list[datetime.date]:
    """Months with anything on account, newest first, from the first invoice to this month."""
    today = today or timezone.localdate()
    first = _live_invoices(organisation).order_by("issued_on").values_list("issued_on", flat=True).first()
    if first is None:
        return []
    months, month = [], today.replace(day=1)
    while month >= first.replace(day=1):
        months.append(month)
        month = previous_month(month)
    return months


# --- Files (in Celery) ---------------------------------------------------------------------------------
def _header(data: StatementData) -> list[str]:
    return [_("Date"), _("Reference"), _("Description"), _("Charged"), _("Received"), _("Balance")]


def statement_pdf(data: StatementData) -> bytes:
    organisation = data.organisation
    story = [
        pdf.title(_("Statement of account %(month)s") % {"month": f"{data.month:%Y-%m}"}),
        pdf.key_values(
            [
                (_("Organisation"), organisation.name),
                (_("Invoice title"), organisation.invoice_title),
                (_("Taxpayer number"), organisation.tax_number),
                (_("Period"), f"{data.month:%Y-%m-%d} – {data.end:%Y-%m-%d}"),
                (_("Days to pay"), organisation.net_days),
                (_("Credit limit"), pdf.money(organisation.credit_limit)),
            ]
        ),
        pdf.space(),
        pdf.table(
            [_header(data), ["", "", _("Balance brought forward"), "", "", pdf.money(data.opening)]]
            + [
                [
                    f"{e.date:%Y-%m-%d}",
                    e.reference,
                    e.description,
                    pdf.money(e.debit) if e.debit else "",
                    pdf.money(e.credit) if e.credit else "",
                    pdf.money(e.balance),
                ]
                for e in data.entries
            ]
            + [
                [
                    "",
                    "",
                    _("Balance carried forward"),
                    pdf.money(data.invoiced),
                    pdf.money(data.received),
                    pdf.money(data.closing),
                ]
            ],
            widths=(0.12, 0.16, 0.3, 0.14, 0.14, 0.14),
            right=(3, 4, 5),
        ),
    ]
    if data.overdue:
        story += [
            pdf.heading(
                _("Overdue on %(day)s: %(total)s")
                % {"day": f"{data.as_of:%Y-%m-%d}", "total": pdf.money(data.overdue_total)}
            ),
            pdf.table(
                [[_("Invoice"), _("Order"), _("Due on"), _("Days overdue"), _("Owed")]]
                + [
                    [i.number, i.order.number, f"{i.due_on:%Y-%m-%d}", i.days_late, pdf.money(i.owed_then)]
                    for i in data.overdue
                ],
                right=(3, 4),
            ),
        ]
    return pdf.pdf_build(story, title=str(_("Statement of account")))


def statement_xlsx(data: StatementData) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"{data.month:%Y-%m}")
    sheet.append([defuse(data.organisation.name), f"{data.month:%Y-%m}"])
    sheet.append(_header(data))
    sheet.append([None, None, _("Balance brought forward"), None, None, float(data.opening)])
    for e in data.entries:
        sheet.append(
            [
                e.date,
                defuse(e.reference),
                defuse(e.description),
                float(e.debit) or None,
                float(e.credit) or None,
                float(e.balance),
            ]
        )
    sheet.append(
        [
            None,
            None,
            _("Balance carried forward"),
            float(data.invoiced),
            float(data.received),
            float(data.closing),
        ]
    )
    if data.overdue:
        sheet.append([])
        sheet.append([_("Invoice"), _("Order"), _("Due on"), _("Days overdue"), _("Owed")])
        for i in data.overdue:
            sheet.append(
                [defuse(i.number), defuse(i.order.number), i.due_on, i.days_late, float(i.owed_then)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def statement_request(*, organisation: Organisation, month: datetime.date) -> Statement:
    """Ask for the month's files: the row is (re)queued and the Celery task queued after the commit."""
    with transaction.atomic():
        statement, created = Statement.objects.select_for_update().get_or_create(
            organisation=organisation, month=month
        )
        if not created and statement.state == Statement.State.QUEUED and statement.generated_at is None:
            return statement  # already waiting for a worker
        statement.state = Statement.State.QUEUED
        statement.error = ""
        statement.save(update_fields=["state", "error"])
        statement_id = statement.pk
        transaction.on_commit(lambda: _queue(statement_id))
    return statement


def _queue(statement_id: int) -> None:
    from channels.account_tasks import statement_generate_task

    try:
        queue_now(statement_generate_task, statement_id)
    except Exception:  # the broker is down: the sweep of the beat job picks it up
        logger.warning("statement %s: could not queue its generation", statement_id, exc_info=True)


def statement_generate(statement_id: int) -> bool:
    """Draw the statement's PDF and XLSX (Celery). Returns whether files were written."""
    from django.conf import settings

    statement = Statement.objects.select_related("organisation").filter(pk=statement_id).first()
    if statement is None:
        return False
    try:
        with translation.override(settings.LANGUAGE_CODE):
            data = statement_for(statement.organisation, statement.month)
            pdf_bytes, xlsx_bytes = statement_pdf(data), statement_xlsx(data)
    except Exception as error:
        Statement.objects.filter(pk=statement_id).update(state=Statement.State.FAILED, error=str(error)[:500])
        raise
    old = [f.name for f in (statement.pdf, statement.xlsx) if f]
    name = f"statement-{statement.organisation_id}-{statement.month:%Y%m}"
    statement.pdf.save(f"{name}.pdf", ContentFile(pdf_bytes), save=False)
    statement.xlsx.save(f"{name}.xlsx", ContentFile(xlsx_bytes), save=False)
    statement.state = Statement.State.READY
    statement.closing_balance = data.closing
    statement.generated_at = timezone.now()
    statement.save()
    for name in old:
        statement.pdf.storage.delete(name)
    return True


def statements_monthly(*, today: datetime.date | None = None) -> int:
    """Beat, on the 1st: last month's statement for every organisation on account that had anything
    on it; also re-queues statements a lost task left waiting. Returns how many were queued."""
    today = today or timezone.localdate()
    month = previous_month(today)
    organisations = Organisation.objects.filter(
        Q(payment_mode=Organisation.PaymentMode.ON_ACCOUNT) | Q(invoices__isnull=False)
    ).distinct()
    count = 0
    for organisation in organisations:
        if not Statement.objects.filter(organisation=organisation, month=month).exists():
            statement_request(organisation=organisation, month=month)
            count += 1
    stale = timezone.now() - datetime.timedelta(minutes=30)
    for statement_id in Statement.objects.filter(
        state=Statement.State.QUEUED, requested_at__lt=stale
    ).values_list("pk", flat=True):
        _queue(statement_id)
    return count


# --- Fapiao requests, for the accountant -----------------------------------------------------------------
def fapiao_columns() -> list[str]:
    return [
        _("Request"),
        _("Requested on"),
        _("Invoice"),
        _("Order"),
        _("Invoice title"),
        _("Taxpayer number"),
        _("Billing address"),
        _("Billing phone"),
        _("Bank"),
        _("Bank account"),
        _("Line"),
        _("Product code"),
        _("Quantity"),
        _("Unit price"),
        _("Amount"),
        _("Tax rate"),
        _("Tax"),
        _("Status"),
        _("Fapiao number"),
    ]


def fapiao_rows(requests) -> list[list]:
    """One row per invoice line (each with its tax rate) of each request."""
    rows = []
    for request in requests.select_related("invoice__order").prefetch_related("invoice__lines"):
        for line in request.invoice.lines.all():
            rows.append(
                [
                    request.pk,
                    timezone.localtime(request.requested_at).date(),
                    request.invoice.number,
                    request.invoice.order.number,
                    request.invoice_title,
                    request.tax_number,
                    request.billing_address,
                    request.billing_phone,
                    request.bank_name,
                    request.bank_account,
                    line.description,
                    line.sku,
                    line.quantity,
                    line.unit_price,
                    line.amount,
                    line.tax_rate,
                    line.tax_amount,
                    request.get_status_display(),
                    request.fapiao_number,
                ]
            )
    return rows


def fapiao_csv(requests) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fapiao_columns())
    for row in fapiao_rows(requests):
        writer.writerow([defuse(v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def fapiao_xlsx(requests) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("fapiao")
    sheet.append(fapiao_columns())
    for row in fapiao_rows(requests):
        sheet.append([float(v) if isinstance(v, Decimal) else defuse(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fapiao_open_requests(channels):
    return FapiaoRequest.objects.filter(organisation__channel__in=list(channels))
