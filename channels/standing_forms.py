"""Forms of an organisation's standing deliveries (the rules are ``channels.services.standing``'s)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from channels.models import WEEKDAYS, DeliverySite, StandingOrder

Product = get_model("catalogue", "Product")

LINE_ROWS = 8


class StandingOrderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, help_text=_("E.g. 每周一三五蔬菜."))
    site = forms.ModelChoiceField(label=_("Delivery site"), queryset=DeliverySite.objects.none())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(
        label=_("First delivery on or after"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Last delivery on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: until changed."),
    )
    skip_dates = forms.CharField(
        label=_("Dates skipped"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Holidays and other days without delivery: dates as 2026-10-01, "
            "separated by spaces, commas or lines."
        ),
    )
    po_number = forms.CharField(label=_("PO number"), max_length=40, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = DeliverySite.objects.filter(organisation=organisation, is_active=True)

    def clean_skip_dates(self):
        text = self.cleaned_data.get("skip_dates", "")
        days = []
        for token in text.replace(",", " ").replace("，", " ").replace("、", " ").split():
            try:
                days.append(datetime.date.fromisoformat(token))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date: write dates as 2026-10-01.") % {"value": token}
                ) from None
        return days

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last delivery cannot be before the first."))
        return cleaned

    @staticmethod
    def initial_for(standing: StandingOrder) -> dict:
        return {
            "name": standing.name,
            "site": standing.site_id,
            "weekdays": standing.weekdays,
            "starts_on": standing.starts_on,
            "ends_on": standing.ends_on,
            "skip_dates": "\n".join(standing.skip_dates),
            "po_number": standing.po_number,
            "note": standing.note,
        }


class StandingLineForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("product") and not cleaned.get("quantity"):
            self.add_error("quantity", _("How many?"))
        if cleaned.get("quantity") and not cleaned.get("product"):
            self.add_error("product", _("Choose a product."))
        return cleaned


StandingLineFormSet = forms.formset_factory(StandingLineForm, extra=0, max_num=50)
