"""Oscar's customer app, forked (label ``customer``) for its views: signing out only by POST."""

from oscar.apps.customer.models import *  # noqa: F403
