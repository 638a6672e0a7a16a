"""Suspension takes a supplier's products off the storefront, search and baskets at once; reinstatement
puts back exactly what it took off. Tested through the storefront's URLs."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from suppliers import services
from suppliers.models import Supplier, SuspensionHiddenProduct
from tests.factories.catalogue import ShiyanPartnerFactory, ShiyanStockRecordFactory
from tests.factories.suppliers import SupplierFactory
from tests.suppliers.conftest import product_of

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")
REVIEW = "/shop/dashboard/suppliers/"


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def _decide(staff, supplier, action, reason):
    """Staff act in their own browser, so the buyer's basket cookie is left alone."""
    staff_client = Client()
    staff_client.force_login(staff)
    return staff_client.post(f"{REVIEW}{supplier.pk}/", {"action": action, "reason": reason})


def _suspend(client, staff, supplier, reason="抽检不合格，暂停销售"):
    response = _decide(staff, supplier, "suspend", reason)
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.SUSPENDED


def _add_to_basket(client, product, quantity=1):
    return client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity}, follow=True)


def _basket_count(client):
    return sum(line.quantity for line in client.get(reverse("basket:summary")).context["basket"].all_lines())


def test_suspension_takes_products_off_the_product_page_and_listings(client, staff):
    supplier = SupplierFactory()
    product = product_of(supplier, title="房县香菇 250克")
    other = product_of(SupplierFactory(), title="竹溪贡茶 100克")
    assert client.get(product.get_absolute_url()).status_code == 200

    _suspend(client, staff, supplier)

    assert client.get(product.get_absolute_url()).status_code == 404
    # Listings are built from Product.objects.browsable(): the product has left it, the other has not.
    assert list(Product.objects.browsable()) == [other]
    assert "房县香菇 250克" not in client.get(reverse("catalogue:index")).text
    assert client.get(other.get_absolute_url()).status_code == 200
    assert client.get(supplier.get_absolute_url()).status_code == 404


def test_suspension_takes_products_out_of_search_results(client, staff):
    supplier = SupplierFactory()
    product_of(supplier, title="房县黑木耳 特级")
    assert Product.objects.browsable().filter(title__contains="黑木耳").exists()

    _suspend(client, staff, supplier)

    assert not Product.objects.browsable().filter(title__contains="黑木耳").exists()
    response = client.get(reverse("search:search"), {"q": "黑木耳"})
    assert "房县黑木耳 特级" not in response.text


def test_a_product_already_in_a_basket_cannot_be_bought_after_suspension(client, staff):
    supplier = SupplierFactory()
    product = product_of(supplier)
    _add_to_basket(client, product, 2)
    assert _basket_count(client) == 2

    _suspend(client, staff, supplier)

    basket = client.get(reverse("basket:summary")).context["basket"]
    line = basket.all_lines()[0]
    assert not line.purchase_info.availability.is_available_to_buy
    checkout = client.get(reverse("checkout:index"), follow=True)
    assert checkout.redirect_chain[-1][0] == reverse("basket:summary")
    assert any("not selling" in str(m) or "暂停" in str(m) for m in checkout.context["messages"])


def test_a_suspended_supplier_s_product_cannot_be_added_to_a_basket(client, staff):
    supplier = SupplierFactory()
    product = product_of(supplier)

    _suspend(client, staff, supplier)
    _add_to_basket(client, product)

    assert _basket_count(client) == 0


def test_a_product_also_sold_by_an_approved_partner_stays_on_sale_from_that_partner(client, staff):
    suspended = SupplierFactory()
    product = product_of(suspended)
    other_partner = ShiyanPartnerFactory()
    ShiyanStockRecordFactory(product=product, partner=other_partner, price_currency="CNY")

    _suspend(client, staff, suspended)
    _add_to_basket(client, product)

    assert client.get(product.get_absolute_url()).status_code == 200
    basket = client.get(reverse("basket:summary")).context["basket"]
    assert basket.all_lines()[0].stockrecord.partner == other_partner


def test_reinstatement_restores_exactly_the_products_the_suspension_hid(client, staff):
    supplier = SupplierFactory()
    on_sale = product_of(supplier, title="在售")
    withdrawn = product_of(supplier, title="已下架")
    withdrawn.is_public = False
    withdrawn.save()

    _suspend(client, staff, supplier)
    assert set(SuspensionHiddenProduct.objects.values_list("product_id", flat=True)) == {on_sale.pk}
    _decide(staff, supplier, "reinstate", "复检合格")

    on_sale.refresh_from_db()
    withdrawn.refresh_from_db()
    assert on_sale.is_public is True
    assert withdrawn.is_public is False
    assert SuspensionHiddenProduct.objects.count() == 0
    assert client.get(on_sale.get_absolute_url()).status_code == 200
    _add_to_basket(client, on_sale)
    assert _basket_count(client) == 1


def test_a_product_two_suppliers_sell_is_hidden_while_both_are_suspended_and_back_with_either(staff):
    first, second = SupplierFactory(), SupplierFactory()
    product = product_of(first)
    ShiyanStockRecordFactory(product=product, partner=second.partner, price_currency="CNY")

    services.supplier_suspend(supplier=first, by=staff, reason="x")
    product.refresh_from_db()
    assert product.is_public is True  # the second supplier still sells it

    services.supplier_suspend(supplier=second, by=staff, reason="y")
    product.refresh_from_db()
    assert product.is_public is False

    services.supplier_reinstate(supplier=first, by=staff, reason="ok")
    product.refresh_from_db()
    assert product.is_public is True  # the first supplier sells it again
    assert SuspensionHiddenProduct.objects.count() == 0


def test_a_product_stays_hidden_while_its_last_seller_is_still_suspended(staff):
    first, second = SupplierFactory(), SupplierFactory()
    product = product_of(first)
    ShiyanStockRecordFactory(product=product, partner=second.partner, price_currency="CNY")
    services.supplier_suspend(supplier=first, by=staff, reason="x")
    services.supplier_suspend(supplier=second, by=staff, reason="y")
    # Both suspended; hidden on the second's suspension. Product withdrawn from the first's range:
    product.stockrecords.filter(partner=first.partner).delete()

    services.supplier_reinstate(supplier=first, by=staff, reason="ok")
    product.refresh_from_db()
    assert product.is_public is False

    services.supplier_reinstate(supplier=second, by=staff, reason="ok")
    product.refresh_from_db()
    assert product.is_public is True


def test_suspending_needs_a_reason_and_is_logged_with_who_and_why(client, staff):
    supplier = SupplierFactory()
    client.force_login(staff)

    response = client.post(f"{REVIEW}{supplier.pk}/", {"action": "suspend", "reason": ""})
    assert "reason" in response.context["form"].errors
    client.post(f"{REVIEW}{supplier.pk}/", {"action": "suspend", "reason": "农残超标"})

    change = supplier.status_changes.get(new_status="suspended")
    assert (change.old_status, change.changed_by, change.reason) == ("approved", staff, "农残超标")
