"""Validators for identifiers that Chinese and GS1 rules define (check characters included)."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_GTIN_RE = re.compile(r"^(\d{8}|\d{12}|\d{13}|\d{14})$")
_CN_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit for ``body`` (all digits but the last)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate_gtin(value: str) -> None:
    """A GTIN-8, -12, -13 or -14 whose last digit is the GS1 check digit."""
    if not _GTIN_RE.match(value or ""):
        raise ValidationError(
            _("A GTIN has 8, 12, 13 or 14 digits; “%(value)s” does not."),
            code="gtin_format",
            params={"value": value},
        )
    if gtin_check_digit(value[:-1]) != int(value[-1]):
        raise ValidationError(
            _("The check digit of GTIN “%(value)s” is wrong (expected %(digit)s)."),
            code="gtin_check_digit",
            params={"value": value, "digit": gtin_check_digit(value[:-1])},
        )


def gtin14(value: str) -> str:
    """The GTIN padded to 14 digits, as GS1 Digital Link writes it."""
    return value.zfill(14) if value else ""


def normalise_cn_mobile(value: str) -> str:
    """Strip spaces, dashes and a leading +86/0086 from a Chinese mobile number."""
    digits = re.sub(r"[\s\-()]", "", str(value or ""))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_cn_mobile(value) -> None:
    """An 11-digit mainland China mobile number (1[3-9]xxxxxxxxx), optionally with +86."""
    digits = normalise_cn_mobile(value)
    if not _CN_MOBILE_RE.match(digits):
        raise ValidationError(
            _("Enter a mainland China mobile number: 11 digits starting with 13–19, e.g. 13812345678."),
            code="cn_mobile",
        )
    number = phonenumbers.parse(digits, "CN")
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(
            _("%(value)s is not a mobile number in use in mainland China."),
            code="cn_mobile",
            params={"value": digits},
        )
