"""Admin changes in the audit log: a ModelAdmin base that records every add, change and delete.

Every ModelAdmin of the project derives from it (through `enumeration.admin.BPSAdminOnly`). An entry
names the model and the object's id and, for a change, the names of the fields changed (never their
values). A ModelAdmin whose pages show personal data (a family, a VK1 row) sets `audit_views = True`
and its change pages, when opened, are recorded too. Nothing is registered here: the log is read on
its own page (`oversight`), not in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from audit.models import AuditAction
from audit.services import NO_AREA, Area, audit_record


def _area_of(obj: models.Model) -> Area:
    """The area of an admin object when it has one: an SLS, something of an SLS, or a staff member."""
    sls = obj if hasattr(obj, "kelurahan_id") and hasattr(obj, "code") else getattr(obj, "sls", None)
    if sls is not None and hasattr(sls, "kelurahan"):
        return Area.of_sls(sls)
    if getattr(obj, "kecamatan_id", None):
        return Area.of_user(obj)
    return NO_AREA


def _changed_fields(message: Any) -> str:
    """The field names of Django's change message (`[{"changed": {"fields": [...]}}]`), not values."""
    names: list[str] = []
    if isinstance(message, list):
        for part in message:
            for change in part.values() if isinstance(part, dict) else []:
                if isinstance(change, dict):
                    names += [str(name) for name in change.get("fields", [])]
    return ("fields=" + ",".join(names))[:255] if names else ""


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic over the model
    audit_views = False

    def _audit(self, request: HttpRequest, action: AuditAction, obj: models.Model, detail: str = "") -> None:
        audit_record(
            action=action,
            actor=request.user,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            area=_area_of(obj),
            detail=detail,
        )

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, AuditAction.ADMIN_ADD, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        self._audit(request, AuditAction.ADMIN_CHANGE, obj, _changed_fields(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        # Called before the rows go, inside the admin's transaction: the entries and the deletion commit together.
        for obj in queryset:
            self._audit(request, AuditAction.ADMIN_DELETE, obj)
        return super().log_deletions(request, queryset)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if self.audit_views and request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                self._audit(request, AuditAction.ADMIN_VIEW, obj)
        return response
