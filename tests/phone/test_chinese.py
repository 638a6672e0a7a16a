"""The phone pages speak Chinese only: every message translated and compiled, no English on the page."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import TestCase
from django.urls import reverse

from tests.catalogue import test_language_and_layout as language
from tests.checkout import flow

CATALOGUE = Path(__file__).resolve().parents[2] / "shop/phone/locale/zh_Hans/LC_MESSAGES/django.po"


def test_every_phone_message_has_a_chinese_translation_compiled():
    language.test_every_storefront_message_has_a_chinese_translation_compiled(CATALOGUE)


class _TextOf(HTMLParser):
    """The visible text inside the element with a given id."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, element_id):
        super().__init__()
        self.element_id, self.depth, self.text = element_id, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in self.VOID
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def english_words(html: str, element_id: str) -> list[str]:
    """Words of Latin letters in the visible text of one element."""
    parser = _TextOf(element_id)
    parser.feed(html)
    assert parser.text, f"no #{element_id} on the page"
    return re.findall(r"[A-Za-z]{2,}", " ".join(parser.text))


@pytest.mark.django_db
def test_both_steps_of_signing_in_by_phone_are_in_chinese(client):
    first = client.get(reverse("phone:sign-in")).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("phone:sign-in"), {"action": "send", "mobile": "13812345678"})
    second = client.get(reverse("phone:sign-in")).content.decode()

    assert english_words(first, "phone_sign_in") == []
    assert english_words(second, "phone_sign_in") == []


@pytest.mark.django_db
def test_the_guest_mobile_step_and_the_gateway_option_are_in_chinese(client):
    from tests.factories.order import product_for_sale

    flow.add_to_basket(client, product_for_sale())
    gateway = client.get(reverse("checkout:index")).content.decode()
    guest = client.get(reverse("checkout:guest-mobile")).content.decode()

    assert english_words(gateway, "gateway_mobile") == []
    assert english_words(guest, "guest_mobile") == []
