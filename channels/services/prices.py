"""Price lists: importing a sheet into a channel's list or an organisation's contract list.

An import replaces the whole list, all or nothing: the sheet is read and checked row by row
(``channels.price_sheets``), and only when every row is right are the list's entries swapped in one
transaction. The list's row is locked first (``SELECT … FOR UPDATE``), so two imports into one list
run one after the other and the overlap check sees what the other committed; on PostgreSQL an
exclusion constraint refuses overlapping validity in the database as well (migration 0003). The
list's ``revision`` goes up, so every member's cached price book is read afresh on their next page.

Lock order: the price list row only; no stock record, batch or organisation row is locked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Organisation, PriceList, PriceListEntry
from channels.permissions import require_channel
from channels.price_sheets import RowError, check_sheet
from channels.sheets import SheetError, read_sheet
from channels.terms import terms_changed


@dataclass
class ImportResult:
    rows: int = 0
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def price_list_for(
    *, channel: str, organisation: Organisation | None = None, lock: bool = False
) -> PriceList:
    """The channel's list (or the organisation's contract list), created empty when missing."""
    if organisation is not None and organisation.channel != channel:
        raise ValidationError(_("The organisation is not in this channel."), code="wrong_channel")
    price_list, _created = PriceList.objects.get_or_create(
        channel=channel, organisation=organisation, defaults={"revision": 1}
    )
    if lock:
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    return price_list


def price_list_import(*, channel: str, organisation: Organisation | None = None, upload, by) -> ImportResult:
    """Replace a price list with an uploaded sheet (XLSX or CSV), or change nothing and say why."""
    require_channel(by, channel)
    result = ImportResult()
    try:
        sheet = read_sheet(upload)
    except SheetError as error:
        result.errors.append(RowError(0, "", str(error)))
        return result
    checked = check_sheet(sheet)
    result.rows = max(len(sheet) - 1, 0)
    if checked.errors:
        result.errors = checked.errors
        return result
    try:
        with transaction.atomic():
            price_list = price_list_for(channel=channel, organisation=organisation, lock=True)
            price_list.entries.all().delete()
            entries = [
                PriceListEntry(
                    price_list=price_list,
                    product_id=row.product_id,
                    price=row.price,
                    moq=row.moq,
                    case_size=row.case_size,
                    valid_from=row.valid_from,
                    valid_until=row.valid_until,
                )
                for row in checked.rows
            ]
            PriceListEntry.objects.bulk_create(entries, batch_size=500)
            PriceList.objects.filter(pk=price_list.pk).update(
                revision=F("revision") + 1, updated_by=by, updated_at=timezone.now()
            )
            terms_changed()  # a queryset update sends no signal
    except IntegrityError:
        # Only a rule the checks above already enforce can get here (a product deleted meanwhile).
        result.errors.append(
            RowError(0, "", _("The list changed while it was being saved: nothing was saved."))
        )
        return result
    result.saved = len(checked.rows)
    return result


@transaction.atomic
def price_list_clear(*, price_list: PriceList, by) -> None:
    """Empty a list (a contract ends, say): its members pay the channel's prices again."""
    require_channel(by, price_list.channel)
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    price_list.entries.all().delete()
    PriceList.objects.filter(pk=price_list.pk).update(
        revision=F("revision") + 1, updated_by=by, updated_at=timezone.now()
    )
    terms_changed()  # a queryset update sends no signal
