"""Fixtures for CMS tests: the site's home page, editors and moderators, and shop products in CNY."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management.base import OutputWrapper
from django.db import transaction
from django.test import override_settings
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from cms import demo
from cms.models import BrandPage, HomePage
from tests.factories.catalogue import CategoryFactory, ShiyanProductFactory, ShiyanStockRecordFactory

ProductCategory = get_model("catalogue", "ProductCategory")


class SeedCommand:
    """What seed_demo hands each module: something with a ``stdout``."""

    def __init__(self):
        self.stdout = OutputWrapper(io.StringIO())

    @property
    def output(self) -> str:
        return self.stdout._out.getvalue()


@pytest.fixture(scope="session")
def cms_media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("cms-media")


@pytest.fixture(autouse=True)
def _isolated_media(settings, cms_media_root):
    """CMS tests share one media folder, so images of the module-wide demo tree stay readable."""
    settings.MEDIA_ROOT = cms_media_root


@pytest.fixture(scope="module")
def demo_tree(django_db_setup, django_db_blocker, cms_media_root):
    """The demo page tree, built once per module in a transaction rolled back at its end.

    Seeding saves ~20 pages with revisions and search/reference indexing; doing it once per module
    rather than per test keeps the suite fast. Each test still runs in its own savepoint.
    """
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=cms_media_root):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo.seed(SeedCommand())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(demo_tree, db):
    """The home page of the demo tree."""
    return HomePage.objects.get()


@pytest.fixture
def home(db):
    """The site root that cms migration 0002 creates."""
    return HomePage.objects.get()


@pytest.fixture
def editor(db):
    user = UserFactory(email="editor@example.com", is_staff=False)
    user.groups.add(Group.objects.get(name="Marketing editors"))
    return user


@pytest.fixture
def moderator(db):
    user = UserFactory(email="moderator@example.com", is_staff=False)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def make_product(
    *,
    title="房县香菇 250克",
    price="39.80",
    stock=100,
    brand="房县香菇",
    category=None,
    partner=None,
    **fields,
):
    """A public product with one stock record priced in CNY, optionally in ``category``."""
    product = ShiyanProductFactory(title=title, brand=brand, **fields)
    record_fields = {"partner": partner} if partner is not None else {}
    ShiyanStockRecordFactory(
        product=product, price=Decimal(price), price_currency="CNY", num_in_stock=stock, **record_fields
    )
    if category is not None:
        ProductCategory.objects.create(product=product, category=category)
    return product


@pytest.fixture
def mushrooms(db):
    return CategoryFactory(name="食用菌", slug="mushrooms")


def publish_brand_page(parent, *, slug="fangxian-shiitake", title="房县香菇", body=(), **fields):
    """A live brand page under ``parent`` with ``body`` given as (block type, value) pairs."""
    page = BrandPage(
        slug=slug, title=title, brand_name=fields.pop("brand_name", title), body=list(body), **fields
    )
    parent.add_child(instance=page)
    page.save_revision().publish()
    return BrandPage.objects.get(pk=page.pk)


def grid(*, source="category", category=None, brand="", products=(), limit=12, heading="在售"):
    """A product-grid block value (model instances for the choosers), as an editor would save it."""
    return (
        "product_grid",
        {
            "heading": heading,
            "source": source,
            "category": category,
            "brand": brand,
            "products": list(products),
            "limit": limit,
            "show_more": True,
        },
    )
