"""Formatting of the impact pages."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """¥1,234.56: what Oscar's ``currency`` filter prints for CNY, without its per-call locale lookups
    (a dashboard prints a few hundred amounts)."""
    if value in (None, ""):
        return ""
    return f"¥{Decimal(value):,.2f}"
