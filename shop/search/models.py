"""What search reads besides the product itself: a per-product search text, and staff's synonyms.

Oscar's search app has no models of its own; these two live here because they are the search's.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """A product as search sees it, rebuilt whenever the product or its categories change.

    ``text`` holds the product's names (title, brand, categories, county) lower-cased, then the same
    in pinyin (``fangxianxianggu``) and in initials (``fxxg``), so one substring match finds a
    product by what a buyer types on any keyboard. ``vocabulary`` lists the Chinese words of those
    names (runs of 2–4 characters) with their pinyin, one ``pinyin 词`` per line, for "did you mean".
    """

    product = models.OneToOneField(
        "catalogue.Product", on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    text = models.TextField(_("search text"))
    vocabulary = models.TextField(_("vocabulary"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self):
        return str(self.product_id)


class SearchSynonym(models.Model):
    """Words buyers use for the same thing (橘子 桔子 柑橘): a search for one finds all of them.

    Staff edit these in the admin; a change applies to the next search (the cached list is dropped).
    """

    words = models.CharField(
        _("words"),
        max_length=255,
        help_text=_("Words a buyer means the same by, separated by spaces or commas, e.g. 橘子 桔子 柑橘."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["pk"]

    def __str__(self):
        return self.words

    def word_list(self) -> list[str]:
        from shop.search.index import split_words

        return split_words(self.words)

    def clean(self):
        from django.core.exceptions import ValidationError

        if len(self.word_list()) < 2:
            raise ValidationError({"words": _("Give at least two different words.")})
