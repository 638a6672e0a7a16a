"""Request gates every view relies on: no NUL character in the address, and the language (Chinese
unless the visitor chose English with the language switch)."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext

API_PREFIX = "/api/"


class RejectNulMiddleware:
    """An address or query string holding a NUL character (``%00``) is refused with 400 at once.

    It is never valid input here, and PostgreSQL cannot compare or store text that holds one: a
    NUL reaching a query would be a server error in whichever view read it. Form fields are covered
    by Django's own validator (``ProhibitNullCharactersValidator``). The JSON API under ``/api/``
    checks its own input and answers in JSON (``traceability.api``), so it is left to do so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        query = request.GET.lists()
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in query
        ):
            # Our plain 400 page (core.errors), in the visitor's language: the language middleware
            # has not run yet, so the cookie is read here.
            from core.errors import plain_page

            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if not (chosen and translation.check_for_language(chosen)):
                chosen = settings.LANGUAGE_CODE
            with translation.override(chosen):
                return plain_page(
                    400,
                    gettext("This request could not be understood"),
                    gettext("The address contains a character that is not allowed."),
                )
        return self.get_response(request)


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but the browser's Accept-Language is ignored.

    The platform speaks Chinese by default (its buyers and cooperatives do); English is an explicit
    choice stored in the language cookie by ``/i18n/setlang/``. An English-language browser in a
    Beijing office still sees the Chinese shop first, as the product owners asked. The JSON API
    is the exception: its clients ask for a language with Accept-Language.
    """

    def process_request(self, request):
        if request.path_info.startswith(API_PREFIX):
            # API clients have no cookie jar or switch: they ask with Accept-Language.
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if chosen and translation.check_for_language(chosen):
                language = translation.get_supported_language_variant(chosen)
            else:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
