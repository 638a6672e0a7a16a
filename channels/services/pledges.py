"""Assistance pledges (消费帮扶认购承诺): what an organisation's administrator pledges it will buy from
Shiyan in a year; its assistance ledger (``channels.ledger``) shows the year's purchases against it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import AssistancePledge, Organisation
from channels.services.organisations import require_admin


def pledge_years(*, today: datetime.date | None = None) -> list[int]:
    """The years a pledge may be set for: this one and the next (a year over is closed)."""
    today = today or timezone.localdate()
    return [today.year, today.year + 1]


@transaction.atomic
def assistance_pledge_set(
    *, organisation: Organisation, year: int, amount: Decimal, by, today: datetime.date | None = None
) -> AssistancePledge:
    """Set (or change) the organisation's pledge for ``year``; only its administrator may."""
    require_admin(by, organisation)
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("The pledge must be more than ¥0.")
    if year not in pledge_years(today=today):
        errors["year"] = _("A pledge can be set for this year or the next only, not for %(year)s.") % {
            "year": year
        }
    if errors:
        raise ValidationError(errors)
    pledge = AssistancePledge.objects.select_for_update().filter(organisation=organisation, year=year).first()
    if pledge is None:
        pledge = AssistancePledge(organisation=organisation, year=year)
    pledge.amount = amount
    pledge.set_by = by
    pledge.set_at = timezone.now()
    pledge.full_clean()
    pledge.save()
    return pledge
