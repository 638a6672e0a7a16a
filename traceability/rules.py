"""The domain rules the services apply: which products need a compliance certificate, how lot and
trace codes are made, and the pesticide pre-harvest interval.

Pure functions over values (plus one small query for the interval), so the bulk import can apply
them to thousands of rows without a query each.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _

#: Which product classes need a 承诺达标合格证 (compliance certificate) is an explicit flag on the class:
#: ``ProductClass.needs_certificate`` (like ``adults_only``), set in the catalogue, not a slug match.
#: The certificate covers edible farm produce sold by its grower: vegetables, *cultivated fungi*
#: (which count as vegetables), fruit, fresh tea leaves, livestock, eggs and farmed fish
#: (DOMAIN.md, "Rules and identifiers"). Dried shiitake and black fungus stay farm produce (drying is
#: primary processing; no food production licence is needed), so they need it too. Processed,
#: packaged food made under an SC licence (packaged tea, olive oil, yellow wine, sauces, noodles)
#: does not.

#: The promise printed on every certificate (the 2026 form's wording).
CERTIFICATE_PROMISE = (
    "我承诺对生产销售的食用农产品：不使用禁用农药兽药、停用兽药和非法添加物；"
    "常规农药兽药残留不超标；对承诺的真实性负责。"
)

TRACE_CODE_BYTES = 12  # 16 URL-safe characters, 96 random bits: not guessable, short enough for a QR


def product_needs_certificate(product) -> bool:
    """Does a batch of this product need a compliance certificate to be sold? (its class's flag)"""
    product_class = product.get_product_class()
    return bool(product_class and product_class.needs_certificate)


def trace_code_new() -> str:
    """A random, unguessable, URL-safe trace code (``secrets``), e.g. ``q3L0v9-Xb2kHs1aZ``."""
    return secrets.token_urlsafe(TRACE_CODE_BYTES)


def lot_code_for(harvest_date: datetime.date, taken: Iterable[str]) -> str:
    """A short readable lot code from the harvest day, unique among ``taken``: ``260315-01``, ``-02`` …

    ASCII only and at most 20 characters (GS1 AI 10), so it prints under a barcode as it is.
    """
    taken = set(taken)
    stem = harvest_date.strftime("%y%m%d")
    number = 1
    while True:
        code = f"{stem}-{number:02d}"
        if code not in taken:
            return code
        number += 1


def site_url() -> str:
    """The site's absolute base URL for codes printed on packs: SHOP_BASE_URL, else Wagtail's."""
    return (getattr(settings, "SHOP_BASE_URL", "") or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    return site_url() + path


def interval_violation(harvest_date: datetime.date, farm_inputs: Iterable) -> str:
    """The reason a harvest on ``harvest_date`` breaks a pre-harvest interval, or "" when none does.

    ``farm_inputs`` are the inputs that apply (same base, and the same product or the whole base);
    the one whose interval ends last is named.
    """
    worst = None
    for farm_input in farm_inputs:
        if not farm_input.pre_harvest_interval_days:
            continue
        if farm_input.applied_on <= harvest_date < farm_input.harvest_allowed_from:
            if worst is None or farm_input.harvest_allowed_from > worst.harvest_allowed_from:
                worst = farm_input
    if worst is None:
        return ""
    return _(
        "Harvest on %(harvest)s is only %(days)s day(s) after %(name)s was applied on %(applied)s; "
        "its pre-harvest interval is %(interval)s days, so harvest may start on %(allowed)s."
    ) % {
        "harvest": harvest_date.isoformat(),
        "days": (harvest_date - worst.applied_on).days,
        "name": worst.name,
        "applied": worst.applied_on.isoformat(),
        "interval": worst.pre_harvest_interval_days,
        "allowed": worst.harvest_allowed_from.isoformat(),
    }
