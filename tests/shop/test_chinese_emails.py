"""Every e-mail and text message the platform sends reads in Chinese.

The page crawler (test_chinese_everywhere) never sees a message that leaves by mail or SMS, so this
reads their templates instead: every template of an e-mail or SMS (ours, and Oscar's for the events
we send), node by node, as Django compiles it. Text written straight into a template must hold no
English, and every {% translate %} / {% blocktranslate %} in it must have a Chinese translation.
"""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.base import TextNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import translation

from tests.shop.test_chinese_everywhere import english_phrases

ROOT = Path(settings.BASE_DIR)
MESSAGE_FOLDERS = re.compile(r"/(email|emails|sms)/")
PAGES = "oscar/communication/email/"  # the buyer's e-mail history: pages, read by the crawler


def message_templates() -> list[str]:
    """The names of every e-mail/SMS template the template loaders can find (first one wins)."""
    names = set()
    engine = engines["django"].engine
    for loader in engine.template_loaders:
        for source in getattr(loader, "loaders", [loader]):
            for folder in source.get_dirs():
                folder = Path(folder)
                if not folder.is_dir():
                    continue
                for path in folder.rglob("*"):
                    name = path.relative_to(folder).as_posix()
                    if name.startswith(PAGES):
                        continue
                    if path.suffix in (".txt", ".html") and MESSAGE_FOLDERS.search("/" + name):
                        names.add(name)
    return sorted(names)


def _walk(nodelist):
    for node in nodelist:
        yield node
        for attribute in node.child_nodelists:
            yield from _walk(getattr(node, attribute, None) or [])


def _shown(message: str, context) -> str:
    return translation.pgettext(context, message) if context else translation.gettext(message)


def english_in(name: str) -> list[str]:
    """English in what the template says: its text and its translated messages, in order, with
    values left out, markup and style sheets taken off."""
    template = engines["django"].engine.get_template(name)
    parts = []
    with translation.override("zh-hans"):
        for node in _walk(template.nodelist):
            context = getattr(node, "message_context", None)
            context = context.resolve({}) if context else None
            if isinstance(node, TextNode):
                parts.append(node.s)
            elif isinstance(node, TranslateNode) and node.filter_expression.var.literal is not None:
                parts.append(_shown(node.filter_expression.var.literal, context))
            elif isinstance(node, BlockTranslateNode):
                message, _values = node.render_token_list(node.singular)
                parts.append(re.sub(r"%\(\w+\)s", " ", _shown(message, context)))
            else:
                parts.append(" ")  # a value, a tag: not words of the template's own
    text = "".join(parts)
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    return english_phrases(text)


def test_the_reader_finds_the_messages_we_send():
    names = message_templates()

    for expected in (
        "oscar/communication/emails/commtype_order_placed_body.txt",
        "oscar/communication/emails/commtype_password_reset_body.html",
        "oscar/communication/emails/commtype_payment_received_subject.txt",
        "traceability/email/recall_body.txt",
        "channels/email/invitation_body.txt",
        "suppliers/email/invitation_subject.txt",
    ):
        assert expected in names


def test_the_reader_notices_english(tmp_path, settings):
    folder = tmp_path / "templates" / "shop" / "email"
    folder.mkdir(parents=True)
    (folder / "bad_body.txt").write_text(
        "{% load i18n %}您好，\nYour order has shipped.\n{% translate 'A sentence nobody translated' %}\n"
        "{% blocktranslate %}Another one for {{ name }}{% endblocktranslate %}\n{% translate 'Basket' %}",
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]

    found = english_in("shop/email/bad_body.txt")

    assert found == ["Your order has shipped", "sentence nobody translated", "Another one for"]


@pytest.mark.parametrize("name", message_templates())
def test_every_e_mail_and_text_message_reads_in_chinese(name):
    assert english_in(name) == []
