"""Wagtail admin wiring: the shop choosers used by blocks, and the menus as snippets."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.choosers import category_chooser_viewset, partner_chooser_viewset, product_chooser_viewset
from cms.models import Menu


@hooks.register("register_admin_viewset")
def register_shop_choosers():
    return [product_chooser_viewset, category_chooser_viewset, partner_chooser_viewset]


class MenuViewSet(SnippetViewSet):
    model = Menu
    icon = "list-ul"
    menu_label = _("Menus")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["title", "handle"]


register_snippet(MenuViewSet)
