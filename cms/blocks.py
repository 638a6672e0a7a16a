"""StreamField blocks for brand, channel, story and content pages.

Content blocks (heading, text, image, quote, call to action, video) carry what editors write.
Shop-data blocks (product grid, category grid, supplier card, bases map, latest batches) store only
*which* records to show; prices, stock, suppliers and batches are read live through
``cms.shop_data`` at render time and cached for ``CMS_SHOP_DATA_CACHE_SECONDS`` (see ``cms.cache``).
Each block has a preview in the block picker (``preview_value`` rendered with
``cms/blocks/preview.html``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

from cms import cache as block_cache
from cms import shop_data
from cms.choosers import BaseCategoryChooserBlock, BasePartnerChooserBlock, BaseProductChooserBlock
from cms.embeds import allowed_sites_text, video_embed_url
from core.places import County

PREVIEW_TEMPLATE = "cms/blocks/preview.html"
RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]
MAX_GRID_PRODUCTS = 12


def _preview_request(context):
    request = context.get("request") if context else None
    return request, block_cache.is_preview(context)


# --- Choosers with messages an editor can act on ----------------------------------------------


class ProductChooserBlock(BaseProductChooserBlock):
    """One product on sale in the shop."""

    @cached_property
    def field(self):
        return forms.ModelChoiceField(
            queryset=self.model_class.objects.browsable(),
            widget=self.widget,
            required=self._required,
            validators=self._validators,
            help_text=self._help_text,
            error_messages={
                "required": _(
                    "Choose a product or remove this item. (A product deleted from the shop "
                    "leaves an empty item behind.)"
                ),
                "invalid_choice": _(
                    "This product is no longer on sale in the shop (deleted or hidden). "
                    "Choose another product or remove this item."
                ),
            },
        )

    class Meta:
        icon = "tag"


class CategoryChooserBlock(BaseCategoryChooserBlock):
    """One public category of the shop."""

    @cached_property
    def field(self):
        return forms.ModelChoiceField(
            queryset=self.model_class.objects.browsable(),
            widget=self.widget,
            required=self._required,
            validators=self._validators,
            help_text=self._help_text,
            error_messages={
                "required": _("Choose a category, or remove this item."),
                "invalid_choice": _(
                    "This category is no longer shown in the shop (deleted or hidden). Choose another."
                ),
            },
        )

    class Meta:
        icon = "folder-open-inverse"


class PartnerChooserBlock(BasePartnerChooserBlock):
    """One supplier (an Oscar partner) of the shop."""

    class Meta:
        icon = "group"


class AltTextBlock(blocks.CharBlock):
    """Alt text: required, with a message telling the editor what to write."""

    def __init__(self, **kwargs):
        super().__init__(required=True, max_length=200, **kwargs)
        self.field.error_messages["required"] = _(
            "Add alt text: say in a few words what the image shows, for people who cannot see it."
        )


# --- Content blocks ---------------------------------------------------------------------------


class HeadingBlock(blocks.StructBlock):
    """A section heading, h2 for a section or h3 for a subsection."""

    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section (h2)")), ("h3", _("Subsection (h3)"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "cms/blocks/heading.html"
        preview_template = PREVIEW_TEMPLATE
        description = _("A heading that starts a new section of the page.")
        preview_value = {"text": "一片茶叶的来处", "level": "h2"}


class TextBlock(blocks.RichTextBlock):
    """Paragraphs with simple formatting, lists and links (images go in an image block)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "cms/blocks/text.html"
        preview_template = PREVIEW_TEMPLATE
        description = _("Paragraphs of text with headings, lists and links.")
        preview_value = (
            "<p>丹江口水库是南水北调中线工程的核心水源地。十堰人守护一库清水，"
            "北京市民买十堰的好产品，让帮扶的钱直接回到合作社和农户手里。</p>"
        )


class ImageBlock(blocks.StructBlock):
    """A photo with required alt text, an optional caption and credit; served as WebP."""

    image = ImageChooserBlock(label=_("Image"))
    alt = AltTextBlock(
        label=_("Alt text"),
        help_text=_("What the photo shows, e.g. “Tea pickers on a terrace below Wudang Mountain”."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)
    credit = blocks.CharBlock(label=_("Photo credit"), required=False, max_length=100)
    width = blocks.ChoiceBlock(
        label=_("Width"),
        choices=[("text", _("Text width")), ("wide", _("Full width"))],
        default="text",
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"
        preview_template = PREVIEW_TEMPLATE
        description = _("A photo with alt text and an optional caption.")
        preview_value = {"alt": "武当山下的茶园", "caption": "武当山茶园", "width": "text"}

    def get_preview_value(self):
        from wagtail.images import get_image_model

        image = get_image_model().objects.order_by("-pk").first()
        return self.normalize({**self.meta.preview_value, "image": image})


class QuoteBlock(blocks.StructBlock):
    """A quotation with who said it, e.g. a cooperative member or a Beijing buyer."""

    text = blocks.TextBlock(label=_("Quotation"), max_length=500)
    attribution = blocks.CharBlock(label=_("Who said it"), required=False, max_length=100)
    role = blocks.CharBlock(label=_("Their role"), required=False, max_length=100)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/quote.html"
        preview_template = PREVIEW_TEMPLATE
        description = _("A quotation with attribution.")
        preview_value = {
            "text": "以前香菇只能卖给上门的贩子，现在北京的食堂直接下单。",
            "attribution": "王大姐",
            "role": "房县菌菇专业合作社社员",
        }


class CallToActionBlock(blocks.StructBlock):
    """A short pitch with one button, linking to a page of this site or to a web address."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=400)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=40)
    page = blocks.PageChooserBlock(label=_("Link to a page"), required=False)
    url = blocks.URLBlock(label=_("…or to a web address"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            message = _("Link the button to a page or to a web address: one of the two, not both.")
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(message), "url": ValidationError(message)}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        page = value.get("page")
        context["href"] = page.url if page else value.get("url")
        return context

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "cms/blocks/call_to_action.html"
        preview_template = PREVIEW_TEMPLATE
        description = _("A short pitch with a button.")
        preview_value = {
            "heading": "单位食堂采购十堰农产品",
            "text": "学校、企业和超市可以按渠道价格批量采购。",
            "button_label": "申请加入",
            "url": "https://example.com/",
        }


class VideoBlock(blocks.StructBlock):
    """A video from an allowed site (bilibili, Tencent Video, Youku), played in place."""

    url = blocks.URLBlock(
        label=_("Video address"),
        help_text=_("The address of the video's page, e.g. https://www.bilibili.com/video/BV…"),
    )
    title = blocks.CharBlock(
        label=_("Title"),
        max_length=120,
        help_text=_("What the video is about; read out by screen readers."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    def clean(self, value):
        value = super().clean(value)
        if video_embed_url(value.get("url")) is None:
            raise StructBlockValidationError(
                block_errors={
                    "url": ValidationError(
                        _(
                            "Videos can only be embedded from these sites: %(sites)s. "
                            "Paste the address of the video's own page."
                        )
                        % {"sites": allowed_sites_text()}
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        # Checked again at render time: a site taken off the allow-list stops playing at once.
        context["embed_url"] = video_embed_url(value.get("url"))
        return context

    class Meta:
        icon = "media"
        label = _("Video")
        template = "cms/blocks/video.html"
        preview_template = PREVIEW_TEMPLATE
        description = _("A video from bilibili, Tencent Video or Youku.")
        preview_value = {
            "url": "https://www.bilibili.com/video/BV1GJ411x7h7",
            "title": "武当山茶园春采",
            "caption": "",
        }


# --- Shop-data blocks -------------------------------------------------------------------------


class LiveShopDataBlock(blocks.StructBlock):
    """Base for blocks that read the shop at render time: caches the rendered HTML (see cms.cache)."""

    def render(self, value, context=None):
        return block_cache.cached_render(
            self, value, context, lambda: super(LiveShopDataBlock, self).render(value, context)
        )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        request, is_preview = _preview_request(parent_context)
        context["request"] = request
        context["is_preview"] = is_preview
        return context


def _first_public_category():
    from oscar.core.loading import get_model

    category = get_model("catalogue", "Category").objects.browsable().order_by("path").first()
    return category


class ProductGridBlock(LiveShopDataBlock):
    """Products with live price, stock state and link: chosen ones, or a category's or brand's newest."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    source = blocks.ChoiceBlock(
        label=_("Show"),
        choices=[
            ("chosen", _("The products chosen below")),
            ("category", _("The newest products of a category")),
            ("brand", _("The newest products of a brand")),
            ("newest", _("The newest products in the shop")),
        ],
        default="category",
    )
    products = blocks.ListBlock(
        ProductChooserBlock(label=_("Product")),
        label=_("Products"),
        required=False,
        max_num=MAX_GRID_PRODUCTS,
        default=[],
    )
    category = CategoryChooserBlock(label=_("Category"), required=False)
    brand = blocks.CharBlock(
        label=_("Brand"),
        required=False,
        max_length=64,
        help_text=_("As written on the products in the shop, e.g. 房县香菇."),
    )
    limit = blocks.IntegerBlock(label=_("How many"), min_value=1, max_value=MAX_GRID_PRODUCTS, default=8)
    show_more = blocks.BooleanBlock(label=_("Link to the whole category"), required=False, default=True)

    def clean(self, value):
        value = super().clean(value)
        source = value.get("source")
        if source == "chosen":
            if not [p for p in value.get("products") or [] if p is not None]:
                raise StructBlockValidationError(
                    block_errors={
                        "products": ListBlockValidationError(
                            non_block_errors=[ValidationError(_("Choose at least one product to show."))]
                        )
                    }
                )
        elif source == "category" and not value.get("category"):
            raise StructBlockValidationError(
                block_errors={"category": ValidationError(_("Choose the category whose products to show."))}
            )
        elif source == "brand" and not (value.get("brand") or "").strip():
            raise StructBlockValidationError(
                block_errors={"brand": ValidationError(_("Enter the brand whose products to show."))}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        source = value.get("source")
        limit = value.get("limit") or 8
        kwargs = {"limit": limit, "request": context["request"]}
        if source == "chosen":
            kwargs["products"] = value.get("products") or []
        elif source == "category":
            kwargs["category"] = value.get("category")
        elif source == "brand":
            kwargs["brand"] = (value.get("brand") or "").strip()
        elif source == "newest":
            kwargs["newest"] = True
        context["cards"] = shop_data.product_cards(**kwargs)
        category = value.get("category") if source == "category" else None
        if category is not None and not category.is_public:
            category = None
        context["more_url"] = category.get_absolute_url() if category and value.get("show_more") else ""
        context["more_label"] = category.name if category else ""
        context["more_all_url"] = (
            reverse("catalogue:index") if source == "newest" and value.get("show_more") else ""
        )
        return context

    class Meta:
        icon = "list-ul"
        label = _("Product grid")
        template = "cms/blocks/product_grid.html"
        preview_template = PREVIEW_TEMPLATE
        description = _(
            "Products from the shop with their current price, stock and link. "
            "Hidden or deleted products and suspended suppliers are left out."
        )
        preview_value = {"heading": "在售好物", "source": "category", "limit": 4}

    def get_preview_value(self):
        # The live shop: the first public category, so the preview shows real products and prices.
        return self.normalize({**self.meta.preview_value, "category": _first_public_category()})


class CategoryGridBlock(LiveShopDataBlock):
    """Links to shop categories, e.g. tea, mushrooms, citrus."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    categories = blocks.ListBlock(
        CategoryChooserBlock(label=_("Category")), label=_("Categories"), min_num=1, max_num=12
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["cards"] = shop_data.category_cards(value.get("categories") or [])
        return context

    class Meta:
        icon = "folder-open-inverse"
        label = _("Category grid")
        template = "cms/blocks/category_grid.html"
        preview_template = PREVIEW_TEMPLATE
        description = _("Links to categories of the shop.")
        preview_value = {"heading": "按品类选购", "categories": []}

    def get_preview_value(self):
        from oscar.core.loading import get_model

        categories = list(get_model("catalogue", "Category").objects.browsable().order_by("path")[:4])
        return self.normalize({**self.meta.preview_value, "categories": categories})


class SupplierCardBlock(LiveShopDataBlock):
    """The cooperative or company behind the products, linking to its public profile."""

    partner = PartnerChooserBlock(label=_("Supplier"))
    note = blocks.TextBlock(label=_("Note"), required=False, max_length=300)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["supplier"] = shop_data.supplier_card(value.get("partner"))
        return context

    class Meta:
        icon = "group"
        label = _("Supplier card")
        template = "cms/blocks/supplier_card.html"
        preview_template = PREVIEW_TEMPLATE
        description = _(
            "A supplier's card from its public profile. Shows nothing while the supplier is not approved."
        )
        preview_value = {"note": ""}

    def get_preview_value(self):
        from oscar.core.loading import get_model

        partner = get_model("partner", "Partner").objects.order_by("pk").first()
        return self.normalize({**self.meta.preview_value, "partner": partner})


class BasesMapBlock(LiveShopDataBlock):
    """A map of Shiyan with the production bases of some suppliers or of one county."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    partners = blocks.ListBlock(
        PartnerChooserBlock(label=_("Supplier")),
        label=_("Suppliers"),
        required=False,
        default=[],
        help_text=_("Leave empty to show every supplier's bases."),
    )
    county = blocks.ChoiceBlock(label=_("County"), choices=County.choices, required=False)

    def get_context(self, value, parent_context=None):
        from cms.maps import shiyan_map

        context = super().get_context(value, parent_context)
        partner_ids = [p.pk for p in value.get("partners") or [] if p is not None]
        bases = shop_data.production_bases(partner_ids=partner_ids, county=value.get("county") or "")
        context["map"] = shiyan_map(bases) if bases else None
        return context

    class Meta:
        icon = "site"
        label = _("Bases map")
        template = "cms/blocks/bases_map.html"
        preview_template = PREVIEW_TEMPLATE
        description = _("Where the production bases are, on a map of Shiyan (no outside map service).")
        preview_value = {"heading": "生产基地分布", "partners": [], "county": ""}


class LatestBatchesBlock(LiveShopDataBlock):
    """The newest published batches of a brand or category, each linking to its trace page."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    brand = blocks.CharBlock(
        label=_("Brand"),
        required=False,
        max_length=64,
        help_text=_("As written on the products, e.g. 房县香菇."),
    )
    category = CategoryChooserBlock(label=_("…or category"), required=False)
    limit = blocks.IntegerBlock(label=_("How many"), min_value=1, max_value=12, default=5)

    def clean(self, value):
        value = super().clean(value)
        if not (value.get("brand") or "").strip() and not value.get("category"):
            raise StructBlockValidationError(
                block_errors={"brand": ValidationError(_("Enter a brand or choose a category."))}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["batches"] = shop_data.latest_batches(
            brand=(value.get("brand") or "").strip(),
            category=value.get("category"),
            limit=value.get("limit") or 5,
        )
        return context

    class Meta:
        icon = "history"
        label = _("Latest batches")
        template = "cms/blocks/latest_batches.html"
        preview_template = PREVIEW_TEMPLATE
        description = _(
            "The newest batches on sale, with links to their trace pages. Recalled batches never show."
        )
        preview_value = {"heading": "最新批次", "brand": "房县香菇", "limit": 5}


def _impact_figures_block():
    from impact.blocks import ImpactFiguresBlock  # impact reporting's public figures (issue 14)

    return ImpactFiguresBlock()


class BodyBlock(blocks.StreamBlock):
    """Everything a page body can hold."""

    heading = HeadingBlock()
    text = TextBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    video = VideoBlock()
    product_grid = ProductGridBlock()
    category_grid = CategoryGridBlock()
    supplier_card = SupplierCardBlock()
    bases_map = BasesMapBlock()
    latest_batches = LatestBatchesBlock()
    impact_figures = _impact_figures_block()
