"""Oscar's catalogue, forked for Shiyan specialties.

Fields every product has and buyers filter on (origin county, brand, GTIN, quality marks) are real,
indexed columns; per-class descriptive data (net weight, storage, shelf life, alcohol) stays in
Oscar's product attributes, so editors can add more without a migration.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import (
    AbstractAttributeOption,
    AbstractProduct,
    AbstractProductClass,
)

from core.places import County
from core.validators import gtin14, validate_gtin


class QualityMark(models.Model):
    """A certification mark a product may carry (有机, 绿色食品, 地理标志 …), shown as a badge."""

    code = models.SlugField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("quality mark")
        verbose_name_plural = _("quality marks")

    def __str__(self):
        return self.name


class ProductClass(AbstractProductClass):
    adults_only = models.BooleanField(
        _("adults only"),
        default=False,
        help_text=_("Buyers must confirm they are 18 or older (alcohol)."),
    )
    #: Edible farm produce sold by its grower needs a 承诺达标合格证 per batch (traceability.gates).
    needs_certificate = models.BooleanField(
        _("needs a compliance certificate"),
        default=False,
        help_text=_(
            "Edible farm produce (fresh or dried vegetables, fungi, fruit, fresh tea leaves, eggs, fish): "
            "each batch needs its compliance certificate (承诺达标合格证) before it is sold."
        ),
    )


class Product(AbstractProduct):
    origin_county = models.CharField(
        _("origin county"), max_length=16, choices=County.choices, blank=True, db_index=True
    )
    brand = models.CharField(
        _("brand"), max_length=64, blank=True, db_index=True, help_text=_("Regional brand, e.g. 房县香菇")
    )
    gtin = models.CharField(
        _("GTIN"),
        max_length=14,
        blank=True,
        validators=[validate_gtin],
        help_text=_("GS1 trade item number (8, 12, 13 or 14 digits, check digit verified)."),
    )
    quality_marks = models.ManyToManyField(
        QualityMark, blank=True, related_name="products", verbose_name=_("quality marks")
    )

    class Meta(AbstractProduct.Meta):
        indexes = [
            # The storefront's default order (featured first, then newest) over the products it lists:
            # a category page walks this index and stops after a page, instead of sorting the category.
            models.Index(
                F("priority").desc(),
                F("date_created").desc(),
                F("id").desc(),
                condition=Q(is_public=True, parent=None),
                name="catalogue_product_merch_order",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["gtin"],
                condition=~Q(gtin=""),
                name="catalogue_product_unique_gtin",
                violation_error_code="gtin_taken",
                violation_error_message=_("Another product already has this GTIN."),
            ),
        ]

    @property
    def gtin14(self) -> str:
        return gtin14(self.gtin)

    @property
    def is_adults_only(self) -> bool:
        product_class = self.get_product_class()
        return bool(product_class and product_class.adults_only)


class AttributeOption(AbstractAttributeOption):
    class Meta(AbstractAttributeOption.Meta):
        # Oscar leaves options unordered; grades (特级, 一级, 二级) read in the order they were added.
        ordering = ["group_id", "id"]


from oscar.apps.catalogue.models import *  # noqa: E402,F403
