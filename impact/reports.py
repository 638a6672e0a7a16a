"""The yearly impact report: a PDF with charts, built in Celery with progress, e-mailed when ready."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from core import pdf
from core.outbox import outbox_add

from .figures import Filters, figures_compute
from .models import YearReport
from .selectors import page_data

logger = logging.getLogger(__name__)


def report_request(*, year: int, user) -> YearReport:
    """Record a report request and queue its build after the commit."""
    from core.queue import queue_now

    from .tasks import year_report_build_task

    report = YearReport.objects.create(year=year, requested_by=user)

    def _queue():
        try:
            queue_now(year_report_build_task, report.pk)
        except Exception:
            logger.warning("impact: report %s could not be queued", report.pk, exc_info=True)

    transaction.on_commit(_queue)
    return report


def _progress(report: YearReport, percent: int) -> None:
    YearReport.objects.filter(pk=report.pk).update(progress=percent)


def _month_chart(months) -> Drawing:
    width, height = pdf.CONTENT_WIDTH, 60 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 18 * mm, 10 * mm, width - 24 * mm, height - 16 * mm
    chart.data = [[float(amount) for _label, amount, _percent in months] or [0]]
    chart.categoryAxis.categoryNames = [label[-2:] for label, _amount, _percent in months] or [""]
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2f7d3b")
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = pdf.FONT
    drawing.add(chart)
    drawing.add(String(0, height - 4 * mm, _("Sales by month (yuan)"), fontName=pdf.FONT, fontSize=9))
    return drawing


def _rows(rows, heading):
    return [(heading, _("Sales"), _("Share"))] + [
        (str(label), pdf.money(amount), f"{percent}%") for label, amount, percent in rows
    ]


def report_build(report_id: int) -> YearReport:
    """Build the PDF of a queued report (progress saved as it goes), then queue the e-mail."""
    report = YearReport.objects.get(pk=report_id)
    if report.state == YearReport.State.DONE:
        return report
    YearReport.objects.filter(pk=report.pk).update(state=YearReport.State.RUNNING, progress=5)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            pdf._register_font()
            end = min(datetime.date(report.year, 12, 31), timezone.localdate())
            figures = figures_compute(Filters(start=datetime.date(report.year, 1, 1), end=end))
            _progress(report, 40)
            data = page_data(figures, categories={})
            story = [
                pdf.title(_("Impact report %(year)d") % {"year": report.year}),
                pdf.text(_("From %(start)s to %(end)s") % {"start": figures.filters.start, "end": end}),
                pdf.space(),
                pdf.table(
                    [(_("Figure"), _("Value"), _("Target"), _("Progress (%)"))]
                    + [
                        (
                            str(row["label"]),
                            pdf.money(row["value"]) if row["key"] == "sales" else str(row["value"]),
                            (pdf.money(row["target"]) if row["key"] == "sales" else str(row["target"]))
                            if row["target"]
                            else "",
                            "" if row["progress"] is None else f"{row['progress']}%",
                        )
                        for row in data["headline"]
                    ],
                    right=(1, 2, 3),
                ),
                pdf.space(),
                _month_chart(data["months"]),
            ]
            _progress(report, 70)
            for key, heading in (
                ("counties", _("County")),
                ("channels", _("Channel")),
                ("suppliers", _("Supplier")),
                ("products", _("Product")),
                ("districts", _("District")),
            ):
                story += [
                    pdf.space(),
                    pdf.heading(heading),
                    pdf.table(_rows(data[key], heading), right=(1, 2)),
                ]
            story += [
                pdf.space(),
                pdf.text(_("How we count: see the impact dashboard; docs/impact.md."), "small"),
            ]
            content = pdf.pdf_build(story, title=_("Impact report %(year)d") % {"year": report.year})
    except Exception as exc:
        logger.exception("impact: report %s failed", report.pk)
        YearReport.objects.filter(pk=report.pk).update(
            state=YearReport.State.FAILED, error=str(exc)[:255], finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        YearReport.objects.filter(pk=report.pk).update(
            state=YearReport.State.DONE, progress=100, pdf=content, finished_at=timezone.now()
        )
        if report.requested_by_id:
            outbox_add(
                kind="impact.report_ready", payload={"report_id": report.pk}, key=f"impact:report:{report.pk}"
            )
    report.refresh_from_db()
    return report


def report_ready_send(*, report_id: int) -> None:
    """E-mail the staff member who asked that the report is ready, with the link to it."""
    report = YearReport.objects.select_related("requested_by").filter(pk=report_id).first()
    if report is None or report.requested_by is None or not report.requested_by.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("impact:report", args=[report.pk])
        send_mail(
            _("Impact report %(year)d is ready") % {"year": report.year},
            _("The impact report for %(year)d is ready: %(link)s") % {"year": report.year, "link": link},
            settings.DEFAULT_FROM_EMAIL,
            [report.requested_by.email],
        )
