"""The sync contract with the enumerator app (docs/sync.md): pull what a device needs, push
batches of families with one result each.

Push never lets one family block another: each runs in its own savepoint and gets its own
result (created, updated, unchanged, conflict with the server's copy, invalid with errors per
variable, or forbidden). A family is stored once whatever the network does: the UUID made on the
phone is unique and a repeat with the same content is "unchanged".
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import uuid
from typing import Any

from django.contrib.gis.geos import MultiPolygon
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enumeration import scoping
from enumeration.models import Device, User
from geotag import services as geotag_services
from geotag.models import Photo
from households import form, records, services
from households.models import Family, FamilyStatus, PrelistFamily
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError, NotFoundError

logger = logging.getLogger(__name__)

CURSOR_OVERLAP = dt.timedelta(seconds=2)


def encode_cursor(moment: dt.datetime) -> str:
    return base64.urlsafe_b64encode(moment.isoformat().encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dt.datetime:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment = dt.datetime.fromisoformat(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApplicationError(_("Kursor sinkronisasi tidak valid."), extra={"field": "cursor"}) from exc
    if moment.tzinfo is None:
        raise ApplicationError(_("Kursor sinkronisasi tidak valid."), extra={"field": "cursor"})
    return moment


def _geojson(geometry: MultiPolygon | None) -> dict[str, Any] | None:
    if geometry is None:
        return None
    result: dict[str, Any] = json.loads(geometry.json)
    return result


def family_for_device(family: Family, definition: form.Definition) -> dict[str, Any]:
    return {
        "client_uuid": str(family.client_uuid),
        "sls": family.sls_id,
        "revision": family.revision,
        "status": family.status,
        "review_comment": family.review_comment,
        "photo_required": family.photo_required,
        "geotag": str(family.geotag.client_uuid) if family.geotag_id and family.geotag else None,
        "updated_at": family.updated_at.isoformat(),
        # The PPL entered these identifiers and needs them in full to correct the family.
        "record": records.compose(definition, family, list(family.members.all()), reveal=True),
    }


def sync_pull(*, user: User, cursor: str | None) -> dict[str, Any]:
    """Everything a PPL's device needs: its SLS (with boundaries), the VK1 prelist, the current
    questionnaire version, the families it owns changed since `cursor` (all on the first pull), and
    the families returned with comments (always). The new cursor covers this answer."""
    started = timezone.now()
    since = decode_cursor(cursor) - CURSOR_OVERLAP if cursor else None
    sls_qs = scoping.visible_sls(user).select_related("kelurahan__kecamatan__kabkota").order_by("pk")
    sls_list = list(sls_qs)
    sls_ids = [s.pk for s in sls_list]
    definitions = form.all_definitions()
    current = definitions[-1]
    families = Family.objects.filter(sls_id__in=sls_ids).select_related("geotag").prefetch_related("members")
    changed = families.filter(updated_at__gte=since) if since else families
    by_version: dict[tuple[str, str], form.Definition] = {(d.form, d.version): d for d in definitions}
    return {
        "cursor": encode_cursor(started),
        "server_time": started.isoformat(),
        "questionnaire": {
            "form": current.form,
            "version": current.version,
            "sha256": current.sha256,
            "url": f"/api/v1/questionnaire/{current.form}/{current.version}.json",
        },
        "sls": [
            {
                "id": s.pk,
                "full_code": s.full_code,
                "code": s.code,
                "sub_code": s.sub_code,
                "name": s.name,
                "kelurahan": s.kelurahan_id,
                "kelurahan_name": s.kelurahan.name,
                "kecamatan": s.kelurahan.kecamatan_id,
                "kecamatan_name": s.kelurahan.kecamatan.name,
                "boundary": _geojson(s.boundary),
                "is_synthetic": s.is_synthetic,
                # What the phone's validator reads as context.* and what it fills into Blok I,
                # so the phone checks a record exactly as the server will (households/form.py).
                "context": {k: v for k, v in form.context_for(s).items() if k != "today"},
                "prefill": form.area_prefill(s),
            }
            for s in sls_list
        ],
        "prelist": [
            {
                "id": p.pk,
                "sls": p.sls_id,
                "line_no": p.line_no,
                "head_name": p.head_name,
                "address": p.address,
                "status": p.status,
                "family": str(p.family.client_uuid) if p.family else None,
            }
            for p in PrelistFamily.objects.filter(sls_id__in=sls_ids)
            .select_related("family")
            .order_by("sls_id", "line_no")
        ],
        "families": [family_for_device(f, by_version[(f.form_id, f.form_version)]) for f in changed.order_by("pk")],
        "returned": [
            {
                "client_uuid": str(f.client_uuid),
                "comment": f.review_comment,
                "reviewed_at": f.reviewed_at.isoformat() if f.reviewed_at else None,
                "reviewed_by": f.reviewed_by.username if f.reviewed_by else None,
            }
            for f in Family.objects.filter(sls_id__in=sls_ids, status=FamilyStatus.RETURNED)
            .select_related("reviewed_by")
            .order_by("reviewed_at")
        ],
    }


def _parse_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def push_one(*, user: User, item: Any) -> dict[str, Any]:
    """Apply one family of a push batch; never raises for a problem of the family itself."""
    if not isinstance(item, dict):
        return {"client_uuid": None, "result": "invalid", "errors": [{"variable": "item", "message": _("harus objek")}]}
    key = _parse_uuid(item.get("client_uuid"))
    if key is None:
        return {
            "client_uuid": item.get("client_uuid") if isinstance(item.get("client_uuid"), str) else None,
            "result": "invalid",
            "errors": [{"variable": "client_uuid", "message": _("harus UUID")}],
        }
    result: dict[str, Any] = {"client_uuid": str(key)}
    base_revision = item.get("base_revision")
    if base_revision is not None and (isinstance(base_revision, bool) or not isinstance(base_revision, int)):
        return {**result, "result": "invalid", "errors": [{"variable": "base_revision", "message": _("harus angka")}]}
    sls_id = item.get("sls")
    if isinstance(sls_id, bool) or not isinstance(sls_id, int):
        sls_id = -1
    sls = scoping.visible_sls(user).select_related("kelurahan__kecamatan__kabkota").filter(pk=sls_id).first()
    if sls is None:
        return {
            **result,
            "result": "forbidden",
            "message": _("SLS ini tidak ditugaskan kepada Anda; data tetap tersimpan di ponsel."),
        }
    record = item.get("record")
    if not isinstance(record, dict):
        return {**result, "result": "invalid", "errors": [{"variable": "record", "message": _("harus objek")}]}
    try:
        with transaction.atomic():
            saved = services.family_save(
                user=user, sls=sls, client_uuid=key, record=record, base_revision=base_revision, source="sync"
            )
            family = saved.family
            if item.get("geotag") is not None:
                geotag = geotag_services.geotag_upsert(
                    user=user, sls=sls, data=geotag_services.GeotagInput.parse(item["geotag"])
                )
                if family.geotag_id != geotag.pk:
                    family.geotag = geotag
                    family.save(update_fields=["geotag", "updated_at"])
    except services.RecordInvalidError as exc:
        return {**result, "result": "invalid", "errors": exc.errors}
    except geotag_services.GeotagInvalidError as exc:
        errors = [{"variable": f"geotag.{name}", "message": message} for name, message in exc.extra["errors"].items()]
        return {**result, "result": "invalid", "errors": errors}
    except ConflictError as exc:
        current = Family.objects.filter(client_uuid=key).first()
        copy = None
        if current is not None and current.sls_id == sls.pk:
            copy = family_for_device(current, form.definition_for_family(current))
        return {**result, "result": "conflict", "message": exc.message, "server": copy}
    except (NotAllowedError, NotFoundError) as exc:
        return {**result, "result": "forbidden", "message": exc.message}
    except ApplicationError as exc:
        return {**result, "result": "invalid", "errors": exc.extra.get("errors") or [{"message": exc.message}]}
    except DatabaseError as exc:
        # A record the checks let through but the database refuses: its savepoint is rolled back, the
        # batch goes on, and the device keeps it visible instead of retrying it forever. The log gets
        # the error class only (a database message can quote values).
        logger.error("sync.push_item_db_error", extra={"error": type(exc).__name__, "user_id": user.pk})
        return {
            **result,
            "result": "invalid",
            "errors": [{"variable": "record", "message": _("Data tidak dapat disimpan server; laporkan ke PML.")}],
        }
    declared = [
        u for u in (_parse_uuid(p.get("client_uuid")) for p in item.get("photos") or [] if isinstance(p, dict)) if u
    ]
    return {
        **result,
        "result": saved.outcome,
        "revision": family.revision,
        "status": family.status,
        "warnings": saved.warnings,
        "photos_missing": geotag_services.photos_missing(user=user, client_uuids=declared),
    }


def _lock_order(indexed: tuple[int, Any]) -> str:
    item = indexed[1]
    return str(item.get("client_uuid")) if isinstance(item, dict) else ""


def sync_push(*, user: User, device: Device | None, items: list[Any]) -> list[dict[str, Any]]:
    """Apply a batch: one transaction (one commit, not one per family), each family in its own
    savepoint so a bad one never undoes the others. Families are applied in UUID order so two
    overlapping batches (a retry racing its original) take their row locks in the same order and
    cannot deadlock; the answer keeps the request's order.

    Raises OperationalError only if PostgreSQL itself fails; the API answers 503 and the device
    retries the whole batch, which is safe because every family is idempotent.
    """
    results: list[dict[str, Any]] = [{} for _ in items]
    with transaction.atomic():
        for index, item in sorted(enumerate(items), key=_lock_order):
            results[index] = push_one(user=user, item=item)
    counts: dict[str, int] = {}
    for r in results:
        counts[f"n_{r['result']}"] = counts.get(f"n_{r['result']}", 0) + 1
    logger.info("sync.push", extra={"user_id": user.pk, "device": str(device.pk) if device else None, **counts})
    return results


def photo_status(photo: Photo) -> dict[str, Any]:
    return {
        "client_uuid": str(photo.client_uuid),
        "status": photo.status,
        "sha256": photo.sha256,
        "rejection_code": photo.rejection_code or None,
    }
