"""Search text per product and the words a query expands to: synonyms, pinyin, homophones, typos.

A buyer types 橘子 or 桔子 (the same fruit), xianggu or xg (香菇 in pinyin or initials), 香姑 (the wrong
character, same sound) or xainggu (two letters swapped). Each query word becomes a few alternatives and a
product matches the word when its search text contains any of them (``alternatives``). When nothing
matches at all, ``corrections`` proposes the closest words products actually use (did you mean).
"""

import difflib
import random
import re
import unicodedata

from django.core.cache import cache
from pypinyin import Style, lazy_pinyin

SYNONYMS_CACHE_KEY = "search:synonyms:v1"
VOCABULARY_CACHE_KEY = "search:vocabulary:v1"
CACHE_SECONDS = 300

_CJK = re.compile(r"[\u3400-\u9fff]+")
_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_LATIN = re.compile(r"^[a-z]+$")


def normalise(text: str) -> str:
    """NFKC (full-width Ａ → A, ideographic space → space) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def split_words(text: str) -> list[str]:
    """Distinct words of a synonym line, in order."""
    words = []
    for word in _SEPARATORS.split(normalise(text)):
        if word and word not in words:
            words.append(word)
    return words


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def pinyin(text: str) -> str:
    """Tone-less pinyin run together: 房县香菇 → fangxianxianggu (other characters kept)."""
    return "".join(lazy_pinyin(text)).lower()


def initials(text: str) -> str:
    """First letters of each syllable: 房县香菇 → fxxg."""
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


# --- documents -----------------------------------------------------------------------------------


def _names(product) -> list[str]:
    from core.places import County

    names = [product.title, product.brand]
    if product.origin_county:
        names.append(product.origin_county)
        try:
            label = County(product.origin_county).label
        except ValueError:
            label = ""
        if label:
            from django.utils import translation

            for language in ("zh-hans", "en"):
                with translation.override(language):
                    names.append(str(label))
    for category in product.categories.all():
        names.append(category.name)
    if product.product_class_id:
        names.append(product.product_class.name)
    return [normalise(name) for name in names if name]


def document_for(product) -> tuple[str, str]:
    """(text, vocabulary) of ``product``'s search document.

    The text is the product's names as written (Chinese, English, the county's code, which is its
    pinyin). The vocabulary is every run of 2–4 Chinese characters in those names with its pinyin
    and initials, one ``pinyin initials 词`` per line: what a query typed in pinyin, in initials or
    with a wrong character of the same sound is turned into (xianggu, xg, 香姑 → 香菇).
    """
    names = _names(product)
    text = " ".join(word for name in names for word in name.split())
    vocabulary = {}
    for name in names:
        for run in _CJK.findall(name):
            for size in (2, 3, 4):
                for start in range(0, len(run) - size + 1):
                    chunk = run[start : start + size]
                    vocabulary.setdefault(chunk, (pinyin(chunk), initials(chunk)))
    lines = "\n".join(f"{spelled} {first} {word}" for word, (spelled, first) in sorted(vocabulary.items()))
    return text, lines


def index_product(product) -> None:
    """Write (or rewrite) one product's search document."""
    from shop.search.models import SearchDocument

    text, vocabulary = document_for(product)
    SearchDocument.objects.update_or_create(
        product=product, defaults={"text": text, "vocabulary": vocabulary}
    )
    cache.delete(VOCABULARY_CACHE_KEY)


def index_products(products=None) -> int:
    """Rebuild the documents of ``products`` (every product when None); returns how many."""
    from oscar.core.loading import get_model

    Product = get_model("catalogue", "Product")
    queryset = products if products is not None else Product.objects.all()
    count = 0
    for product in queryset.select_related("product_class").prefetch_related("categories"):
        index_product(product)
        count += 1
    return count


# --- queries -------------------------------------------------------------------------------------


def synonym_groups() -> list[list[str]]:
    """Staff's synonym lines as word lists (cached; dropped on every change)."""
    groups = cache.get(SYNONYMS_CACHE_KEY)
    if groups is None:
        from shop.search.models import SearchSynonym

        groups = [split_words(words) for words in SearchSynonym.objects.values_list("words", flat=True)]
        cache.set(SYNONYMS_CACHE_KEY, groups, CACHE_SECONDS)
    return groups


def alternatives(term: str) -> list[str]:
    """What a product's search text may contain to match the query word ``term``.

    The word itself and its synonyms; the words products use that are spelled so in pinyin or
    initials (xianggu, xg → 香菇), or that sound like a Chinese word typed with a wrong character
    (香姑, 黑木儿 → 香菇, 黑木耳); and the synonyms of those (mogu, 磨菇 → 蘑菇 → every 菇).
    """
    term = normalise(term).strip()
    if not term:
        return []
    found = [term]
    groups = synonym_groups()
    for group in groups:
        if term in group:
            found.extend(word for word in group if word not in found)
    sounds = {pinyin(word) for word in found if has_chinese(word) and len(word) >= 2}
    if _LATIN.match(term):
        sounds.add(term)
    vocabulary = _vocabulary()
    for sound in sounds:
        found.extend(word for word in vocabulary.spelled.get(sound, ()) if word not in found)
    if _LATIN.match(term) and len(term) >= 2:
        found.extend(word for word in vocabulary.initials.get(term, ())[:8] if word not in found)
    for group in groups:
        if any(has_chinese(word) and pinyin(word) in sounds for word in group):
            found.extend(word for word in group if word not in found)
    return found


class Vocabulary:
    """The Chinese words products use, by pinyin and by initials, and how many products use each."""

    def __init__(self):
        self.spelled: dict[str, list[str]] = {}
        self.initials: dict[str, list[str]] = {}
        self.uses: dict[str, int] = {}

    def add(self, spelled: str, first: str, word: str) -> None:
        if word not in self.uses:
            self.spelled.setdefault(spelled, []).append(word)
            self.initials.setdefault(first, []).append(word)
        self.uses[word] = self.uses.get(word, 0) + 1


_local_vocabulary: "tuple[object, Vocabulary] | None" = None


def _vocabulary_changed() -> None:
    try:
        cache.incr(VOCABULARY_CACHE_KEY)
    except ValueError:
        cache.set(VOCABULARY_CACHE_KEY, 1, None)


def _vocabulary() -> Vocabulary:
    """The vocabulary of every public product, built once per process and per change.

    Each process keeps its own copy; the shared cache holds only a version number, bumped
    whenever a document is written (without a cache, it is rebuilt per search: slower, not wrong).
    """
    global _local_vocabulary
    version = cache.get(VOCABULARY_CACHE_KEY)
    if version is not None and _local_vocabulary is not None and _local_vocabulary[0] == version:
        return _local_vocabulary[1]
    from shop.search.models import SearchDocument

    vocabulary = Vocabulary()
    documents = SearchDocument.objects.filter(product__is_public=True)
    for lines in documents.values_list("vocabulary", flat=True):
        for line in lines.splitlines():
            parts = line.split(" ")
            if len(parts) == 3:
                vocabulary.add(*parts)
    if version is None:
        # A fresh random start, so no process mistakes its copy from before a cache flush for this.
        start = random.getrandbits(48)
        cache.add(VOCABULARY_CACHE_KEY, start, None)
        version = cache.get(VOCABULARY_CACHE_KEY, object())
    _local_vocabulary = (version, vocabulary)
    return vocabulary


def corrections(term: str, *, limit: int = 3) -> list[str]:
    """Chinese words products use that sound or spell closest to ``term`` (香菇子, xainggu → 香菇),
    closest first, the more used first among equally close ones."""
    term = normalise(term).strip()
    if not term:
        return []
    key = pinyin(term) if has_chinese(term) else term
    if not _LATIN.match(key) or len(key) < 3:
        return []
    vocabulary = _vocabulary()
    scored = []
    for spelled in difflib.get_close_matches(key, vocabulary.spelled.keys(), n=limit * 4, cutoff=0.75):
        ratio = difflib.SequenceMatcher(None, key, spelled).ratio()
        for word in vocabulary.spelled[spelled]:
            if word != term:
                scored.append((-ratio, -vocabulary.uses[word], word))
    words = []
    for _, _, word in sorted(scored):
        if word not in words:
            words.append(word)
    return words[:limit]
