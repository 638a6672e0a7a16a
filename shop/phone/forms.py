"""The two steps of signing in by phone: the mobile number, then the code texted to it."""

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import CODE_DIGITS, mobile_clean


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        error_messages={"required": _("Enter your mobile number.")},
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "13812345678", "autofocus": True}
        ),
    )

    def clean_mobile(self):
        return mobile_clean(self.cleaned_data["mobile"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        error_messages={"required": _("Enter the code from the text message.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "placeholder": "6 位数字",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        code = re.sub(r"\s", "", unicodedata.normalize("NFKC", self.cleaned_data["code"]))
        if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", code):
            raise forms.ValidationError(
                _("The code has %(digits)s digits."), code="code_format", params={"digits": CODE_DIGITS}
            )
        return code
