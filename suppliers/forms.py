"""Forms: the public application, the directory filters, the portal's records and staff decisions.

File fields are plain ``FileField``s carrying our validators, so an upload is judged by its content
(Pillow for images, a PDF parser for PDFs) with messages that say what is wrong.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.places import County
from suppliers.models import Certification, ProductionBase, Supplier, SupplierDocument
from suppliers.validators import (
    normalise_cn_phone,
    normalise_sc_licence,
    normalise_uscc,
    validate_document_upload,
    validate_image_upload,
)

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"
DOCUMENT_ACCEPT = "application/pdf,image/jpeg,image/png,image/webp"


def image_field(*, label, required=True, help_text=""):
    return forms.FileField(
        label=label,
        required=required,
        validators=[validate_image_upload],
        help_text=help_text or _("JPEG, PNG or WebP, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )


def document_field(*, label, required=True, help_text=""):
    return forms.FileField(
        label=label,
        required=required,
        validators=[validate_document_upload],
        help_text=help_text or _("A PDF or a photo of the document, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )


class SupplierIdentifiersMixin:
    """Normalises what people type (spaces, lower case, +86) before the validators see it."""

    def clean_uscc(self):
        return normalise_uscc(self.cleaned_data.get("uscc", ""))

    def clean_phone(self):
        return normalise_cn_phone(self.cleaned_data.get("phone", ""))

    def clean_food_licence_number(self):
        return normalise_sc_licence(self.cleaned_data.get("food_licence_number", ""))

    def _clean_food_licence(self, cleaned):
        if cleaned.get("processes_food", getattr(self.instance, "processes_food", False)) and not cleaned.get(
            "food_licence_number"
        ):
            if "food_licence_number" not in self.errors:
                self.add_error(
                    "food_licence_number",
                    _("Makers of processed food need a food production licence: enter its SC number."),
                )


class SupplierApplicationForm(SupplierIdentifiersMixin, forms.ModelForm):
    """Everything staff need to decide on an application, documents included, in one post."""

    business_licence = document_field(label=_("Business licence (营业执照)"))
    food_licence_scan = document_field(
        label=_("Food production licence (食品生产许可证)"),
        required=False,
        help_text=_("Required if you make processed food. A PDF or a photo, at most 10 MB."),
    )
    other_document = document_field(
        label=_("Other document"),
        required=False,
        help_text=_(
            "Optional: e.g. a certificate or a letter from the township. PDF or photo, at most 10 MB."
        ),
    )
    consent = forms.BooleanField(
        label=_("The information is true, and the shop may check it with the issuing authorities."),
        error_messages={"required": _("Please confirm that the information is true.")},
    )

    class Meta:
        model = Supplier
        fields = [
            "legal_name",
            "short_name",
            "kind",
            "uscc",
            "county",
            "address",
            "contact_name",
            "phone",
            "email",
            "description",
            "households_supported",
            "formerly_poor_county",
            "processes_food",
            "food_licence_number",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "uscc": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "households_supported": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        }

    def clean_uscc(self):
        uscc = super().clean_uscc()
        if uscc and Supplier.objects.filter(uscc=uscc).exists():
            raise forms.ValidationError(
                _(
                    "An organisation with this unified social credit code has already applied "
                    "or is selling here."
                ),
                code="uscc_taken",
            )
        return uscc

    def clean(self):
        cleaned = super().clean()
        self._clean_food_licence(cleaned)
        if (
            cleaned.get("processes_food")
            and not cleaned.get("food_licence_scan")
            and "food_licence_scan" not in self.errors
        ):
            self.add_error("food_licence_scan", _("Attach a scan or photo of the food production licence."))
        return cleaned

    def supplier_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def documents(self) -> list[tuple[str, object]]:
        return [
            (SupplierDocument.Kind.BUSINESS_LICENCE, self.cleaned_data.get("business_licence")),
            (SupplierDocument.Kind.FOOD_LICENCE, self.cleaned_data.get("food_licence_scan")),
            (SupplierDocument.Kind.OTHER, self.cleaned_data.get("other_document")),
        ]


class DirectoryFilterForm(forms.Form):
    county = forms.ChoiceField(label=_("County"), required=False)
    category = forms.ChoiceField(label=_("Products"), required=False)
    certification = forms.ChoiceField(label=_("Certification"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {category.slug: category for category in categories}
        self.fields["county"].choices = [("", _("All counties")), *County.choices]
        self.fields["category"].choices = [("", _("All products"))] + [
            (category.slug, category.name) for category in categories
        ]
        self.fields["certification"].choices = [("", _("Any certification")), *Certification.Kind.choices]

    def filters(self) -> dict:
        """The valid filters only: an unknown value in the URL is ignored rather than an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "county": data.get("county") or "",
            "category": self.categories.get(data.get("category") or ""),
            "certification": data.get("certification") or "",
        }


class SupplierProfileForm(SupplierIdentifiersMixin, forms.ModelForm):
    """What a supplier edits itself in the portal."""

    logo = image_field(label=_("Logo"), required=False)

    class Meta:
        model = Supplier
        fields = [
            "short_name",
            "contact_name",
            "phone",
            "email",
            "address",
            "description",
            "households_supported",
            "food_licence_number",
            "logo",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "households_supported": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        }

    def clean(self):
        cleaned = super().clean()
        self._clean_food_licence(cleaned)
        return cleaned


def _rounded(value, places=5):
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class ProductionBaseForm(forms.ModelForm):
    # More decimals than stored are accepted (phones give 6+) and rounded to about a metre.
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=14,
        decimal_places=10,
        min_value=-90,
        max_value=90,
        help_text=_("Degrees north, e.g. 32.05123. “Use my location” fills it in on a phone."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=14,
        decimal_places=10,
        min_value=-180,
        max_value=180,
        help_text=_("Degrees east, e.g. 110.73456."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    class Meta:
        model = ProductionBase
        fields = [
            "name",
            "county",
            "township",
            "latitude",
            "longitude",
            "area_mu",
            "altitude_m",
            "main_crops",
            "in_water_source_protection_area",
            "plot_names",
            "description",
        ]
        widgets = {
            "plot_names": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "area_mu": forms.NumberInput(attrs={"step": "0.1", "min": "0.1", "inputmode": "decimal"}),
            "altitude_m": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        }

    def __init__(self, *args, supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.supplier = supplier
        self.instance.supplier = supplier

    def clean_latitude(self):
        return _rounded(self.cleaned_data.get("latitude"))

    def clean_longitude(self):
        return _rounded(self.cleaned_data.get("longitude"))

    def clean_name(self):
        name = self.cleaned_data.get("name", "").strip()
        others = ProductionBase.objects.filter(supplier=self.supplier, name=name).exclude(pk=self.instance.pk)
        if name and others.exists():
            raise forms.ValidationError(_("You already have a base with this name."), code="base_name_taken")
        return name

    def production_base_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BasePhotoForm(forms.Form):
    image = image_field(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=128, required=False)


class CertificationForm(forms.ModelForm):
    scan = document_field(label=_("Scanned certificate"), required=False)

    class Meta:
        model = Certification
        fields = ["kind", "name", "number", "issuer", "valid_from", "valid_until", "scan"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.supplier = supplier
        self.instance.supplier = supplier

    def clean_number(self):
        number = self.cleaned_data.get("number", "").strip()
        if self.cleaned_data.get("kind") == Certification.Kind.SC_LICENCE:
            number = normalise_sc_licence(number)
        return number

    def clean(self):
        cleaned = super().clean()
        kind, number = cleaned.get("kind"), cleaned.get("number")
        if kind and number:
            others = Certification.objects.filter(supplier=self.supplier, kind=kind, number=number)
            if others.exclude(pk=self.instance.pk).exists():
                self.add_error("number", _("You already have this certificate."))
        return cleaned

    def certification_data(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if not fields["scan"]:
            fields.pop("scan")  # keep the scan already on file
        return fields


class StockForm(forms.Form):
    num_in_stock = forms.IntegerField(
        label=_("Units in stock"), min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    low_stock_threshold = forms.IntegerField(
        label=_("Warn me below"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class StatusDecisionForm(forms.Form):
    """A staff decision on a supplier; the reason is shown to the supplier and kept in its history."""

    ACTIONS = {
        "approve": _("Approve"),
        "reject": _("Reject"),
        "suspend": _("Suspend"),
        "reinstate": _("Reinstate"),
    }
    action = forms.ChoiceField(choices=list(ACTIONS.items()), widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject, suspend or reinstate."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("action") in {"reject", "suspend", "reinstate"}
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("Say why: the supplier is told the reason."))
        return cleaned
