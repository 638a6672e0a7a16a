"""Forms of quotes and bulk orders (issue 13, parts 3 and 4). Rules that must hold are the services'."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from channels.sheets import MAX_BYTES

Product = get_model("catalogue", "Product")


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_title()


def orderable_products():
    """Products that have a stock record (standalone products and variants), by title."""
    return (
        Product.objects.filter(structure__in=[Product.STANDALONE, Product.CHILD], stockrecords__isnull=False)
        .select_related("parent")
        .distinct()
        .order_by("title", "pk")
    )


class SiteDateForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Delivery site"), queryset=None)
    delivery_date = forms.DateField(
        label=_("Delivery date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = organisation.sites.filter(is_active=True)

    def clean_delivery_date(self):
        day = self.cleaned_data["delivery_date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The delivery date has passed."))
        return day


class QuoteRequestForm(SiteDateForm):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuoteLineForm(forms.Form):
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = orderable_products()

    def clean(self):
        data = super().clean()
        if data.get("product") and not data.get("quantity"):
            self.add_error("quantity", _("Enter how many."))
        if data.get("quantity") and not data.get("product"):
            self.add_error("product", _("Choose the product."))
        return data


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=5, max_num=200)


class QuotePriceForm(forms.Form):
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note to the organisation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"price-{line.pk}"] = forms.DecimalField(
                label=line.product.get_title(), min_value=0.01, max_digits=12, decimal_places=2
            )

    def prices(self):
        return {line.pk: self.cleaned_data[f"price-{line.pk}"] for line in self.lines}

    def price_fields(self):
        return [(line, self[f"price-{line.pk}"]) for line in self.lines]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class AcceptForm(forms.Form):
    po_number = forms.CharField(label=_("PO number"), required=False, max_length=40)


class OrderDetailsForm(SiteDateForm):
    """Where and when an order goes, with its PO number and note."""

    po_number = forms.CharField(label=_("PO number"), required=False, max_length=40)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OrderSheetForm(forms.Form):
    sheet = forms.FileField(
        label=_("Order sheet (XLSX or CSV)"),
        help_text=_("Columns: product code or GTIN, quantity, delivery site, and optionally delivery date."),
    )
    delivery_date = forms.DateField(
        label=_("Delivery date"),
        help_text=_("For rows without a date of their own."),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    po_number = forms.CharField(label=_("PO number"), required=False, max_length=40)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_delivery_date(self):
        day = self.cleaned_data["delivery_date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The delivery date has passed."))
        return day

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        if sheet.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return sheet
