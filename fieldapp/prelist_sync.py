"""VK1 marks sent by the phone (docs/sync.md, "Prelist marks").

The PPL marks pre-listed families offline (found, moved, deceased, not found, duplicate) and adds
families found in the field; the phone queues the marks and sends them after the families they
name. A mark is idempotent: the same mark again leaves the row as it is. Each mark runs in its own
savepoint and gets its own result, so one refused mark never blocks the others.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from enumeration import scoping
from enumeration.models import User
from fieldapp import sync
from households import services
from households.models import Family, PrelistFamily, PrelistStatus
from regsosek.errors import ApplicationError, NotAllowedError
from regsosek.text import unstorable

MAX_MARKS = 200
MARK_STATUSES = {s for s in PrelistStatus.values if s != PrelistStatus.PENDING}


def _result(index: int, result: str, *, row: PrelistFamily | None = None, message: str = "") -> dict[str, Any]:
    answer: dict[str, Any] = {"index": index, "result": result}
    if row is not None:
        answer["row"] = sync.prelist_for_device(row)
    if message:
        answer["message"] = message
    return answer


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _text(mark: dict[str, Any], key: str, limit: int) -> str:
    value = mark.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _apply(user: User, mark: Any, families: dict[uuid.UUID, Family]) -> tuple[str, PrelistFamily | None, str]:
    if not isinstance(mark, dict):
        return "invalid", None, _("Tanda VK1 tidak terbaca.")
    status = mark.get("status")
    if status not in MARK_STATUSES:
        return "invalid", None, _("Status VK1 tidak dikenal.")
    family_uuid = _uuid(mark.get("family")) if mark.get("family") is not None else None
    if mark.get("family") is not None and family_uuid is None:
        return "invalid", None, _("Kode keluarga tidak valid.")
    family = families.get(family_uuid) if family_uuid else None
    if family_uuid is not None and family is None:
        # The family has not reached the server yet: the phone sends the mark again later.
        return "family_missing", None, _("Data keluarga belum diterima server.")
    if any(unstorable(_text(mark, key, 255)) for key in ("note", "head_name", "address")):
        return "invalid", None, _("Catatan VK1 memuat karakter yang tidak dapat disimpan.")
    note = _text(mark, "note", 255)

    if status == PrelistStatus.NEW:
        if family is None:
            return "invalid", None, _("Keluarga baru harus dihubungkan ke data K.")
        existing = PrelistFamily.objects.filter(family=family).first()
        if existing is not None:
            return "ok", existing, ""
        head_name = _text(mark, "head_name", 150) or family.head_name
        row = services.prelist_add_new(
            user=user, sls=family.sls, head_name=head_name, address=_text(mark, "address", 255), family=family
        )
        return "ok", row, ""

    row_id = mark.get("id")
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        return "invalid", None, _("Baris VK1 tidak dikenal.")
    target = PrelistFamily.objects.filter(pk=row_id, sls__in=scoping.visible_sls(user).values("pk")).first()
    if target is None:
        return "forbidden", None, _("Baris VK1 ini bukan dari SLS tugas Anda.")
    if target.status == status and target.family_id == (family.pk if family else None) and target.note == note:
        return "ok", target, ""
    return "ok", services.prelist_set_status(user=user, row=target, status=status, family=family, note=note), ""


def sync_prelist(*, user: User, marks: list[Any]) -> list[dict[str, Any]]:
    """Applies the phone's VK1 marks in order; one result per mark: ok (with the row as it now is),
    family_missing (send again after the family), invalid or forbidden (with the reason)."""
    uuids = [u for m in marks if isinstance(m, dict) and (u := _uuid(m.get("family"))) is not None]
    families = {
        f.client_uuid: f
        for f in Family.objects.filter(client_uuid__in=uuids, sls__in=scoping.visible_sls(user).values("pk"))
    }
    results = []
    for index, mark in enumerate(marks):
        try:
            with transaction.atomic():
                result, row, message = _apply(user, mark, families)
        except NotAllowedError as exc:
            result, row, message = "forbidden", None, exc.message
        except ApplicationError as exc:
            result, row, message = "invalid", None, exc.message
        if row is not None:
            row = PrelistFamily.objects.select_related("family").get(pk=row.pk)
        results.append(_result(index, result, row=row, message=message))
    return results
