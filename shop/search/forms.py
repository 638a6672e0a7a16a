"""Forms for finding products: the header search box and the filter form of every product list.

The filter form never raises on bad input: an invalid field gets a translated message and is left
out of the filters, while the valid ones still apply (a typo in a price keeps the county filter).
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.selectors import MAX_QUERY_LENGTH, ProductFilters, Sort, browsable_categories
from core.places import County

#: What a quality-mark code looks like (``QualityMark.code`` is a slug of at most 32 characters).
CODE_SHAPE = re.compile(r"[-a-zA-Z0-9_]{1,32}")


class SearchInput(forms.TextInput):
    input_type = "search"


def _query_field():
    return forms.CharField(
        label=_("Search"),
        required=False,
        widget=SearchInput(
            attrs={
                "placeholder": _("Shiitake, tea, Fang County …"),
                "autocomplete": "off",
                "enterkeyhint": "search",
            }
        ),
    )


class SearchBoxForm(forms.Form):
    """The search box in every page header: just the words."""

    q = _query_field()


class MarkCodesField(forms.MultipleChoiceField):
    """Quality-mark codes, checked for shape here and against the marks that exist by
    ``SearchForm.check_marks`` (the view reads the marks once, with their product counts)."""

    widget = forms.CheckboxSelectMultiple
    max_codes = 10

    def valid_value(self, value):
        return bool(CODE_SHAPE.fullmatch(str(value)))

    def validate(self, value):
        super().validate(value)
        if len(value) > self.max_codes:
            raise forms.ValidationError(_("Choose at most %(n)d quality marks.") % {"n": self.max_codes})


class SearchForm(forms.Form):
    """Filters, sort order and words for a product list (all products, a category, a search)."""

    SORT_CHOICES = [
        (Sort.RELEVANCE, _("Best match")),
        (Sort.NEWEST, _("Newest")),
        (Sort.PRICE_LOW_TO_HIGH, _("Price low to high")),
        (Sort.PRICE_HIGH_TO_LOW, _("Price high to low")),
        (Sort.TITLE, _("Title A to Z")),
    ]

    q = _query_field()
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    county = forms.ChoiceField(
        label=_("Origin county"),
        choices=[("", _("All counties")), *County.choices],
        required=False,
    )
    mark = MarkCodesField(label=_("Quality mark"), required=False)
    price_min = forms.DecimalField(
        label=_("Lowest price"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"placeholder": "¥", "inputmode": "decimal", "step": "0.01"}),
    )
    price_max = forms.DecimalField(
        label=_("Highest price"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"placeholder": "¥", "inputmode": "decimal", "step": "0.01"}),
    )
    sort_by = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, category=None, **kwargs):
        """``category``: the list is a category page, so the category comes from the URL."""
        super().__init__(*args, **kwargs)
        self.fixed_category = category
        self.categories = {}
        if category is not None:
            del self.fields["category"]
        else:
            # From the cached category list: choosing a category costs no query.
            self.categories = {c.pk: c for c in browsable_categories()}
            self.fields["category"].choices = [("", _("All categories"))] + [
                (c.pk, "\u3000" * (c.depth - 1) + c.name) for c in self.categories.values()
            ]

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_LENGTH]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                None,
                _("The lowest price (¥%(low)s) is above the highest price (¥%(high)s).")
                % {"low": low, "high": high},
            )
            cleaned.pop("price_min")
            cleaned.pop("price_max")
        return cleaned

    def check_marks(self, known_codes: set[str]) -> None:
        """Refuse quality-mark codes that do not exist, as a choice field would."""
        chosen = getattr(self, "cleaned_data", {}).get("mark") or []
        unknown = [code for code in chosen if code not in known_codes]
        if unknown:
            message = forms.MultipleChoiceField.default_error_messages["invalid_choice"]
            self.add_error(
                "mark", forms.ValidationError(message, code="invalid_choice", params={"value": unknown[0]})
            )

    def get_filters(self) -> ProductFilters:
        """The filters from the fields that validated; call after ``is_valid()``."""
        data = getattr(self, "cleaned_data", {})
        return ProductFilters(
            query=data.get("q") or "",
            category=self.fixed_category or self.categories.get(data.get("category")),
            county=data.get("county") or "",
            marks=tuple(data.get("mark") or ()),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
        )

    def get_sort(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return data.get("sort_by") or Sort.RELEVANCE
