from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import StripePayment


class PaymentSearchForm(forms.Form):
    query = forms.CharField(label=_("Order number or PaymentIntent"), required=False, max_length=255)
    state = forms.ChoiceField(
        label=pgettext_lazy("card payment", "State"),
        required=False,
        choices=[("", _("All states"))] + StripePayment.State.choices,
    )
    method = forms.ChoiceField(
        label=_("Payment method"),
        required=False,
        choices=[("", _("All methods"))] + StripePayment.Method.choices,
    )
    needs_review = forms.BooleanField(label=_("Needs review only"), required=False)


class RefundForm(forms.Form):
    """Amount and reason of a refund; ``token`` makes a double-submitted form one refund."""

    amount = forms.DecimalField(
        label=_("Amount to refund (¥)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "min_value": _("Enter an amount above zero."),
            "max_decimal_places": _("Amounts have at most two decimal places."),
            "invalid": _("Enter the amount to refund, in yuan."),
        },
    )
    reason = forms.CharField(label=_("Reason (kept on the order)"), max_length=255, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ReviewClearForm(forms.Form):
    note = forms.CharField(label=_("What was checked or done"), max_length=500)
