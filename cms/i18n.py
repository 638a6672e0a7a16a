"""Translated fields: Chinese in the main field, English in an ``_en`` sibling, Chinese as fallback.

The choice (translated fields rather than per-language page trees) is defended in docs/cms-i18n.md.
"""

from django.utils import translation


def english_active() -> bool:
    """True when the request is being answered in English (the site's only other language)."""
    return (translation.get_language() or "").split("-")[0] == "en"


def _filled(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    try:
        return len(value) > 0  # StreamValue, RichText lists …
    except TypeError:
        return bool(value)


def pick(zh_value, en_value):
    """The English value when English is active and it is filled in, otherwise the Chinese one."""
    if english_active() and _filled(en_value):
        return en_value
    return zh_value


class TranslatedField:
    """A read-only attribute returning ``<zh_name>`` or, in English when filled, ``<zh_name>_en``.

    ``body = StreamField(...)``, ``body_en = StreamField(...)`` and ``body_i18n = TranslatedField("body")``
    lets templates say ``page.body_i18n`` and get the right language.
    """

    def __init__(self, zh_name: str, en_name: str | None = None):
        self.zh_name = zh_name
        self.en_name = en_name or f"{zh_name}_en"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return pick(getattr(instance, self.zh_name), getattr(instance, self.en_name))
