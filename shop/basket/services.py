"""Basket jobs: baskets left frozen by a placement that never finished are given back."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from oscar.core.loading import get_model

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")


def frozen_baskets_stale(*, now=None):
    """Frozen baskets with no order, frozen more than BASKET_FROZEN_THAW_MINUTES ago.

    Checkout freezes a basket, places its order and submits the basket in one go (seconds); a
    basket still frozen minutes later belonged to a placement that died (process killed, database
    gone) and no order was written. Baskets frozen before ``frozen_at`` existed count as stale.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.BASKET_FROZEN_THAW_MINUTES)
    return (
        Basket.objects.filter(status=Basket.FROZEN)
        .filter(Q(frozen_at__lt=cutoff) | Q(frozen_at__isnull=True))
        .exclude(Exists(Order.objects.filter(basket_id=OuterRef("pk"))))
    )


def frozen_baskets_thaw(*, now=None, limit: int = 500) -> int:
    """Open stale frozen baskets again, so their owners can check out; returns how many.

    Each basket is locked first (skipping one a checkout holds right now) and checked again under
    the lock, so a placement finishing meanwhile is never undone.
    """
    thawed = 0
    for basket_id in frozen_baskets_stale(now=now).values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            basket = (
                frozen_baskets_stale(now=now)
                .select_for_update(skip_locked=True, of=("self",))
                .filter(pk=basket_id)
                .first()
            )
            if basket is None:
                continue
            basket.thaw()
            thawed += 1
            logger.info("basket %s: frozen since %s with no order, opened again", basket.pk, basket.frozen_at)
    return thawed
