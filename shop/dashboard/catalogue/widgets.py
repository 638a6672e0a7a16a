"""Widgets for the catalogue dashboard."""

from django import forms
from oscar.apps.dashboard.catalogue.widgets import *  # noqa: F403


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes for a short many-to-many list (quality marks).

    Oscar's form partial adds Bootstrap's ``form-control`` to every widget, which stretches each
    checkbox to the full width; here each box stays a box.
    """

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        classes = [c for c in attrs.get("class", "").split() if c != "form-control"]
        attrs["class"] = " ".join([*classes, "mr-1"])
        return super().get_context(name, value, attrs)
