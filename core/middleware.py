"""Language selection: Chinese unless the visitor chose English with the language switch."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but the browser's Accept-Language is ignored.

    The platform speaks Chinese by default (its buyers and cooperatives do); English is an explicit
    choice stored in the language cookie by ``/i18n/setlang/``. An English-language browser in a
    Beijing office still sees the Chinese shop first, as the product owners asked.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and translation.check_for_language(chosen):
            language = translation.get_supported_language_variant(chosen)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
