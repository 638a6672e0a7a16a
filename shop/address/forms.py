"""Address forms with the shop's delivery rules: one receiver name, a Beijing district, a mobile.

The same rules apply wherever an address is entered or chosen: the checkout's new-address form
(shop/checkout/forms.py), the address book (customer app) and the saved address a signed-in
buyer picks at checkout (``address_problems``).
"""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.forms import AbstractAddressForm
from oscar.core.loading import get_model
from phonenumber_field.phonenumber import PhoneNumber

from core.places import BeijingDistrict
from core.validators import normalise_cn_mobile, validate_cn_mobile

UserAddress = get_model("address", "UserAddress")

BEIJING = "北京市"
CHINA = "CN"
ADDRESS_FIELDS = ["last_name", "phone_number", "line4", "line1", "line2", "postcode", "notes"]

validate_cn_postcode = RegexValidator(
    r"^\d{6}$", _("A postcode in China has 6 digits, e.g. 100022."), code="cn_postcode"
)


class BeijingAddressFormMixin:
    """Fields and checks of a Beijing delivery address, for any Oscar address ModelForm.

    The receiver's full name goes in ``last_name`` (``first_name`` stays blank), the district in
    ``line4``, the street address in ``line1``; ``state`` is always 北京市 and the country China.
    The mobile number is stored as +86 in E.164 form.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Fixed parts are set on the instance, so Oscar's session copy of the address has them.
        self.instance.first_name = ""
        self.instance.state = BEIJING
        self.instance.country_id = CHINA

        fields = self.fields
        fields["last_name"] = forms.CharField(
            label=_("Receiver name"),
            max_length=64,
            error_messages={"required": _("Enter the receiver's name.")},
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
        )
        fields["phone_number"] = forms.CharField(
            label=_("Mobile number"),
            max_length=20,
            validators=[validate_cn_mobile],
            error_messages={"required": _("Enter a mobile number for the courier.")},
            help_text=_("The courier calls or texts this number, e.g. 13812345678."),
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        fields["line4"] = forms.ChoiceField(
            label=_("District"),
            choices=[("", _("Choose a district of Beijing"))] + list(BeijingDistrict.choices),
            error_messages={
                "required": _("Choose the district."),
                "invalid_choice": _("Choose one of Beijing's 16 districts."),
            },
        )
        fields["line1"] = forms.CharField(
            label=_("Street address"),
            max_length=200,
            error_messages={"required": _("Enter the street address.")},
            help_text=_("Street, number, building and room, e.g. 建国路88号 SOHO现代城2号楼1203室."),
            widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
        )
        fields["line2"] = forms.CharField(
            label=_("More address details"),
            max_length=200,
            required=False,
            help_text=_("Optional: company, gate or landmark."),
            widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
        )
        fields["postcode"] = forms.CharField(
            label=_("Postcode"),
            max_length=6,
            required=False,
            validators=[validate_cn_postcode],
            help_text=_("Optional."),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        )
        if "notes" in fields:
            fields["notes"].label = _("Delivery notes")
            fields["notes"].help_text = _("Optional: e.g. leave it with the building's reception.")
            fields["notes"].widget = forms.Textarea(attrs={"rows": 2})
        # Oscar's required-fields setting still applies on top (AbstractAddressForm).
        for name in ("last_name", "phone_number", "line4", "line1"):
            fields[name].required = True
        self.order_fields(ADDRESS_FIELDS)

    def clean_last_name(self):
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_line1(self):
        return " ".join(self.cleaned_data["line1"].split())

    def clean_phone_number(self):
        digits = normalise_cn_mobile(self.cleaned_data["phone_number"])
        return PhoneNumber.from_string(digits, region=CHINA)


class UserAddressForm(BeijingAddressFormMixin, AbstractAddressForm):
    """The address book's form (customer app, and "edit address" during checkout)."""

    class Meta:
        model = UserAddress
        fields = ADDRESS_FIELDS

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.user = user


def address_problems(address) -> list[str]:
    """Why a saved address cannot be delivered to under today's rules (empty when it can).

    Addresses saved before the rules existed, or through the admin, are checked with the same
    form a buyer fills in, so checkout never accepts what the form would refuse.
    """
    phone = address.phone_number
    data = {
        "last_name": f"{address.last_name}{address.first_name}",
        "phone_number": phone.as_national if phone and phone.is_valid() else str(phone or ""),
        "line4": address.line4,
        "line1": address.line1,
        "line2": address.line2,
        "postcode": address.postcode,
        "notes": address.notes,
    }
    form = UserAddressForm(address.user, data=data, instance=UserAddress(user=address.user))
    problems = [
        f"{form.fields[name].label}: {' '.join(errors)}"
        for name, errors in form.errors.items()
        if name != "__all__"  # "already in your address book" is this very address
    ]
    if address.country_id != CHINA:
        problems.append(str(_("We deliver within Beijing only.")))
    return problems
