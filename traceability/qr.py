"""QR codes for trace URLs (segno): inline SVG for pages and labels, SVG and PNG files to download.

A QR encodes the batch's absolute trace URL (``SHOP_BASE_URL`` + ``/t/<code>/``), so a phone camera
opens the trace page directly. Error correction M: a label may be scuffed without losing the code.
"""

from __future__ import annotations

import io

import segno

from traceability import rules


def trace_url(batch) -> str:
    return rules.absolute_url(batch.get_absolute_url())


def _qr(url: str):
    return segno.make(url, error="m", micro=False)


def qr_svg_inline(url: str, *, scale: int = 4, border: int = 2, title: str = "") -> str:
    """An ``<svg>`` element (no XML declaration) that scales with CSS (viewBox, no fixed size)."""
    return _qr(url).svg_inline(scale=scale, border=border, omitsize=True, title=title or None)


def qr_svg_bytes(url: str, *, scale: int = 8, border: int = 4) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="svg", scale=scale, border=border, xmldecl=True)
    return buffer.getvalue()


def qr_png_bytes(url: str, *, scale: int = 10, border: int = 4) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()
