"""``{% personal_part "name" %}``: the visitor's own part of a page (``core.personal_parts``)."""

from django import template

from core.personal_parts import part_or_placeholder

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_part(context, name):
    return part_or_placeholder(name, context.get("request"))
