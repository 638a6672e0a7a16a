"""The dashboard's user table: yes/no shown as marks (not "True"/"False"), named columns translated,
and no sort link on the actions column (sorting by it was a server error)."""

from django.utils.translation import gettext_lazy as _
from django_tables2 import BooleanColumn, Column, TemplateColumn
from oscar.apps.dashboard.users import tables as oscar_tables
from oscar.apps.dashboard.users.tables import *  # noqa: F403


class UserTable(oscar_tables.UserTable):
    name = Column(accessor="get_full_name", order_by=("last_name", "first_name"), verbose_name=_("Name"))
    active = BooleanColumn(accessor="is_active", verbose_name=_("Active"))
    staff = BooleanColumn(accessor="is_staff", verbose_name=_("Staff"))
    actions = TemplateColumn(
        template_name="oscar/dashboard/users/user_row_actions.html", verbose_name=" ", orderable=False
    )
