"""The analysts' exports page: ask for a file, watch its progress (htmx polling), download it.

For PML, Koseka and BPS admins (`exports.can_export`); anyone else gets 403. A person sees and
downloads only their own jobs (another's is 404). Files are answered `Cache-Control: private,
no-store` and never through a media URL.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from enumeration.models import User
from households.models import FamilyStatus
from monitoring import export_sql, exports
from monitoring.models import ExportFormat, ExportJob, ExportKind
from regsosek.errors import ApplicationError

CHOICES = [
    ("families.csv", gettext_lazy("Keluarga · CSV")),
    ("families.xlsx", gettext_lazy("Keluarga · XLSX (dengan lembar kodebook)")),
    ("members.csv", gettext_lazy("Anggota keluarga · CSV")),
    ("members.xlsx", gettext_lazy("Anggota keluarga · XLSX (dengan lembar kodebook)")),
    ("geotags.geojson", gettext_lazy("Geotag bangunan · GeoJSON (QGIS)")),
]


class ExportForm(forms.Form):
    what = forms.ChoiceField(label=gettext_lazy("Data dan format"), choices=CHOICES)
    labels = forms.BooleanField(
        label=gettext_lazy("Isi jawaban berkode dengan labelnya (bukan kodenya)"), required=False
    )
    kecamatan = forms.ChoiceField(label=gettext_lazy("Kecamatan"), required=False)
    kelurahan = forms.ChoiceField(label=gettext_lazy("Kelurahan"), required=False)
    sls = forms.TypedChoiceField(label=gettext_lazy("SLS"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=gettext_lazy("Status keluarga"), required=False)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        areas = exports.export_area_choices(user=user)
        every = [("", _("Semua"))]
        self.fields["kecamatan"].choices = every + [(c, f"{c} {n}") for c, n in areas["kecamatan"]]  # type: ignore[attr-defined]
        self.fields["kelurahan"].choices = every + [(c, f"{c} {n}") for c, n in areas["kelurahan"]]  # type: ignore[attr-defined]
        if len(areas["sls"]) > exports.MAX_SLS_OPTIONS:
            # A kota has thousands of SLS: a select that long is unusable, so the SLS is typed (its
            # number, as on the review desk); the service checks it is in scope.
            self.fields["sls"] = forms.IntegerField(label=gettext_lazy("Nomor SLS"), required=False, min_value=1)
        else:
            self.fields["sls"].choices = every + [(s.pk, f"{s.full_code} {s.name}") for s in areas["sls"]]  # type: ignore[attr-defined]
        self.fields["status"].choices = every + list(FamilyStatus.choices)  # type: ignore[attr-defined]

    def filters(self) -> exports.ExportFilters:
        data = self.cleaned_data
        return exports.ExportFilters(
            kecamatan_code=data["kecamatan"],
            kelurahan_code=data["kelurahan"],
            sls_id=data["sls"],
            status=data["status"],
        )


def _exporter(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not exports.can_export(user):
        raise PermissionDenied
    return user


def _job(user: User, job_id: int) -> ExportJob:
    job = exports.export_job_get_for_user(user=user, job_id=job_id)
    if job is None:
        raise Http404
    return job


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest) -> HttpResponse:
    user = _exporter(request)
    form = ExportForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        kind, fmt = form.cleaned_data["what"].split(".")
        try:
            exports.export_job_create(
                user=user, kind=kind, fmt=fmt, labels=form.cleaned_data["labels"], filters=form.filters()
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Ekspor dimasukkan ke antrean. Berkas dapat diunduh setelah selesai."))
            return redirect("monitoring:exports")
    else:
        exports.export_purge_expired()
    return render(
        request,
        "monitoring/exports.html",
        {"form": form, "jobs": exports.export_job_list_for_user(user=user)[:20], "ttl": settings.EXPORT_TTL_HOURS},
    )


@login_required
@require_GET
def export_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """One job's row (polled by htmx while the job is queued or running)."""
    user = _exporter(request)
    return render(request, "monitoring/_export_row.html", {"job": _job(user, job_id)})


@login_required
@require_GET
def export_download(request: HttpRequest, job_id: int) -> FileResponse:
    user = _exporter(request)
    job = _job(user, job_id)
    try:
        path = exports.export_download(user=user, job=job)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    stamp = job.created_at.strftime("%Y%m%d-%H%M")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"regsosek-{job.kind}-{stamp}-{job.pk}.{job.format}",
        content_type=exports.CONTENT_TYPES[ExportFormat(job.format)],
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_codebook(request: HttpRequest, kind: str) -> HttpResponse:
    """The codebook of the families' or members' columns as CSV: the definition only, no records."""
    _exporter(request)
    if kind not in (ExportKind.FAMILIES, ExportKind.MEMBERS):
        raise Http404
    definition = export_sql.current_definition()
    if kind == ExportKind.MEMBERS:
        columns = export_sql.member_columns(definition, labels=False)
    else:
        columns = export_sql.family_columns(definition, labels=False)
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out, lineterminator="\n").writerows(export_sql.codebook_rows(definition, columns))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"kodebook-{kind}-{definition.form}-{definition.version}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
