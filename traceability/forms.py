"""Portal forms: batches (with their inputs), events, inspections (with items), certificates, farm inputs,
holds, the sheet upload and API tokens. Choices are always the signed-in supplier's own rows."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from traceability import selectors
from traceability.models import (
    LOT_CODE_RE,
    Batch,
    BatchUnit,
    BizStep,
    ComplianceCertificate,
    Disposition,
    FarmInput,
    validate_lot_code,
)
from traceability.services import InputSpec, ItemSpec

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_title()


class BatchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.lot_code} · {obj.product.get_title()} ({obj.get_status_display()})"


class BatchForm(forms.Form):
    product = ProductChoiceField(label=_("Product"), queryset=None)
    base = forms.ModelChoiceField(label=_("Production base"), queryset=None)
    lot_code = forms.CharField(
        label=_("Lot code"),
        max_length=20,
        required=False,
        validators=[validate_lot_code],
        help_text=_("Leave empty to have one made from the harvest day, e.g. 260315-01."),
    )
    harvest_date = forms.DateField(label=_("Harvest or production date"), widget=DATE)
    packing_date = forms.DateField(label=_("Packing date"), widget=DATE, required=False)
    best_before = forms.DateField(label=_("Best before"), widget=DATE)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    unit = forms.ChoiceField(label=_("Unit"), choices=BatchUnit.choices, initial=BatchUnit.PIECE)
    notes = forms.CharField(
        label=_("Notes on the batch"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, supplier, batch: Batch | None = None, **kwargs):
        if batch is not None:
            kwargs["initial"] = {
                **{
                    "product": batch.product_id,
                    "base": batch.base_id,
                    "lot_code": batch.lot_code,
                    "harvest_date": batch.harvest_date,
                    "packing_date": batch.packing_date,
                    "best_before": batch.best_before,
                    "quantity": batch.quantity,
                    "unit": batch.unit,
                    "notes": batch.notes,
                },
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = selectors.supplier_products(supplier)
        self.fields["base"].queryset = selectors.supplier_bases(supplier)
        if batch is not None:
            self.fields["product"].disabled = True
            self.fields["lot_code"].required = True

    def clean_lot_code(self):
        value = self.cleaned_data["lot_code"].strip()
        if value and not value.isascii():
            raise forms.ValidationError(
                _("A lot code uses Latin letters and digits only (GS1 lot codes are ASCII).")
            )
        if value and not LOT_CODE_RE.match(value):
            raise forms.ValidationError(validate_lot_code.message)
        return value

    def batch_data(self) -> dict:
        data = dict(self.cleaned_data)
        if self.fields["product"].disabled:
            data.pop("product", None)
        return data


class InputForm(forms.Form):
    input = BatchChoiceField(label=_("Made from batch"), queryset=None, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity used"), min_value=Decimal("0.001"), decimal_places=3, required=False
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=BatchUnit.choices, initial=BatchUnit.KG, required=False)

    def __init__(self, *args, supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["input"].queryset = (
            Batch.objects.filter(base__supplier=supplier)
            .exclude(status=Batch.Status.RECALLED)
            .select_related("product")
            .order_by("-harvest_date", "-pk")
        )

    def clean(self):
        data = super().clean()
        if data.get("input") and not data.get("quantity"):
            self.add_error("quantity", _("How much of this batch was used?"))
        if data.get("quantity") and not data.get("input"):
            self.add_error("input", _("Choose the batch it was made from."))
        return data


InputFormSet = forms.formset_factory(InputForm, extra=3, max_num=10)


def input_specs(formset) -> list[InputSpec]:
    return [
        InputSpec(
            batch=form.cleaned_data["input"],
            quantity=form.cleaned_data["quantity"],
            unit=form.cleaned_data["unit"],
        )
        for form in formset.forms
        if form.cleaned_data.get("input")
    ]


class EventForm(forms.Form):
    """An event the cooperative records itself (harvest, publishing and holds are recorded by the shop)."""

    STEPS = [
        BizStep.PACKING,
        BizStep.STORING,
        BizStep.SHIPPING,
        BizStep.TRANSPORTING,
        BizStep.RECEIVING,
        BizStep.SAMPLING,
        BizStep.REPACKAGING,
        BizStep.OTHER,
    ]

    biz_step = forms.ChoiceField(label=_("What happened"))
    event_time = forms.DateTimeField(
        label=_("When"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    base = forms.ModelChoiceField(label=_("At a base"), queryset=None, required=False)
    place = forms.CharField(
        label=_("Or at a place"), max_length=128, required=False, help_text=_("E.g. 十堰冷链物流中心.")
    )
    actor = forms.CharField(label=_("Who"), max_length=128, required=False)
    disposition = forms.ChoiceField(
        label=_("State afterwards"),
        required=False,
        choices=[("", _("(usual for this step)"))] + list(Disposition.choices),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=Decimal("0.001"), decimal_places=3
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    corrects = forms.ModelChoiceField(
        label=_("This corrects an earlier record"),
        queryset=None,
        required=False,
        help_text=_(
            "Published records never change: a mistake is put right by a new record that corrects it."
        ),
    )
    reason = forms.CharField(label=_("What was wrong"), max_length=255, required=False)

    def __init__(self, *args, supplier, batch: Batch, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "event_time", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.fields["biz_step"].choices = [(step.value, step.label) for step in self.STEPS]
        self.fields["base"].queryset = selectors.supplier_bases(supplier)
        self.fields["corrects"].queryset = batch.events.order_by("sequence")
        self.fields["corrects"].label_from_instance = lambda e: (
            f"#{e.sequence} {e.get_biz_step_display()} · {timezone.localtime(e.event_time):%Y-%m-%d %H:%M}"
        )

    def clean(self):
        data = super().clean()
        if not data.get("base") and not (data.get("place") or "").strip():
            self.add_error("place", _("Say where it happened: a base or a place."))
        if data.get("corrects") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say what was wrong with the earlier record."))
        from traceability.services import event_facts_errors

        errors = event_facts_errors(
            batch=self.batch, event_time=data.get("event_time"), quantity=data.get("quantity")
        )
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def event_data(self) -> dict:
        data = self.cleaned_data
        details = {}
        if data.get("note"):
            details["note"] = data["note"].strip()
        if data.get("corrects"):
            details["correction_reason"] = data["reason"].strip()
        return {
            "biz_step": data["biz_step"],
            "event_time": data["event_time"],
            "base": data.get("base"),
            "place": data.get("place", ""),
            "actor": data.get("actor", ""),
            "disposition": data.get("disposition") or None,
            "quantity": data.get("quantity"),
            "details": details,
            "corrects": data.get("corrects"),
        }


class InspectionForm(forms.Form):
    laboratory = forms.CharField(
        label=_("Laboratory"), max_length=128, help_text=_("E.g. 十堰市农产品质量安全检测中心.")
    )
    report_number = forms.CharField(label=_("Report number"), max_length=64)
    sampling_date = forms.DateField(label=_("Sampling date"), widget=DATE)
    report_date = forms.DateField(label=_("Report date"), widget=DATE, required=False)
    conclusion = forms.CharField(
        label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    report_file = forms.FileField(
        label=_("Report (PDF)"), required=False, help_text=_("A PDF of at most 10 MB; its SHA-256 is kept.")
    )

    def __init__(self, *args, batch: Batch | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch

    def clean(self):
        data = super().clean()
        if self.batch is not None:
            from traceability.services import sampling_date_errors

            for name, message in sampling_date_errors(
                batch=self.batch, sampling_date=data.get("sampling_date")
            ).items():
                self.add_error(name, message)
        return data


class ItemForm(forms.Form):
    VERDICTS = [("", _("from the limit")), ("pass", _("pass")), ("fail", _("fail"))]

    analyte = forms.CharField(label=_("Analyte"), max_length=64, required=False)
    result = forms.DecimalField(
        label=_("Result"), required=False, min_value=0, decimal_places=4, help_text=_("Empty: not detected.")
    )
    limit = forms.DecimalField(label=_("Limit"), required=False, min_value=0, decimal_places=4)
    unit = forms.CharField(label=_("Unit"), max_length=16, required=False, initial="mg/kg")
    verdict = forms.ChoiceField(label=_("Verdict"), choices=VERDICTS, required=False)

    def spec(self) -> ItemSpec | None:
        data = self.cleaned_data
        if not (data.get("analyte") or "").strip():
            return None
        verdict = data.get("verdict")
        return ItemSpec(
            analyte=data["analyte"],
            result=data.get("result"),
            limit=data.get("limit"),
            unit=data.get("unit") or "mg/kg",
            passed=None if not verdict else verdict == "pass",
        )


ItemFormSet = forms.formset_factory(ItemForm, extra=5, max_num=40)


class CertificateForm(forms.Form):
    issuer = forms.CharField(label=_("Issued by"), max_length=128)
    contact = forms.CharField(label=_("Contact phone"), max_length=20)
    basis = forms.ChoiceField(
        label=_("Basis of the promise"), choices=ComplianceCertificate.Basis.choices, widget=forms.RadioSelect
    )
    inspection = forms.ModelChoiceField(label=_("Inspection report"), queryset=None, required=False)
    product_name = forms.CharField(label=_("Product name"), max_length=128)
    quantity = forms.DecimalField(label=_("Quantity (weight)"), min_value=Decimal("0.001"), decimal_places=3)
    unit = forms.ChoiceField(label=_("Unit"), choices=BatchUnit.choices)
    origin = forms.CharField(label=_("Origin"), max_length=128)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        help_text=_("The last day the promise holds; leave empty when it covers the batch's whole life."),
    )

    def __init__(self, *args, batch: Batch, supplier, **kwargs):
        from traceability.services import _origin_of

        certificate = getattr(batch, "certificate", None) if hasattr(batch, "certificate") else None
        initial = {
            "issuer": supplier.legal_name,
            "contact": supplier.phone,
            "product_name": batch.product.get_title(),
            "quantity": batch.quantity,
            "unit": batch.unit,
            "origin": _origin_of(batch.base),
            "basis": ComplianceCertificate.Basis.PROCESS_CONTROL,
        }
        if certificate is not None:
            initial.update(
                issuer=certificate.issuer,
                contact=certificate.contact,
                product_name=certificate.product_name,
                quantity=certificate.quantity,
                unit=certificate.unit,
                origin=certificate.origin,
                basis=certificate.basis,
                inspection=certificate.inspection_id,
                valid_until=certificate.valid_until,
            )
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}  # FormView passes an empty one
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = batch.inspections.filter(passed=True).order_by("-sampling_date")
        self.fields["inspection"].label_from_instance = lambda i: (
            f"{i.laboratory} {i.report_number} ({i.sampling_date})"
        )


class FarmInputForm(forms.ModelForm):
    class Meta:
        model = FarmInput
        fields = [
            "base",
            "product",
            "kind",
            "name",
            "dose",
            "applied_on",
            "pre_harvest_interval_days",
            "plot",
        ]
        widgets = {"applied_on": DATE}

    def __init__(self, *args, supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].queryset = selectors.supplier_bases(supplier)
        self.fields["product"].queryset = selectors.supplier_products(supplier)
        self.fields["product"].label_from_instance = lambda p: p.get_title()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    price = forms.DecimalField(
        label=_("Price (¥)"),
        min_value=Decimal("0.01"),
        decimal_places=2,
        required=False,
        help_text=_("Needed only when the product has no price in the shop yet."),
    )


class SheetUploadForm(forms.Form):
    """Only the size is checked here; the content is read by a worker (traceability.import_jobs)."""

    sheet = forms.FileField(label=_("Sheet (XLSX or CSV)"), help_text=_("At most 10 MB and 10,000 rows."))

    def clean_sheet(self):
        from traceability.imports import MAX_BYTES

        upload = self.cleaned_data["sheet"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class SheetChoiceForm(forms.Form):
    """Which sheet of a workbook with several to import."""

    sheet = forms.ChoiceField(label=_("Sheet to import"), widget=forms.RadioSelect)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(name, name) for name in choices]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=64, help_text=_("What will use it, e.g. 仓库电脑 (warehouse PC).")
    )
