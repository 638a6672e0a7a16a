"""Sign-in throttling on every login form (django-axes, core/signin.py) and signing out only by POST.

Each login form is driven as a browser would: AXES_FAILURE_LIMIT wrong passwords for one account from
one address, then even the right password is refused with the "too many failed sign-ins" page (429),
while the same account from another address, and another account from this address, still sign in.
"""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import Collection

from core.network import client_ip, client_network
from tests.checkout.flow import add_to_basket
from tests.factories.order import product_for_sale

pytestmark = pytest.mark.django_db

PASSWORD = "right-horse-battery"
LIMIT = django_settings.AXES_FAILURE_LIMIT


def _user(email="buyer@example.com", **fields):
    return get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=PASSWORD, **fields
    )


def _staff(email="staff@example.com"):
    return _user(email, is_staff=True, is_superuser=True)


def _shop(client, user, password, address):
    return client.post(
        "/shop/accounts/login/",
        {"login-username": user.email, "login-password": password, "login_submit": "Log In"},
        REMOTE_ADDR=address,
    )


def _dashboard(client, user, password, address):
    return client.post(
        "/shop/dashboard/login/", {"username": user.email, "password": password}, REMOTE_ADDR=address
    )


def _checkout(client, user, password, address):
    if not client.session.get("checkout_data") and not client.cookies.get("oscar_open_basket"):
        add_to_basket(client, product_for_sale(title="房县香菇", price="39.80", stock=100))
    return client.post(
        reverse("checkout:index"),
        {"username": user.email, "options": "existing", "password": password},
        REMOTE_ADDR=address,
    )


def _django_admin(client, user, password, address):
    return client.post(
        "/django-admin/login/", {"username": user.username, "password": password}, REMOTE_ADDR=address
    )


def _wagtail(client, user, password, address):
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    return client.post(
        "/cms-admin/login/", {"username": user.username, "password": password}, REMOTE_ADDR=address
    )


FORMS = {
    "shop": (_shop, _user),
    "dashboard": (_dashboard, _staff),
    "checkout": (_checkout, _user),
    "django admin": (_django_admin, _staff),
    "wagtail": (_wagtail, _staff),
}


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("form", FORMS)
def test_the_right_password_signs_in_on_every_login_form(client, form):
    sign_in, make_user = FORMS[form]

    response = sign_in(client, make_user(), PASSWORD, "198.51.100.7")

    assert response.status_code == 302
    assert _signed_in(client)


@pytest.mark.parametrize("form", FORMS)
def test_every_login_form_locks_an_account_out_after_too_many_wrong_passwords(client, form):
    sign_in, make_user = FORMS[form]
    user = make_user()
    for _ in range(LIMIT - 1):
        response = sign_in(client, user, "wrong", "198.51.100.7")
        assert response.status_code == 200  # the form again, with its error
    assert sign_in(client, user, "wrong", "198.51.100.7").status_code in (200, 429)

    response = sign_in(client, user, PASSWORD, "198.51.100.7")

    assert response.status_code == 429
    assert not _signed_in(client)
    page = response.content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page
    assert reverse("password-reset") in page


@pytest.mark.parametrize("form", FORMS)
def test_a_lockout_holds_only_that_account_from_that_address(client, form):
    sign_in, make_user = FORMS[form]
    user = make_user()
    for _ in range(LIMIT):
        sign_in(client, user, "wrong", "198.51.100.7")

    assert sign_in(client, user, PASSWORD, "203.0.113.9").status_code == 302
    client.logout()
    other = make_user("other@example.com")
    assert sign_in(client, other, PASSWORD, "198.51.100.7").status_code == 302


def test_the_account_name_is_counted_whatever_its_case(client):
    user = _user()
    for index in range(LIMIT):
        client.post(
            "/shop/accounts/login/",
            {
                "login-username": user.email.upper() if index % 2 else user.email,
                "login-password": "wrong",
                "login_submit": "1",
            },
        )

    assert _shop(client, user, PASSWORD, "127.0.0.1").status_code == 429


def test_the_lockout_page_is_in_english_for_an_english_visitor(client):
    user = _user()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(LIMIT):
        _shop(client, user, "wrong", "127.0.0.1")

    response = _shop(client, user, PASSWORD, "127.0.0.1")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_a_successful_sign_in_clears_the_failures_before_it(client):
    user = _user()
    for _ in range(LIMIT - 1):
        _shop(client, user, "wrong", "127.0.0.1")
    assert _shop(client, user, PASSWORD, "127.0.0.1").status_code == 302
    client.logout()

    for _ in range(LIMIT - 1):
        assert _shop(client, user, "wrong", "127.0.0.1").status_code == 200
    assert _shop(client, user, PASSWORD, "127.0.0.1").status_code == 302


def test_registering_a_new_account_still_signs_it_in(client):
    # Oscar authenticates the new account without a request: not a sign-in form, so not throttled.
    response = client.post(
        "/shop/accounts/login/",
        {
            "registration-email": "new@example.com",
            "registration-password1": PASSWORD,
            "registration-password2": PASSWORD,
            "registration_submit": "Register",
        },
    )

    assert response.status_code == 302
    assert _signed_in(client)


# --- Client addresses ------------------------------------------------------------------------------
def _request(remote="10.0.0.2", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_client_is_the_connection_and_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request("198.51.100.7", forwarded="1.2.3.4")) == "198.51.100.7"


def test_behind_our_proxy_the_client_is_what_the_proxy_appended_never_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1  # deploy/nginx.conf appends the address it saw

    assert client_ip(_request(forwarded="198.51.100.7")) == "198.51.100.7"
    # A client that sends its own X-Forwarded-For only adds entries to the left.
    assert client_ip(_request(forwarded="1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request(forwarded="not-an-address")) == "10.0.0.2"
    assert client_ip(_request()) == "10.0.0.2"


def test_behind_a_load_balancer_and_our_proxy_the_client_is_two_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(forwarded="1.2.3.4, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"


def test_an_ipv6_client_counts_as_its_whole_64_network(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_network(_request("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_network(_request("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert client_network(_request("::ffff:198.51.100.7")) == "198.51.100.7"
    assert client_network(_request("198.51.100.7")) == "198.51.100.7"


# --- Signing out ------------------------------------------------------------------------------------
LOGOUTS = ["/shop/accounts/logout/", "/shop/dashboard/logout/", "/django-admin/logout/", "/cms-admin/logout/"]


@pytest.mark.parametrize("url", LOGOUTS)
def test_a_get_never_signs_anyone_out(client, url):
    client.force_login(_staff())

    response = client.get(url)

    assert response.status_code in (200, 405)
    assert _signed_in(client)


@pytest.mark.parametrize("url", LOGOUTS)
def test_a_post_signs_out(client, url):
    client.force_login(_staff())

    response = client.post(url)

    assert response.status_code in (200, 302)  # the Django admin shows its "signed out" page
    assert not _signed_in(client)


def test_the_shop_sign_out_address_asks_with_a_button_that_posts(client):
    client.force_login(_user())

    page = client.get("/shop/accounts/logout/").content.decode()

    assert 'method="post" action="/shop/accounts/logout/"' in page


def test_a_post_from_another_site_cannot_sign_a_buyer_out(client):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(_user())

    assert browser.post("/shop/accounts/logout/").status_code == 403
    assert "_auth_user_id" in browser.session


@pytest.mark.parametrize(
    "url", ["/shop/", "/shop/accounts/", "/shop/portal/", "/shop/dashboard/", "/django-admin/", "/cms-admin/"]
)
def test_no_page_a_signed_in_user_sees_links_to_a_sign_out_address(client, url):
    user = _staff()
    user.groups.add(*Group.objects.filter(name="Cooperative users"))
    client.force_login(user)

    page = client.get(url, follow=True).content.decode()

    for logout in LOGOUTS:
        assert f'href="{logout}"' not in page, (url, logout)
