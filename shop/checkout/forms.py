"""Checkout forms: the Beijing delivery address, the payment method, the adults-only check."""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.forms import AbstractAddressForm
from oscar.core.loading import get_class, get_model

BeijingAddressFormMixin = get_class("address.forms", "BeijingAddressFormMixin")
ADDRESS_FIELDS = get_class("address.forms", "ADDRESS_FIELDS")


class ShippingAddressForm(BeijingAddressFormMixin, AbstractAddressForm):
    """A new delivery address typed in at checkout (kept in the session until the order)."""

    class Meta:
        model = get_model("order", "ShippingAddress")
        fields = ADDRESS_FIELDS


class PaymentMethodForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How would you like to pay?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you would like to pay."),
            "invalid_choice": _("That payment method is not available for this order."),
        },
    )

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.methods = {method.code: method for method in methods}
        self.fields["method"].choices = [(method.code, method.name) for method in methods]

    @property
    def choices_with_methods(self):
        """(radio button, PaymentMethod) pairs, so a template can show each method's description."""
        return list(zip(self["method"], self.methods.values(), strict=True))

    @property
    def chosen(self):
        return self.methods[self.cleaned_data["method"]]


class AdultConfirmationForm(forms.Form):
    """Required before placing an order that holds an adults-only product (yellow wine)."""

    is_adult = forms.BooleanField(
        label=_("I am 18 or older"),
        error_messages={
            "required": _("Your basket holds alcohol: please confirm that you are 18 or older."),
        },
    )
