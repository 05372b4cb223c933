"""Server-rendered pages: the dashboard of one's areas, the team, an SLS's assignment history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from enumeration import scoping, selectors
from enumeration.models import User


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - guaranteed by login_required
    return request.user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    kelurahan = list(selectors.kelurahan_summary_for_user(user=user))
    chosen = request.GET.get("kelurahan") or ""
    if chosen and chosen not in {k.bps_code for k in kelurahan}:
        chosen = ""
    sls = list(selectors.sls_list_for_user(user=user, kelurahan_code=chosen)[:500]) if chosen else []
    context = {
        "kelurahan_list": kelurahan,
        "chosen": chosen,
        "sls_list": sls,
        "sees_staff": scoping.can_see_field_staff(user),
    }
    return render(request, "enumeration/home.html", context)


@login_required
def team(request: HttpRequest) -> HttpResponse:
    staff = selectors.staff_list_for_user(user=_user(request))
    return render(request, "enumeration/team.html", {"staff": staff[:3000]})


@login_required
def sls_detail(request: HttpRequest, sls_id: int) -> HttpResponse:
    user = _user(request)
    sls = selectors.sls_list_for_user(user=user).filter(pk=sls_id).first()
    if sls is None:
        raise Http404
    history = selectors.assignment_history_for_sls(user=user, sls_id=sls_id)
    return render(
        request,
        "enumeration/sls_detail.html",
        {
            "sls": sls,
            "history": history,
            "sees_staff": scoping.can_see_field_staff(user),
            "can_manage": scoping.can_manage_assignments(user, sls),
        },
    )
