"""The dashboard's product table, with where each product comes from and under which brand."""

from django.utils.translation import gettext_lazy as _
from django_tables2 import A, Column, TemplateColumn
from oscar.apps.dashboard.catalogue import tables as oscar_tables
from oscar.apps.dashboard.catalogue.tables import *  # noqa: F403


class ProductTable(oscar_tables.ProductTable):
    # Oscar's checkbox columns offer a sort link, and sorting by them was a server error.
    checkbox = TemplateColumn(
        verbose_name="", template_name="oscar/dashboard/catalogue/product_row_checkbox.html", orderable=False
    )
    origin_county = Column(
        verbose_name=_("Origin county"),
        accessor=A("get_origin_county_display"),
        order_by="origin_county",
        default="—",
    )
    brand = Column(verbose_name=_("Brand"), order_by="brand", default="—")

    class Meta(oscar_tables.ProductTable.Meta):
        sequence = (
            "checkbox",
            "title",
            "upc",
            "image",
            "origin_county",
            "brand",
            "product_class",
            "variants",
            "stock_records",
            "...",
            "is_public",
            "date_updated",
            "actions",
        )


class CategoryTable(oscar_tables.CategoryTable):
    checkbox = TemplateColumn(
        verbose_name="", template_name="oscar/dashboard/catalogue/category_row_checkbox.html", orderable=False
    )
    # Oscar gives this column no name, so its header read "Actions" untranslated.
    actions = TemplateColumn(
        verbose_name=_("Actions"),
        template_name="oscar/dashboard/catalogue/category_row_actions.html",
        orderable=False,
    )
