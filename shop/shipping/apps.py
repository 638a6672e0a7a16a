import oscar.apps.shipping.apps as apps


class ShippingConfig(apps.ShippingConfig):
    """Oscar's shipping app, forked for the shop's one delivery method (standard within Beijing)."""

    name = "shop.shipping"
