"""The dashboard's product form and search, with the fields Shiyan products carry.

Staff (and partner users, for their own products) edit origin county, brand, GTIN and quality marks
next to Oscar's own fields. A variant inherits county, brand and marks from its parent; it keeps its
own GTIN, since every pack size has one.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.catalogue import forms as oscar_forms
from oscar.apps.dashboard.catalogue.forms import *  # noqa: F403
from oscar.core.loading import get_model

from core.places import County
from core.validators import validate_gtin

from .widgets import CheckboxList

Product = get_model("catalogue", "Product")

PARENT_ONLY_FIELDS = ("origin_county", "brand", "quality_marks")
GTIN_INPUT_MAX_LENGTH = 24


class ProductForm(oscar_forms.ProductForm):
    class Meta(oscar_forms.ProductForm.Meta):
        fields = [
            "title",
            "upc",
            "gtin",
            "brand",
            "origin_county",
            "quality_marks",
            *[name for name in oscar_forms.ProductForm.Meta.fields if name not in ("title", "upc")],
        ]
        widgets = {**oscar_forms.ProductForm.Meta.widgets, "quality_marks": CheckboxList()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "gtin" in self.fields:
            gtin = self.fields["gtin"]
            # Room for the spaces and dashes clean_gtin strips; the digits are checked there.
            gtin.max_length = GTIN_INPUT_MAX_LENGTH
            gtin.validators = []
            gtin.widget.attrs.update(
                {"inputmode": "numeric", "autocomplete": "off", "maxlength": GTIN_INPUT_MAX_LENGTH}
            )

    def delete_non_child_fields(self):
        super().delete_non_child_fields()
        for name in PARENT_ONLY_FIELDS:
            self.fields.pop(name, None)

    def clean_gtin(self):
        # Scanners and spreadsheets add spaces or dashes; the GTIN is the digits.
        gtin = re.sub(r"[\s-]", "", self.cleaned_data.get("gtin") or "")
        if not gtin:
            return gtin
        validate_gtin(gtin)
        other = Product.objects.filter(gtin=gtin).exclude(pk=self.instance.pk).only("title").first()
        if other is not None:
            raise forms.ValidationError(
                _("GTIN %(gtin)s is already used by “%(title)s”; each product needs its own."),
                code="gtin_taken",
                params={"gtin": gtin, "title": other.title},
            )
        return gtin


class ProductSearchForm(oscar_forms.ProductSearchForm):
    origin_county = forms.ChoiceField(
        label=_("Origin county"),
        required=False,
        choices=[("", _("All counties")), *County.choices],
    )
    brand = forms.CharField(label=_("Brand"), max_length=64, required=False)
