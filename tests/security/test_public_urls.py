"""Hostile input to any URL gives a 4xx (or a redirect), never a 5xx; HEAD answers wherever GET does.

The walker takes every named URL pattern of the site (``shop.urls``: ours, Oscar's, Wagtail's, the
admin's), puts hostile values into each of its parameters in turn (``reverse`` keeps the ones the
pattern accepts), and asks anonymously with GET and with HEAD. Public pages also get hostile query
strings. A few addresses ``reverse`` cannot make (a raw ``/`` in a code, Wagtail's page paths) are
listed by hand. A new URL is walked without anyone adding it here.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.factories.order import product_for_sale
from tests.factories.suppliers import BasePhotoFactory, CertificationFactory, pdf_upload
from tests.factories.traceability import passed_inspection, published, seller

pytestmark = pytest.mark.django_db

#: Values for any URL parameter: separators, NUL, traversal, non-ASCII, markup, numbers too big for
#: any database column, and a very long string.
HOSTILE = [
    "0",
    "-1",
    "99999999999999999999999",
    "9223372036854775808",
    "a/b",
    "a%2Fb",
    "%00",
    "\x00",
    "..",
    "../../etc/passwd",
    "%2e%2e",
    "香菇",
    "%E9",
    "<script>alert(1)</script>",
    "' OR 1=1--",
    " ",
    "x" * 3000,
    "a.b",
    "00000000-0000-0000-0000-000000000000",
]
#: Query strings public pages get: bad page numbers, markup, NUL, huge values, unknown parameters.
QUERIES = [
    "?page=0",
    "?page=-1",
    "?page=abc",
    "?page=99999999999999999999999",
    "?page=1.5",
    "?q=%00",
    "?q=" + "香" * 2000,
    "?q=<script>",
    "?sort_by=nonsense",
    "?sort_by=-price%00",
    "?county=%00&category=..%2F..&certification=x",
    "?lang=../../",
    "?code=a%2Fb",
    "?next=//evil.example",
    "?status=%00",
    "?selected_facets=price_exact:%00",
    "?format=json&limit=-1&offset=99999999999999999999",
    "?redirect_status=succeeded",
    "?q=1&q=2&page=1&page=2",
]
#: Areas for staff and signed-in users: walked with fewer values (they answer anonymous visitors
#: with a redirect to the sign-in page before reading anything).
PRIVATE_PREFIXES = ("/shop/dashboard/", "/cms-admin/", "/django-admin/", "/shop/portal/", "/shop/accounts/")
PRIVATE_VALUES = ["0", "99999999999999999999999", "a%2Fb", "%00", "香菇"]


def _named_patterns(resolver=None, namespace=""):
    """(name, parameter names) of every named pattern, namespaces included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern.regex.groupindex.keys()


def _urls_for(name, params, plausible):
    params = list(params)
    if not params:
        try:
            return [reverse(name)]
        except NoReverseMatch:
            return []
    urls = []
    for index in range(len(params)):
        for value in HOSTILE:
            kwargs = {}
            for other_index, other in enumerate(params):
                kwargs[other] = value if other_index == index else plausible.get(other, "1")
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            if url.startswith(PRIVATE_PREFIXES) and value not in PRIVATE_VALUES:
                continue
            urls.append(url)
    return urls


@pytest.fixture
def site_data():
    """One of everything a public page shows: a traced batch with a report, a supplier, a product."""
    shop = seller(product_class_slug="tea", gtin="6937004000016")
    batch = published(shop)
    inspection = passed_inspection(batch)
    BasePhotoFactory(base=shop.base)
    CertificationFactory(supplier=shop.supplier, scan=pdf_upload())
    product_for_sale(title="房县香菇 250克", price="39.80", stock=10)
    return {
        "code": batch.trace_code,
        "slug": shop.supplier.slug,
        "pk": str(shop.base.pk),
        "gtin": "6937004000016",
        "lot": batch.lot_code,
        "inspection": inspection,
        "product_slug": shop.product.slug,
    }


def _ask(client, url):
    """GET and HEAD ``url``: both must be below 500; HEAD must answer as GET does when GET works."""
    got = client.get(url)
    head = client.head(url)
    problems = []
    if got.status_code >= 500:
        problems.append(f"GET {url[:160]} → {got.status_code}")
    if head.status_code >= 500:
        problems.append(f"HEAD {url[:160]} → {head.status_code}")
    elif got.status_code < 400 and head.status_code != got.status_code:
        problems.append(f"HEAD {url[:160]} → {head.status_code}, GET → {got.status_code}")
    return problems


def test_every_url_pattern_answers_hostile_parameters_without_a_server_error(site_data):
    client = Client(raise_request_exception=False)
    plausible = {
        "code": site_data["code"],
        "slug": site_data["slug"],
        "pk": site_data["pk"],
        "gtin": site_data["gtin"],
        "lot": site_data["lot"],
    }
    urls = sorted({url for name, params in _named_patterns() for url in _urls_for(name, params, plausible)})
    assert len(urls) > 300  # the walker really walks

    problems = [problem for url in urls for problem in _ask(client, url)]

    assert problems == [], "\n".join(problems)


def test_public_pages_answer_hostile_query_strings_without_a_server_error(site_data):
    client = Client(raise_request_exception=False)
    code, slug, base = site_data["code"], site_data["slug"], site_data["pk"]
    pages = [
        "/",
        "/shop/",
        "/shop/catalogue/",
        "/shop/search/",
        "/shop/catalogue/recently-viewed/",
        "/shop/suppliers/",
        f"/shop/suppliers/{slug}/",
        f"/shop/suppliers/{slug}/bases/{base}/",
        "/shop/suppliers/apply/",
        f"/t/{code}/",
        f"/t/{code}/epcis.json",
        f"/t/{code}/qr.svg",
        "/t/",
        "/t/lookup/",
        "/healthz",
        "/robots.txt",
        "/sitemap.xml",
        "/api/v1/docs",
        "/api/v1/openapi.json",
        "/shop/basket/",
        "/shop/accounts/login/",
        "/shop/offers/",
    ]

    problems = [problem for page in pages for query in QUERIES for problem in _ask(client, page + query)]

    assert problems == [], "\n".join(problems)


def test_addresses_reverse_cannot_make_answer_without_a_server_error(site_data):
    client = Client(raise_request_exception=False)
    code, gtin, lot = site_data["code"], site_data["gtin"], site_data["lot"]
    urls = [
        "/t/a/b/",
        "/t/a%2Fb/",
        f"/t/{code}/%00/",
        "/t/%00/",
        "/t/" + "x" * 5000 + "/",
        "/t/lookup/?code=a/b/c",
        "/t/lookup/?code=%2F%2Fevil.example",
        f"/01/{gtin}/10/a/b/c",
        f"/01/{gtin}/10/..%2F..%2Fetc",
        f"/01/{gtin}/10/{lot}%00",
        f"/01/{gtin}/10/" + "L" * 3000,
        "/01/00000000000000000000000000/10/x",
        "/01/%00/10/x",
        f"/01/{gtin}/10/香菇",
        f"/t/{code}/reports/99999999999999999999999/",
        f"/t/{code}/reports/{site_data['inspection'].pk}/",
        "/shop/suppliers/%00/",
        "/shop/suppliers/a%2Fb/bases/1/",
        "/shop/suppliers/x/certificates/99999999999999999999999/",
        "/shop/catalogue/x_99999999999999999999999/",
        "/shop/catalogue/category/x_99999999999999999999999/",
        "/shop/catalogue/%00_1/",
        "/no/such/page/",
        "/%00/",
        "/香菇/",
        "/" + "a/" * 300,
        "/media/../../etc/passwd",
        "/documents/99999999999999999999999/x.pdf",
        "/documents/1/%00",
        "/static/../../etc/passwd",
        "/shop/dashboard/files/../../../etc/passwd",
    ]

    problems = [problem for url in urls for problem in _ask(client, url)]

    assert problems == [], "\n".join(problems)
