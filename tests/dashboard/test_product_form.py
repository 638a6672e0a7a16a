"""Staff edit origin county, brand, GTIN and quality marks in Oscar's product form."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.dashboard.conftest import rendered_form
from tests.factories.catalogue import ShiyanProductFactory

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

pytestmark = pytest.mark.django_db


def _create_form(client, product_class):
    url = reverse("dashboard:catalogue-product-create", kwargs={"product_class_slug": product_class.slug})
    response = client.get(url)
    assert response.status_code == 200
    return url, rendered_form(response, "create_update_product_form")


def _filled(data, **fields):
    """The create form with what Oscar requires (title, a category) and the net content."""
    category = Category.objects.get(code="shiitake")
    return {
        **data,
        "title": "房县花菇 250克",
        "attr_net_content": "250克",
        "productcategory_set-0-category": category.pk,
        "action": "save",
        **fields,
    }


def test_staff_saves_origin_county_brand_gtin_and_quality_marks(staff_client, structure):
    url, data = _create_form(staff_client, structure.product_classes["dried-fungi"])
    marks = [structure.quality_marks["geographical-indication"], structure.quality_marks["green-food"]]

    response = staff_client.post(
        url,
        _filled(
            data,
            origin_county="fangxian",
            brand="房县香菇",
            gtin="6937001000019",
            quality_marks=[m.pk for m in marks],
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get(title="房县花菇 250克")
    assert (product.origin_county, product.brand, product.gtin) == ("fangxian", "房县香菇", "6937001000019")
    assert set(product.quality_marks.all()) == set(marks)
    assert product.attr.net_content == "250克"


def test_the_form_offers_the_shiyan_fields_next_to_the_title(staff_client, structure):
    _url, data = _create_form(staff_client, structure.product_classes["tea"])

    assert {"gtin", "brand", "origin_county"} <= set(data)


def test_gtin_with_a_wrong_check_digit_is_refused_with_the_right_digit_and_nothing_is_saved(
    staff_client, structure
):
    url, data = _create_form(staff_client, structure.product_classes["dried-fungi"])

    response = staff_client.post(url, _filled(data, gtin="6937001000011"))

    assert response.status_code == 200
    assert response.context["form"].errors["gtin"] == ["GTIN“6937001000011”的校验位错误（应为 9）。"]
    assert not Product.objects.exists()


def test_gtin_typed_with_spaces_is_saved_as_its_digits(staff_client, structure):
    url, data = _create_form(staff_client, structure.product_classes["dried-fungi"])

    response = staff_client.post(url, _filled(data, gtin="6937 0010 0001 9"))

    assert response.status_code == 302
    assert Product.objects.get().gtin == "6937001000019"


def test_gtin_already_used_by_another_product_is_refused_naming_that_product(staff_client, structure):
    ShiyanProductFactory(title="房县椴木香菇 500克", gtin="6937001000019")
    url, data = _create_form(staff_client, structure.product_classes["dried-fungi"])

    response = staff_client.post(url, _filled(data, gtin="6937001000019"))

    assert response.status_code == 200
    [error] = response.context["form"].errors["gtin"]
    assert "房县椴木香菇 500克" in error
    assert Product.objects.count() == 1


def test_saving_a_product_again_keeps_its_own_gtin(staff_client, structure):
    product = ShiyanProductFactory(
        product_class=structure.product_classes["specialty-food"], gtin="6937001000019", brand="山里人家"
    )
    product.attr.net_content = "1千克"
    product.save()
    product.categories.add(structure.categories["noodles"])
    url = reverse("dashboard:catalogue-product", kwargs={"pk": product.pk})
    data = rendered_form(staff_client.get(url), "create_update_product_form")

    response = staff_client.post(url, {**data, "brand": "郧西山里人家", "action": "save"})

    assert response.status_code == 302, response.context["form"].errors
    product.refresh_from_db()
    assert (product.gtin, product.brand) == ("6937001000019", "郧西山里人家")


def test_a_variant_inherits_county_brand_and_marks_so_its_form_does_not_ask(staff_client, structure):
    parent = ShiyanProductFactory(
        structure=Product.PARENT, product_class=structure.product_classes["tea"], upc="SY-PARENT"
    )
    url = reverse("dashboard:catalogue-product-create-child", kwargs={"parent_pk": parent.pk})

    data = rendered_form(staff_client.get(url), "create_update_product_form")

    assert "gtin" in data
    assert not {"brand", "origin_county", "quality_marks"} & set(data)
