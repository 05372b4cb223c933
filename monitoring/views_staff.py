"""The field staff health page: devices per PPL (last seen, app version, unsent count) and, for
BPS admins, revocation of a lost phone (the existing service: audited, the phone wipes itself at
its next contact). For PML, Koseka and BPS admins; 403 for anyone else."""

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
    return render(
        request,
        "monitoring/staff_health.html",
        {"rows": staff.staff_health_for_user(user=user), "can_revoke": staff.can_revoke(user)},
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
