"""Keep each product's search document current, and drop the cached synonyms when staff edit them."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oscar.core.loading import get_model

from shop.search import index
from shop.search.models import SearchSynonym

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")


@receiver(post_save, sender=Product, dispatch_uid="search-product-saved")
def _product_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index.index_product(instance)


@receiver(post_save, sender=ProductCategory, dispatch_uid="search-product-category-saved")
@receiver(post_delete, sender=ProductCategory, dispatch_uid="search-product-category-deleted")
def _product_filed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    product = Product.objects.filter(pk=instance.product_id).first()
    if product is not None:
        index.index_product(product)


@receiver(post_save, sender=Category, dispatch_uid="search-category-saved")
def _category_renamed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        index.index_products(Product.objects.filter(categories=instance))


@receiver(post_save, sender=SearchSynonym, dispatch_uid="search-synonym-saved")
@receiver(post_delete, sender=SearchSynonym, dispatch_uid="search-synonym-deleted")
def _synonyms_changed(sender, **kwargs):
    cache.delete(index.SYNONYMS_CACHE_KEY)
