"""The mobile number of an account, for the pages that name the buyer (profile, sign-out)."""

from django import template

from ..models import VerifiedMobile

register = template.Library()


@register.simple_tag
def account_mobile(user) -> str:
    """The verified mobile number of ``user`` (shown in full: only its owner sees it), or ""."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return VerifiedMobile.objects.filter(user=user).values_list("number", flat=True).first() or ""
