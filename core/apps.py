from django.apps import AppConfig
from django.apps import apps as django_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting pieces every room uses: places, identifiers, health check, demo data."""

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib.auth.models import AbstractUser
        from django.utils.module_loading import autodiscover_modules

        from core.names import user_full_name

        post_migrate.connect(sync_site, dispatch_uid="core-sync-site")
        # Family name first for names in Chinese, wherever Django, Oscar or we name a user
        # (core.names); the user model is Django's own, so its method is replaced here.
        AbstractUser.get_full_name = user_full_name
        # Every room registers its outbox handlers in its own ``outbox_handlers`` module
        # (core.outbox): discovered here, so core never imports a room above it.
        autodiscover_modules("outbox_handlers")


def sync_site(using="default", apps=None, **kwargs):
    """Keep the Site row's domain equal to ``SITE_DOMAIN`` (not Django's "example.com").

    E-mails sent by Celery have no request to take a host from: Oscar's order e-mails build their
    links from ``Site.domain``. Runs after every migrate; touches only a row that differs.
    """
    from django.conf import settings

    try:
        site_model = (apps or django_apps).get_model("sites", "Site")
    except LookupError:
        return
    sites = site_model.objects.using(using)
    domain = settings.SITE_DOMAIN
    if not sites.filter(pk=settings.SITE_ID).exclude(domain=domain).update(domain=domain):
        sites.get_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": domain})
