"""The shop's own error pages (400, 403, 404, 500, 503 and a refused form), in the visitor's language.

Two kinds of page:

- 400, 403, 404 and a refused form (CSRF) are shown in the site's layout (header, search, a way
  back), since the shop itself is working; should drawing the layout fail, the plain page below
  is shown instead, never Django's bare one.
- 500 and 503 ("busy, try again") are plain: one template with no database queries and no context
  processors, because the database or something the layout needs may be what failed.

Every text is translated (core/locale/zh_Hans); the active language is the visitor's, since these
views run inside the language middleware.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

PLAIN_TEMPLATE = "errors/plain.html"


def plain_page(status: int, title: str, message: str, *, retry_after: int | None = None) -> HttpResponse:
    """A page that needs nothing but templates and static files: safe to show whatever failed."""
    html = loader.get_template(PLAIN_TEMPLATE).render(
        {"status": status, "title": title, "message": message, "language": get_language() or "zh-hans"}
    )
    response = HttpResponse(html, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _page_in_layout(request, template: str, status: int, title: str, message: str) -> HttpResponse:
    try:
        html = loader.render_to_string(
            template, {"status": status, "title": title, "message": message}, request
        )
    except Exception:  # the layout itself failed (database down?): the plain page still answers
        logger.exception("error page %s could not be drawn in the layout; plain page shown", status)
        return plain_page(status, title, message)
    return HttpResponse(html, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _page_in_layout(
        request,
        "400.html",
        400,
        _("This request could not be understood"),
        _("Something in the address or the form was not as expected. Please go back and try again."),
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page_in_layout(
        request,
        "403.html",
        403,
        _("You cannot open this page"),
        _("This page is not open to your account. Sign in with another account or go back to the shop."),
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    return _page_in_layout(
        request,
        "404.html",
        404,
        _("Page not found"),
        _("The page you asked for does not exist or is no longer on sale."),
    )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent from a page too old, or with cookies blocked."""
    logger.info("csrf refused %s %s: %s", request.method, request.path, reason)
    return _page_in_layout(
        request,
        "403_csrf.html",
        403,
        _("This form has expired"),
        _(
            "The page was open for a long time, or your browser blocks cookies. Go back, reload "
            "the page and send the form again; nothing was saved."
        ),
    )


def server_error(request=None):
    return plain_page(
        500,
        _("Something went wrong on our side"),
        _(
            "The error has been recorded and will be looked into. Your basket and your orders are "
            "safe; please try again in a moment."
        ),
    )


def service_busy(request=None, *, retry_after: int = 5):
    """503 "busy, try again", with Retry-After: the database waited too long (core.db_busy)."""
    return plain_page(
        503,
        _("The shop is very busy right now"),
        _(
            "Your request waited too long and was stopped; nothing was charged or changed. Please "
            "try again in a few seconds."
        ),
        retry_after=retry_after,
    )
