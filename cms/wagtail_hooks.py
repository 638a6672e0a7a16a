"""Wagtail admin wiring: the shop choosers used by blocks, the menus as snippets, and how documents
are served."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.choosers import category_chooser_viewset, partner_chooser_viewset, product_chooser_viewset
from cms.models import Menu
from core.uploads import file_response


@hooks.register("register_admin_viewset")
def register_shop_choosers():
    return [product_chooser_viewset, category_chooser_viewset, partner_chooser_viewset]


class MenuViewSet(SnippetViewSet):
    model = Menu
    icon = "list-ul"
    menu_label = _("Menus")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["title", "handle"]


register_snippet(MenuViewSet)


@hooks.register("before_serve_document", order=100)
def serve_document_safely(document, request):
    """Every document goes out as ``core.uploads.file_response`` sends papers: a download (PDF
    inline), typed by its content, ``nosniff``, ``Content-Security-Policy: sandbox``. Runs after
    Wagtail's own collection privacy check (order 0), which answers first when it refuses."""
    restricted = document.collection.get_view_restrictions().exists()
    streamed = file_response(document.file, download_name=document.title, public=not restricted)
    # Wagtail takes only an HttpResponse from this hook (a streaming one is ignored); documents are
    # at most WAGTAILDOCS_MAX_UPLOAD_SIZE (10 MB), so reading one whole is fine.
    try:
        response = HttpResponse(b"".join(streamed.streaming_content), status=streamed.status_code)
    finally:
        streamed.close()
    for header, value in streamed.headers.items():
        response.headers[header] = value
    return response
