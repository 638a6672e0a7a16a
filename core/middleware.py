"""Language selection: Chinese unless the visitor chose English with the language switch."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


API_PREFIX = "/api/"


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
