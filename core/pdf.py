"""PDFs the platform hands out (quotes, delivery notes, receiving packets, statements, reports).

One look for all of them: A4, Chinese text in Adobe's standard CID font ``STSong-Light`` (every PDF
reader carries or substitutes it, so no font file is shipped or embedded and a document stays small),
the shop's name and a page number in the footer. Callers build a list of flowables from the helpers
here and call :func:`pdf_build`; they never set up fonts or page templates themselves.

Generation belongs in Celery (a document is never built inside a request); this module only renders.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

FONT = "STSong-Light"
PAGE = A4
MARGIN = 15 * mm
#: Width left for content between the margins.
CONTENT_WIDTH = PAGE[0] - 2 * MARGIN
GRID = colors.HexColor("#c9d3cf")
HEADER_FILL = colors.HexColor("#e8f0ec")


@cache
def _register_font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


@cache
def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles: ``title``, ``heading``, ``body``, ``small``, ``cell``, ``cell_right``.

    ``wordWrap="CJK"`` lets Chinese break between any two characters, as it should.
    """
    font = _register_font()
    base = {"fontName": font, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle("title", fontSize=16, leading=22, spaceAfter=4 * mm, **base),
        "heading": ParagraphStyle(
            "heading", fontSize=12, leading=17, spaceBefore=3 * mm, spaceAfter=2 * mm, **base
        ),
        "body": ParagraphStyle("body", fontSize=10, leading=15, **base),
        "small": ParagraphStyle(
            "small", fontSize=8, leading=11, textColor=colors.HexColor("#555555"), **base
        ),
        "cell": ParagraphStyle("cell", fontSize=8.5, leading=11, **base),
        "cell_right": ParagraphStyle("cell_right", fontSize=8.5, leading=11, alignment=TA_RIGHT, **base),
    }


def text(value, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped: a supplier's name can never become markup)."""
    return Paragraph(escape("" if value is None else str(value)).replace("\n", "<br/>"), styles()[style])


def title(value) -> Paragraph:
    return text(value, "title")


def heading(value) -> Paragraph:
    return text(value, "heading")


def space(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)


def money(amount: Decimal | int | float | None) -> str:
    """¥1,234.50: the shop's money format in documents (``None`` prints as an empty cell)."""
    if amount is None:
        return ""
    return f"¥{Decimal(amount):,.2f}"


def table(
    rows: Sequence[Sequence],
    *,
    widths: Sequence[float] | None = None,
    header: bool = True,
    right: Sequence[int] = (),
) -> Table:
    """A ruled table; cells are text (wrapped) or flowables. ``right`` lists right-aligned columns
    (amounts, quantities); ``widths`` are fractions of the content width (or None to share it)."""
    cells = [
        [
            cell if isinstance(cell, Flowable) else text(cell, "cell_right" if column in right else "cell")
            for column, cell in enumerate(row)
        ]
        for row in rows
    ]
    col_widths = [fraction * CONTENT_WIDTH for fraction in widths] if widths else None
    result = Table(cells, colWidths=col_widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    result.setStyle(TableStyle(commands))
    return result


def key_values(pairs: Sequence[tuple[str, object]]) -> Table:
    """Two columns of label and value (the head of a quote, a delivery note, a statement)."""
    return table([(label, value) for label, value in pairs], widths=(0.28, 0.72), header=False)


def qr(url: str, size_mm: float = 24) -> Image:
    """The QR code of ``url`` (a batch's trace page on a delivery note), drawn from a PNG."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=4, border=1)
    buffer.seek(0)
    return Image(buffer, width=size_mm * mm, height=size_mm * mm)


def pdf_build(story: Sequence[Flowable], *, title: str, footer: str = "十堰优品 · Shiyan Select") -> bytes:
    """Render ``story`` to PDF bytes: A4, the footer text and ``页码 n`` on every page."""
    font = _register_font()
    buffer = io.BytesIO()

    def _footer(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(MARGIN, 8 * mm, footer)
        canvas.drawRightString(PAGE[0] - MARGIN, 8 * mm, f"{document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author="十堰优品",
        creator="十堰优品",
    )
    document.build(list(story), onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
