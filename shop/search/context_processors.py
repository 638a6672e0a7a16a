"""The header search box on every page (replaces Oscar's haystack-backed processor)."""

from shop.search.forms import SearchBoxForm


def search_form(request):
    """An unbound-looking search box holding the current words; it touches no database."""
    return {"search_form": SearchBoxForm(initial={"q": request.GET.get("q", "")})}
