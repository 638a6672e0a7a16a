"""Oscar's hard-coded English words are translated as its templates load (core.template_loaders)."""

import pytest
from django.template import engines
from django.utils import translation

from core.template_loaders import EVERYWHERE, OSCAR_TEMPLATES, PATCHES


@pytest.mark.parametrize(
    ("template_name", "old"), [(name, old) for name, subs in PATCHES.items() for old, _ in subs]
)
def test_every_substitution_still_finds_its_text_in_the_installed_oscar(template_name, old):
    """An Oscar upgrade that rewrites one of these lines fails here, not silently in English."""
    assert old in (OSCAR_TEMPLATES / template_name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new"), EVERYWHERE)
def test_every_label_everywhere_is_found_in_some_oscar_template(old, new):
    assert any(old in path.read_text(encoding="utf-8") for path in OSCAR_TEMPLATES.rglob("*.html"))


def test_oscar_templates_load_with_the_words_translated():
    template = engines["django"].get_template("oscar/dashboard/orders/order_list.html")
    source = template.template.source
    assert 'aria-label="breadcrumb"' not in source
    assert "{{ order.status|status_label" in source


def test_a_patched_label_renders_in_the_active_language():
    template = engines["django"].from_string('{% load i18n %}<nav {% translate "breadcrumb" %}>')
    with translation.override("zh-hans"):
        assert "breadcrumb" not in template.render({})


@pytest.mark.django_db
def test_staff_see_order_statuses_by_their_chinese_names(client, django_user_model):
    from tests.factories.order import basket_with, place_order, product_for_sale

    staff = django_user_model.objects.create_user(
        username="staff-zh", email="staff-zh@example.com", password="x", is_staff=True, is_superuser=True
    )
    order = place_order(basket=basket_with((product_for_sale(), 1)))
    client.force_login(staff)
    client.cookies["shop_language"] = "zh-hans"
    listing = client.get("/shop/dashboard/orders/").content.decode()
    detail = client.get(f"/shop/dashboard/orders/{order.number}/").content.decode()
    for page in (listing, detail):
        assert f">{order.status}<" not in page
    assert "<option>Pending payment</option>" not in detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/shop/dashboard/catalogue/?sort=checkbox",
        "/shop/dashboard/catalogue/categories/?sort=checkbox",
        "/shop/dashboard/users/?sort=actions",
    ],
)
def test_sorting_a_dashboard_table_by_a_column_of_checkboxes_or_actions_is_not_an_error(
    client, django_user_model, url
):
    staff = django_user_model.objects.create_user(
        username="staff-sort", email="staff-sort@example.com", password="x", is_staff=True, is_superuser=True
    )
    client.force_login(staff)
    assert client.get(url).status_code == 200
