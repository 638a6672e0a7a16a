"""Payment terms on account: the credit check at placement, invoices, payments, reminders, fapiao.

Credit (the contract with the checkout): ``invoice_for_order`` runs inside the placement
transaction, from ``channels.payment.OnAccount.order_placed``. It locks the organisation's row
(``SELECT … FOR UPDATE``; ``BuyerTerms.record_order`` may have locked it already in the same
transaction), sums what its open invoices still owe (a fresh snapshot under READ COMMITTED, so every
invoice committed by a placement that held the lock before is counted), and refuses with
``CreditLimitExceeded`` when the new order does not fit, which rolls the whole placement back.
Two placements for one organisation therefore run their checks one after the other: however many
arrive at once, the limit is never exceeded. Lock order: stock records, batches, the organisation.

Staff record payments against an invoice under its row lock; more than is still owed is refused.
Overdue reminders go through the outbox, once per invoice and step (``REMINDER_STEPS`` days past
due), recorded as ``InvoiceReminder`` rows whose unique constraint makes a second run a no-op.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from channels.models import (
    FapiaoRequest,
    Invoice,
    InvoiceLine,
    InvoicePayment,
    InvoiceReminder,
    Membership,
    Organisation,
)
from channels.permissions import require_channel
from core.outbox import outbox_add
from shop.order.exceptions import UnableToPlaceOrder

Order = get_model("order", "Order")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: Days past the due date on which an overdue invoice is reminded (once each).
REMINDER_STEPS = (1, 7, 30)
#: VAT on farm products (农产品) is 9 %; ``CHANNELS_TAX_RATES`` (product class slug → rate) and
#: ``CHANNELS_TAX_RATE_DEFAULT`` in settings change it.
DEFAULT_TAX_RATE = Decimal("0.09")


class CreditLimitExceeded(UnableToPlaceOrder):
    """The order would take the organisation past its credit limit: nothing is placed."""

    def __init__(self, *, organisation, total: Decimal, available: Decimal):
        self.organisation = organisation
        self.total = total
        self.available = max(available, ZERO)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return gettext(
            "This order (¥%(total)s) is more than the credit %(organisation)s has left on account "
            "(¥%(available)s). Nothing was ordered: pay open invoices, order less, or ask your channel "
            "manager to raise the limit."
        ) % {
            "total": f"{self.total:,.2f}",
            "organisation": self.organisation,
            "available": f"{self.available:,.2f}",
        }

    def __str__(self):
        return self.message


# --- Credit -------------------------------------------------------------------------------------
def credit_used(organisation_id: int) -> Decimal:
    """What the organisation's open invoices still owe (one query)."""
    total = Invoice.objects.filter(organisation_id=organisation_id, status=Invoice.Status.OPEN).aggregate(
        owed=Sum(F("amount") - F("amount_paid"))
    )["owed"]
    return total or ZERO


def credit_available(organisation: Organisation) -> Decimal:
    return organisation.credit_limit - credit_used(organisation.pk)


def tax_rate_for(product) -> Decimal:
    """The VAT rate of a product's line: by product class slug, else the default (9 %)."""
    rates = getattr(settings, "CHANNELS_TAX_RATES", {}) or {}
    default = Decimal(str(getattr(settings, "CHANNELS_TAX_RATE_DEFAULT", DEFAULT_TAX_RATE)))
    if product is None:
        return default
    product_class = product.get_product_class()
    slug = getattr(product_class, "slug", "")
    return Decimal(str(rates[slug])) if slug in rates else default


def tax_in(amount: Decimal, rate: Decimal) -> Decimal:
    """The tax contained in a tax-inclusive amount."""
    return (amount - amount / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def organisation_of_order(order, user=None) -> Organisation | None:
    link = getattr(order, "organisation_link", None)
    if link is not None:
        return link.organisation
    membership = (
        Membership.objects.select_related("organisation").filter(user_id=getattr(user, "pk", None)).first()
    )
    return membership.organisation if membership else None


def invoice_for_order(*, order, user=None) -> Invoice:
    """Inside the placement transaction: check the credit under the organisation's lock, write the
    invoice. Raises ``UnableToPlaceOrder`` (``CreditLimitExceeded``) to roll the placement back."""
    organisation = organisation_of_order(order, user)
    if organisation is None:
        raise UnableToPlaceOrder(gettext("Only members of an organisation on account can order on account."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.may_order:
        raise UnableToPlaceOrder(
            gettext("%(organisation)s cannot order at the moment (its status is “%(status)s”).")
            % {"organisation": organisation, "status": organisation.get_status_display()}
        )
    if organisation.payment_mode != Organisation.PaymentMode.ON_ACCOUNT:
        raise UnableToPlaceOrder(
            gettext("%(organisation)s pays when ordering: please choose another way to pay.")
            % {"organisation": organisation}
        )
    total = order.total_incl_tax
    available = organisation.credit_limit - credit_used(organisation.pk)
    if total > available:
        raise CreditLimitExceeded(organisation=organisation, total=total, available=available)
    today = timezone.localdate()
    invoice = Invoice.objects.create(
        organisation=organisation,
        order=order,
        number=f"INV{order.number}",
        issued_on=today,
        due_on=today + datetime.timedelta(days=organisation.net_days),
        amount=total,
    )
    lines = []
    for line in order.lines.select_related("product__product_class", "product__parent__product_class"):
        rate = tax_rate_for(line.product)
        amount = line.line_price_incl_tax
        lines.append(
            InvoiceLine(
                invoice=invoice,
                order_line=line,
                description=line.title,
                sku=line.partner_sku or "",
                quantity=line.quantity,
                unit_price=line.unit_price_incl_tax or ZERO,
                amount=amount,
                tax_rate=rate,
                tax_amount=tax_in(amount, rate),
            )
        )
    if order.shipping_incl_tax:
        rate = tax_rate_for(None)
        lines.append(
            InvoiceLine(
                invoice=invoice,
                description=gettext("Delivery"),
                quantity=1,
                unit_price=order.shipping_incl_tax,
                amount=order.shipping_incl_tax,
                tax_rate=rate,
                tax_amount=tax_in(order.shipping_incl_tax, rate),
            )
        )
    InvoiceLine.objects.bulk_create(lines)
    invoice.tax_amount = sum((line.tax_amount for line in lines), start=ZERO)
    invoice.save(update_fields=["tax_amount"])
    return invoice


def invoice_on_order_cancelled(*, order) -> None:
    """The order was cancelled: its invoice no longer counts (nothing was received yet), or is cut
    to what was received."""
    invoice = Invoice.objects.select_for_update().filter(order_id=order.pk).first()
    if invoice is None or invoice.status == Invoice.Status.CANCELLED:
        return
    if invoice.amount_paid == 0:
        invoice.status = Invoice.Status.CANCELLED
        invoice.save(update_fields=["status"])
    else:
        invoice.amount = invoice.amount_paid
        invoice.status = Invoice.Status.PAID
        invoice.save(update_fields=["amount", "status"])


def invoice_on_order_total_changed(*, order) -> None:
    """Lines were taken off an unpaid order's bill: the invoice follows the order's new total."""
    invoice = Invoice.objects.select_for_update().filter(order_id=order.pk).first()
    if invoice is None or invoice.status != Invoice.Status.OPEN:
        return
    invoice.amount = max(order.total_incl_tax, invoice.amount_paid)
    if invoice.amount_paid >= invoice.amount:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = timezone.now()
    invoice.save(update_fields=["amount", "status", "paid_at"])


# --- Terms, set by a channel manager -------------------------------------------------------------
@transaction.atomic
def terms_update(
    *, organisation: Organisation, by, payment_mode: str, net_days: int, credit_limit: Decimal
) -> Organisation:
    """Set an organisation's payment terms (a manager of its channel). A lower limit does not touch
    orders already placed; it only stops new ones that do not fit."""
    require_channel(by, organisation.channel)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.payment_mode = payment_mode
    organisation.net_days = net_days
    organisation.credit_limit = credit_limit
    organisation.full_clean()
    if payment_mode == Organisation.PaymentMode.ON_ACCOUNT and credit_limit <= 0:
        raise ValidationError({"credit_limit": _("On account needs a credit limit above zero.")})
    organisation.save(update_fields=["payment_mode", "net_days", "credit_limit", "updated_at"])
    return organisation


# --- Payments, recorded by staff -----------------------------------------------------------------
@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    amount: Decimal,
    paid_on: datetime.date,
    by,
    method: str = "bank_transfer",
    reference: str = "",
) -> InvoicePayment:
    """Record money received against an invoice (a manager of its organisation's channel). More than
    is still owed is refused; paid in full, the invoice is closed."""
    invoice = Invoice.objects.select_for_update().select_related("organisation").get(pk=invoice.pk)
    require_channel(by, invoice.organisation.channel)
    if invoice.status != Invoice.Status.OPEN:
        raise ValidationError(
            _("This invoice is %(status)s: no payment can be recorded against it.")
            % {"status": invoice.get_status_display()}
        )
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})
    if amount > invoice.outstanding:
        raise ValidationError(
            {
                "amount": _(
                    "That is more than is still owed on this invoice (¥%(owed)s): nothing was recorded."
                )
                % {"owed": f"{invoice.outstanding:,.2f}"}
            }
        )
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The day received cannot be in the future.")})
    payment = InvoicePayment(
        invoice=invoice, amount=amount, paid_on=paid_on, method=method, reference=reference, recorded_by=by
    )
    payment.full_clean()
    payment.save()
    invoice.amount_paid += amount
    fields = ["amount_paid"]
    if invoice.amount_paid == invoice.amount:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = timezone.now()
        fields += ["status", "paid_at"]
    invoice.save(update_fields=fields)
    return payment


# --- Overdue reminders ---------------------------------------------------------------------------
def overdue_reminders_record(*, today: datetime.date | None = None, limit: int = 1000) -> int:
    """Record the reminders now due (Celery beat, daily): for each open invoice past due, each step
    reached and not yet recorded gets its row; one e-mail (the latest step) goes in the outbox. Run
    twice, the second run finds every row and records nothing. Returns the e-mails recorded."""
    today = today or timezone.localdate()
    first_step = min(REMINDER_STEPS)
    invoices = (
        Invoice.objects.filter(
            status=Invoice.Status.OPEN, due_on__lte=today - datetime.timedelta(days=first_step)
        )
        .order_by("due_on", "pk")
        .values_list("pk", "due_on")[:limit]
    )
    sent = 0
    for invoice_id, due_on in invoices:
        days = (today - due_on).days
        reached = [step for step in REMINDER_STEPS if days >= step]
        with transaction.atomic():
            done = set(InvoiceReminder.objects.filter(invoice_id=invoice_id).values_list("step", flat=True))
            new = [step for step in reached if step not in done]
            if not new:
                continue
            created = InvoiceReminder.objects.bulk_create(
                [InvoiceReminder(invoice_id=invoice_id, step=step) for step in new], ignore_conflicts=True
            )
            if not created:
                continue
            step = max(new)
            outbox_add(
                kind="channels.overdue_reminder",
                payload={"invoice_id": invoice_id, "step": step},
                key=f"channels:invoice:{invoice_id}:reminder:{step}",
            )
            sent += 1
    return sent


# --- Fapiao requests -----------------------------------------------------------------------------
@transaction.atomic
def fapiao_request(*, invoice: Invoice, membership: Membership, note: str = "") -> FapiaoRequest:
    """A member asks for a fapiao for one of their organisation's invoices, with its billing details
    as they are now. One request per invoice."""
    invoice = Invoice.objects.select_for_update().get(
        pk=invoice.pk, organisation_id=membership.organisation_id
    )
    if invoice.status == Invoice.Status.CANCELLED:
        raise ValidationError(_("This invoice was cancelled: there is nothing to issue a fapiao for."))
    if FapiaoRequest.objects.filter(invoice=invoice).exists():
        raise ValidationError(_("A fapiao was already requested for this invoice."))
    organisation = membership.organisation
    return FapiaoRequest.objects.create(
        organisation=organisation,
        invoice=invoice,
        invoice_title=organisation.invoice_title,
        tax_number=organisation.tax_number,
        billing_address=organisation.billing_address,
        billing_phone=organisation.billing_phone,
        bank_name=organisation.bank_name,
        bank_account=organisation.bank_account,
        amount=invoice.amount,
        tax_amount=invoice.tax_amount,
        note=note,
        requested_by=membership.user,
    )


@transaction.atomic
def fapiao_mark_issued(*, request: FapiaoRequest, number: str, by) -> FapiaoRequest:
    """Staff mark a request issued with the fapiao's number (from the tax software)."""
    request = FapiaoRequest.objects.select_for_update().select_related("organisation").get(pk=request.pk)
    require_channel(by, request.organisation.channel)
    number = (number or "").strip()
    if not number:
        raise ValidationError({"fapiao_number": _("Enter the fapiao number.")})
    if request.status == FapiaoRequest.Status.ISSUED:
        raise ValidationError(
            _("This fapiao was already marked issued (number %(number)s).")
            % {"number": request.fapiao_number}
        )
    request.status = FapiaoRequest.Status.ISSUED
    request.fapiao_number = number
    request.issued_at = timezone.now()
    request.issued_by = by
    request.full_clean()
    request.save()
    return request
