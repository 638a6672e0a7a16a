"""Django admin for the catalogue: Oscar's registrations, plus quality marks and the Shiyan fields."""

from django.contrib import admin
from oscar.apps.catalogue.admin import *  # noqa: F403
from oscar.apps.catalogue.admin import ProductAdmin as OscarProductAdmin
from oscar.apps.catalogue.admin import ProductClassAdmin as OscarProductClassAdmin
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
QualityMark = get_model("catalogue", "QualityMark")


@admin.register(QualityMark)
class QualityMarkAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "display_order")
    list_editable = ("display_order",)
    search_fields = ("name", "code")


class ProductAdmin(OscarProductAdmin):
    list_display = (
        *OscarProductAdmin.list_display[:3],
        "origin_county",
        "brand",
        "gtin",
        *OscarProductAdmin.list_display[3:],
    )
    list_filter = [*OscarProductAdmin.list_filter, "origin_county", "quality_marks"]
    search_fields = [*OscarProductAdmin.search_fields, "gtin", "brand"]
    filter_horizontal = ("quality_marks",)


class ProductClassAdmin(OscarProductClassAdmin):
    list_display = (*OscarProductClassAdmin.list_display, "adults_only", "needs_certificate")
    list_filter = ("adults_only", "needs_certificate")


# Oscar registered its own admins when its module was imported above; ours replace them.
for model, model_admin in ((Product, ProductAdmin), (ProductClass, ProductClassAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
