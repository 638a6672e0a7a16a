"""Order factories: Beijing addresses, baskets of Shiyan products, orders placed the real way."""

from decimal import Decimal

import factory
from oscar.core.loading import get_class, get_model
from oscar.test.factories import UserFactory  # noqa: F401  (re-exported for tests)

from tests.factories.catalogue import ShiyanProductFactory, ShiyanStockRecordFactory

Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
ShippingAddress = get_model("order", "ShippingAddress")
UserAddress = get_model("address", "UserAddress")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Repository = get_class("shipping.repository", "Repository")
Selector = get_class("partner.strategy", "Selector")

#: What a buyer types into the checkout's address form.
BEIJING_ADDRESS_FORM = {
    "last_name": "王小明",
    "phone_number": "138 1234 5678",
    "line4": "朝阳区",
    "line1": "建国路88号 SOHO现代城2号楼1203室",
    "line2": "",
    "postcode": "100022",
    "notes": "",
}


def product_for_sale(*, title="房县香菇 250克", price="39.80", stock=10, **product_fields):
    """A public product with one stock record priced in CNY (Oscar's factory defaults to GBP)."""
    product = ShiyanProductFactory(title=title, **product_fields)
    ShiyanStockRecordFactory(
        product=product, price=Decimal(price), price_currency="CNY", num_in_stock=stock, num_allocated=0
    )
    return product


def china():
    """The CN country row (a data migration adds it; transactional tests flush it away)."""
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="CN",
        defaults={"printable_name": "中国", "name": "中华人民共和国", "is_shipping_country": True},
    )
    return country


class _BeijingAddressFields(factory.django.DjangoModelFactory):
    first_name = ""
    last_name = "王小明"
    line1 = "建国路88号 SOHO现代城2号楼1203室"
    line4 = "朝阳区"
    state = "北京市"
    postcode = "100022"
    phone_number = "+8613812345678"
    country = factory.LazyFunction(china)

    class Meta:
        abstract = True


class BeijingShippingAddressFactory(_BeijingAddressFields):
    class Meta:
        model = ShippingAddress


class BeijingUserAddressFactory(_BeijingAddressFields):
    user = factory.SubFactory(UserFactory)

    class Meta:
        model = UserAddress


def basket_with(*lines, owner=None):
    """An open basket holding ``(product, quantity)`` pairs, priced by the shop's strategy."""
    basket = Basket.objects.create(owner=owner)
    basket.strategy = Selector().strategy(user=owner)
    for product, quantity in lines:
        basket.add_product(product, quantity)
    return basket


def place_order(*, basket, user=None, guest_email="guest@example.com", number=None):
    """Place an order for ``basket`` through the shop's OrderCreator (stock locked and allocated).

    No payment method is recorded; tests that need one call its ``order_placed``.
    """
    shipping_method = Repository().get_default_shipping_method(basket=basket)
    shipping_charge = shipping_method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, shipping_charge)
    order = OrderCreator().place_order(
        basket=basket,
        total=total,
        shipping_method=shipping_method,
        shipping_charge=shipping_charge,
        user=user,
        shipping_address=BeijingShippingAddressFactory(),
        order_number=number or str(200000 + basket.pk),
        guest_email="" if user else guest_email,
    )
    basket.submit()  # as checkout does: the buyer's next visit starts a fresh basket
    return order
