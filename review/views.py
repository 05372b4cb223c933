"""The review desk's pages: the queue, a family, and the approve / return actions.

For PML, Koseka and BPS admins (`selectors.can_review`; anyone else gets 403); a family outside
the user's scope is 404. Actions call the same services as the API (`households.services`), so
the rules and their refusals are those of the workflow, shown here as messages.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import Area, audit_record
from enumeration.models import Role, User
from households import form, records, services
from households.models import Family, FamilyStatus
from regsosek.errors import ApplicationError
from review import display, selectors


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Catatan untuk PPL"),
        max_length=2000,
        required=False,  # the service refuses an empty comment with its own message
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
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
    page = selectors.review_queue_page(user=user, filters=filters, page=request.GET.get("page"))
    counts = selectors.review_queue_counts(user=user, filters=filters)
    return render(
        request,
        "review/queue.html",
        {
            "page_obj": page,
            "filters": filters,
            "counts": [(status, FamilyStatus(status).label, counts[status]) for status in selectors.QUEUE_STATUSES],
            "total": sum(counts.values()),
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
    return render(
        request,
        "review/family.html",
        {
            "family": family,
            "layout": display.family_layout(definition, record, list(family.warnings)),
            "revisions": display.revision_views(definition, history["revisions"]),
            "events": history["events"],
            "return_form": ReturnForm(),
            **_actions(user, family),
        },
    )


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
        services.family_return(user=user, family=family, comment=body.cleaned_data["comment"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Keluarga dikembalikan ke PPL dengan catatan."))
    return _after_action(family_id)
