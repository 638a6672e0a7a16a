"""Validators for the billing details an organisation's fapiao (发票) needs."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from suppliers.validators import normalise_uscc, validate_uscc

_OLD_TAX_NUMBER_RE = re.compile(r"^[0-9A-Z]{15}$|^[0-9A-Z]{20}$")
_BANK_ACCOUNT_RE = re.compile(r"^\d{8,32}$")


def normalise_tax_number(value: str) -> str:
    return normalise_uscc(value)


def validate_tax_number(value: str) -> None:
    """The taxpayer number on a fapiao (纳税人识别号): today the 18-character unified social credit
    code (check character verified); registrations from before 2015 may still carry 15 or 20."""
    number = normalise_tax_number(value)
    if len(number) == 18:
        validate_uscc(number)
        return
    if not _OLD_TAX_NUMBER_RE.match(number):
        raise ValidationError(
            _(
                "A taxpayer number is the 18-character unified social credit code "
                "(or, for older registrations, 15 or 20 letters and digits)."
            ),
            code="tax_number",
        )


def normalise_bank_account(value: str) -> str:
    return re.sub(r"[\s\-]", "", str(value or ""))


def validate_bank_account(value: str) -> None:
    """A bank account number: 8 to 32 digits (spaces allowed between groups)."""
    if not _BANK_ACCOUNT_RE.match(normalise_bank_account(value)):
        raise ValidationError(
            _("A bank account number has 8 to 32 digits (spaces between groups are fine)."),
            code="bank_account",
        )
