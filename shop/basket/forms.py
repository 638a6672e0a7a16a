"""Basket forms whose quantity messages say what is wrong and what to type instead.

Oscar's forms take "abc", "-1" or an empty box with Django's bare field messages, and its basket
formset reads an empty quantity as 0, which silently removes the line. Here an empty box is an
error, 0 still removes a line (it is the documented way to), and adding 0 or less is refused.

A buyer with terms of their own for a product (a member's minimum order and case size, see
``shop.partner.strategy``) is offered that minimum to add, in steps of a case; the strategy's
availability refuses anything else, here, on the basket page and at checkout.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket import forms as core_forms

NOT_A_NUMBER = _("The quantity must be a whole number, such as 1 or 2.")


class BasketLineForm(core_forms.BasketLineForm):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=0,
        required=True,
        initial=1,
        error_messages={
            "required": _("Enter a quantity (0 removes the item)."),
            "invalid": NOT_A_NUMBER,
            "min_value": _("The quantity cannot be negative (0 removes the item)."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )

    def clean_quantity(self):
        """Check the stock for this line first, so going over it reads "a maximum of 5 can be
        bought" (Oscar's own check compares a quantity delta and then blames other lines)."""
        quantity = self.cleaned_data["quantity"]
        if quantity:
            permitted, reason = self.instance.purchase_info.availability.is_purchase_permitted(quantity)
            if not permitted:
                raise forms.ValidationError(reason)
        return super().clean_quantity()


class AddToBasketForm(core_forms.AddToBasketForm):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        initial=1,
        min_value=1,
        error_messages={
            "required": _("Enter how many you want."),
            "invalid": NOT_A_NUMBER,
            "min_value": _("The quantity must be at least 1."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
    )

    def __init__(self, basket, product, *args, **kwargs):
        super().__init__(basket, product, *args, **kwargs)
        terms = self.buyer_terms(basket, product)
        if terms is not None:
            self.fields["quantity"].initial = terms.moq
            self.fields["quantity"].widget.attrs.update(min=terms.moq, step=terms.case_size)

    @staticmethod
    def buyer_terms(basket, product):
        """The buyer's order rules for ``product`` (``ProductTerms``), or None."""
        strategy = getattr(basket, "strategy", None)
        if strategy is None or product.is_parent:
            return None
        return getattr(strategy.fetch_for_product(product).price, "terms", None)


class SimpleAddToBasketForm(core_forms.SimpleAddToBasketMixin, AddToBasketForm):
    """The button on product cards, quantity hidden: one unit, or the buyer's minimum order."""

    def __init__(self, basket, product, *args, **kwargs):
        super().__init__(basket, product, *args, **kwargs)
        terms = self.buyer_terms(basket, product)
        if terms is not None:
            self.fields["quantity"].initial = terms.moq
