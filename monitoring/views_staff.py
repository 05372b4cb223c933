"""The field staff health page: devices per PPL (last seen, app version, unsent count), which PPL
are locked out of signing in and a button to unlock them (audited), and, for BPS admins,
revocation of a lost phone (the existing service: audited, the phone wipes itself at its next
contact). For PML, Koseka and BPS admins; 403 for anyone else."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from enumeration.devices import device_revoke
from enumeration.models import User
from enumeration.signin_guard import signin_unlock
from monitoring import quality, staff
from regsosek.errors import ApplicationError


def _monitor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not quality.can_monitor(user):
        raise PermissionDenied
    return user


@login_required
@require_GET
def staff_health(request: HttpRequest) -> HttpResponse:
    user = _monitor(request)
    rows = staff.staff_health_for_user(user=user)
    return render(
        request,
        "monitoring/staff_health.html",
        {
            "rows": rows,
            "can_revoke": staff.can_revoke(user),
            "locked_count": sum(1 for row in rows if row.locked_out),
        },
    )


@login_required
@require_POST
def device_revoke_view(request: HttpRequest, device_id: uuid.UUID) -> HttpResponse:
    user = _monitor(request)
    device = staff.device_get_for_user(user=user, device_id=device_id)
    if device is None:
        raise Http404
    try:
        device_revoke(device=device, by=user)
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Perangkat %(name)s milik %(user)s dicabut; datanya dihapus saat perangkat itu terhubung lagi.")
            % {"name": device.name or str(device.pk)[:8], "user": device.user.username},
        )
    return redirect("monitoring:staff")


@login_required
@require_POST
def signin_unlock_view(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _monitor(request)
    ppl = staff.ppl_get_for_user(user=user, ppl_id=user_id)
    if ppl is None:
        raise Http404
    try:
        cleared = signin_unlock(ppl=ppl, by=user)
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        if cleared:
            text = _("Kunci masuk %(user)s dibuka; PPL itu dapat masuk lagi sekarang.")
        else:
            text = _("%(user)s tidak sedang terkunci; tidak ada yang diubah.")
        messages.success(request, text % {"user": ppl.username})
    return redirect("monitoring:staff")
