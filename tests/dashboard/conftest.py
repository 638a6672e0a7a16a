"""Dashboard tests post the forms the dashboard renders, as a browser would."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from catalogue.services import catalogue_structure_ensure


@pytest.fixture
def structure(db):
    return catalogue_structure_ensure()


@pytest.fixture
def staff_client(client, db):
    """A catalogue manager: staff, with Oscar 4.2's model permissions on products."""
    staff = get_user_model().objects.create_user(
        username="staff", email="staff@example.com", password="x", is_staff=True
    )
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalogue",
            codename__in=["view_product", "add_product", "change_product"],
        )
    )
    client.force_login(staff)
    return client


def rendered_form(response, form_id: str) -> dict:
    """The name → value pairs a browser would submit from the form ``form_id`` untouched.

    Multi-valued fields (checkbox groups, multiple selects) map to a list.
    """
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    form = soup.find("form", id=form_id)
    assert form is not None, f"no form #{form_id} on the page"
    data: dict = {}

    def add(name, value, many=False):
        if many:
            data.setdefault(name, []).append(value)
        else:
            data[name] = value

    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.has_attr("disabled"):
            continue
        if field.name == "textarea":
            # Browsers drop the one newline that follows <textarea>.
            text = field.text
            add(name, text[1:] if text.startswith("\n") else text)
        elif field.name == "select":
            options = field.find_all("option")
            chosen = [o for o in options if o.has_attr("selected")]
            if field.has_attr("multiple"):
                data[name] = [o.get("value", o.text) for o in chosen]
            elif chosen or options:
                option = (chosen or options)[0]
                add(name, option.get("value", option.text))
        else:
            kind = field.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio"):
                if field.has_attr("checked"):
                    add(name, field.get("value", "on"), many=kind == "checkbox")
                continue
            add(name, field.get("value", ""))
    return data
