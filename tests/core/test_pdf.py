"""core.pdf: the one way documents are rendered."""

import io
from decimal import Decimal

from pypdf import PdfReader

from core import pdf


def test_pdf_renders_chinese_text_tables_and_qr_codes_on_numbered_pages():
    story = [
        pdf.title("送货单 NO-1001"),
        pdf.key_values([("收货单位", "海淀实验中学 <b>东校区</b>"), ("采购单号", "PO-2026-18")]),
        pdf.space(),
        pdf.table(
            [("商品", "批次", "数量", "金额")]
            + [("房县香菇 500g", f"XG-2607-{n:02d}", "12", pdf.money(Decimal("1234.5"))) for n in range(80)],
            widths=(0.4, 0.25, 0.15, 0.2),
            right=(2, 3),
        ),
        pdf.qr("http://127.0.0.1:8000/t/ABC123/"),
    ]

    data = pdf.pdf_build(story, title="送货单")

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2, "80 rows run over one A4 page"
    first = reader.pages[0].extract_text()
    assert "送货单" in first and "海淀实验中学" in first
    assert "<b>" in first, "a name is printed as text, never read as markup"
    assert reader.metadata.title == "送货单"


def test_money_prints_yuan_with_two_decimals_and_blank_for_none():
    assert pdf.money(Decimal("1234.5")) == "¥1,234.50"
    assert pdf.money(None) == ""
