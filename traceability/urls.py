"""Public traceability URLs, mounted at the site root (see shop/urls.py): ``/t/…`` and ``/01/…``."""

from django.urls import path

from traceability.views import public

app_name = "traceability"

urlpatterns = [
    path("t/", public.trace_lookup_form, name="lookup-form"),
    path("t/lookup/", public.trace_lookup, name="lookup"),
    path("t/ns/", public.extension_namespace, name="namespace"),
    path("t/<str:code>/", public.trace_page, name="trace"),
    path("t/<str:code>/epcis.json", public.trace_epcis, name="epcis"),
    path("t/<str:code>/qr.svg", public.trace_qr_svg, name="qr-svg"),
    path("t/<str:code>/qr.png", public.trace_qr_png, name="qr-png"),
    path("t/<str:code>/reports/<int:pk>/", public.trace_report, name="report"),
    # GS1 Digital Link: a lot may hold "/" (percent-encoded in the URI, decoded before routing).
    path("01/<str:gtin>/10/<path:lot>", public.digital_link, name="digital-link"),
]
