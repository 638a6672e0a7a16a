"""Forms of payment terms on account: terms (desk), a payment (desk), a fapiao number (desk), a
fapiao request (member). Rules are the services' (``channels.services.accounts``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels.models import InvoicePayment, Organisation


class TermsForm(forms.Form):
    payment_mode = forms.ChoiceField(label=_("Payment terms"), choices=Organisation.PaymentMode.choices)
    net_days = forms.IntegerField(
        label=_("Days to pay"),
        min_value=0,
        max_value=180,
        help_text=_("On account: each invoice is due this many days after the order."),
    )
    credit_limit = forms.DecimalField(
        label=_("Credit limit"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("In yuan: what the organisation may owe at most."),
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount received"), min_value=0, max_digits=12, decimal_places=2)
    paid_on = forms.DateField(
        label=_("Received on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=_("Paid by"), choices=InvoicePayment.Method.choices)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        required=False,
        help_text=_("E.g. the bank's transaction number."),
    )


class FapiaoIssuedForm(forms.Form):
    fapiao_number = forms.CharField(label=_("Fapiao number"), max_length=32)


class FapiaoRequestForm(forms.Form):
    note = forms.CharField(label=_("Note for the accountant"), max_length=255, required=False)
