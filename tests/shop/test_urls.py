import pytest

pytestmark = pytest.mark.django_db


def test_site_root_is_served_by_wagtail(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response.context["page"].specific_class.__name__ == "HomePage"


def test_shop_home_is_mounted_under_shop(client):
    assert client.get("/shop/").status_code == 200


def test_wagtail_admin_is_under_cms_admin(client):
    response = client.get("/cms-admin/")

    assert response.status_code == 302
    assert "/cms-admin/login/" in response["Location"]


def test_unknown_path_is_a_404_in_the_site_style(client):
    response = client.get("/shop/catalogue/no-such-thing_999999/")

    assert response.status_code == 404
