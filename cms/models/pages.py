"""Wagtail page types: home, section, brand, channel landing, story index, story and content pages.

Every page keeps its Chinese text in Wagtail's own fields and its English text in ``*_en`` siblings,
read through ``TranslatedField`` (docs/cms-i18n.md says why). Every page has a meta title and
description in both languages and a social-sharing image (Open Graph).
"""

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.forms.forms import FormBuilder
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model_string
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, BodyBlock, ProductGridBlock
from cms.i18n import TranslatedField, english_active, pick
from core.places import County

STORIES_PER_PAGE = 12


class Channel(models.TextChoices):
    """The four docking channels into Beijing (DOMAIN.md)."""

    SUPERMARKET = "supermarket", _("Supermarkets")
    ENTERPRISE = "enterprise", _("Enterprises")
    SCHOOL = "school", _("Schools")
    RESTAURANT = "restaurant", _("Restaurants")


def _image_field(verbose_name, help_text=""):
    return models.ForeignKey(
        get_image_model_string(),
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=help_text,
    )


def _body_field(verbose_name):
    return StreamField(BodyBlock(), verbose_name=verbose_name, blank=True, use_json_field=True)


def page_tabs(content_panels, english_panels, promote_panels, settings_panels):
    """Content (Chinese) | English | Promote | Settings."""
    return TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(english_panels, heading=_("English")),
            ObjectList(promote_panels, heading=_("Promote")),
            ObjectList(settings_panels, heading=_("Settings")),
        ]
    )


class SeoMixin(models.Model):
    """English title and meta fields, a social-sharing image, and the helpers templates use."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    seo_title_en = models.CharField(_("title tag (English)"), max_length=255, blank=True)
    search_description_en = models.TextField(_("meta description (English)"), blank=True)
    og_image = _image_field(
        _("sharing image"),
        _("Shown when the page is shared on WeChat, Weibo and the like. Defaults to the page's main image."),
    )

    display_title = TranslatedField("title")

    english_meta_panels = [
        FieldPanel("title_en"),
        MultiFieldPanel(
            [FieldPanel("seo_title_en"), FieldPanel("search_description_en")],
            heading=_("For search engines (English)"),
        ),
    ]
    promote_panels = [
        MultiFieldPanel(
            [
                FieldPanel("slug"),
                FieldPanel("seo_title"),
                FieldPanel("search_description"),
                FieldPanel("og_image"),
            ],
            heading=_("For search engines and sharing"),
        ),
        MultiFieldPanel([FieldPanel("show_in_menus")], heading=_("For site menus")),
    ]

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @property
    def meta_title(self) -> str:
        return pick(self.seo_title or self.title, self.seo_title_en or self.title_en)

    @property
    def meta_description(self) -> str:
        return pick(self.search_description, self.search_description_en) or self.card_text

    @property
    def card_text(self) -> str:
        """A sentence or two about the page for cards and meta descriptions."""
        return getattr(self, "intro_i18n", "") or ""

    @property
    def card_image(self):
        return getattr(self, "hero_image", None)

    def get_og_image(self):
        return self.og_image or self.card_image

    def breadcrumbs(self, request=None) -> list[dict]:
        """``{"title", "url"}`` of the ancestors below the tree root, in the active language (cached)."""
        from cms.selectors import breadcrumbs

        return breadcrumbs(self, request)


class BasePage(SeoMixin, Page):
    """Common ground of our page types."""

    class Meta:
        abstract = True


# --- Home ---------------------------------------------------------------------------------------


class HomePage(BasePage):
    """The site root: why the platform exists, the four channels, the five brands, the latest stories."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)
    intro_en = models.CharField(_("introduction (English)"), max_length=255, blank=True)
    hero_image = _image_field(_("hero image"))
    mission = models.TextField(
        _("why we exist"), blank=True, help_text=_("A short paragraph under the introduction.")
    )
    mission_en = models.TextField(_("why we exist (English)"), blank=True)
    body = _body_field(_("body"))
    body_en = _body_field(_("body (English)"))

    intro_i18n = TranslatedField("intro")
    mission_i18n = TranslatedField("mission")
    body_i18n = TranslatedField("body")

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("mission"),
        FieldPanel("body"),
    ]
    english_panels = SeoMixin.english_meta_panels + [
        FieldPanel("intro_en"),
        FieldPanel("mission_en"),
        FieldPanel("body_en"),
    ]
    edit_handler = page_tabs(content_panels, english_panels, SeoMixin.promote_panels, Page.settings_panels)
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("mission")]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.SectionPage",
        "cms.BrandPage",
        "cms.ChannelPage",
        "cms.StoryIndexPage",
        "cms.ContentPage",
    ]
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["channels"] = list(
            ChannelPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("hero_image")
            .order_by("path")
        )
        context["brands"] = list(
            BrandPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("hero_image")
            .order_by("path")
        )
        context["stories"] = list(
            StoryPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("hero_image")
            .order_by("-date", "-pk")[:3]
        )
        context["newest_products"] = self.newest_products_block()
        return context

    #: How many of the shop's newest products the home page shows right under its banner.
    NEWEST_PRODUCTS = 6

    def newest_products_block(self):
        """The shop's newest products on sale, first thing under the banner (a phone's first screen).

        The product grid block itself, so the strip is priced, filtered and cached like any grid an
        editor places (cms.cache): a warm page pays no query for it.
        """
        block = ProductGridBlock()
        value = block.to_python(
            {"heading": "", "source": "newest", "limit": self.NEWEST_PRODUCTS, "show_more": True}
        )
        return block.bind(value)


# --- Section (a listing of its children) --------------------------------------------------------


class SectionPage(BasePage):
    """A section such as “Brands” or “Channels”: an introduction and cards for the pages below it."""

    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    hero_image = _image_field(_("hero image"))
    body = _body_field(_("body"))
    body_en = _body_field(_("body (English)"))

    intro_i18n = TranslatedField("intro")
    body_i18n = TranslatedField("body")

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("hero_image"), FieldPanel("body")]
    english_panels = SeoMixin.english_meta_panels + [FieldPanel("intro_en"), FieldPanel("body_en")]
    edit_handler = page_tabs(content_panels, english_panels, SeoMixin.promote_panels, Page.settings_panels)
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.BrandPage", "cms.ChannelPage", "cms.ContentPage"]
    template = "cms/section_page.html"

    class Meta:
        verbose_name = _("section page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = list(self.get_children().live().public().specific())
        return context


# --- Brand --------------------------------------------------------------------------------------


class BrandPage(BasePage):
    """A regional brand (武当山茶, 房县香菇 …): its story, its products live from the shop, its stories."""

    brand_name = models.CharField(
        _("brand in the shop"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("As written in the brand field of the products, e.g. 房县香菇. Leave empty if none."),
    )
    category = models.ForeignKey(
        "catalogue.Category",
        verbose_name=_("shop category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The category the brand's products are in, for the “all products” link."),
    )
    county = models.CharField(_("county"), max_length=16, choices=County.choices, blank=True)
    tagline = models.CharField(_("tagline"), max_length=120, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=120, blank=True)
    hero_image = _image_field(_("hero image"))
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    body = _body_field(_("body"))
    body_en = _body_field(_("body (English)"))

    tagline_i18n = TranslatedField("tagline")
    intro_i18n = TranslatedField("intro")
    body_i18n = TranslatedField("body")

    content_panels = Page.content_panels + [
        FieldPanel("tagline"),
        FieldRowPanel([FieldPanel("brand_name"), FieldPanel("county")]),
        FieldPanel("category"),
        FieldPanel("hero_image"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    english_panels = SeoMixin.english_meta_panels + [
        FieldPanel("tagline_en"),
        FieldPanel("intro_en"),
        FieldPanel("body_en"),
    ]
    edit_handler = page_tabs(content_panels, english_panels, SeoMixin.promote_panels, Page.settings_panels)
    search_fields = Page.search_fields + [
        index.SearchField("brand_name"),
        index.SearchField("tagline"),
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("county"),
    ]

    parent_page_types = ["cms.HomePage", "cms.SectionPage"]
    subpage_types = ["cms.ContentPage"]
    template = "cms/brand_page.html"

    class Meta:
        verbose_name = _("brand page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["stories"] = list(
            StoryPage.objects.live()
            .public()
            .filter(brand=self)
            .select_related("hero_image")
            .order_by("-date", "-pk")[:3]
        )
        return context


# --- Channel landing ----------------------------------------------------------------------------


class ChannelFormBuilder(FormBuilder):
    """Labels and help texts in English when English is active and the editor wrote them."""

    def create_dropdown_field(self, field, options):
        # An optional dropdown starts empty, so nobody sends the first choice by accident.
        form_field = super().create_dropdown_field(field, options)
        if not field.required:
            form_field.choices = [("", "---------"), *form_field.choices]
        return form_field

    def get_field_options(self, field):
        options = super().get_field_options(field)
        if english_active():
            options["label"] = getattr(field, "label_en", "") or options["label"]
            if getattr(field, "help_text_en", ""):
                options["help_text"] = field.help_text_en
        return options


class ChannelFormField(AbstractFormField):
    """A field of the “register interest” form at the foot of a channel page."""

    page = ParentalKey("cms.ChannelPage", on_delete=models.CASCADE, related_name="form_fields")
    label_en = models.CharField(_("label (English)"), max_length=255, blank=True)
    help_text_en = models.CharField(_("help text (English)"), max_length=255, blank=True)

    panels = AbstractFormField.panels + [FieldPanel("label_en"), FieldPanel("help_text_en")]

    class Meta(AbstractFormField.Meta):
        verbose_name = _("form field")


class ChannelPage(SeoMixin, AbstractEmailForm):
    """One docking channel (农超/农企/农校/农餐): who it serves, how to join, terms, contact, and a form.

    The form records an organisation's interest and e-mails the channel team; joining itself (an
    organisation account with channel prices) is done by the channel managers.
    """

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    tagline = models.CharField(_("tagline"), max_length=120, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=120, blank=True)
    hero_image = _image_field(_("hero image"))
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    audience = RichTextField(_("who it serves"), features=RICH_TEXT_FEATURES, blank=True)
    audience_en = RichTextField(_("who it serves (English)"), features=RICH_TEXT_FEATURES, blank=True)
    how_to_join = RichTextField(_("how an organisation joins"), features=RICH_TEXT_FEATURES, blank=True)
    how_to_join_en = RichTextField(
        _("how an organisation joins (English)"), features=RICH_TEXT_FEATURES, blank=True
    )
    terms = RichTextField(_("terms"), features=RICH_TEXT_FEATURES, blank=True)
    terms_en = RichTextField(_("terms (English)"), features=RICH_TEXT_FEATURES, blank=True)
    contact_name = models.CharField(_("contact person or team"), max_length=100, blank=True)
    contact_name_en = models.CharField(_("contact person or team (English)"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    body = _body_field(_("more content"))
    body_en = _body_field(_("more content (English)"))
    form_intro = models.TextField(_("form introduction"), blank=True)
    form_intro_en = models.TextField(_("form introduction (English)"), blank=True)
    thank_you_text = RichTextField(_("thank-you text"), features=RICH_TEXT_FEATURES, blank=True)
    thank_you_text_en = RichTextField(_("thank-you text (English)"), features=RICH_TEXT_FEATURES, blank=True)

    tagline_i18n = TranslatedField("tagline")
    intro_i18n = TranslatedField("intro")
    audience_i18n = TranslatedField("audience")
    how_to_join_i18n = TranslatedField("how_to_join")
    terms_i18n = TranslatedField("terms")
    contact_name_i18n = TranslatedField("contact_name")
    body_i18n = TranslatedField("body")
    form_intro_i18n = TranslatedField("form_intro")
    thank_you_text_i18n = TranslatedField("thank_you_text")

    form_builder = ChannelFormBuilder

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldRowPanel([FieldPanel("channel"), FieldPanel("tagline")]),
        FieldPanel("hero_image"),
        FieldPanel("intro"),
        FieldPanel("audience"),
        FieldPanel("how_to_join"),
        FieldPanel("terms"),
        MultiFieldPanel(
            [
                FieldPanel("contact_name"),
                FieldRowPanel([FieldPanel("contact_phone"), FieldPanel("contact_email")]),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("form_intro"),
                InlinePanel("form_fields", label=_("Form fields")),
                FieldPanel("thank_you_text"),
            ],
            heading=_("Register-interest form"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail to the channel team"),
        ),
    ]
    english_panels = SeoMixin.english_meta_panels + [
        FieldPanel("tagline_en"),
        FieldPanel("intro_en"),
        FieldPanel("audience_en"),
        FieldPanel("how_to_join_en"),
        FieldPanel("terms_en"),
        FieldPanel("contact_name_en"),
        FieldPanel("body_en"),
        FieldPanel("form_intro_en"),
        FieldPanel("thank_you_text_en"),
    ]
    edit_handler = page_tabs(content_panels, english_panels, SeoMixin.promote_panels, Page.settings_panels)
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("audience"),
        index.SearchField("how_to_join"),
        index.FilterField("channel"),
    ]

    parent_page_types = ["cms.HomePage", "cms.SectionPage"]
    subpage_types = []
    template = "cms/channel_page.html"
    landing_page_template = "cms/channel_page_landing.html"

    class Meta:
        verbose_name = _("channel page")

    def clean(self):
        super().clean()
        duplicate = (
            ChannelPage.objects.filter(channel=self.channel).exclude(pk=self.pk).only("title").first()
            if self.channel
            else None
        )
        if duplicate is not None:
            raise ValidationError(
                {
                    "channel": _(
                        "There is already a page for this channel: “%(title)s”. Edit that one instead."
                    )
                    % {"title": duplicate.title}
                }
            )


# --- Stories ------------------------------------------------------------------------------------


class StoryIndexPage(BasePage):
    """Cooperative stories and news, newest first, filterable by tag."""

    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    intro_i18n = TranslatedField("intro")

    content_panels = Page.content_panels + [FieldPanel("intro")]
    english_panels = SeoMixin.english_meta_panels + [FieldPanel("intro_en")]
    edit_handler = page_tabs(content_panels, english_panels, SeoMixin.promote_panels, Page.settings_panels)

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StoryPage"]
    max_count = 1
    template = "cms/story_index_page.html"

    class Meta:
        verbose_name = _("story index")

    def stories(self, tag: str = ""):
        stories = StoryPage.objects.live().public().child_of(self).select_related("hero_image")
        if tag:
            stories = stories.filter(tags__name=tag)
        return stories.order_by("-date", "-pk")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        tag = (request.GET.get("tag") or "").strip()[:100]
        paginator = Paginator(self.stories(tag), STORIES_PER_PAGE)
        try:
            stories = paginator.page(request.GET.get("page") or 1)
        except PageNotAnInteger:
            stories = paginator.page(1)
        except EmptyPage:
            stories = paginator.page(paginator.num_pages)
        context["stories"] = stories
        context["tag"] = tag
        context["tags"] = StoryPageTag.tags_in_use(self)
        return context


class StoryPageTag(TaggedItemBase):
    content_object = ParentalKey("cms.StoryPage", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        ordering = ["pk"]

    @classmethod
    def tags_in_use(cls, index_page) -> list[str]:
        live = StoryPage.objects.live().public().child_of(index_page).values("pk")
        return sorted(set(cls.objects.filter(content_object__in=live).values_list("tag__name", flat=True)))


class StoryPage(BasePage):
    """A cooperative's story or a piece of news, optionally about one brand."""

    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), max_length=300, blank=True)
    summary_en = models.TextField(_("summary (English)"), max_length=300, blank=True)
    hero_image = _image_field(_("main image"))
    body = _body_field(_("body"))
    body_en = _body_field(_("body (English)"))
    brand = models.ForeignKey(
        "cms.BrandPage",
        verbose_name=_("about the brand"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
        help_text=_("The story is listed on that brand's page."),
    )
    tags = ClusterTaggableManager(through=StoryPageTag, blank=True, verbose_name=_("tags"))

    intro_i18n = TranslatedField("summary")
    body_i18n = TranslatedField("body")

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("brand")]),
        FieldPanel("tags"),
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    english_panels = SeoMixin.english_meta_panels + [FieldPanel("summary_en"), FieldPanel("body_en")]
    edit_handler = page_tabs(content_panels, english_panels, SeoMixin.promote_panels, Page.settings_panels)
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    parent_page_types = ["cms.StoryIndexPage"]
    subpage_types = []
    template = "cms/story_page.html"

    class Meta:
        verbose_name = _("story")


# --- Plain content ------------------------------------------------------------------------------


class ContentPage(BasePage):
    """A plain page: about us, how delivery works, privacy."""

    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    body = _body_field(_("body"))
    body_en = _body_field(_("body (English)"))

    intro_i18n = TranslatedField("intro")
    body_i18n = TranslatedField("body")

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    english_panels = SeoMixin.english_meta_panels + [FieldPanel("intro_en"), FieldPanel("body_en")]
    edit_handler = page_tabs(content_panels, english_panels, SeoMixin.promote_panels, Page.settings_panels)
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.SectionPage", "cms.BrandPage"]
    subpage_types = ["cms.ContentPage"]
    template = "cms/content_page.html"

    class Meta:
        verbose_name = _("content page")
