"""Forms for finding products: the header search box and the filter form of every product list.

The filter form never raises on bad input: an invalid field gets a translated message and is left
out of the filters, while the valid ones still apply (a typo in a price keeps the county filter).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue.selectors import MAX_QUERY_LENGTH, ProductFilters, Sort
from core.places import County

Category = get_model("catalogue", "Category")
QualityMark = get_model("catalogue", "QualityMark")


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


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u3000" * (obj.depth - 1) + obj.name


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
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    county = forms.ChoiceField(
        label=_("Origin county"),
        choices=[("", _("All counties")), *County.choices],
        required=False,
    )
    mark = forms.MultipleChoiceField(
        label=_("Quality mark"), required=False, widget=forms.CheckboxSelectMultiple
    )
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
        if category is not None:
            del self.fields["category"]
        else:
            self.fields["category"].queryset = Category.objects.browsable()
        self.fields["mark"].choices = [(mark.code, mark.name) for mark in QualityMark.objects.all()]

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

    def get_filters(self) -> ProductFilters:
        """The filters from the fields that validated; call after ``is_valid()``."""
        data = getattr(self, "cleaned_data", {})
        return ProductFilters(
            query=data.get("q") or "",
            category=self.fixed_category or data.get("category"),
            county=data.get("county") or "",
            marks=tuple(data.get("mark") or ()),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
        )

    def get_sort(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return data.get("sort_by") or Sort.RELEVANCE
