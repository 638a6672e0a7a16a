"""Every error page is ours, in Chinese by default and in English when chosen: 400, 403, 404,
500, 503 and a refused form (CSRF), never Django's bare English pages."""

import pytest
from django.test import Client

from core.errors import service_busy

pytestmark = pytest.mark.django_db

CHINESE = {
    400: "无法处理这个请求",
    403: "您无权打开此页面",
    404: "页面不存在",
    500: "抱歉，我们这边出了点问题",
    "csrf": "表单已失效",
    "nul": "网址中含有不允许出现的字符",
}
ENGLISH = {
    400: "This request could not be understood",
    403: "You cannot open this page",
    404: "Page not found",
    500: "Something went wrong on our side",
    "csrf": "This form has expired",
    "nul": "The address contains a character that is not allowed.",
}


@pytest.fixture(autouse=True)
def _failing_views(settings):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    settings.DEBUG = False


def visitor(language):
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    if language == "en":
        client.cookies["shop_language"] = "en"
    return client


def answers(client):
    return {
        400: client.get("/shop/", headers={"host": "evil.example"}),  # DisallowedHost
        "nul": client.get("/shop/search/?q=%00"),  # refused at the door (core.middleware)
        403: client.get("/test-errors/403/"),
        404: client.get("/shop/catalogue/no-such-thing_999999/"),
        500: client.get("/test-errors/500/"),
        "csrf": client.post("/shop/basket/", {"form-TOTAL_FORMS": 0}),
    }


@pytest.mark.parametrize(("language", "texts"), [("zh-hans", CHINESE), ("en", ENGLISH)])
def test_every_error_page_is_ours_in_the_visitors_language(language, texts):
    for kind, response in answers(visitor(language)).items():
        status = {"csrf": 403, "nul": 400}.get(kind, kind)
        html = response.content.decode()
        assert response.status_code == status, kind
        assert texts[kind] in html, kind
        assert f'lang="{language}"' in html, kind
        assert "error-page" in html, kind
        # none of Django's own pages
        assert "<h1>Not Found</h1>" not in html and "Server Error (500)" not in html
        assert "CSRF verification failed" not in html and "Bad Request (400)" not in html


def test_the_500_page_needs_no_database_and_shows_no_details(django_assert_num_queries):
    client = visitor("zh-hans")

    with django_assert_num_queries(0):
        response = client.get("/test-errors/500/")

    assert response.status_code == 500
    assert "a bug in a view" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_refused_form_explains_what_to_do_and_links_back():
    html = visitor("zh-hans").post("/shop/basket/", {}).content.decode()

    assert "请返回、刷新页面后重新提交" in html
    assert "返回上一页" in html and "history.back()" in html


def test_the_busy_page_says_try_again_with_retry_after_in_both_languages(rf):
    from django.utils import translation

    with translation.override("zh-hans"):
        chinese = service_busy(rf.get("/"), retry_after=5)
    with translation.override("en"):
        english = service_busy(rf.get("/"), retry_after=5)

    assert chinese.status_code == english.status_code == 503
    assert chinese["Retry-After"] == "5"
    assert "当前访问人数较多" in chinese.content.decode() and "请过几秒钟再试" in chinese.content.decode()
    assert "try again in a few seconds" in english.content.decode()
