"""Oscar's order app, forked: order placement locks stock (utils.py), cancellation is a service, and
every order records the sales channel it was placed for."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.abstract_models import AbstractShippingAddress
from oscar.apps.order.abstract_models import AbstractOrder

from core.sales_channels import SalesChannel
from shop.address.models import CN_ADDRESS_FIELDS


class Order(AbstractOrder):
    # Set at placement from the pricing strategy's buyer terms (shop.order.utils.OrderCreator): a
    # member of an approved organisation buys for its channel, everyone else buys retail. The link
    # to the organisation itself is kept by the channels room, which this one does not import.
    channel = models.CharField(
        _("sales channel"),
        max_length=16,
        choices=SalesChannel.choices,
        default=SalesChannel.RETAIL,
        db_index=True,
    )


class ShippingAddress(AbstractShippingAddress):
    # Printed largest to smallest, as a Beijing courier reads it (see shop.address.models).
    base_fields = CN_ADDRESS_FIELDS


class Shipment(models.Model):
    """A parcel on its way: the carrier and tracking number a cooperative (or staff) entered when
    it shipped, shown to the buyer on the order's timeline (``shop.order.services.shipment_record``).

    An order may ship in several parcels, one per cooperative; the first one marks it "Shipped"."""

    class Carrier(models.TextChoices):
        SF = "sf", _("SF Express (顺丰)")
        JD = "jd", _("JD Logistics (京东)")
        EMS = "ems", _("EMS")
        YTO = "yto", _("YTO Express (圆通)")
        ZTO = "zto", _("ZTO Express (中通)")
        STO = "sto", _("STO Express (申通)")
        YUNDA = "yunda", _("Yunda Express (韵达)")
        OWN = "own", _("Own delivery")

    order = models.ForeignKey(
        "order.Order", on_delete=models.CASCADE, related_name="shipments", verbose_name=_("order")
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shipped by supplier"),
    )
    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["shipped_at", "pk"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self):
        return f"{self.order_id} · {self.get_carrier_display()} {self.tracking_number}"


from oscar.apps.order.models import *  # noqa: E402
