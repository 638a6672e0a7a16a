"""Admin choosers for shop records that blocks point at: products, categories and partners.

Read-only: editors pick from what the shop already has; nothing is created or changed from here.
Each chooser lists only what the public can see, so an editor cannot pick a hidden product.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.viewsets.chooser import ChooserViewSet


class _TextSearchFilterForm(BaseFilterForm):
    """A search box over a few text columns (the shop's models are not in Wagtail's search index)."""

    search_fields: tuple[str, ...] = ()
    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": query})
            objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = query
        return objects


class ProductFilterForm(_TextSearchFilterForm):
    search_fields = ("title", "brand", "upc")


class CategoryFilterForm(_TextSearchFilterForm):
    search_fields = ("name",)


class PartnerFilterForm(_TextSearchFilterForm):
    search_fields = ("name", "code")


class _ShopChooserViewSet(ChooserViewSet):
    """A chooser over a shop model with a plain text search (``filter_form_class``)."""

    filter_form_class = None

    def get_common_view_kwargs(self, **kwargs):
        # Views without a ``filter_form_class`` attribute drop it (see ViewSet.construct_view).
        return super().get_common_view_kwargs(filter_form_class=self.filter_form_class, **kwargs)


class ProductChooserViewSet(_ShopChooserViewSet):
    model = "catalogue.Product"
    icon = "tag"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")
    per_page = 20
    filter_form_class = ProductFilterForm

    def get_object_list(self):
        return get_model("catalogue", "Product").objects.browsable().order_by("title")


class CategoryChooserViewSet(_ShopChooserViewSet):
    model = "catalogue.Category"
    icon = "folder-open-inverse"
    choose_one_text = _("Choose a category")
    choose_another_text = _("Choose another category")
    per_page = 30
    filter_form_class = CategoryFilterForm

    def get_object_list(self):
        return get_model("catalogue", "Category").objects.browsable().order_by("path")


class PartnerChooserViewSet(_ShopChooserViewSet):
    model = "partner.Partner"
    icon = "group"
    choose_one_text = _("Choose a supplier")
    choose_another_text = _("Choose another supplier")
    per_page = 30
    filter_form_class = PartnerFilterForm

    def get_object_list(self):
        return get_model("partner", "Partner").objects.order_by("name")


product_chooser_viewset = ProductChooserViewSet("cms_product_chooser", url_prefix="cms/product-chooser")
category_chooser_viewset = CategoryChooserViewSet("cms_category_chooser", url_prefix="cms/category-chooser")
partner_chooser_viewset = PartnerChooserViewSet("cms_partner_chooser", url_prefix="cms/partner-chooser")

BaseProductChooserBlock = product_chooser_viewset.get_block_class(
    name="BaseProductChooserBlock", module_path="cms.choosers"
)
BaseCategoryChooserBlock = category_chooser_viewset.get_block_class(
    name="BaseCategoryChooserBlock", module_path="cms.choosers"
)
BasePartnerChooserBlock = partner_chooser_viewset.get_block_class(
    name="BasePartnerChooserBlock", module_path="cms.choosers"
)
