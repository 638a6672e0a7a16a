"""Forms: the application, an organisation's own records, invitations, and the managers' desk.

Forms check what a form can (formats, required fields); every rule that must hold is the service's,
whose ``ValidationError`` lands on the form (``add_validation_error``).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from channels.models import DeliverySite, Membership, Organisation
from channels.services.organisations import APPLICATION_FIELDS, BILLING_FIELDS, SITE_FIELDS
from channels.sheets import MAX_BYTES
from channels.validators import normalise_bank_account, normalise_tax_number
from suppliers.validators import normalise_cn_phone, normalise_uscc


def add_validation_error(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)


class NormalisedIdentifiersMixin:
    """What people type (spaces, dashes, lower case, +86) is normalised before the validators run."""

    def clean_uscc(self):
        return normalise_uscc(self.cleaned_data.get("uscc", ""))

    def clean_tax_number(self):
        return normalise_tax_number(self.cleaned_data.get("tax_number", ""))

    def clean_bank_account(self):
        return normalise_bank_account(self.cleaned_data.get("bank_account", ""))

    def clean_phone(self):
        return normalise_cn_phone(self.cleaned_data.get("phone", ""))

    def clean_billing_phone(self):
        return normalise_cn_phone(self.cleaned_data.get("billing_phone", ""))


class OrganisationApplicationForm(NormalisedIdentifiersMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = list(APPLICATION_FIELDS)
        widgets = {"channel": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [c for c in self.fields["channel"].choices if c[0]]
        self.fields["invoice_title"].required = False
        self.fields["invoice_title"].help_text = _(
            "The name on the fapiao (发票抬头); empty: the legal name."
        )
        self.fields["tax_number"].required = False
        self.fields["tax_number"].help_text = _("纳税人识别号; empty: the unified social credit code.")
        for name in ("phone", "billing_phone"):
            self.fields[name].widget.attrs.update(inputmode="tel", autocomplete="tel")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("invoice_title") and cleaned.get("name"):
            cleaned["invoice_title"] = cleaned["name"]
        if not cleaned.get("tax_number") and cleaned.get("uscc"):
            cleaned["tax_number"] = cleaned["uscc"]
        return cleaned

    def _post_clean(self):
        # The model is validated by the service (organisation_apply); the defaults above are filled in
        # after the fields' own checks, so they are validated there too.
        pass


class BillingForm(NormalisedIdentifiersMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = list(BILLING_FIELDS)

    def _post_clean(self):
        pass  # organisation_billing_update validates the model


class DeliverySiteForm(forms.ModelForm):
    class Meta:
        model = DeliverySite
        fields = list(SITE_FIELDS)

    def clean_phone(self):
        return normalise_cn_phone(self.cleaned_data.get("phone", ""))

    def _post_clean(self):
        pass  # the service validates the model


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.BUYER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class NewAccountForm(forms.Form):
    """Accepting an invitation to an address that has no account yet."""

    last_name = forms.CharField(label=_("Family name"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class StatusDecisionForm(forms.Form):
    """A channel manager's decision on an organisation; the reason is kept in its history and shown
    to its members."""

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
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject, suspend or reinstate; the organisation reads it."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("action") in {"reject", "suspend", "reinstate"}
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("Say why: the organisation is told the reason."))
        return cleaned


class PriceSheetForm(forms.Form):
    sheet = forms.FileField(
        label=_("Price sheet"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].help_text = _(
            "XLSX or CSV with the columns of an exported list, at most %(mb)s MB. It replaces the whole list."
        ) % {"mb": MAX_BYTES // (1024 * 1024)}


class PledgeForm(forms.Form):
    """An administrator's yearly pledge; ``assistance_pledge_set`` says what is refused and why."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    amount = forms.DecimalField(
        label=_("Pledged amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("What the organisation pledges to buy from Shiyan in the year."),
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
