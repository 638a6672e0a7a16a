"""Who may use the channel managers' desk, and for which channels (Django groups + object checks).

The desk needs the ``channels.use_desk`` permission (given by the "Channel managers" group, data
migration 0002) *and* at least one channel assigned (``ManagerAssignment``); a manager sees and acts
on the organisations and price lists of those channels only. A superuser (platform staff) sees all
four. Views check here; services check again (``require_channel``), so no path around a view acts
outside the manager's channels.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from channels.models import INSTITUTIONAL_VALUES, ManagerAssignment

MANAGERS_GROUP = "Channel managers"
DESK_PERMISSION = "channels.use_desk"


def desk_channels(user) -> list[str]:
    """The channels ``user`` manages, in the plan's order (empty: no access to the desk)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return list(INSTITUTIONAL_VALUES)
    cached = getattr(user, "_desk_channels", None)
    if cached is not None:
        return cached
    channels = []
    if user.has_perm(DESK_PERMISSION):
        assigned = set(ManagerAssignment.objects.filter(user=user).values_list("channel", flat=True))
        channels = [channel for channel in INSTITUTIONAL_VALUES if channel in assigned]
    user._desk_channels = channels
    return channels


def may_manage(user, channel: str) -> bool:
    return channel in desk_channels(user)


def require_channel(user, channel: str) -> None:
    """Raise ``PermissionDenied`` unless ``user`` manages ``channel``."""
    if not may_manage(user, channel):
        raise PermissionDenied(_("This belongs to a channel you do not manage."))
