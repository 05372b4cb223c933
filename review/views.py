"""The review desk's pages: the queue, a family, and the approve / return actions.

For PML, Koseka and BPS admins (`selectors.can_review`; anyone else gets 403); a family outside
the user's scope is 404. Actions call the same services as the API (`households.services`), so
the rules and their refusals are those of the workflow, shown here as messages.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import Area, audit_download, audit_record
from enumeration.models import Role, User
from geotag.models import GeotagFlag
from households import form, records, services
from households import selectors as household_selectors
from households.models import Family, FamilyStatus
from photos import selectors as photo_selectors
from photos.models import Photo
from regsosek.errors import ApplicationError, NotFoundError
from review import display, selectors
from review import team as team_selectors


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Catatan untuk PPL"),
        max_length=2000,
        # Empty is allowed when there are notes per answer; the service refuses a return with neither.
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _reviewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not selectors.can_review(user):
        raise PermissionDenied
    return user


def _family(user: User, family_id: int) -> Family:
    family = selectors.review_family_get(user=user, family_id=family_id)
    if family is None:
        raise Http404
    return family


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    filters = selectors.QueueFilters.from_query(request.GET)
    counts = selectors.review_queue_counts(user=user, filters=filters)
    page = selectors.review_queue_page(user=user, filters=filters, page=request.GET.get("page"), counts=counts)
    return render(
        request,
        "review/queue.html",
        {
            "page_obj": page,
            "rows": [(family, display.family_flags(family)) for family in page.object_list],
            "filters": filters,
            "queue_query": filters.as_query(),
            "can_bulk": user.role == Role.PML,
            "counts": [(status, FamilyStatus(status).label, counts[status]) for status in selectors.QUEUE_STATUSES],
            "total": sum(counts[status] for status in selectors.QUEUE_STATUSES),
            "conflict_count": counts[selectors.Flag.CONFLICT],
            "sls_options": selectors.review_sls_options(user=user),
            "ppl_options": selectors.review_ppl_options(user=user),
            "sorts": [
                ("since", _("Terlama di antrean")),
                ("-since", _("Terbaru di antrean")),
                ("sls", _("SLS dan no. bangunan")),
                ("ppl", _("PPL")),
                ("head", _("Nama kepala keluarga")),
                ("-warnings", _("Peringatan terbanyak")),
            ],
        },
    )


def _actions(user: User, family: Family) -> dict[str, bool]:
    """Which forms the page offers; the services decide again on every POST."""
    return {
        "can_approve": user.role == Role.PML and family.status == FamilyStatus.SUBMITTED,
        "can_return": (user.role == Role.PML and family.status == FamilyStatus.SUBMITTED)
        or (user.role in (Role.KOSEKA, Role.BPS_ADMIN) and family.status == FamilyStatus.APPROVED),
    }


def _map_data(family: Family) -> dict[str, Any]:
    """What the family page's map draws (static/js/pages/review-family.js): the geotag's point and
    accuracy, the SLS and kelurahan boundaries as GeoJSON, and the tile layer if one is configured."""
    geotag = family.geotag
    return {
        "point": [geotag.location.y, geotag.location.x] if geotag is not None else None,
        "accuracy_m": geotag.accuracy_m if geotag is not None else None,
        "sls": json.loads(family.sls.boundary.json) if family.sls.boundary else None,
        "kelurahan": json.loads(family.sls.kelurahan.boundary.json) if family.sls.kelurahan.boundary else None,
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }


@login_required
@require_GET
def family_detail(request: HttpRequest, family_id: int) -> HttpResponse:
    user = _reviewer(request)
    family = _family(user, family_id)
    # A supervisor reading a family (answers and history): in the audit log, as through the API.
    audit_record(
        action=AuditAction.FAMILY_VIEW,
        actor=user,
        object_type="family",
        object_id=family.pk,
        area=Area.of_sls(family.sls),
        detail="via=review",
    )
    definition = form.definition_for_family(family)
    members = list(family.members.all())
    record = records.compose(definition, family, members, reveal=False)
    history = selectors.review_family_history(family=family)
    filters = selectors.QueueFilters.from_query(request.GET)
    previous, following = selectors.review_queue_neighbours(user=user, filters=filters, family_id=family.pk)
    prelist = getattr(family, "prelist", None)
    return render(
        request,
        "review/family.html",
        {
            "family": family,
            "layout": display.family_layout(definition, record, list(family.warnings)),
            "revisions": display.revision_views(definition, history["revisions"]),
            "events": [(event, display.note_views(definition, event.notes)) for event in history["events"]],
            "return_form": ReturnForm(),
            "queue_query": filters.as_query(),
            "previous_id": previous,
            "next_id": following,
            "prelist": prelist,
            "photos": getattr(family, "ready_photos", []),
            "flags": display.family_flags(family),
            "geotag_flags": [GeotagFlag.Kind(kind).label for kind in getattr(family, "geotag_flag_kinds", None) or []],
            "map_data": _map_data(family),
            "can_reveal": user.role in services.REVEAL_ROLES,
            **_actions(user, family),
        },
    )


class RevealForm(forms.Form):
    reason = forms.CharField(max_length=255)
    # The member's roster line for a NIK; empty for the No. KK.
    member = forms.IntegerField(required=False, min_value=1, max_value=99)


@never_cache
@login_required
@require_POST
def identifier_reveal(request: HttpRequest, family_id: int) -> HttpResponse:
    """The full NIK / No. KK after a reason, audited by the service. The answer is a fragment for
    htmx (or a small page without JavaScript) that no cache keeps; the number is in its body only,
    never in a URL, a message or a log line."""
    user = _reviewer(request)
    family = _family(user, family_id)
    body = RevealForm(request.POST)
    value, error, status = "", "", 200
    if not body.is_valid():
        error, status = _("Tuliskan alasan membuka NIK / No. KK (minimal 5 karakter)."), 400
    else:
        line = body.cleaned_data["member"]
        member = household_selectors.member_get(family=family, line_no=line) if line else None
        try:
            if line and member is None:
                raise NotFoundError(_("Anggota keluarga tidak ditemukan."))
            value = services.identifier_reveal(
                user=user, family=family, member=member, reason=body.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
    context = {"family": family, "value": value, "error": error}
    if getattr(request, "htmx", False):  # django_htmx's HtmxDetails: true for htmx's requests
        # htmx swaps only 2xx answers: a refusal comes back as a fragment with role="alert".
        return render(request, "review/_revealed.html", context)
    return render(request, "review/revealed.html", context, status=status)


def _photo_response(photo: Photo, which: str) -> FileResponse:
    field = photo.thumbnail if which == "thumb" else photo.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_GET
def photo(request: HttpRequest, photo_uuid: uuid.UUID, which: str = "full") -> FileResponse:
    """A processed house photo of a family in scope: the full image or its thumbnail, never through a
    public /media/ URL, never kept by a cache. Opening the full image is a download in the audit log;
    the thumbnail is part of the family page, whose read is audited already."""
    user = _reviewer(request)
    found = photo_selectors.photo_ready_for_user(user=user, client_uuid=photo_uuid)
    if found is None or not (found.thumbnail if which == "thumb" else found.image):
        raise Http404
    if which != "thumb":
        audit_download(actor=user, object_type="photo", object_id=found.pk, area=Area.of_sls(found.family.sls))
    return _photo_response(found, which)


def _after_action(family_id: int) -> HttpResponseRedirect:
    return redirect(reverse("review:family", args=[family_id]))


@login_required
@require_POST
def family_approve(request: HttpRequest, family_id: int) -> HttpResponse:
    user = _reviewer(request)
    family = _family(user, family_id)
    try:
        services.family_approve(user=user, family=family)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Keluarga disetujui."))
    return _after_action(family_id)


def _return_notes(post: Any) -> list[dict[str, Any]]:
    """The notes per answer of the return form, in the page's order: each `note:<variable>` (a
    family answer) or `note:<variable>:<line>` (a member's) field with text. The service checks
    that each names an answer of the family."""
    notes: list[dict[str, Any]] = []
    for key in post:
        parts = key.split(":")
        text = str(post.get(key) or "").strip()
        if parts[0] != "note" or len(parts) not in (2, 3) or not text:
            continue
        line = parts[2] if len(parts) == 3 else None
        member: Any = int(line) if line is not None and line.isascii() and line.isdigit() and len(line) < 4 else line
        notes.append({"variable": parts[1], "member": member, "comment": text})
    return notes


@login_required
@require_POST
def family_return(request: HttpRequest, family_id: int) -> HttpResponse:
    user = _reviewer(request)
    family = _family(user, family_id)
    body = ReturnForm(request.POST)
    if not body.is_valid():
        messages.error(request, _("Catatan terlalu panjang (maksimal 2000 karakter)."))
        return _after_action(family_id)
    try:
        services.family_return(
            user=user, family=family, comment=body.cleaned_data["comment"], notes=_return_notes(request.POST)
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Keluarga dikembalikan ke PPL dengan catatan."))
    return _after_action(family_id)


def _chosen_ids(post: Any) -> list[int]:
    values = post.getlist("family")
    return [int(v) for v in values if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) < 12]


@login_required
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    """Approve the chosen families that have no rule warning and no flag, after a confirmation page
    that lists what will and will not be approved (and why). Each approval is the same service call
    as the single action; a family that changed in between is refused by it and counted."""
    user = _reviewer(request)
    if user.role != Role.PML:
        raise PermissionDenied
    eligible, others = selectors.review_bulk_candidates(user=user, family_ids=_chosen_ids(request.POST))
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "review/bulk_approve.html",
            {
                "eligible": eligible,
                "others": [(f, display.family_flags(f)) for f in others],
                "queue_query": selectors.QueueFilters.from_query(request.GET).as_query(),
            },
        )
    approved = refused = 0
    for family in eligible:
        try:
            services.family_approve(user=user, family=family)
        except ApplicationError:
            refused += 1
        else:
            approved += 1
    refused += len(others)
    if approved:
        done = ngettext("%(n)d keluarga disetujui.", "%(n)d keluarga disetujui.", approved)
        messages.success(request, done % {"n": approved})
    if refused:
        left = ngettext(
            "%(n)d keluarga tidak disetujui (ada peringatan, tanda, atau statusnya berubah).",
            "%(n)d keluarga tidak disetujui (ada peringatan, tanda, atau statusnya berubah).",
            refused,
        )
        messages.warning(request, left % {"n": refused})
    if not approved and not refused:
        messages.info(request, _("Tidak ada keluarga yang dipilih."))
    query = selectors.QueueFilters.from_query(request.GET).as_query()
    return redirect(reverse("review:queue") + (f"?{query}" if query else ""))


def _sls_review(user: User, sls_id: int) -> selectors.SLSReview:
    found = selectors.review_sls_get(user=user, sls_id=sls_id)
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def sls_detail(request: HttpRequest, sls_id: int) -> HttpResponse:
    """An SLS for the Koseka: VK1 rows and their final statuses, families by status, what still
    blocks confirmation (each a link), and confirm / reopen. PML and BPS admins see it too; the
    services decide who may confirm."""
    user = _reviewer(request)
    found = _sls_review(user, sls_id)
    confirmed = found.confirmation is not None and found.confirmation.action == "confirm"
    may_confirm = user.role in (Role.KOSEKA, Role.BPS_ADMIN)
    return render(
        request,
        "review/sls.html",
        {
            "r": found,
            "confirmed": confirmed,
            "status_counts": [(code, FamilyStatus(code).label, found.counts[code]) for code in FamilyStatus.values],
            "can_confirm": may_confirm
            and not confirmed
            and bool(found.prelist)
            and not found.pending_rows
            and not found.unapproved,
            "can_reopen": may_confirm and confirmed,
            "may_confirm": may_confirm,
        },
    )


@login_required
@require_POST
def sls_confirm(request: HttpRequest, sls_id: int) -> HttpResponse:
    user = _reviewer(request)
    found = _sls_review(user, sls_id)
    comment = str(request.POST.get("comment") or "")[:2000]
    try:
        if request.POST.get("action") == "reopen":
            services.sls_reopen(user=user, sls=found.sls, comment=comment)
            messages.success(request, _("SLS dibuka kembali."))
        else:
            services.sls_confirm(user=user, sls=found.sls, comment=comment)
            messages.success(request, _("SLS dikonfirmasi lengkap."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("review:sls", args=[sls_id]))


@login_required
@require_GET
def team(request: HttpRequest, pml_id: int | None = None) -> HttpResponse:
    """A PML's team, a row per PPL. `/review/tim/` is the PML's own team; a Koseka or BPS admin
    picks a team there from the PML of their scope. A PML outside the scope is 404."""
    user = _reviewer(request)
    if pml_id is None and user.role != Role.PML:
        leads = team_selectors.team_leads_for_user(user=user).select_related("kecamatan")
        return render(request, "review/team_choose.html", {"leads": leads})
    lead = user if pml_id is None else team_selectors.team_lead_get(user=user, pml_id=pml_id)
    if lead is None:
        raise Http404
    return render(
        request,
        "review/team.html",
        {"lead": lead, "rows": team_selectors.team_rows(user=user, pml=lead), "own": lead.pk == user.pk},
    )
