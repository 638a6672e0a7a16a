"""Small project-wide records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteFlag(models.Model):
    """A named marker the project sets once, e.g. that the demo data has been loaded."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    value = models.CharField(_("value"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("site flag")
        verbose_name_plural = _("site flags")

    def __str__(self):
        return self.key
