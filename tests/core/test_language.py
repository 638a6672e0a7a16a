import pytest

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_the_chinese_shop_by_default(client):
    response = client.get("/shop/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.headers["Content-Language"] == "zh-hans"
    assert "十堰优品" in response.content.decode()


def test_choosing_english_with_the_switch_sticks(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/shop/"})

    response = client.get("/shop/", HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert response.headers["Content-Language"] == "en"
    assert "Shiyan Select" in response.content.decode()
