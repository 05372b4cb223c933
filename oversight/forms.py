"""The audit page's filter form (a plain GET form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from enumeration.models import Kecamatan, Kelurahan
from oversight.selectors import AuditFilter


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    person = forms.CharField(label=_("Orang (username)"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("Tindakan"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)
    object_type = forms.CharField(
        label=_("Jenis objek"),
        max_length=60,
        required=False,
        help_text=_("mis. family, device, user, sls"),
    )
    object_id = forms.CharField(label=_("Id objek"), max_length=64, required=False)
    date_from = forms.DateField(label=_("Dari tanggal"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Sampai tanggal"), required=False, widget=DateInput)

    def __init__(self, *args: Any, kecamatan: list[Kecamatan], kelurahan: list[Kelurahan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("Semua"))
        self._choices("action", [everything, *AuditAction.choices])
        self._choices("kecamatan", [everything, *[(k.bps_code, f"{k.bps_code} {k.name}") for k in kecamatan]])
        self._choices(
            "kelurahan",
            [everything, *[(k.bps_code, f"{k.bps_code} {k.name} ({k.kecamatan.name})") for k in kelurahan]],
        )

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Tanggal akhir sebelum tanggal awal."))
        return data

    def to_filter(self) -> AuditFilter:
        """The filters of a valid form."""
        data = self.cleaned_data
        return AuditFilter(
            person=data["person"].strip(),
            action=data["action"],
            kecamatan=data["kecamatan"],
            kelurahan=data["kelurahan"],
            object_type=data["object_type"].strip(),
            object_id=data["object_id"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
