"""The public impact figures block for Wagtail pages (offered in cms.blocks.BodyBlock)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms import cache as block_cache

from .figures import public_headline


class ImpactFiguresBlock(blocks.StructBlock):
    """Live headline figures of the green channel (impact reporting): totals only, never a buyer.

    Read from the impact roll-ups in one query, then cached like every shop-data block.
    """

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    period = blocks.ChoiceBlock(
        label=_("Period"),
        choices=[("year", _("This year")), ("all", _("Since the start"))],
        default="year",
    )

    def render(self, value, context=None):
        # Cached like cms's shop-data blocks (cms.cache): a cached page adds no query for it.
        return block_cache.cached_render(
            self, value, context, lambda: super(ImpactFiguresBlock, self).render(value, context)
        )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["is_preview"] = block_cache.is_preview(parent_context)
        today = timezone.localdate()
        since = today.replace(month=1, day=1) if value.get("period") != "all" else None
        context["figures"] = public_headline(since=since, until=today)
        context["year"] = today.year if since else None
        return context

    class Meta:
        icon = "order"
        label = _("Impact figures")
        template = "impact/blocks/figures.html"
        preview_template = "cms/blocks/preview.html"
        description = _("Sales, suppliers, products and households reached, live from the orders.")
        preview_value = {"heading": "帮扶成效", "period": "year"}
