"""Signal wiring: shop changes drop cached shop-data blocks; page and menu changes drop the menus."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.cache import shop_data_changed
from cms.selectors import chrome_changed


def connect() -> None:
    from cms import shop_data
    from cms.models import FooterSettings, Menu, MenuItem

    for model in shop_data.invalidating_models():
        post_save.connect(shop_data_changed, sender=model, dispatch_uid=f"cms-shop-{model._meta.label}-save")
        post_delete.connect(
            shop_data_changed, sender=model, dispatch_uid=f"cms-shop-{model._meta.label}-delete"
        )
    for model in (Menu, MenuItem, FooterSettings):
        post_save.connect(chrome_changed, sender=model, dispatch_uid=f"cms-chrome-{model._meta.label}-save")
        post_delete.connect(
            chrome_changed, sender=model, dispatch_uid=f"cms-chrome-{model._meta.label}-delete"
        )
    page_published.connect(chrome_changed, dispatch_uid="cms-chrome-published")
    page_unpublished.connect(chrome_changed, dispatch_uid="cms-chrome-unpublished")
    post_page_move.connect(chrome_changed, dispatch_uid="cms-chrome-moved")
    post_delete.connect(_page_deleted, dispatch_uid="cms-chrome-page-deleted")


def _page_deleted(sender, **kwargs):
    from wagtail.models import Page

    if issubclass(sender, Page):
        chrome_changed(**kwargs)
