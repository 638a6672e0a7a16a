"""Every page of every role reads in Chinese: no English word left untranslated (issue 15, part 4).

With the demo data loaded, each role (a visitor, a buyer, a cooperative, a channel manager, an
organisation's member, staff, a buyer signed up by phone with no e-mail) starts at its home pages
and follows the links it is shown, in Chinese, one page per kind of URL (the URL pattern and the
names of its query parameters), up to a bound. On each page, the text a reader sees or hears (text,
``title``, ``placeholder``, ``alt``, ``aria-label``, button values; not scripts, styles or code)
must hold no English word. What may be Latin letters in Chinese text is allowed: abbreviations in
capitals (GTIN, PDF, SC), units, e-mail addresses, web addresses, codes with digits (lot numbers,
trace codes) and a few names (Stripe).

A failure lists each English phrase with one page it was seen on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

#: Latin words that are not English in a Chinese page.
ALLOWED_WORDS = {
    # units and the language switch (which names English in English, as every site does)
    "kg", "mg", "ml", "vol", "g", "cm", "mm", "km", "English",
    # names
    "Stripe", "Wagtail", "OpenAPI", "WebP", "Excel", "xlsx", "csv",
}  # fmt: skip

#: Where each role starts; it then follows the links it is shown.
START = {
    "visitor": ["/", "/shop/", "/shop/catalogue/", "/shop/suppliers/", "/shop/basket/",
                "/shop/accounts/login/", "/shop/channels/apply/", "/shop/suppliers/apply/",
                "/shop/search/?q=香菇", "/shop/search/?q=火星"],
    "buyer": ["/shop/accounts/", "/shop/accounts/orders/", "/shop/"],
    "phone-only buyer": ["/shop/accounts/profile/", "/shop/accounts/phone/", "/shop/accounts/logout/"],
    "cooperative": ["/shop/portal/", "/shop/portal/impact/"],
    "channel manager": ["/shop/channels/"],
    "organisation member": ["/shop/channels/org/"],
    "staff": ["/shop/dashboard/", "/shop/dashboard/impact/"],
}  # fmt: skip
ACCOUNT = {
    "buyer": "buyer@demo.shiyan.example",
    "cooperative": "coop@demo.shiyan.example",
    "channel manager": "channel@demo.shiyan.example",
    "organisation member": "school@demo.shiyan.example",
    "staff": "staff@demo.shiyan.example",
}
#: Not followed: other applications with their own language handling (Django's and Wagtail's
#: admins, the API's OpenAPI page), files, and links that change something or sign out.
NOT_FOLLOWED = re.compile(
    r"^/(static|media|django-admin|cms-admin|api|payments|i18n|healthz|readyz)\b|logout|delete|download|/pdf|\.(pdf|xlsx|csv|png|svg|zip)$"
)
PAGES_PER_ROLE = 160
KINDS_PER_PATTERN = 1

_HIDDEN = {"script", "style", "code", "pre", "template"}
_NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|\S*[\d_/]\S*|[\w.-]+\.(example|com|org|cn)\S*")
_PHRASE = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:[ ,.:;!?]+[A-Za-z][A-Za-z'’-]+)*")


class _Reader(HTMLParser):
    """The text of a page as it is read out, and its links."""

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in _HIDDEN:
            self.hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "alt", "aria-label"):
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.text.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)


def english_phrases(text: str) -> list[str]:
    """Runs of English words in ``text`` (what is allowed removed first)."""
    found = []
    for phrase in _PHRASE.findall(_NOT_WORDS.sub(" ", text)):
        words = [w for w in re.findall(r"[A-Za-z]+", phrase) if not w.isupper() and w not in ALLOWED_WORDS]
        if words:
            found.append(" ".join(phrase.split()))
    return found


def _kind(path: str) -> tuple | None:
    parts = urlsplit(path)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return (match.route, match.view_name, tuple(sorted(k for k, _ in parse_qsl(parts.query))))


def crawl(
    client: Client, start: list[str], limit: int = PAGES_PER_ROLE
) -> tuple[dict[str, str], list[str], list[str]]:
    """English phrases (each with a page it is on), the pages that failed, and the HTML pages read."""
    queue, seen, kinds = list(start), set(), defaultdict(int)
    english: dict[str, str] = {}
    broken: list[str] = []
    pages: list[str] = []
    read = 0
    while queue and read < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        kind = _kind(url)
        if kind is not None and url not in start:
            if kinds[kind] >= KINDS_PER_PATTERN:
                continue
            kinds[kind] += 1
        response = client.get(url)
        read += 1
        if response.status_code >= 500:
            broken.append(f"{url} → {response.status_code}")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages.append(url)
        reader = _Reader()
        reader.feed(response.content.decode())
        for text in reader.text:
            for phrase in english_phrases(text):
                english.setdefault(phrase, url)
        for href in reader.links:
            target = urlsplit(urljoin(url, href))
            if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
                continue
            path = target.path + (f"?{target.query}" if target.query else "")
            if NOT_FOLLOWED.search(target.path) or "lang" in target.query:
                continue
            queue.append(path)
    return english, broken, pages


def test_the_english_finder_finds_english_and_lets_chinese_text_be():
    assert english_phrases("待发货 Awaiting shipment") == ["Awaiting shipment"]
    assert english_phrases("GTIN 06901234567892 · SC11642030000123 · 250 g · kg") == []
    assert english_phrases("联系 service@shiyan-select.example 或 https://example.com/x") == []
    assert english_phrases("批次 XG-2026-001 · 追溯码 K2nY86bnXLvI_MDY") == []


def phone_only_buyer():
    from shop.phone.models import VerifiedMobile

    buyer = get_user_model().objects.create(username="mobile_chinese", email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    return buyer


def test_every_page_of_every_role_reads_in_chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (closed with the process)
    users = get_user_model().objects
    report, broken_pages, totals = [], [], {}
    for role, start in START.items():
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        if role in ACCOUNT:
            client.force_login(users.get(email=ACCOUNT[role]))
        if role == "phone-only buyer":  # signed up by SMS code: no e-mail address, no password
            client.force_login(phone_only_buyer())
        english, broken, pages = crawl(client, start)
        totals[role] = len(pages)
        report += [f"{role}: {phrase!r} on {url}" for phrase, url in sorted(english.items())]
        broken_pages += [f"{role}: {page}" for page in broken]
    assert all(pages >= 10 for pages in totals.values()), totals
    assert not broken_pages, "\n".join(broken_pages)
    assert not report, f"English in the Chinese interface ({len(report)}):\n" + "\n".join(report)
