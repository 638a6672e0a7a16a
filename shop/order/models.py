"""Oscar's order app, forked: order placement locks stock (utils.py), cancellation is a service."""

from oscar.apps.address.abstract_models import AbstractShippingAddress

from shop.address.models import CN_ADDRESS_FIELDS


class ShippingAddress(AbstractShippingAddress):
    # Printed largest to smallest, as a Beijing courier reads it (see shop.address.models).
    base_fields = CN_ADDRESS_FIELDS


from oscar.apps.order.models import *  # noqa: E402
