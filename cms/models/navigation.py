"""The main menu and the footer, managed by editors: menus are snippets, the footer text a setting."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Orderable

from cms.i18n import TranslatedField


class Menu(ClusterableModel):
    """A list of links shown on every page: the main menu in the header, or the footer's links."""

    MAIN = "main"
    FOOTER = "footer"
    HANDLES = [(MAIN, _("Main menu (header)")), (FOOTER, _("Footer links"))]

    handle = models.CharField(_("where it shows"), max_length=16, choices=HANDLES, unique=True)
    title = models.CharField(_("name"), max_length=100)

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("handle")]),
        InlinePanel("items", label=_("Links")),
    ]

    class Meta:
        ordering = ["handle"]
        verbose_name = _("menu")
        verbose_name_plural = _("menus")

    def __str__(self):
        return self.title


class MenuItem(Orderable):
    """One link of a menu: to a page of this site (its title by default) or to an address."""

    menu = ParentalKey(Menu, on_delete=models.CASCADE, related_name="items")
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link_url = models.CharField(
        _("…or address"),
        max_length=255,
        blank=True,
        help_text=_("A path on this site such as /shop/, or a full address starting with https://."),
    )
    label = models.CharField(
        _("label"), max_length=60, blank=True, help_text=_("Defaults to the page title.")
    )
    label_en = models.CharField(_("label (English)"), max_length=60, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("link_page"), FieldPanel("link_url")]),
        FieldRowPanel([FieldPanel("label"), FieldPanel("label_en")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def clean(self):
        super().clean()
        if bool(self.link_page_id) == bool(self.link_url):
            message = _("Link to a page or to an address: one of the two, not both.")
            raise ValidationError({"link_page": message, "link_url": message})
        if self.link_url and not (self.link_url.startswith("/") or self.link_url.startswith("https://")):
            raise ValidationError(
                {"link_url": _("Start the address with / (this site) or https:// (another site).")}
            )
        if self.link_url and not self.label:
            raise ValidationError({"label": _("Give the link a label.")})


@register_setting(icon="list-ul")
class FooterSettings(BaseGenericSetting):
    """The footer's text: who runs the site, how to reach them, the ICP filing number."""

    about = models.TextField(_("about the platform"), blank=True)
    about_en = models.TextField(_("about the platform (English)"), blank=True)
    hotline = models.CharField(_("service hotline"), max_length=32, blank=True)
    email = models.EmailField(_("service e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=200, blank=True)
    icp_licence = models.CharField(
        _("ICP filing number"), max_length=64, blank=True, help_text=_("e.g. 鄂ICP备XXXXXXXX号")
    )

    about_i18n = TranslatedField("about")
    address_i18n = TranslatedField("address")

    panels = [
        MultiFieldPanel([FieldPanel("about"), FieldPanel("about_en")], heading=_("About")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("hotline"), FieldPanel("email")]),
                FieldPanel("address"),
                FieldPanel("address_en"),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("icp_licence"),
    ]

    class Meta:
        ordering = ["pk"]
        verbose_name = _("footer")
        verbose_name_plural = _("footer")
