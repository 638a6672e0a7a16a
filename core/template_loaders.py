"""Oscar's templates, with the few words they hard-code put through translation.

django-oscar 4.2's templates write some words as fixed English: the screen-reader labels
``aria-label="breadcrumb"``, ``"Toggle navigation"`` and ``"Close"`` (in about ninety templates),
and order statuses as stored (``{{ order.status }}``, which is "Awaiting shipment" here, see
``shop.order.statuses``). Copying ninety templates to change a word would freeze them at 4.2;
instead this loader edits the source of Oscar's own templates as they are loaded (once: the cached
loader keeps the compiled result), with the substitutions listed below.

Each substitution is exact text; ``tests/core/test_template_patches.py`` checks that every one
still finds its text in the installed Oscar, so an upgrade that changes a template fails a test
instead of quietly showing English again. Our own templates are written right at the source and
are never edited here.
"""

from __future__ import annotations

from pathlib import Path

import oscar
from django.template.loaders.app_directories import Loader as AppDirectoriesLoader

OSCAR_TEMPLATES = Path(oscar.__file__).resolve().parent / "templates"

_LOAD = "{% load i18n order_display_tags %}"


def _aria(label: str) -> tuple[str, str]:
    # {% load %} inside a tag's attribute list renders nothing and works in blocks of child
    # templates too (it acts on the parser), so no context or preceding {% load %} is needed.
    return f'aria-label="{label}"', f'{_LOAD}aria-label="{{% translate "{label}" %}}"'


def _status(variable: str, default: str) -> tuple[str, str]:
    """``{{ <variable>|default:... }}`` shown through ``status_label`` (the translated name)."""
    old = f"{{{{ {variable}{default} }}}}"
    return old, f"{_LOAD}{{{{ {variable}|status_label{default} }}}}"


_CHANGE_LOGIN_LINK = (
    '<a href="{% url \'customer:change-password\' %}" class="btn btn-primary">'
    "{% trans 'Change password' %}</a>"
)
_DELETE_PROFILE = '<a id="delete_profile" href="{% url \'customer:profile-delete\' %}"'

_EMAIL_TAB = (
    '<li class="nav-item">\n'
    "    <a href=\"{% url 'customer:email-list' %}\" class=\"nav-link{% if active_tab == 'emails' %} active"
    '{% endif %}">{% trans "Email History" %}</a>\n'
    "</li>"
)

#: Applied to every Oscar template, wherever the text occurs (none of them needs to).
EVERYWHERE: list[tuple[str, str]] = [
    _aria("breadcrumb"),
    _aria("Toggle navigation"),
    _aria("Close"),
    # The filter summaries above order, offer and voucher lists.
    ("<label>Filters:</label>", '{% load i18n %}<label>{% translate "Filters:" %}</label>'),
]

#: Per template: (text, replacement); each text must occur in that template.
PATCHES: dict[str, list[tuple[str, str]]] = {
    "oscar/dashboard/orders/order_list.html": [
        _status("order.status", '|default:"-"'),
        (
            "<option>{{ status }}</option>",
            _LOAD + '<option value="{{ status }}">{{ status|status_label }}</option>',
        ),
    ],
    "oscar/dashboard/orders/order_detail.html": [
        _status("order.status", '|default:"N/A"'),
        _status("line.status", '|default:"-"'),
        _status("status_change.old_status", ""),
        _status("status_change.new_status", ""),
        # The line statuses to choose from, and payment and shipping event types (stored names).
        (
            "<option>{{ status }}</option>",
            _LOAD + '<option value="{{ status }}">{{ status|status_label }}</option>',
        ),
        (
            "{{ event_type.name }}</option>",
            _LOAD + "{{ event_type.name|stored_name }}</option>",
        ),
        (
            "{{ event.event_type.name }}</td>",
            _LOAD + "{{ event.event_type.name|stored_name }}</td>",
        ),
    ],
    "oscar/dashboard/comms/list.html": [
        ("{{ commtype.name }}</td>", _LOAD + "{{ commtype.name|stored_name }}</td>"),
        ("{{ commtype.category }}</td>", _LOAD + "{{ commtype.category|stored_name }}</td>"),
    ],
    "oscar/dashboard/orders/statistics.html": [
        (
            "{{ dict.status }}</a>",
            _LOAD + "{{ dict.status|status_label }}</a>",
        ),
    ],
    "oscar/dashboard/orders/line_detail.html": [
        _status("line.status", '|default:"-"'),
    ],
    "oscar/dashboard/layout.html": [
        # Our brand leads to the shop's home, and our styles follow Oscar's (phone-width tables).
        (
            '<a class="navbar-brand" href="#">{{ shop_name }}</a>',
            '<a class="navbar-brand" href="/">{{ shop_name }}</a>',
        ),
        (
            '<link rel="stylesheet" type="text/css" href="{% static "oscar/css/dashboard.css" %}" />',
            '<link rel="stylesheet" type="text/css" href="{% static "oscar/css/dashboard.css" %}" />'
            '<link rel="stylesheet" type="text/css" href="{% static "css/dashboard.css" %}" />',
        ),
    ],
    "oscar/dashboard/comms/detail.html": [
        ("{{ commtype.name }}", _LOAD + "{{ commtype.name|stored_name }}"),
    ],
    "oscar/dashboard/catalogue/stockalert_list.html": [
        ("<td>{{ alert.status }}</td>", _LOAD + "<td>{{ alert.status|stored_name }}</td>"),
        # The heading puts the stored status into the sentence untranslated.
        (
            "</i> {{ description }}</h2>",
            _LOAD + "</i> {% if form.is_bound and form.is_valid %}{% blocktranslate with "
            'status=form.cleaned_data.status|stored_name %}Alerts with status "{{ status }}"'
            "{% endblocktranslate %}{% else %}{{ description }}{% endif %}</h2>",
        ),
    ],
    "oscar/dashboard/users/detail.html": [
        _status("order.status", '|default:"-"'),
    ],
    "oscar/customer/partials/standard_tabs.html": [
        # Mail sent to the buyer: no tab for an account without an e-mail address.
        (_EMAIL_TAB, "{% if user.email %}" + _EMAIL_TAB + "{% endif %}"),
    ],
    "oscar/customer/profile/profile.html": [
        # A phone account has no e-mail: say so, offer to add one, and show the mobile number.
        ("<td>{{ user.email }}</td>", '{% include "phone/partials/profile_contact.html" %}'),
        # No name given (a phone sign-up asks for none): say so and offer to add one.
        (
            "<td>{{ user.get_full_name|default:'-' }}</td>",
            "<td>{% if user.get_full_name %}{{ user.get_full_name }}{% else %}"
            '<span class="text-muted">{% translate "Not given" %}</span> '
            '<a href="{% url \'customer:profile-update\' %}" class="ms-2">{% translate "Add your name" %}</a>'
            "{% endif %}</td>",
        ),
        # An account made by phone has no password: nothing to change, and it is closed with a code.
        (_CHANGE_LOGIN_LINK, "{% if user.has_usable_password %}" + _CHANGE_LOGIN_LINK + "{% endif %}"),
        (
            _DELETE_PROFILE,
            '<a id="delete_profile" href="{% if user.has_usable_password %}'
            "{% url 'customer:profile-delete' %}{% else %}{% url 'phone:close-account' %}{% endif %}\"",
        ),
    ],
}


def patch_source(template_name: str, source: str) -> str:
    """``source`` of Oscar's ``template_name`` with the substitutions made."""
    for old, new in EVERYWHERE:
        source = source.replace(old, new)
    for old, new in PATCHES.get(template_name, ()):
        source = source.replace(old, new)
    return source


class Loader(AppDirectoriesLoader):
    """The app-directories loader, editing Oscar's templates as listed above."""

    def get_contents(self, origin):
        contents = super().get_contents(origin)
        if Path(origin.name).resolve().is_relative_to(OSCAR_TEMPLATES):
            contents = patch_source(origin.template_name, contents)
        return contents
