"""Staff recall desk in the dashboard area, /shop/dashboard/recalls/ (issue 4, part 8).

Staff only, and only those holding ``traceability.add_recall`` (superusers hold every permission):
anyone signed out is sent to the sign-in page, anyone else gets 403.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from traceability import recall as recalls
from traceability.models import Batch, Recall

RECALL_PERMISSION = "traceability.add_recall"


def can_recall(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.has_perm(RECALL_PERMISSION)
    )


class RecallStaffMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("customer:login"))
        if not can_recall(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the recall"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Buyers read it in the recall e-mail; the trace page shows it too."),
    )


class RecallListView(RecallStaffMixin, ListView):
    """Recalls so far, and the search for a batch to recall by its lot code."""

    template_name = "traceability/staff/recall_list.html"
    context_object_name = "recalls"
    paginate_by = 30

    def get_queryset(self):
        return Recall.objects.select_related("batch__product", "recalled_by").order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()
        return super().get_context_data(
            query=query, matches=list(recalls.batches_matching(query)) if query else None, **kwargs
        )


class RecallCreateView(RecallStaffMixin, TemplateView):
    """Confirm a recall: the batch, every batch made from it, and the reason (required)."""

    template_name = "traceability/staff/recall_confirm.html"

    def get_batch(self):
        return get_object_or_404(
            Batch.objects.select_related("product", "base__supplier"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, form=None, **kwargs):
        batch = self.get_batch()
        affected = list(
            Batch.objects.filter(pk__in=recalls.batch_descendants(batch.pk))
            .select_related("product", "base__supplier")
            .order_by("pk")
        )
        return super().get_context_data(
            batch=batch,
            affected=affected,
            already=batch.status == Batch.Status.RECALLED,
            form=form or RecallForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        batch = self.get_batch()
        form = RecallForm(request.POST)
        if form.is_valid():
            try:
                recall = recalls.batch_recall(
                    batch=batch, reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "already_recalled":
                    messages.error(request, error.messages[0])
                    existing = recalls.recall_for_batch(batch)
                    return redirect(existing.get_absolute_url() if existing else "recall:list")
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Recalled: %(count)d batch(es) left sale at once; the buyers are being e-mailed.")
                    % {"count": recall.batches.count()},
                )
                return redirect(recall.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class RecallDetailView(RecallStaffMixin, TemplateView):
    """Every affected order line, order and buyer, paginated and sortable; export links."""

    template_name = "traceability/staff/recall_detail.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        recall = get_object_or_404(
            Recall.objects.select_related("batch__product", "batch__base__supplier", "recalled_by"),
            pk=self.kwargs["pk"],
        )
        sort = recalls.recall_sort(self.request.GET.get("sort"))
        paginator = Paginator(recalls.recall_allocations(recall, sort), self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        rows = list(recalls.recall_rows(recall, sort, queryset=page.object_list))
        headers = []
        for column in recalls.COLUMNS:
            link = None
            if column.key in recalls.SORTABLE:
                link = f"-{column.key}" if sort == column.key else column.key
            headers.append(
                {
                    "label": column.label,
                    "sort": link,
                    "active": sort.lstrip("-") == column.key,
                    "descending": sort.startswith("-"),
                }
            )
        batches = list(recall.batches.select_related("product", "base__supplier").order_by("pk"))
        notices = recall.notices.all()
        return super().get_context_data(
            recall=recall,
            batches=batches,
            rows=rows,
            page_obj=page,
            paginator=paginator,
            is_paginated=page.has_other_pages(),
            headers=headers,
            sort=sort,
            summary=recalls.recall_summary(recall),
            notices_total=notices.count(),
            notices_sent=notices.filter(sent_at__isnull=False).count(),
            **kwargs,
        )


class RecallExportView(RecallStaffMixin, View):
    """The affected lines as a spreadsheet: ``export.csv`` or ``export.xlsx``, in the page's sort order."""

    formats = {
        "csv": ("text/csv; charset=utf-8", recalls.recall_csv),
        "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", recalls.recall_xlsx),
    }

    def get(self, request, pk, fmt):
        recall = get_object_or_404(Recall.objects.select_related("batch"), pk=pk)
        content_type, write = self.formats[fmt]
        body = write(recall, recalls.recall_sort(request.GET.get("sort")))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"recall-{recall.pk}-{recall.batch.lot_code.replace('/', '-')}-{stamp}.{fmt}"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
