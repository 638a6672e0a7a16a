"""The mobile number of an account, for the pages that name the buyer (profile, sign-out)."""

from django import template

from .. import services

register = template.Library()


@register.simple_tag
def account_mobile(user) -> str:
    """The verified mobile number of ``user`` (shown in full: only its owner sees it), or ""."""
    return services.account_mobile(user)
