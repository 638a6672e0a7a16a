"""Delivery documents, made by a Celery worker and kept in private storage (``GeneratedDocument``).

* **Delivery note (送货单)** of one delivery: the organisation, site, date, order and PO number, and
  for each order line every batch it was allocated to: lot, production date, best-before, quantity,
  supplier and the batch's trace QR.
* **Receiving packet (索证索票)** of one delivery, one PDF for the canteen's records: a cover listing
  what is inside, then each supplier's licences (business and food licences, SC certificate scans),
  then for every batch its compliance certificate (承诺达标合格证, drawn from its record) and its
  inspection reports (the laboratory's PDF). Scans that are images become PDF pages; a paper that
  cannot be merged (a damaged PDF, a file gone) is listed on the cover as "另附" (attached separately).
* **Purchase ledger (进货台账)** of one organisation and month, as XLSX: one row per batch of every
  line delivered that month.
* **Assistance ledger (消费帮扶台账)** of one organisation and year, as XLSX: what it bought from Shiyan
  against its pledge (``channels.ledger``); ``month`` holds the 1st of January of the year.

The request only writes a queued ``GeneratedDocument`` and queues ``document_generate_task`` after
commit (``document_request``); the page then polls the document's state. The worker claims the row
with a conditional update (a duplicate delivery of the task does nothing), writes its progress as it
goes, and stores the file in the transaction that marks it done. ``documents_sweep`` (every 5
minutes) fails documents whose worker died and queues again those the broker lost.

Who may see a document (``may_see_organisation``): the organisation's members, the managers of its
channel, and staff. Views answer 404 to anyone else.
"""

from __future__ import annotations

import datetime
import io
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels.models import Delivery, DeliveryLine, GeneratedDocument, Membership, Organisation
from channels.permissions import desk_channels
from core import pdf
from core.queue import queue_now
from core.sheets import defuse
from core.uploads import GeneratedFile

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(minutes=10)
State = GeneratedDocument.State
Kind = GeneratedDocument.Kind


# --- Who may see ---------------------------------------------------------------------------------
def may_see_organisation(user, organisation: Organisation) -> bool:
    """The organisation's members, its channel's managers, staff (superusers and ``is_staff``)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.is_staff:
        return True
    if Membership.objects.filter(user_id=user.pk, organisation_id=organisation.pk).exists():
        return True
    return organisation.channel in desk_channels(user)


# --- Requests and jobs ------------------------------------------------------------------------------
@transaction.atomic
def document_request(
    *, kind: str, organisation: Organisation, by, delivery: Delivery | None = None, month=None
) -> GeneratedDocument:
    """Queue a document for a worker; returned at once (its page follows the progress)."""
    if kind in (Kind.DELIVERY_NOTE, Kind.RECEIVING_PACKET):
        assert delivery is not None and delivery.organisation_order.organisation_id == organisation.pk
        month = None
    else:
        assert month is not None
        delivery, month = None, month.replace(day=1)
    document = GeneratedDocument.objects.create(
        kind=kind, organisation=organisation, delivery=delivery, month=month, requested_by=by
    )
    transaction.on_commit(lambda: _queue(document.pk), robust=True)
    return document


def _queue(document_id: int) -> None:
    from channels.tasks import document_generate_task

    try:
        queue_now(document_generate_task, document_id)
    except Exception:
        logger.warning("document %s: could not queue, the sweeper will", document_id, exc_info=True)


def _progress(document_id: int, percent: int) -> None:
    GeneratedDocument.objects.filter(pk=document_id, state=State.RUNNING).update(
        progress=min(max(percent, 0), 99), heartbeat_at=timezone.now()
    )


def document_generate(*, document_id: int) -> bool:
    """Make the document (see the module docstring); False when another worker has it or it is done."""
    claimed = GeneratedDocument.objects.filter(pk=document_id, state=State.QUEUED).update(
        state=State.RUNNING, attempts=F("attempts") + 1, heartbeat_at=timezone.now(), progress=0
    )
    if not claimed:
        return False
    document = GeneratedDocument.objects.select_related("organisation", "delivery").get(pk=document_id)
    try:
        with translation.override("zh-hans"):
            data, name = BUILDERS[document.kind](document, lambda p: _progress(document_id, p))
    except Exception as error:
        logger.exception("document %s failed", document_id)
        document_fail(document_id=document_id, message=str(error))
        return False
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if document.state != State.RUNNING:
            return False
        document.file.save(name, GeneratedFile(data, name=name), save=False)
        document.file_name = name
        document.state = State.DONE
        document.progress = 100
        document.error = ""
        document.finished_at = timezone.now()
        document.save()
    return True


def document_fail(*, document_id: int, timed_out: bool = False, message: str = "") -> None:
    if timed_out:
        message = _("It took too long to make; please ask for it again.")
    GeneratedDocument.objects.filter(pk=document_id, state__in=[State.QUEUED, State.RUNNING]).update(
        state=State.FAILED,
        error=message[:2000] or _("The document could not be made."),
        finished_at=timezone.now(),
    )


def documents_sweep(*, now=None) -> dict:
    """Documents running with no progress for 10 minutes lost their worker: failed. Queued ones
    waiting as long were lost by the broker: queued again."""
    now = now or timezone.now()
    stale = now - STALE_AFTER
    failed = GeneratedDocument.objects.filter(state=State.RUNNING, heartbeat_at__lt=stale).update(
        state=State.FAILED,
        error=_("The worker making it stopped; please ask for it again."),
        finished_at=now,
    )
    lost = list(
        GeneratedDocument.objects.filter(state=State.QUEUED, heartbeat_at__lt=stale).values_list(
            "pk", flat=True
        )
    )
    GeneratedDocument.objects.filter(pk__in=lost).update(heartbeat_at=now)
    for pk in lost:
        _queue(pk)
    return {"failed": failed, "queued_again": len(lost)}


# --- What a delivery holds -------------------------------------------------------------------------
def delivery_rows(delivery: Delivery) -> list[dict]:
    """One row per batch of each line (a line sold without batches: one row without lot). Three queries."""
    from traceability.models import BatchAllocation

    lines = list(
        DeliveryLine.objects.filter(delivery=delivery)
        .select_related("line", "line__stockrecord__partner")
        .order_by("line_id")
    )
    allocations = defaultdict(list)
    for allocation in (
        BatchAllocation.objects.filter(line_id__in=[dl.line_id for dl in lines])
        .select_related("batch", "batch__base__supplier", "batch__certificate")
        .order_by("line_id", "batch__best_before", "pk")
    ):
        allocations[allocation.line_id].append(allocation)
    rows = []
    for delivery_line in lines:
        line = delivery_line.line
        found = allocations.get(line.pk)
        if not found:
            partner = line.stockrecord.partner if line.stockrecord_id else None
            rows.append(
                {
                    "line": line,
                    "batch": None,
                    "quantity": line.quantity,
                    "supplier": partner.name if partner else line.partner_name,
                }
            )
            continue
        for allocation in found:
            batch = allocation.batch
            rows.append(
                {
                    "line": line,
                    "batch": batch,
                    "quantity": allocation.quantity,
                    "supplier": batch.base.supplier.legal_name,
                }
            )
    return rows


def production_date(batch) -> datetime.date | None:
    return batch.packing_date or batch.harvest_date


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def _head(delivery: Delivery) -> list[tuple[str, object]]:
    link = delivery.organisation_order
    organisation, site = link.organisation, delivery.site
    pairs = [
        (_("Organisation"), organisation.name),
        (_("Delivery site"), f"{site.name} · {site.get_district_display()} {site.address}"),
        (_("Receiver"), f"{site.contact_name} {site.phone}"),
        (_("Delivery date"), _date(delivery.date)),
        (_("Order number"), link.order.number),
    ]
    if link.po_number:
        pairs.append((_("PO number"), link.po_number))
    if link.note:
        pairs.append((_("Note"), link.note))
    return pairs


def _delivery(document) -> Delivery:
    return Delivery.objects.select_related(
        "site", "organisation_order__organisation", "organisation_order__order"
    ).get(pk=document.delivery_id)


def delivery_note_pdf(document, progress) -> tuple[bytes, str]:
    from traceability.qr import trace_url

    delivery = _delivery(document)
    rows = delivery_rows(delivery)
    progress(30)
    story = [pdf.title(_("Delivery note (送货单)")), pdf.key_values(_head(delivery)), pdf.space()]
    table = [
        [
            _("Product"),
            _("Lot"),
            _("Production date"),
            _("Best before"),
            _("Quantity"),
            _("Supplier"),
            _("Trace QR"),
        ]
    ]
    for row in rows:
        batch = row["batch"]
        url = trace_url(batch) if batch is not None and batch.trace_code else ""
        table.append(
            [
                row["line"].title,
                batch.lot_code if batch else "—",
                _date(production_date(batch)) if batch else "—",
                _date(batch.best_before) if batch else "—",
                str(row["quantity"]),
                row["supplier"],
                pdf.qr(url, size_mm=18) if url else "—",
            ]
        )
    story.append(pdf.table(table, widths=(0.22, 0.12, 0.12, 0.12, 0.08, 0.2, 0.14), right=(4,)))
    story += [
        pdf.space(8),
        pdf.text(_("Received in good order (signature, date):") + " ____________________"),
        pdf.space(2),
        pdf.text(_("Scan a batch's QR code to see its trace: origin, inspections and certificate."), "small"),
    ]
    data = pdf.pdf_build(story, title=_("Delivery note"))
    return data, f"songhuodan-{delivery.organisation_order.order.number}-{delivery.pk}.pdf"


def _paper_pdf(field_file) -> bytes:
    """A stored scan as PDF bytes: PDFs as they are (checked by reading them), images converted."""
    from PIL import Image
    from pypdf import PdfReader

    with field_file.storage.open(field_file.name, "rb") as handle:
        data = handle.read()
    if data[:5] == b"%PDF-":
        reader = PdfReader(io.BytesIO(data))
        if not reader.pages:
            raise ValueError("empty PDF")
        return data
    image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=150)
    return out.getvalue()


def _certificate_pdf(certificate) -> bytes:
    pairs = [
        (_("Certificate number"), certificate.number),
        (_("Product"), certificate.product_name),
        (_("Quantity (weight)"), f"{certificate.quantity.normalize():f} {certificate.get_unit_display()}"),
        (_("Origin"), certificate.origin),
        (_("Issued at"), timezone.localtime(certificate.issued_at).strftime("%Y-%m-%d %H:%M")),
        (_("Issuer"), certificate.issuer),
        (_("Contact phone"), certificate.contact),
        (_("Basis of the promise"), certificate.get_basis_display()),
        (_("Promise"), certificate.promise),
        (_("Lot"), certificate.batch.lot_code),
    ]
    story = [pdf.title(_("Compliance certificate (承诺达标合格证)")), pdf.key_values(pairs)]
    return pdf.pdf_build(story, title=certificate.number)


def receiving_packet_pdf(document, progress) -> tuple[bytes, str]:
    from pypdf import PdfReader, PdfWriter

    from suppliers.models import Certification, SupplierDocument
    from traceability.models import Inspection

    delivery = _delivery(document)
    rows = delivery_rows(delivery)
    batches = []
    for row in rows:
        if row["batch"] is not None and row["batch"] not in batches:
            batches.append(row["batch"])
    suppliers = []
    for batch in batches:
        if batch.base.supplier not in suppliers:
            suppliers.append(batch.base.supplier)
    today = timezone.localdate()

    # (title, pdf bytes or None, why not merged)
    papers: list[tuple[str, bytes | None]] = []
    for supplier in suppliers:
        for paper in SupplierDocument.objects.filter(
            supplier=supplier,
            kind__in=[SupplierDocument.Kind.BUSINESS_LICENCE, SupplierDocument.Kind.FOOD_LICENCE],
        ).order_by("kind", "pk"):
            papers.append((f"{supplier.legal_name} · {paper.get_kind_display()}", paper.file))
        for cert in (
            Certification.objects.filter(supplier=supplier, valid_until__gte=today)
            .exclude(scan="")
            .order_by("kind", "pk")
        ):
            papers.append((f"{supplier.legal_name} · {cert.get_kind_display()} {cert.number}", cert.scan))
    inspections = defaultdict(list)
    for inspection in Inspection.objects.filter(batch__in=batches).order_by(
        "batch_id", "-sampling_date", "pk"
    ):
        inspections[inspection.batch_id].append(inspection)
    for batch in batches:
        certificate = getattr(batch, "certificate", None)
        label = f"{batch.lot_code} · {batch.product.get_title() if batch.product_id else ''}".strip()
        if certificate is not None:
            papers.append(
                (
                    _("%(lot)s · compliance certificate %(number)s")
                    % {"lot": label, "number": certificate.number},
                    certificate,
                )
            )
        else:
            papers.append((_("%(lot)s · compliance certificate") % {"lot": label}, None))
        for inspection in inspections.get(batch.pk, []):
            title = _("%(lot)s · inspection report %(number)s (%(lab)s)") % {
                "lot": label,
                "number": inspection.report_number,
                "lab": inspection.laboratory,
            }
            papers.append((title, inspection.report_file or None))
        if not inspections.get(batch.pk):
            papers.append((_("%(lot)s · inspection report") % {"lot": label}, None))

    merged: list[tuple[str, bytes]] = []
    separate: list[str] = []
    for index, (title, source) in enumerate(papers):
        progress(10 + int(80 * index / max(len(papers), 1)))
        try:
            if source is None:
                raise FileNotFoundError
            data = _certificate_pdf(source) if hasattr(source, "promise") else _paper_pdf(source)
            PdfReader(io.BytesIO(data))  # readable
        except Exception:
            logger.info("receiving packet %s: %s not merged", document.pk, title, exc_info=True)
            separate.append(title)
            continue
        merged.append((title, data))

    cover = [
        pdf.title(_("Receiving packet (索证索票)")),
        pdf.key_values(_head(delivery)),
        pdf.heading(_("In this packet")),
        pdf.table(
            [[_("No."), _("Paper")]] + [[str(n), title] for n, (title, _d) in enumerate(merged, 1)],
            widths=(0.1, 0.9),
        ),
    ]
    if separate:
        cover += [
            pdf.heading(_("Attached separately (另附)")),
            pdf.text(
                _(
                    "These papers could not be put in this file; "
                    "ask the supplier or your channel manager for them:"
                )
            ),
            pdf.table([[_("Paper")]] + [[title] for title in separate]),
        ]
    cover_pdf = pdf.pdf_build(cover, title=_("Receiving packet"))
    writer = PdfWriter()
    for data in [cover_pdf] + [data for _title, data in merged]:
        writer.append(PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), f"suozheng-{delivery.organisation_order.order.number}-{delivery.pk}.pdf"


def ledger_rows(organisation: Organisation, month: datetime.date) -> list[list]:
    """The month's purchases, one row per batch of each line delivered (or due) that month."""
    first = month.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    deliveries = list(
        Delivery.objects.filter(
            organisation_order__organisation=organisation, date__gte=first, date__lte=last
        )
        .exclude(status=Delivery.Status.CANCELLED)
        .select_related("site", "organisation_order__order", "organisation_order__organisation")
        .order_by("date", "pk")
    )
    rows = []
    for delivery in deliveries:
        for row in delivery_rows(delivery):
            line, batch = row["line"], row["batch"]
            unit_price = line.unit_price_incl_tax if line.unit_price_incl_tax is not None else 0
            certificate = getattr(batch, "certificate", None) if batch is not None else None
            rows.append(
                [
                    delivery.date,
                    line.title,
                    line.upc or line.partner_sku,
                    row["quantity"],
                    unit_price,
                    unit_price * row["quantity"],
                    row["supplier"],
                    batch.lot_code if batch else "",
                    production_date(batch) if batch else None,
                    batch.best_before if batch else None,
                    certificate.number if certificate else "",
                    delivery.site.name,
                    delivery.organisation_order.order.number,
                    delivery.organisation_order.po_number,
                ]
            )
    return rows


def purchase_ledger_xlsx(document, progress) -> tuple[bytes, str]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    organisation, month = document.organisation, document.month
    rows = ledger_rows(organisation, month)
    progress(60)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = month.strftime("%Y-%m")
    sheet.append([_("Purchase ledger (进货台账)"), organisation.name, month.strftime("%Y-%m")])
    sheet["A1"].font = Font(bold=True)
    header = [
        _("Delivery date"),
        _("Product"),
        _("Code"),
        _("Quantity"),
        _("Unit price"),
        _("Amount"),
        _("Supplier"),
        _("Lot"),
        _("Production date"),
        _("Best before"),
        _("Certificate number"),
        _("Delivery site"),
        _("Order number"),
        _("PO number"),
    ]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([defuse(cell) for cell in row])  # titles, lots, PO numbers: typed by others
    for column in ("A", "I", "J"):
        for cell in sheet[column][2:]:
            cell.number_format = "yyyy-mm-dd"
    for column in ("E", "F"):
        for cell in sheet[column][2:]:
            cell.number_format = "#,##0.00"
    for column, width in zip(
        "ABCDEFGHIJKLMN", (12, 28, 16, 8, 10, 12, 26, 14, 12, 12, 18, 14, 12, 14), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), f"jinhuotaizhang-{organisation.pk}-{month:%Y%m}.xlsx"


def assistance_ledger_xlsx(document, progress) -> tuple[bytes, str]:
    """The organisation's assistance ledger of the year (``channels.ledger``): the figures against the
    pledge and how each is counted, then by month, every product, supplier and county reached."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from channels.ledger import how_we_count, organisation_ledger

    organisation, year = document.organisation, document.month.year
    ledger = organisation_ledger(organisation, year, top=None)
    progress(60)
    money = "#,##0.00"
    workbook = Workbook()

    sheet = workbook.active
    sheet.title = _("Summary")
    sheet.append([_("Assistance ledger (消费帮扶台账)")])
    sheet["A1"].font = Font(bold=True)
    rows = [
        (_("Organisation"), defuse(organisation.name)),
        (_("Unified social credit code"), defuse(organisation.uscc)),
        (_("Channel"), str(organisation.get_channel_display())),
        (_("Year"), year),
        (_("Pledge"), ledger.pledge),
        (_("Ordered"), ledger.ordered),
        (_("Orders placed"), ledger.order_count),
        (_("Delivered"), ledger.delivered),
        (_("Paid (counted as assistance)"), ledger.paid),
        (_("Of the pledge (%)"), ledger.progress),
        (_("Suppliers reached"), ledger.supplier_count),
        (_("Counties reached"), ledger.county_count),
        (_("Products reached"), ledger.product_count),
        (_("Made at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for label, value in rows:
        sheet.append([label, value])
        if isinstance(value, Decimal):
            sheet.cell(row=sheet.max_row, column=2).number_format = money
    sheet.append([])
    sheet.append([_("How we count")])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for label, text in how_we_count():
        sheet.append([label, text])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60

    def table(title, header, body, money_columns):
        part = workbook.create_sheet(title)
        part.append(header)
        for cell in part[1]:
            cell.font = Font(bold=True)
        for row in body:
            part.append([defuse(cell) for cell in row])  # names typed by suppliers and staff
        for column in money_columns:
            for cell in part[column][1:]:
                cell.number_format = money
        for column in "ABCD":
            part.column_dimensions[column].width = 30 if column == "A" else 16
        part.freeze_panes = "A2"

    table(
        _("By month"),
        [_("Month"), _("Ordered"), _("Delivered"), _("Paid (counted as assistance)")],
        [[m.month.strftime("%Y-%m"), m.ordered, m.delivered, m.paid] for m in ledger.months],
        "BCD",
    )
    table(
        _("Products"),
        [_("Product"), _("Quantity"), _("Paid (counted as assistance)")],
        [[row.name, row.quantity, row.amount] for row in ledger.products],
        "C",
    )
    table(
        _("Suppliers"),
        [_("Supplier"), _("County"), _("Paid (counted as assistance)")],
        [[row.name, row.county, row.amount] for row in ledger.suppliers],
        "C",
    )
    table(
        _("Counties"),
        [_("County"), _("Paid (counted as assistance)")],
        [[row.name, row.amount] for row in ledger.counties],
        "B",
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), f"xiaofeibangfu-{organisation.pk}-{year}.xlsx"


BUILDERS = {
    Kind.DELIVERY_NOTE: delivery_note_pdf,
    Kind.RECEIVING_PACKET: receiving_packet_pdf,
    Kind.PURCHASE_LEDGER: purchase_ledger_xlsx,
    Kind.ASSISTANCE_LEDGER: assistance_ledger_xlsx,
}


def documents_for(organisation: Organisation, *, delivery=None):
    documents = GeneratedDocument.objects.filter(organisation=organisation)
    if delivery is not None:
        documents = documents.filter(delivery=delivery)
    return documents.select_related("delivery").order_by("-created_at", "-pk")
