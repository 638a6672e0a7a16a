"""The overdue reminder e-mail (delivered from the outbox: ``channels.outbox_handlers``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from channels.models import Invoice
from channels.services.members import _site_url


def overdue_reminder_send(*, invoice_id: int, step: int) -> bool:
    """E-mail the organisation (its address and its administrators) that an invoice is overdue.
    An invoice paid or cancelled since the reminder was recorded is not reminded."""
    invoice = Invoice.objects.select_related("organisation", "order").filter(pk=invoice_id).first()
    if invoice is None or invoice.status != Invoice.Status.OPEN:
        return False
    organisation = invoice.organisation
    recipients = [organisation.email] + [
        m.user.email
        for m in organisation.memberships.select_related("user").filter(role="admin")
        if m.user.email
    ]
    recipients = list(dict.fromkeys(address for address in recipients if address))
    context = {
        "invoice": invoice,
        "organisation": organisation,
        "step": step,
        "days": (timezone.localdate() - invoice.due_on).days,
        "link": _site_url() + reverse("channels:org-invoices"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("channels/email/overdue_subject.txt", context).strip()
        body = render_to_string("channels/email/overdue_body.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, recipients)
    return True
