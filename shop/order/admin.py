from django.contrib import admin as django_admin  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.db import transaction  # noqa: E402
from django.forms import ModelForm  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from oscar.apps.order.admin import *

from shop.order.models import Shipment  # noqa: E402


class ShipmentForm(ModelForm):
    class Meta:
        model = Shipment
        fields = ["order", "carrier", "tracking_number", "supplier"]

    def clean(self):
        """The same rules as the cooperative's form (shop.order.services.shipment_record)."""
        from shop.order.services import SHIPPABLE

        cleaned = super().clean()
        order, carrier = cleaned.get("order"), cleaned.get("carrier")
        if order is not None and order.status not in SHIPPABLE:
            raise ValidationError({"order": _("This order cannot be shipped in its status.")})
        if carrier and carrier != Shipment.Carrier.OWN and not (cleaned.get("tracking_number") or "").strip():
            raise ValidationError(
                {"tracking_number": ValidationError("Enter the carrier's tracking number.")}
            )
        return cleaned


@django_admin.register(Shipment)
class ShipmentAdmin(django_admin.ModelAdmin):
    """Staff enter a parcel as a cooperative does; new ones go through the service (order → Shipped)."""

    form = ShipmentForm
    list_display = ["order", "carrier", "tracking_number", "supplier", "shipped_at"]
    list_filter = ["carrier"]
    search_fields = ["order__number", "tracking_number"]
    raw_id_fields = ["order", "supplier"]

    def save_model(self, request, obj, form, change):
        from shop.order.services import shipment_notice_record, shipment_record

        if change:
            # A corrected carrier or tracking number tells the buyer again, as the portal's
            # re-entry does (the notice's key is the parcel's carrier and number: same ones, no notice).
            with transaction.atomic():
                super().save_model(request, obj, form, change)
                if {"carrier", "tracking_number"} & set(form.changed_data):
                    shipment_notice_record(shipment=obj)
            return

        saved = shipment_record(
            order=obj.order,
            carrier=obj.carrier,
            tracking_number=obj.tracking_number,
            user=request.user,
            supplier=obj.supplier,
        )
        obj.pk = saved.pk
