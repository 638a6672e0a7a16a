"""Filters of the impact views, and the yearly target form (with their refusals)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.places import County
from core.sales_channels import SalesChannel

from .figures import MAX_YEARS, Filters
from .models import YearTarget

Category = get_model("catalogue", "Category")


def top_categories():
    return list(Category.objects.filter(depth=1).order_by("path").values_list("pk", "name"))


class FilterForm(forms.Form):
    """Period, county, channel, category; anything unknown or impossible gets a clear message."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    county = forms.ChoiceField(label=_("County"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, channels=None, with_category=True, **kwargs):
        super().__init__(*args, **kwargs)
        unknown = _("“%(value)s” is not one we know; pick one from the list.")
        self.fields["county"].choices = [("", _("All counties"))] + list(County.choices)
        allowed = [c for c in SalesChannel.choices if channels is None or c[0] in channels]
        self.fields["channel"].choices = [("", _("All channels"))] + allowed
        if with_category:
            self.fields["category"].choices = [("", _("All categories"))] + [
                (str(pk), name) for pk, name in top_categories()
            ]
        else:
            del self.fields["category"]
        for name in ("county", "channel", "category"):
            if name in self.fields:
                self.fields[name].error_messages["invalid_choice"] = unknown
        for name in ("start", "end"):
            self.fields[name].error_messages["invalid"] = _("Enter a date as YYYY-MM-DD.")

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start = data.get("start") or today.replace(month=1, day=1)
        end = data.get("end") or today
        if self.errors:
            return data
        if start > end:
            raise ValidationError(_("The period ends before it starts: put the earlier date in “From”."))
        try:
            limit = start.replace(year=start.year + MAX_YEARS)
        except ValueError:  # 29 February
            limit = start.replace(year=start.year + MAX_YEARS, day=28)
        if end >= limit:
            raise ValidationError(
                _("A period can be at most %(years)d years long; choose a shorter one.")
                % {"years": MAX_YEARS}
            )
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        category = data.get("category")
        return Filters(
            start=data["start"],
            end=data["end"],
            county=data.get("county") or "",
            channel=data.get("channel") or "",
            category_id=int(category) if category else None,
        )


class YearTargetForm(forms.ModelForm):
    class Meta:
        model = YearTarget
        fields = ["year", "sales", "enterprises", "products", "households"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year < timezone.localdate().year:
            raise ValidationError(
                _("%(year)d is closed: targets can be set for this year or later.") % {"year": year}
            )
        return year

    def clean(self):
        data = super().clean()
        for name in ("sales", "enterprises", "products", "households"):
            value = data.get(name)
            if value is not None and value <= 0:
                self.add_error(name, _("A target must be more than zero."))
        return data


def parse_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
