"""Pages of ranking runs under /peringkat/ (docs/ranking.md, "Pages").

BPS admins start, cancel and finalise runs; Pemkot staff and Koseka read them (a Koseka only the
families of their kecamatan). Anyone else gets 403; an unknown run is 404. Pages show counts, codes
and reasons, never a family's answers or identifiers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enumeration import scoping
from enumeration.models import Role, User
from households.models import FamilyStatus
from households.questionnaire.definition import available_definitions
from ranking import selectors, services
from ranking.accuracy import POOR_SHARE
from ranking.crosswalk import FORM
from ranking.default_model import LABEL as ALATAS_LABEL
from ranking.models import RankingRun, RunStatus
from ranking.surveyfile import (
    CLUSTER,
    CONSUMPTION,
    FEATURE_CATALOGUE,
    MAX_BYTES,
    MAX_FOLDS,
    MIN_FOLDS,
    template_header,
)
from regsosek.errors import ApplicationError

PAGE_SIZE = 100


class StartForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Status keluarga yang diperingkat"),
        choices=FamilyStatus.choices,
        initial=[FamilyStatus.APPROVED],
        widget=forms.CheckboxSelectMultiple,
    )


def _viewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not scoping.can_view_rankings(user):
        raise PermissionDenied
    return user


def _runner(request: HttpRequest) -> User:
    user = _viewer(request)
    if not scoping.can_run_rankings(user):
        raise PermissionDenied
    return user


def _run(user: User, run_id: int) -> RankingRun:
    run = selectors.ranking_run_get(user=user, run_id=run_id)
    if run is None:
        raise Http404
    return run


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    page = Paginator(selectors.ranking_run_list(user=user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ranking/run_list.html",
        {
            "page_obj": page,
            "can_run": scoping.can_run_rankings(user),
            "start_form": StartForm(),
            "final_run": selectors.ranking_run_final(user=user),
        },
    )


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    user = _runner(request)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih setidaknya satu status keluarga."))
        return redirect("ranking:runs")
    try:
        run = services.ranking_run_start(user=user, statuses=form.cleaned_data["statuses"])
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("ranking:runs")
    messages.success(request, _("Putaran #%(id)s masuk antrean.") % {"id": run.pk})
    return redirect("ranking:run", run_id=run.pk)


def _progress_context(run: RankingRun) -> dict[str, Any]:
    return {"run": run, "poll": run.is_active}


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    user = _viewer(request)
    run = _run(user, run_id)
    context: dict[str, Any] = {
        **_progress_context(run),
        "can_run": scoping.can_run_rankings(user),
        "is_koseka_view": user.role == Role.KOSEKA,
        "group_labels": selectors.welfare_group_labels(),
        "desil_range": range(1, 11),
    }
    if run.status == RunStatus.FINISHED:
        context["summary"] = selectors.run_summary(user=user, run=run)
        unranked = selectors.unranked_rows(user=user, run=run)
        context["unranked_page"] = Paginator(unranked, PAGE_SIZE).get_page(request.GET.get("tanpa"))
        previous = selectors.ranking_run_previous(user=user, run=run)
        context["previous"] = previous
        if previous is not None:
            changed = selectors.run_comparison(user=user, run=run, previous=previous)
            context["changed_page"] = Paginator(changed, PAGE_SIZE).get_page(request.GET.get("berubah"))
    return render(request, "ranking/run_detail.html", context)


@login_required
@require_GET
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The live progress fragment (htmx polls it). When the run is no longer active, htmx reloads
    the whole page (HX-Refresh), which then shows the summary or the error."""
    user = _viewer(request)
    run = _run(user, run_id)
    response = render(request, "ranking/_progress.html", _progress_context(run))
    if getattr(request, "htmx", False) and not run.is_active:
        response["HX-Refresh"] = "true"
    return response


def _act(request: HttpRequest, run_id: int, action: str) -> HttpResponseRedirect:
    user = _runner(request)
    run = _run(user, run_id)
    try:
        if action == "cancel":
            services.ranking_run_cancel(user=user, run=run)
            messages.success(request, _("Putaran dibatalkan."))
        else:
            services.ranking_run_finalise(user=user, run=run)
            messages.success(request, _("Putaran ditetapkan sebagai final."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(reverse("ranking:run", kwargs={"run_id": run.pk}))


@login_required
@require_POST
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, "cancel")


@login_required
@require_POST
def run_finalise(request: HttpRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, "finalise")


@login_required
@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    """The PMT models and their accuracy reports; for BPS admins also the fits from survey files."""
    user = _viewer(request)
    current = selectors.pmt_model_current()
    models = [
        {
            "model": model,
            "is_alatas": model.provenance.get("label") == ALATAS_LABEL,
            "is_current": current is not None and model.pk == current.pk,
            "accuracy": model.accuracy,
            "selections": _selections(model.accuracy),
            "features": len(model.features),
        }
        for model in selectors.pmt_model_list(user=user)
    ]
    return render(
        request,
        "ranking/models.html",
        {
            "models": models,
            "can_run": scoping.can_run_rankings(user),
            "fits": selectors.pmt_fit_list(user=user)[:20],
        },
    )


@login_required
@require_POST
def model_activate(request: HttpRequest, model_id: int) -> HttpResponse:
    user = _runner(request)
    model = selectors.pmt_model_for_user(user=user, model_id=model_id)
    if model is None:
        raise Http404
    services.pmt_model_activate(user=user, model=model)
    messages.success(request, _("Model %(version)s kini dipakai putaran baru.") % {"version": model.version})
    return redirect("ranking:models")


def _describe(feature: dict[str, Any]) -> str:
    """A feature's definition in variable ids and codes (language-neutral)."""
    kind = feature["kind"]
    power = " ²" if feature.get("power") == 2 else ""
    if kind == "code_in":
        codes = ", ".join(str(code) for code in feature["codes"])
        return f"{feature['of']}: {feature['variable']} ∈ {{{codes}}}{power}"
    if kind == "number":
        return f"{feature['of']}: {feature['variable']}{power}"
    if kind == "positive":
        return " + ".join(feature["variables"]) + " > 0"
    if kind == "count_members":
        return f"# {feature['variable']} ∈ [{feature['min']}, {feature['max']}]{power}"
    return f"{feature['derived']}{power}"


def _form_versions() -> list[tuple[str, str]]:
    return [(version, f"{form} {version}") for form, version in available_definitions() if form == FORM]


class FitForm(forms.Form):
    survey = forms.FileField(
        label=gettext_lazy("Berkas survei (CSV, UTF-8)"),
        help_text=gettext_lazy("Paling banyak 10 MiB. Format: lihat di bawah dan templat."),
    )
    version = forms.CharField(
        label=gettext_lazy("Nama (versi) model"),
        max_length=80,
        help_text=gettext_lazy("Unik, mis. susenas2024-tangsel-1."),
    )
    title = forms.CharField(label=gettext_lazy("Judul"), max_length=200, required=False)
    form_version = forms.ChoiceField(label=gettext_lazy("Versi formulir"), choices=_form_versions)
    features = forms.MultipleChoiceField(
        label=gettext_lazy("Fitur"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(name, f"{name} ({_describe(spec)})") for name, spec in FEATURE_CATALOGUE.items()],
        help_text=gettext_lazy("Tidak ada yang dipilih: semua fitur yang kolomnya ada di berkas."),
    )
    poor_share = forms.DecimalField(
        label=gettext_lazy("Bagian miskin (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        decimal_places=2,
        help_text=gettext_lazy("Kosong: 35,25 %. Miskin: konsumsi di bawah kuantil ini."),
    )
    poverty_line = forms.FloatField(
        label=gettext_lazy("Atau garis kemiskinan"),
        required=False,
        min_value=0.000001,
        help_text=gettext_lazy("Dalam satuan kolom konsumsi; jika diisi, bagian miskin tidak dipakai."),
    )
    folds = forms.IntegerField(
        label=gettext_lazy("Lipatan validasi silang (k)"), min_value=MIN_FOLDS, max_value=MAX_FOLDS, initial=10
    )

    def clean_survey(self) -> Any:
        upload = self.cleaned_data["survey"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Berkas terlalu besar: paling banyak %(mib)s MiB.") % {"mib": MAX_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("poor_share") is not None and data.get("poverty_line") is not None:
            raise forms.ValidationError(_("Isi bagian miskin atau garis kemiskinan, bukan keduanya."))
        return data

    def fit_request(self) -> services.FitRequest:
        data = self.cleaned_data
        share = data.get("poor_share")
        line = data.get("poverty_line")
        return services.FitRequest(
            version=data["version"].strip(),
            title=data.get("title") or "",
            form_version=data["form_version"],
            features=data.get("features") or [],
            folds=data["folds"],
            poor_share=None if line is not None else (float(share) / 100 if share is not None else POOR_SHARE),
            poverty_line=line,
        )


@login_required
@require_http_methods(["GET", "POST"])
def model_fit(request: HttpRequest) -> HttpResponse:
    """Upload a survey file to fit a draft PMT model (BPS admins)."""
    user = _runner(request)
    problems: list[str] = []
    if request.method == "POST":
        form = FitForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                fit = services.pmt_fit_start(
                    user=user, survey_csv=form.cleaned_data["survey"].read(), request=form.fit_request()
                )
            except ApplicationError as error:
                problems = [error.message, *error.extra.get("problems", [])]
            else:
                messages.success(request, _("Berkas diterima; estimasi #%(id)s masuk antrean.") % {"id": fit.pk})
                return redirect("ranking:models")
    else:
        form = FitForm()
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "problems": problems, "columns": [CLUSTER, CONSUMPTION], "max_mib": MAX_BYTES >> 20}
    return render(request, "ranking/model_fit.html", context, status=status)


@login_required
@require_GET
def model_fit_template(request: HttpRequest) -> HttpResponse:
    """The header of a survey file with every catalogue feature (no data)."""
    _runner(request)
    response = HttpResponse(template_header(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="templat-survei-pmt.csv"'
    return response


def _selections(accuracy: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The accuracy report's rows in reading order, with Indonesian labels (missing ones skipped)."""
    labels = [
        ("government_2008", _("PMT pemerintah 2008 (pembanding)"), False),
        ("training_coverage", _("Cakupan pelatihan (sebanyak keluarga miskin)"), True),
        ("cutoff_10", _("10 % termiskin"), True),
        ("cutoff_20", _("20 % termiskin"), True),
        ("cutoff_30", _("30 % termiskin"), True),
        ("cutoff_40", _("40 % termiskin"), True),
        ("per_village_as_2008", _("Per desa, sebanyak pilihan 2008"), True),
        ("same_total_by_rank", _("Jumlah yang sama menurut peringkat"), True),
    ]
    selections = accuracy.get("selections") or {}
    rows = []
    for key, label, ours in labels:
        row = accuracy.get(key) if key == "government_2008" else selections.get(key)
        if isinstance(row, dict):
            rows.append((str(label), {**row, "ours": ours}))
    return rows
