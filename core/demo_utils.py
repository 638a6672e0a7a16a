"""Helpers for idempotent demo seeding: a second run must write nothing."""

from django.db import models


def record_sync(model: type[models.Model], *, lookup: dict, values: dict):
    """Get or create the row matching ``lookup``; save ``values`` only where they differ.

    Returns ``(instance, created)``. Unlike ``update_or_create`` it issues no UPDATE when the row
    already holds these values, so re-seeding leaves timestamps and the database untouched.
    """
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        return model._default_manager.create(**lookup, **values), True
    changed = [
        name for name, value in values.items() if getattr(instance, name) != _cleaned(model, name, value)
    ]
    if changed:
        for name in changed:
            setattr(instance, name, _cleaned(model, name, values[name]))
        instance.save(update_fields=changed)
    return instance, False


def _cleaned(model, name, value):
    """The value as the field stores it (e.g. a float coordinate as its Decimal)."""
    field = model._meta.get_field(name)
    if field.is_relation:
        return value
    return field.to_python(value)
