"""Anonymous product views are counted in memory and written in batches; signed-in views at once."""

import pytest
from django.test import Client
from oscar.core.loading import get_model

from catalogue import view_counts
from tests.catalogue.builders import shelf_product

pytestmark = pytest.mark.django_db

ProductRecord = get_model("analytics", "ProductRecord")
UserProductView = get_model("analytics", "UserProductView")


@pytest.fixture(autouse=True)
def _batched(settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    view_counts.discard()
    yield
    view_counts.discard()


def _views(product) -> int:
    record = ProductRecord.objects.filter(product=product).first()
    return record.num_views if record else 0


def test_anonymous_views_are_written_together_when_the_interval_is_over(django_assert_num_queries):
    shiitake, tea = shelf_product(title="房县香菇"), shelf_product(title="竹溪贡茶")
    ProductRecord.objects.create(product=tea, num_views=5)
    for product in (shiitake, shiitake, tea):
        assert Client().get(product.get_absolute_url()).status_code == 200
    assert (_views(shiitake), _views(tea)) == (0, 5)

    with django_assert_num_queries(5):  # products, savepoint, new records, counts, release
        assert view_counts.flush() == 2

    assert (_views(shiitake), _views(tea)) == (2, 6)
    assert view_counts.flush() == 0


def test_the_request_that_finds_the_interval_over_writes_the_counts(settings):
    product = shelf_product(title="丹江口蜜桔")
    Client().get(product.get_absolute_url())
    settings.VIEW_COUNT_FLUSH_SECONDS = 1
    view_counts._last_flush -= 2  # the interval is over

    Client().get(product.get_absolute_url())

    assert _views(product) == 2


def test_a_product_deleted_before_the_write_is_left_out():
    kept, deleted = shelf_product(title="郧阳木耳"), shelf_product(title="下架")
    Client().get(kept.get_absolute_url())
    Client().get(deleted.get_absolute_url())
    deleted.stockrecords.all().delete()
    deleted.delete()

    assert view_counts.flush() == 2
    assert _views(kept) == 1 and ProductRecord.objects.count() == 1


def test_a_signed_in_buyers_views_are_written_with_the_batch_with_their_history(django_user_model):
    UserRecord = get_model("analytics", "UserRecord")
    product, other = shelf_product(title="武当道茶"), shelf_product(title="房县黄酒")
    user = django_user_model.objects.create_user("b", "b@example.com", "x")
    buyer = Client()
    buyer.force_login(user)

    buyer.get(product.get_absolute_url())
    buyer.get(product.get_absolute_url())  # the second from the shared page cache, if it is on
    buyer.get(other.get_absolute_url())
    Client().get(product.get_absolute_url())
    assert _views(product) == 0 and not UserProductView.objects.exists()

    assert view_counts.flush() == 2

    assert (_views(product), _views(other)) == (3, 1)
    assert UserProductView.objects.filter(user=user, product=product).count() == 2
    assert UserProductView.objects.filter(user=user, product=other).count() == 1
    assert UserRecord.objects.get(user=user).num_product_views == 3


def test_a_signed_in_buyers_view_is_written_at_once_when_batching_is_off(settings, django_user_model):
    settings.VIEW_COUNT_FLUSH_SECONDS = 0
    product = shelf_product(title="郧西羊肉干")
    buyer = Client()
    buyer.force_login(django_user_model.objects.create_user("b", "b@example.com", "x"))

    buyer.get(product.get_absolute_url())

    assert _views(product) == 1
    assert UserProductView.objects.filter(product=product).count() == 1
