"""Oscar's basket, forked (label ``basket``) only for clearer quantity messages; models unchanged."""

from oscar.apps.basket.models import *  # noqa: F403
