"""The FKP and Pemkot pages under /pemkot/ (docs/fkp.md).

Readers: BPS Kota admins and Pemkot staff (the kota), Koseka (their kecamatan); anyone else gets
403, and a run, kelurahan or forum outside the user's scope 404. Changes (grouping, outcomes,
proposals, re-rank) are for BPS admins and go through fkp.services. Pages that show families and
every download are written to the audit log (who, which run or forum, how many rows); downloads
answer `Cache-Control: private, no-store` under file names made of codes only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import NO_AREA, Area, audit_export, audit_record
from enumeration.models import Kelurahan, User
from fkp import documents, selectors, services
from fkp.grouping import DEFAULT_MAX_SLS, MAX_SLS_LIMIT
from fkp.models import Decision, DocumentStatus, Forum, ListDocument
from ranking.models import RankingRun
from regsosek.errors import ApplicationError

NO_STORE = "private, no-store"
R = TypeVar("R", bound=HttpResponseBase)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class GroupForm(forms.Form):
    max_sls = forms.IntegerField(
        label=gettext_lazy("SLS paling banyak per forum"), min_value=1, max_value=MAX_SLS_LIMIT, initial=DEFAULT_MAX_SLS
    )


class OutcomeForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    reason = forms.CharField(max_length=500, required=False)


class ProposalForm(forms.Form):
    sls = forms.IntegerField()
    head_name = forms.CharField(max_length=150)
    address = forms.CharField(max_length=255, required=False)
    note = forms.CharField(max_length=255, required=False)


class MeetingForm(forms.Form):
    """When and where a forum meets. Errors are shown beside their field, in Indonesian."""

    meeting_date = forms.DateField(
        label=gettext_lazy("Tanggal forum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        error_messages={"invalid": gettext_lazy("Tulis tanggal seperti 31-05-2023.")},
    )
    meeting_place = forms.CharField(
        label=gettext_lazy("Tempat forum"),
        required=False,
        max_length=services.MEETING_PLACE_MAX,
        error_messages={"max_length": gettext_lazy("Tempat forum paling banyak 200 karakter.")},
    )


class MoveForm(forms.Form):
    sls = forms.IntegerField()
    to_forum = forms.IntegerField()


def _viewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not selectors.can_view(user):
        raise PermissionDenied
    return user


def _manager(request: HttpRequest) -> User:
    user = _viewer(request)
    if not selectors.can_manage(user):
        raise PermissionDenied
    return user


def _run(user: User, run_id: int) -> RankingRun:
    run = selectors.run_get(user=user, run_id=run_id)
    if run is None:
        raise Http404
    return run


def _kelurahan(user: User, code: str) -> Kelurahan:
    kelurahan = selectors.kelurahan_get(user=user, code=code)
    if kelurahan is None:
        raise Http404
    return kelurahan


def _forum(user: User, forum_id: int) -> Forum:
    forum = selectors.forum_get(user=user, forum_id=forum_id)
    if forum is None:
        raise Http404
    return forum


def _area(kelurahan: Kelurahan) -> Area:
    return Area(kecamatan=kelurahan.kecamatan_id, kelurahan=kelurahan.pk)


def _no_store(response: R) -> R:
    response["Cache-Control"] = NO_STORE
    return response


def _attachment(response: R, name: str) -> R:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    runs = list(selectors.run_list(user=user)[:50])
    return render(request, "fkp/index.html", {"runs": runs, "can_manage": selectors.can_manage(user)})


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    user = _viewer(request)
    run = _run(user, run_id)
    by_kecamatan, by_kelurahan = selectors.run_summary(user=user, run=run)
    context: dict[str, Any] = {
        "run": run,
        "run_label": selectors.run_label(run),
        "by_kecamatan": by_kecamatan,
        "by_kelurahan": by_kelurahan,
        "lines": selectors.kelurahan_lines(user=user, run=run),
        "desil_range": range(1, 11),
        "groups": documents.WELFARE_GROUPS,
        "can_manage": selectors.can_manage(user),
        "can_download_run_file": selectors.can_download_run_file(user),
        "run_document": selectors.document_for_run(run=run),
        "derived_runs": list(selectors.derived_runs(user=user, run=run)),
    }
    if context["can_manage"]:
        context["outcome_counts"] = selectors.run_outcome_counts(run=run)
        context["adjustments"] = len(services.rerank_adjustments(run=run))
    return render(request, "fkp/run.html", context)


@login_required
@require_GET
def kelurahan_detail(request: HttpRequest, run_id: int, code: str) -> HttpResponse:
    user = _viewer(request)
    run = _run(user, run_id)
    kelurahan = _kelurahan(user, code)
    forums = selectors.forum_list(user=user, run=run, kelurahan=kelurahan)
    for forum in forums:
        forum.document = selectors.document_for_forum(forum=forum)  # type: ignore[attr-defined]  # for the template
        forum.title = selectors.forum_title(forum)  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "fkp/kelurahan.html",
        {
            "run": run,
            "run_label": selectors.run_label(run),
            "kelurahan": kelurahan,
            "forums": forums,
            "sls_count": len(selectors.kelurahan_ranked_sls(run=run, kelurahan=kelurahan)),
            "can_manage": selectors.can_manage(user),
            "kelurahan_document": selectors.document_for_kelurahan(run=run, kelurahan=kelurahan),
            "group_form": GroupForm(initial={"max_sls": forums[0].max_sls if forums else DEFAULT_MAX_SLS}),
        },
    )


@login_required
@require_POST
def kelurahan_group(request: HttpRequest, run_id: int, code: str) -> HttpResponse:
    user = _manager(request)
    run = _run(user, run_id)
    kelurahan = _kelurahan(user, code)
    form = GroupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Jumlah SLS per forum harus antara 1 dan %(limit)d.") % {"limit": MAX_SLS_LIMIT})
    else:
        try:
            forums = services.forum_group_kelurahan(
                user=user, run=run, kelurahan=kelurahan, max_sls=form.cleaned_data["max_sls"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("SLS dikelompokkan menjadi %(n)d forum.") % {"n": len(forums)})
    return redirect(reverse("fkp:kelurahan", args=[run.pk, kelurahan.pk]))


@login_required
@require_POST
def forum_move(request: HttpRequest, forum_id: int) -> HttpResponse:
    user = _manager(request)
    forum = _forum(user, forum_id)
    form = MoveForm(request.POST)
    target, sls = None, None
    if form.is_valid():
        target = selectors.forum_get(user=user, forum_id=form.cleaned_data["to_forum"])
        sls = next((s for s in selectors.forum_sls(forum=forum) if s.pk == form.cleaned_data["sls"]), None)
    if target is None or sls is None:
        messages.error(request, _("Pilih SLS forum ini dan forum tujuannya."))
    else:
        try:
            services.forum_sls_move(user=user, forum=forum, sls=sls, to_forum=target)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("SLS dipindahkan."))
    return redirect(reverse("fkp:kelurahan", args=[forum.run_id, forum.kelurahan_id]))


def _forum_rows_context(user: User, forum: Forum, request: HttpRequest) -> dict[str, Any]:
    sls_list = selectors.forum_sls(forum=forum)
    chosen = request.GET.get("sls", "")
    rows = list(selectors.forum_rows(user=user, forum=forum))
    shown = [r for r in rows if not chosen or r.sls_code == chosen]
    tabs = [(selectors.sls_label(s), s.name) for s in sls_list]
    return {"sls_list": sls_list, "sls_tabs": tabs, "chosen_sls": chosen, "rows": shown, "total_rows": len(rows)}


@login_required
@require_GET
@never_cache
def forum_detail(request: HttpRequest, forum_id: int) -> HttpResponse:
    user = _viewer(request)
    forum = _forum(user, forum_id)
    context = _forum_rows_context(user, forum, request)
    audit_record(
        action=AuditAction.FAMILY_VIEW,
        actor=user,
        object_type="fkp_forum",
        object_id=forum.pk,
        area=_area(forum.kelurahan),
        detail=f"run={forum.run_id} rows={len(context['rows'])} via=fkp",
    )
    outcomes = selectors.current_outcomes(forum=forum)
    context.update(
        {
            "forum": forum,
            "title": selectors.forum_title(forum),
            "run_label": selectors.run_label(forum.run),
            "lines": [(row, outcomes.get(row.ranked_id)) for row in context["rows"]],
            "decisions": Decision.choices,
            "can_manage": selectors.can_manage(user),
            "proposals": list(selectors.proposal_list(forum=forum)),
            "history": list(selectors.outcome_history(forum=forum)[:200]),
            "document": selectors.document_for_forum(forum=forum),
        }
    )
    return render(request, "fkp/forum.html", context)


@login_required
@never_cache
def forum_meeting(request: HttpRequest, forum_id: int) -> HttpResponse:
    """The form for a forum's meeting date and place (BPS admins); a refusal is shown beside the
    field it concerns."""
    user = _manager(request)
    forum = _forum(user, forum_id)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                services.forum_meeting_set(
                    user=user,
                    forum=forum,
                    meeting_date=form.cleaned_data["meeting_date"],
                    meeting_place=form.cleaned_data["meeting_place"],
                )
            except ApplicationError as exc:
                form.add_error(exc.extra.get("field"), exc.message)
            else:
                messages.success(request, _("Tanggal dan tempat forum disimpan."))
                return redirect(reverse("fkp:forum", args=[forum.pk]))
        status = 400
    elif request.method == "GET":
        form = MeetingForm(initial={"meeting_date": forum.meeting_date, "meeting_place": forum.meeting_place})
        status = 200
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "fkp/forum_meeting.html",
        {"forum": forum, "title": selectors.forum_title(forum), "form": form},
        status=status,
    )


@login_required
@require_POST
def forum_held(request: HttpRequest, forum_id: int) -> HttpResponse:
    user = _manager(request)
    forum = _forum(user, forum_id)
    try:
        services.forum_mark_held(user=user, forum=forum)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Forum ditandai selesai."))
    return redirect(reverse("fkp:forum", args=[forum.pk]))


@login_required
@require_POST
def outcome_save(request: HttpRequest, forum_id: int, ranked_id: int) -> HttpResponse:
    """Save one family's decision: the row again for htmx, or back to the list without script."""
    user = _manager(request)
    forum = _forum(user, forum_id)
    form = OutcomeForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Pilih keputusan forum; alasan paling banyak 500 karakter.")
    else:
        try:
            services.outcome_record(
                user=user,
                forum=forum,
                ranked_id=ranked_id,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            error = exc.message
    if not request.htmx:  # type: ignore[attr-defined]  # django-htmx middleware
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Keputusan forum disimpan."))
        return redirect(reverse("fkp:forum", args=[forum.pk]) + f"#row-{ranked_id}")
    row = next((r for r in selectors.forum_rows(user=user, forum=forum) if r.ranked_id == ranked_id), None)
    if row is None:
        raise Http404
    outcome = selectors.current_outcomes(forum=forum).get(ranked_id)
    response = render(
        request,
        "fkp/_outcome_row.html",
        {
            "forum": forum,
            "row": row,
            "outcome": outcome,
            "decisions": Decision.choices,
            "can_manage": True,
            "error": error,
            "saved": not error,
            "posted": form.data if error else None,
        },
    )
    return _no_store(response)


@login_required
@require_POST
def proposal_add(request: HttpRequest, forum_id: int) -> HttpResponse:
    user = _manager(request)
    forum = _forum(user, forum_id)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Isi nama kepala keluarga dan SLS; nama paling banyak 150 karakter."))
    else:
        try:
            services.proposal_add(
                user=user,
                forum=forum,
                sls_id=form.cleaned_data["sls"],
                head_name=form.cleaned_data["head_name"],
                address=form.cleaned_data["address"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Keluarga usulan dicatat untuk dikunjungi."))
    return redirect(reverse("fkp:forum", args=[forum.pk]) + "#usulan")


@login_required
@require_POST
def proposal_withdraw(request: HttpRequest, forum_id: int, proposal_id: int) -> HttpResponse:
    user = _manager(request)
    forum = _forum(user, forum_id)
    proposal = selectors.proposal_get(forum=forum, proposal_id=proposal_id)
    if proposal is None:
        raise Http404
    services.proposal_withdraw(user=user, proposal=proposal)
    messages.success(request, _("Usulan dibatalkan."))
    return redirect(reverse("fkp:forum", args=[forum.pk]) + "#usulan")


@login_required
@require_POST
def run_rerank(request: HttpRequest, run_id: int) -> HttpResponse:
    user = _manager(request)
    run = _run(user, run_id)
    try:
        new_run = services.fkp_rerank(user=user, run=run)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Pemeringkatan ulang #%(id)d dimulai dengan hasil forum; halaman ini menampilkannya setelah selesai.")
            % {"id": new_run.pk},
        )
    return redirect(reverse("fkp:run", args=[run.pk]))


# Downloads -------------------------------------------------------------------------------------


def _forum_file_name(forum: Forum, suffix: str) -> str:
    return f"fkp-{forum.kelurahan_id}-forum{forum.number}-run{forum.run_id}.{suffix}"


@login_required
@require_GET
def forum_csv(request: HttpRequest, forum_id: int) -> HttpResponseBase:
    user = _viewer(request)
    forum = _forum(user, forum_id)
    rows = selectors.forum_row_count(user=user, forum=forum)
    audit_export(
        actor=user, export="fkp_forum_csv", rows=rows, area=_area(forum.kelurahan),
        filters=f"run={forum.run_id} forum={forum.pk}",
    )  # fmt: skip
    body = documents.csv_chunks(
        selectors.forum_rows(user=user, forum=forum, with_outcomes=True), documents.FORUM_DOWNLOAD_COLUMNS
    )
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    return _attachment(response, _forum_file_name(forum, "csv"))


@login_required
@require_GET
def forum_xlsx(request: HttpRequest, forum_id: int) -> HttpResponseBase:
    user = _viewer(request)
    forum = _forum(user, forum_id)
    rows = selectors.forum_rows(user=user, forum=forum, with_outcomes=True)
    proposals = selectors.forum_proposal_rows(forum=forum)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    written = documents.write_xlsx(
        rows, documents.FORUM_DOWNLOAD_COLUMNS, target, title=selectors.forum_heading(forum), proposals=proposals
    )
    audit_export(
        actor=user, export="fkp_forum_xlsx", rows=written, area=_area(forum.kelurahan),
        filters=f"run={forum.run_id} forum={forum.pk} proposals={len(proposals)}",
    )  # fmt: skip
    target.seek(0)
    response = FileResponse(target, content_type=XLSX_TYPE)
    return _attachment(response, _forum_file_name(forum, "xlsx"))


@login_required
@require_GET
def kelurahan_csv(request: HttpRequest, run_id: int, code: str) -> HttpResponseBase:
    user = _viewer(request)
    run = _run(user, run_id)
    kelurahan = _kelurahan(user, code)
    rows = selectors.run_row_count(user=user, run=run, kelurahan=kelurahan)
    audit_export(
        actor=user, export="fkp_kelurahan_csv", rows=rows, area=_area(kelurahan),
        filters=f"run={run.pk} kelurahan={kelurahan.pk}",
    )  # fmt: skip
    body = documents.csv_chunks(
        selectors.run_rows(user=user, run=run, kelurahan=kelurahan, with_outcomes=True), documents.KELURAHAN_COLUMNS
    )
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    return _attachment(response, f"peringkat-{kelurahan.pk}-run{run.pk}.csv")


@login_required
@require_GET
def kelurahan_xlsx(request: HttpRequest, run_id: int, code: str) -> HttpResponseBase:
    """The kelurahan's ranked families with their forums' outcomes, written in the request like a
    forum's XLSX (the largest kelurahan is about 16,000 rows; xlsxwriter's constant_memory)."""
    user = _viewer(request)
    run = _run(user, run_id)
    kelurahan = _kelurahan(user, code)
    rows = selectors.run_rows(user=user, run=run, kelurahan=kelurahan, with_outcomes=True)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    title = _("Peringkat Kelurahan %(kelurahan)s, %(run)s") % {
        "kelurahan": kelurahan.name,
        "run": selectors.run_label(run),
    }
    proposals = selectors.kelurahan_proposal_rows(user=user, run=run, kelurahan=kelurahan)
    written = documents.write_xlsx(
        rows, documents.KELURAHAN_COLUMNS, target, title=title, sheet="Peringkat", proposals=proposals
    )
    audit_export(
        actor=user, export="fkp_kelurahan_xlsx", rows=written, area=_area(kelurahan),
        filters=f"run={run.pk} kelurahan={kelurahan.pk} proposals={len(proposals)}",
    )  # fmt: skip
    target.seek(0)
    response = FileResponse(target, content_type=XLSX_TYPE)
    return _attachment(response, f"peringkat-{kelurahan.pk}-run{run.pk}.xlsx")


@login_required
@require_GET
def forum_proposals_csv(request: HttpRequest, forum_id: int) -> HttpResponseBase:
    """The forum's proposed families (open ones) as a CSV of their own: a list of families to
    visit is not a list of ranked families, so the two kinds of row are not mixed in one file."""
    user = _viewer(request)
    forum = _forum(user, forum_id)
    proposals = selectors.forum_proposal_rows(forum=forum)
    audit_export(
        actor=user, export="fkp_forum_proposals_csv", rows=len(proposals), area=_area(forum.kelurahan),
        filters=f"run={forum.run_id} forum={forum.pk}",
    )  # fmt: skip
    response = StreamingHttpResponse(
        documents.csv_chunks(proposals, documents.PROPOSAL_COLUMNS), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, f"usulan-{forum.kelurahan_id}-forum{forum.number}-run{forum.run_id}.csv")


@login_required
@require_GET
def kelurahan_proposals_csv(request: HttpRequest, run_id: int, code: str) -> HttpResponseBase:
    """The open proposed families of all the kelurahan's forums, by forum, as a CSV of their own."""
    user = _viewer(request)
    run = _run(user, run_id)
    kelurahan = _kelurahan(user, code)
    proposals = selectors.kelurahan_proposal_rows(user=user, run=run, kelurahan=kelurahan)
    audit_export(
        actor=user, export="fkp_kelurahan_proposals_csv", rows=len(proposals), area=_area(kelurahan),
        filters=f"run={run.pk} kelurahan={kelurahan.pk}",
    )  # fmt: skip
    response = StreamingHttpResponse(
        documents.csv_chunks(proposals, documents.PROPOSAL_COLUMNS), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, f"usulan-{kelurahan.pk}-run{run.pk}.csv")


@login_required
@require_GET
def run_csv(request: HttpRequest, run_id: int) -> HttpResponseBase:
    """Every ranked family of the run in the user's scope, streamed (nothing held in memory)."""
    user = _viewer(request)
    run = _run(user, run_id)
    rows = selectors.run_row_count(user=user, run=run)
    area = Area(kecamatan=user.kecamatan_id or "") if not selectors.can_download_run_file(user) else NO_AREA
    audit_export(actor=user, export="fkp_run_csv", rows=rows, area=area, filters=f"run={run.pk}")
    body = documents.csv_chunks(selectors.run_rows(user=user, run=run), documents.RUN_COLUMNS)
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    return _attachment(response, f"peringkat-run{run.pk}.csv")


@login_required
@require_POST
def forum_pdf_request(request: HttpRequest, forum_id: int) -> HttpResponse:
    user = _viewer(request)
    forum = _forum(user, forum_id)
    document = services.document_request_forum_pdf(user=user, forum=forum)
    return redirect(reverse("fkp:document", args=[document.pk]))


@login_required
@require_POST
def kelurahan_pdf_request(request: HttpRequest, run_id: int, code: str) -> HttpResponse:
    """One PDF of all the kelurahan's forums, made by the task like a forum's."""
    user = _viewer(request)
    run = _run(user, run_id)
    kelurahan = _kelurahan(user, code)
    try:
        document = services.document_request_kelurahan_pdf(user=user, run=run, kelurahan=kelurahan)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("fkp:kelurahan", args=[run.pk, kelurahan.pk]))
    return redirect(reverse("fkp:document", args=[document.pk]))


@login_required
@require_POST
def run_xlsx_request(request: HttpRequest, run_id: int) -> HttpResponse:
    user = _viewer(request)
    run = _run(user, run_id)
    try:
        document = services.document_request_run_xlsx(user=user, run=run)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("fkp:run", args=[run.pk]))
    return redirect(reverse("fkp:document", args=[document.pk]))


def _document(user: User, document_id: int) -> ListDocument:
    document = selectors.document_get(user=user, document_id=document_id)
    if document is None:
        raise Http404
    return document


@login_required
@require_GET
@never_cache
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    """A document's status (polled by htmx while it is being made) and its download link."""
    user = _viewer(request)
    document = _document(user, document_id)
    template = "fkp/_document_status.html" if request.htmx else "fkp/document.html"  # type: ignore[attr-defined]
    if document.forum is not None:
        title = selectors.forum_title(document.forum)
        back = reverse("fkp:kelurahan", args=[document.run_id, document.forum.kelurahan_id])
    elif document.kelurahan is not None:
        title = _("FKP Kelurahan %(kelurahan)s, semua forum") % {"kelurahan": document.kelurahan.name}
        back = reverse("fkp:kelurahan", args=[document.run_id, document.kelurahan_id])
    else:
        title, back = selectors.run_label(document.run), reverse("fkp:run", args=[document.run_id])
    return render(
        request,
        template,
        {
            "document": document,
            "done": document.status == DocumentStatus.DONE,
            "pending": document.status in (DocumentStatus.QUEUED, DocumentStatus.RUNNING),
            "title": title,
            "back": back,
        },
    )


@login_required
@require_GET
def document_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    user = _viewer(request)
    document = _document(user, document_id)
    if document.status != DocumentStatus.DONE:
        raise Http404
    path: Path = services.document_path(document)
    if not path.is_file():
        raise Http404
    forum, kelurahan = document.forum, document.kelurahan
    if forum is not None:
        area, filters, name = (
            _area(forum.kelurahan),
            f"run={document.run_id} forum={forum.pk}",
            _forum_file_name(forum, "pdf"),
        )
        export, content_type = "fkp_forum_pdf", "application/pdf"
    elif kelurahan is not None:
        area, filters, name = (
            _area(kelurahan),
            f"run={document.run_id} kelurahan={kelurahan.pk}",
            f"fkp-{kelurahan.pk}-run{document.run_id}.pdf",
        )
        export, content_type = "fkp_kelurahan_pdf", "application/pdf"
    else:
        area, filters, name = NO_AREA, f"run={document.run_id}", f"peringkat-run{document.run_id}.xlsx"
        export, content_type = "fkp_run_xlsx", XLSX_TYPE
    audit_export(actor=user, export=export, rows=document.rows, area=area, filters=f"{filters} document={document.pk}")
    response = FileResponse(path.open("rb"), content_type=content_type)
    return _attachment(response, name)
