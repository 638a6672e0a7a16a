"""Public pages: the trace page ``/t/<code>/``, its EPCIS export and QR codes, and the GS1 Digital Link
resolver ``/01/<gtin>/10/<lot>``.

The trace page is opened by phone cameras on every pack, so it is rendered once per batch and language
and then served from the cache (two layers, at most ``selectors.TRACE_PAGE_MAX_STALE_SECONDS`` old;
every write through the services forgets it at once). It is rendered without the request: nothing on
it depends on who asks, it carries no form that needs a CSRF token, and it never shows an order or a
buyer.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from core.uploads import file_response
from traceability import epcis, qr, rules, selectors
from traceability.models import Batch

#: What a trace code can look like (secrets.token_urlsafe): anything else is not looked up at all.
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{6,32}$")
QR_CACHE_SECONDS = 24 * 60 * 60


def _language(request) -> str:
    """``?lang=`` (the page's own switch, cache-friendly) or the language the middleware chose."""
    asked = request.GET.get("lang", "")
    if asked in dict(settings.LANGUAGES):
        return asked
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _not_found(request, code: str, language: str) -> HttpResponse:
    with translation.override(language):
        html = render_to_string(
            "traceability/trace_not_found.html",
            {
                "code": code[:40],
                "language": language,
                "other_languages": _other_languages(language),
                "shop_name": settings.OSCAR_SHOP_NAME,
            },
        )
    return HttpResponse(html, status=404)


def _other_languages(language: str):
    return [(code, name) for code, name in settings.LANGUAGES if code != language]


def trace_context(view: selectors.TraceView, language: str) -> dict:
    batch = view.batch
    return {
        "view": view,
        "batch": batch,
        "product": batch.product,
        "base": batch.base,
        "supplier": batch.base.supplier,
        "certificate": view.certificate,
        "needs_certificate": rules.product_needs_certificate(batch.product),
        "trace_url": qr.trace_url(batch),
        "qr_svg": mark_safe(qr.qr_svg_inline(qr.trace_url(batch), scale=3, border=2)),  # noqa: S308 (segno)
        "shop_name": settings.OSCAR_SHOP_NAME,
        "language": language,
        "other_languages": _other_languages(language),
        "map_bases": [(batch.base.supplier, batch.base)],
    }


@require_safe
def trace_page(request, code: str):
    """The public trace page of a batch, whole-page cached per batch and language."""
    language = _language(request)
    if not CODE_RE.match(code):
        return _not_found(request, code, language)
    key = selectors.trace_page_cache_key(code, language)
    html = selectors.trace_page_cached(key)
    if html is None:
        view = selectors.batch_for_trace(code)
        if view is None:
            return _not_found(request, code, language)
        with translation.override(language):
            html = render_to_string("traceability/trace_page.html", trace_context(view, language))
        selectors.trace_page_store(key, html)
    response = HttpResponse(html)
    response["Content-Language"] = language
    # Browsers revalidate: a recall notice must not wait in someone's browser cache.
    patch_cache_control(response, public=True, max_age=0)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_safe
def trace_lookup(request):
    """The form on the not-found page: a code typed from the label (spaces and dashes forgiven)."""
    code = re.sub(r"\s+", "", request.GET.get("code", ""))
    if not code:
        return redirect("traceability:lookup-form")
    if not CODE_RE.match(code):
        # Not a code at all ("/", NUL, a whole address …): say so here, never build a URL from it.
        return _not_found(request, code, _language(request))
    return redirect("traceability:trace", code=code)


@require_safe
def trace_lookup_form(request):
    language = _language(request)
    with translation.override(language):
        html = render_to_string(
            "traceability/trace_not_found.html",
            {
                "code": "",
                "language": language,
                "other_languages": _other_languages(language),
                "shop_name": settings.OSCAR_SHOP_NAME,
                "lookup": True,
            },
        )
    return HttpResponse(html)


@require_safe
def trace_epcis(request, code: str):
    """The batch's events as an EPCIS 2.0 JSON-LD document (cached like the page)."""
    if not CODE_RE.match(code):
        raise Http404
    key = selectors.trace_page_cache_key(code, "-", "epcis")
    body = selectors.trace_page_cached(key)
    if body is None:
        view = selectors.batch_for_trace(code)
        if view is None:
            return JsonResponse({"error": "unknown trace code"}, status=404)
        document = epcis.epcis_document(view.batch, view.events, inputs=view.inputs)
        body = json.dumps(document, ensure_ascii=False, indent=1)
        selectors.trace_page_store(key, body)
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    patch_cache_control(response, public=True, max_age=0)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _traceable(code: str) -> Batch:
    if not CODE_RE.match(code):
        raise Http404
    batch = (
        Batch.objects.filter(trace_code=code, status__in=selectors.TRACEABLE_STATUSES)
        .only("id", "trace_code", "lot_code")
        .first()
    )
    if batch is None:
        raise Http404
    return batch


def _qr_response(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=QR_CACHE_SECONDS)
    return response


@require_safe
def trace_qr_svg(request, code: str):
    batch = _traceable(code)
    return _qr_response(qr.qr_svg_bytes(qr.trace_url(batch)), "image/svg+xml", f"trace-{batch.lot_code}.svg")


@require_safe
def trace_qr_png(request, code: str):
    batch = _traceable(code)
    return _qr_response(qr.qr_png_bytes(qr.trace_url(batch)), "image/png", f"trace-{batch.lot_code}.png")


@require_safe
def trace_report(request, code: str, pk: int):
    """The laboratory report (PDF) of an inspection the trace page shows; nothing else is served."""
    if not CODE_RE.match(code):
        raise Http404
    inspection = selectors.inspection_report_for_trace(code, pk)
    if inspection is None:
        raise Http404
    return file_response(
        inspection.report_file,
        download_name=f"{inspection.laboratory}-{inspection.report_number}",
        public=True,
    )


@require_safe
def extension_namespace(request):
    """What the ``shiyan:`` terms in the EPCIS export mean (the namespace URI resolves here)."""
    return JsonResponse(
        {
            "@context": {"shiyan": rules.absolute_url(reverse("traceability:namespace"))},
            "terms": {
                "shiyan:lotNumber": "The batch's lot code (GS1 AI 10).",
                "shiyan:harvestDate": "Harvest or production date (YYYY-MM-DD, Asia/Shanghai).",
                "shiyan:bestBeforeDate": "Best-before date (YYYY-MM-DD).",
                "shiyan:place": "Where the event happened when it was not at a production base.",
                "shiyan:actor": "Who carried out the event (person or organisation).",
                "shiyan:details": "Free details recorded with the event.",
                "shiyan:sequence": "Position of the event in the batch's hash chain (1 = first).",
                "shiyan:previousHash": "SHA-256 of the previous event in the chain ('' for the first).",
                "shiyan:contentHash": "SHA-256 of this event's canonical content, previousHash included.",
            },
        },
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


@require_safe
def digital_link(request, gtin: str, lot: str):
    """GS1 Digital Link ``/01/<gtin>/10/<lot>`` → the batch's trace page (307, as GS1 resolvers answer).

    GTIN-8, -12 and -13 are padded to 14 digits; a wrong check digit, an unknown product or lot is 404.
    """
    gtin14 = selectors.gtin14_or_none(gtin)
    if gtin14 is None:
        raise Http404
    batch = selectors.batch_for_digital_link(gtin14, lot)
    if batch is None:
        raise Http404
    response = HttpResponse(status=307)
    response["Location"] = request.build_absolute_uri(batch.get_absolute_url())
    response["Link"] = f'<{rules.absolute_url(batch.get_absolute_url())}>; rel="gs1:traceability"'
    return response
