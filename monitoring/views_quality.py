"""The quality report's pages: tables per PPL and per SLS, warnings by variable, and the list of
families behind any count (ids, SLS, PPL and status only; the family itself opens in the review
desk, which records the read). For PML, Koseka and BPS admins (`quality.can_monitor`); 403 for
anyone else.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enumeration.models import User
from monitoring import quality

PAGE_SIZE = 100


def _monitor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not quality.can_monitor(user):
        raise PermissionDenied
    return user


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def quality_report(request: HttpRequest) -> HttpResponse:
    user = _monitor(request)
    by_ppl = quality.quality_by_ppl(user=user)
    by_sls = quality.quality_by_sls(user=user)
    return render(
        request,
        "monitoring/quality.html",
        {
            "checks": [(key, label) for key, (label, _sql) in quality.CHECKS.items()],
            "ppl_page": Paginator(by_ppl, PAGE_SIZE).get_page(request.GET.get("ppl_page")),
            "sls_page": Paginator(by_sls, PAGE_SIZE).get_page(request.GET.get("sls_page")),
            "by_variable": quality.warnings_by_variable(user=user),
            "short_minutes": settings.QUALITY_SHORT_INTERVIEW_MINUTES,
            "max_per_day": settings.QUALITY_MAX_FAMILIES_PER_DAY,
            "stale_days": settings.QUALITY_STALE_SYNC_DAYS,
        },
    )


@login_required
@require_GET
def quality_list(request: HttpRequest, check: str) -> HttpResponse:
    user = _monitor(request)
    if check not in quality.CHECKS:
        raise Http404
    filters = quality.ListFilter(
        check=check,
        ppl_id=_int(request.GET.get("ppl")),
        sls_id=_int(request.GET.get("sls")),
        variable=(request.GET.get("var") or "")[:40],
    )
    families, total = quality.quality_family_list(user=user, filters=filters)
    return render(
        request,
        "monitoring/quality_list.html",
        {
            "families": families,
            "total": total,
            "limit": quality.LIST_LIMIT,
            "filters": filters,
            "label": quality.check_label(check),
        },
    )
