"""The sync contract with the enumerator app (docs/sync.md): pull what a device needs, push
batches of families with one result each.

Push never lets one family block another: each gets its own result (created, updated,
unchanged, conflict with the server's copy, invalid with errors per variable, or forbidden). New
families and plain retries are handled set-based per batch; every other case, and a batch the
database refuses, family by family in savepoints. A family is stored once whatever the network
does: the UUID made on the phone is unique and a repeat with the same content is "unchanged".
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import MultiPolygon
from django.db import DatabaseError, OperationalError, transaction
from django.db.models import Model, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from enumeration import scoping
from enumeration.models import SLS, Device, Role, User
from geotag import services as geotag_services
from geotag.models import Geotag
from households import conflicts, form, records, services
from households.models import (
    Family,
    FamilyConflict,
    FamilyRevision,
    FamilyStatus,
    Member,
    PrelistFamily,
    ReviewEvent,
    SLSConfirmation,
)
from photos import services as photo_services
from photos.models import Photo
from regsosek import keylocks, pgcopy
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError, NotFoundError

logger = logging.getLogger(__name__)

CURSOR_OVERLAP = dt.timedelta(seconds=2)
CURSOR_EARLIEST = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
# Photos a family may declare in one push (the app keeps one house photo; a retake replaces it).
MAX_PHOTOS = 20


def encode_cursor(moment: dt.datetime) -> str:
    return base64.urlsafe_b64encode(moment.isoformat().encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dt.datetime:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment = dt.datetime.fromisoformat(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApplicationError(_("Kursor sinkronisasi tidak valid."), extra={"field": "cursor"}) from exc
    # A cursor is a moment this server gave out: aware, not before the project, not in the future
    # (an hour's slack for web servers whose clocks differ).
    if moment.tzinfo is None or not CURSOR_EARLIEST <= moment <= timezone.now() + dt.timedelta(hours=1):
        raise ApplicationError(_("Kursor sinkronisasi tidak valid."), extra={"field": "cursor"})
    return moment


def _geojson(geometry: MultiPolygon | None, *, digits: int | None = None) -> dict[str, Any] | None:
    """GeoJSON of `geometry`; `digits`: coordinates rounded to that many decimals (6: 0.1 m)."""
    if geometry is None:
        return None
    result: dict[str, Any] = json.loads(geometry.json)
    if digits is not None:
        result["coordinates"] = _rounded(result["coordinates"], digits)
    return result


def _rounded(value: Any, digits: int) -> Any:
    if isinstance(value, list):
        return [_rounded(item, digits) for item in value]
    return round(value, digits)


def family_for_device(
    family: Family, definition: form.Definition, *, return_event: ReviewEvent | None
) -> dict[str, Any]:
    """A family as its PPL's device keeps it. `return_event`: the review event that returned it,
    while it is returned (`services.family_return_event`), else None."""
    return {
        "client_uuid": str(family.client_uuid),
        "sls": family.sls_id,
        "revision": family.revision,
        "status": family.status,
        "review_comment": family.review_comment,
        # The return's comments on single answers, shown on those fields; empty unless returned.
        "review_notes": list(return_event.notes) if return_event is not None else [],
        # A device must show this return's comment and name it when it sends the PPL's correction.
        "return_id": return_event.pk if return_event is not None else None,
        "photo_required": family.photo_required,
        "geotag": str(family.geotag.client_uuid) if family.geotag_id and family.geotag else None,
        "updated_at": family.updated_at.isoformat(),
        # The PPL entered these identifiers and needs them in full to correct the family.
        "record": records.compose(definition, family, list(family.members.all()), reveal=True),
    }


def geotag_for_device(geotag: Geotag) -> dict[str, Any]:
    """A geotag as the phone keeps it (static/js/sync/db.js, GeotagRow)."""
    return {
        "client_uuid": str(geotag.client_uuid),
        "sls": geotag.sls_id,
        "building_no": geotag.building_no,
        "lat": geotag.location.y,
        "lon": geotag.location.x,
        "accuracy_m": geotag.accuracy_m,
        "captured_at": geotag.captured_at.isoformat(),
        "provider": geotag.provider,
        "accepted_reason": geotag.accepted_reason,
    }


def prelist_for_device(row: PrelistFamily) -> dict[str, Any]:
    """A VK1 row as the phone keeps it: its family named by the UUID the phone made."""
    return {
        "id": row.pk,
        "sls": row.sls_id,
        "line_no": row.line_no,
        "head_name": row.head_name,
        "address": row.address,
        "status": row.status,
        "family": str(row.family.client_uuid) if row.family else None,
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
    changed_families = list(changed.order_by("pk"))
    geotags = [f.geotag for f in changed_families if f.geotag is not None]
    returned = list(
        Family.objects.filter(sls_id__in=sls_ids, status=FamilyStatus.RETURNED)
        .select_related("reviewed_by")
        .order_by("reviewed_at")
    )
    returns = _return_events([f.pk for f in returned])
    supervisor = user.supervisor
    return {
        "cursor": encode_cursor(started),
        "server_time": started.isoformat(),
        # Blok II (202, 204) on the phone starts from these: the PPL and the PML of the team now.
        "team": {
            "ppl": {"name": user.full_name, "code": user.username},
            "pml": {"name": supervisor.full_name, "code": supervisor.username} if supervisor else None,
        },
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
                # For the phone's doorstep check of a geotag (static/js/geo/rules.js), the same
                # polygon the server checks against; a few KB per kelurahan (docs/pwa.md).
                "kelurahan_boundary": _geojson(s.kelurahan.boundary, digits=6),
                "is_synthetic": s.is_synthetic,
                # What the phone's validator reads as context.* and what it fills into Blok I,
                # so the phone checks a record exactly as the server will (households/form.py).
                "context": {k: v for k, v in form.context_for(s).items() if k != "today"},
                "prefill": form.area_prefill(s),
            }
            for s in sls_list
        ],
        "prelist": [
            prelist_for_device(p)
            for p in PrelistFamily.objects.filter(sls_id__in=sls_ids)
            .select_related("family")
            .order_by("sls_id", "line_no")
        ],
        "families": [
            family_for_device(f, by_version[(f.form_id, f.form_version)], return_event=returns.get(f.pk))
            for f in changed_families
        ],
        # The dwellings' geotags of those families, so the phone shows them and reuses them per building.
        "geotags": list({str(g.client_uuid): geotag_for_device(g) for g in geotags}.values()),
        "returned": [
            {
                "client_uuid": str(f.client_uuid),
                "comment": f.review_comment,
                "notes": list(returns[f.pk].notes) if f.pk in returns else [],
                "return_id": returns[f.pk].pk if f.pk in returns else None,
                "reviewed_at": f.reviewed_at.isoformat() if f.reviewed_at else None,
                "reviewed_by": f.reviewed_by.username if f.reviewed_by else None,
            }
            for f in returned
        ],
    }


def _return_events(family_ids: list[int]) -> dict[int, ReviewEvent]:
    """For returned families: the review event that returned each, with its comment and notes (one
    query, the last return per family)."""
    if not family_ids:
        return {}
    rows = (
        ReviewEvent.objects.filter(family_id__in=family_ids, to_status=FamilyStatus.RETURNED)
        .order_by("family_id", "-id")
        .distinct("family_id")
        .only("id", "family_id", "notes")
    )
    return {row.family_id: row for row in rows}


def _parse_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _shape_error(item: Any) -> dict[str, Any] | None:
    """The answer for an item that cannot be a family at all: not an object, no UUID, a bad base."""
    if not isinstance(item, dict):
        return {"client_uuid": None, "result": "invalid", "errors": [{"variable": "item", "message": _("harus objek")}]}
    key = _parse_uuid(item.get("client_uuid"))
    if key is None:
        return {
            "client_uuid": item.get("client_uuid") if isinstance(item.get("client_uuid"), str) else None,
            "result": "invalid",
            "errors": [{"variable": "client_uuid", "message": _("harus UUID")}],
        }
    photos = item.get("photos")
    if photos is not None and (not isinstance(photos, list) or len(photos) > MAX_PHOTOS):
        return {
            "client_uuid": str(key),
            "result": "invalid",
            "errors": [
                {"variable": "photos", "message": _("harus daftar, paling banyak %(n)d foto") % {"n": MAX_PHOTOS}}
            ],
        }
    try:
        services.InterviewTimes.parse(item)
    except ApplicationError as exc:
        return {"client_uuid": str(key), "result": "invalid", "errors": exc.extra["errors"]}
    for name in ("base_revision", "return_id"):
        value = item.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            return {
                "client_uuid": str(key),
                "result": "invalid",
                "errors": [{"variable": name, "message": _("harus angka")}],
            }
    return None


def _requested_sls_id(item: dict[str, Any]) -> int:
    sls_id = item.get("sls")
    return -1 if isinstance(sls_id, bool) or not isinstance(sls_id, int) else sls_id


def _assigned_sls(user: User, sls_ids: set[int]) -> dict[int, SLS]:
    """The requested SLS that are assigned to the user, with the area chain validation reads and
    `last_confirmation` (the latest confirm/reopen action, or None); boundaries are not fetched."""
    latest = SLSConfirmation.objects.filter(sls=OuterRef("pk")).order_by("-at", "-id").values("action")[:1]
    assigned = (
        scoping.visible_sls(user)
        .filter(pk__in=sls_ids)
        .select_related("kelurahan__kecamatan__kabkota")
        .defer("boundary", "kelurahan__boundary", "kelurahan__kecamatan__boundary")
        .annotate(last_confirmation=Subquery(latest))
    )
    return {sls.pk: sls for sls in assigned}


def _is_confirmed(sls: SLS) -> bool:
    return getattr(sls, "last_confirmation", None) == SLSConfirmation.Action.CONFIRM


def _not_assigned(result: dict[str, Any]) -> dict[str, Any]:
    return {
        **result,
        "result": "forbidden",
        "message": _("SLS ini tidak ditugaskan kepada Anda; data tetap tersimpan di ponsel."),
    }


def _record_not_object(result: dict[str, Any]) -> dict[str, Any]:
    return {**result, "result": "invalid", "errors": [{"variable": "record", "message": _("harus objek")}]}


def _invalid(result: dict[str, Any], exc: ApplicationError) -> dict[str, Any]:
    """The answer for a record or geotag the checks refuse (RecordInvalidError, GeotagInvalidError,
    UnknownFormError or another ApplicationError)."""
    if isinstance(exc, services.RecordInvalidError):
        return {**result, "result": "invalid", "errors": exc.errors}
    if isinstance(exc, geotag_services.GeotagInvalidError):
        errors = [{"variable": f"geotag.{name}", "message": message} for name, message in exc.extra["errors"].items()]
        return {**result, "result": "invalid", "errors": errors}
    return {**result, "result": "invalid", "errors": exc.extra.get("errors") or [{"message": exc.message}]}


def _declared_photos(item: dict[str, Any]) -> list[uuid.UUID]:
    return [
        u for u in (_parse_uuid(p.get("client_uuid")) for p in item.get("photos") or [] if isinstance(p, dict)) if u
    ]


def _stored(result: dict[str, Any], outcome: str, family: Family, warnings: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer for a family stored (or already stored); `photos_missing` is added by the caller.
    A family still returned (the content sent is what the supervisor returned) carries the return,
    so the device shows the comment."""
    answer = {**result, "result": outcome, "revision": family.revision, "status": family.status, "warnings": warnings}
    if family.status == FamilyStatus.RETURNED:
        event = services.family_return_event(family)
        answer["review_comment"] = family.review_comment
        answer["review_notes"] = list(event.notes) if event is not None else []
        answer["return_id"] = event.pk if event is not None else None
    return answer


def push_one(*, user: User, item: Any) -> dict[str, Any]:
    """Apply one family of a push batch in its own savepoint; never raises for a problem of the
    family itself. The batch path hands it every case it does not answer itself."""
    shape_error = _shape_error(item)
    if shape_error is not None:
        return shape_error
    key = uuid.UUID(str(item["client_uuid"]))
    result: dict[str, Any] = {"client_uuid": str(key)}
    sls_id = _requested_sls_id(item)
    sls = _assigned_sls(user, {sls_id}).get(sls_id)
    if sls is None:
        return _not_assigned(result)
    record = item.get("record")
    if not isinstance(record, dict):
        return _record_not_object(result)
    try:
        with transaction.atomic():
            saved = services.family_save(
                user=user,
                sls=sls,
                client_uuid=key,
                record=record,
                base_revision=item.get("base_revision"),
                source="sync",
                answers_return=item.get("return_id"),
                interview=services.InterviewTimes.parse(item),
            )
            family = saved.family
            if item.get("geotag") is not None:
                geotag = geotag_services.geotag_upsert(
                    user=user, sls=sls, data=geotag_services.GeotagInput.parse(item["geotag"])
                )
                if family.geotag_id != geotag.pk:
                    family.geotag = geotag
                    family.save(update_fields=["geotag", "updated_at"])
    except ConflictError as exc:
        current = Family.objects.filter(client_uuid=key).first()
        copy = None
        if current is not None and current.sls_id == sls.pk:
            copy = family_for_device(
                current, form.definition_for_family(current), return_event=services.family_return_event(current)
            )
        reason = "returned" if exc.extra.get("reason") == "returned" else "changed"
        answer = {**result, "result": "conflict", "reason": reason, "message": exc.message, "server": copy}
        if exc.extra.get("reason") == "geotag":
            sent = geotag_services.GeotagInput.parse(item["geotag"]).client_uuid
            answer[_GEOTAG_CONFLICT] = Geotag.objects.filter(client_uuid=sent).first()
        return answer
    except (NotAllowedError, NotFoundError) as exc:
        return {**result, "result": "forbidden", "message": exc.message}
    except ApplicationError as exc:
        return _invalid(result, exc)
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
    answer = _stored(result, saved.outcome, family, saved.warnings)
    answer["photos_missing"] = photo_services.photos_missing(user=user, client_uuids=_declared_photos(item))
    return answer


def _lock_order(indexed: tuple[int, Any]) -> str:
    item = indexed[1]
    return str(item.get("client_uuid")) if isinstance(item, dict) else ""


def _lock_uuids(items: list[Any]) -> None:
    """Lock every family and geotag UUID the batch names (`keylocks`), in one statement, before any
    is looked up: an overlapping batch with one of them waits here until this one commits, then
    finds the rows stored and answers them like retries. So neither batch runs an INSERT or COPY
    that fails on a unique index, and all locks are taken in one order (no deadlock)."""
    keys: list[uuid.UUID | None] = []
    for item in items:
        if isinstance(item, dict):
            keys.append(_parse_uuid(item.get("client_uuid")))
            raw = item.get("geotag")
            if isinstance(raw, dict):
                keys.append(_parse_uuid(raw.get("client_uuid")))
    keylocks.client_uuids_lock(key for key in keys if key is not None)


def _push_each(user: User, items: list[Any]) -> list[dict[str, Any]]:
    """Every family through `push_one`, in UUID order: the fallback when the batch path fails."""
    _lock_uuids(items)
    results: list[dict[str, Any]] = [{} for _ in items]
    for index, item in sorted(enumerate(items), key=_lock_order):
        results[index] = push_one(user=user, item=item)
    return results


# --- the batch path -------------------------------------------------------------------------------


# One answer per item of the batch, None while not answered yet.
Answers = list[dict[str, Any] | None]
# The key of an answer that holds the stored geotag of another SLS a family was sent with: read and
# removed by `_keep_conflicts`, so it never reaches the phone.
_GEOTAG_CONFLICT = "_geotag_conflict"


@dataclass
class _Entry:
    """An item that passed the shape and assignment checks."""

    index: int
    key: uuid.UUID
    item: dict[str, Any]
    sls: SLS
    record: dict[str, Any]


@dataclass
class _NewFamily:
    entry: _Entry
    rows: services.NewFamily
    geotag: geotag_services.GeotagInput | None


def _locked_families(keys: list[uuid.UUID]) -> dict[uuid.UUID, Family]:
    """The batch's families already stored, row-locked in UUID order (as every batch locks them)."""
    if not keys:
        return {}
    stored = (
        Family.objects.select_for_update(of=("self",))
        .select_related("geotag")
        .filter(client_uuid__in=keys)
        .order_by("client_uuid")
    )
    return {family.client_uuid: family for family in stored}


def _is_plain_retry(family: Family, entry: _Entry, digest: str) -> bool:
    """The stored family sent again by its PPL with the same content and nothing else to apply (the
    geotag, if any, is the one already attached). `family_save` would answer it unchanged; every
    other case of a stored family goes through `push_one`."""
    if family.sls_id != entry.sls.pk or family.payload_sha256 != digest:
        return False
    if family.status not in (FamilyStatus.SUBMITTED, FamilyStatus.RETURNED):
        return False
    raw = entry.item.get("geotag")
    if raw is None:
        return True
    try:
        sent = geotag_services.GeotagInput.parse(raw)
    except geotag_services.GeotagInvalidError:
        return False
    return family.geotag is not None and family.geotag.client_uuid == sent.client_uuid


def _build_new(user: User, entry: _Entry, digest: str) -> _NewFamily | dict[str, Any]:
    """The rows of a new family, or its `invalid` answer."""
    try:
        rows = services.family_build_new(
            user=user,
            sls=entry.sls,
            client_uuid=entry.key,
            record=entry.record,
            digest=digest,
            source="sync",
            interview=services.InterviewTimes.parse(entry.item),
        )
        raw = entry.item.get("geotag")
        geotag = geotag_services.GeotagInput.parse(raw) if raw is not None else None
    except ApplicationError as exc:
        return _invalid({"client_uuid": str(entry.key)}, exc)
    return _NewFamily(entry, rows, geotag)


def _store_geotags(user: User, new: list[_NewFamily], results: Answers) -> list[_NewFamily]:
    """Store the geotags of the new families (once per building, checks and flags as for any new
    geotag, set-based) and attach them, so each family row is written with its geotag. A family
    whose geotag belongs to another SLS is answered conflict and left out."""
    wanted = {f.geotag.client_uuid for f in new if f.geotag is not None}
    if not wanted:
        return new
    known = {g.client_uuid: g for g in Geotag.objects.filter(client_uuid__in=wanted)}
    created: list[Geotag] = []
    kept: list[_NewFamily] = []
    attach: list[tuple[_NewFamily, Geotag]] = []
    for family in new:
        if family.geotag is None:
            kept.append(family)
            continue
        sls = family.entry.sls
        try:
            stored = known.get(family.geotag.client_uuid)
            if stored is None:
                stored = geotag_services.geotag_build(user=user, sls=sls, data=family.geotag)
                known[stored.client_uuid] = stored
                created.append(stored)
            attach.append((family, geotag_services.geotag_of_sls(stored, sls)))
        except ConflictError as exc:
            results[family.entry.index] = {
                "client_uuid": str(family.entry.key),
                "result": "conflict",
                "message": exc.message,
                "server": None,
                _GEOTAG_CONFLICT: stored,  # kept by `_keep_conflicts`, never sent
            }
            continue
        kept.append(family)
    geotag_services.geotags_create(geotags=created)
    for family, geotag in attach:  # after the geotags have their ids
        family.rows.family.geotag = geotag
    return kept


def _insert_families(new: list[_NewFamily], now: dt.datetime) -> list[_NewFamily]:
    """COPY the new families, in UUID order, with ids taken from the table's sequence first (so
    their members, revisions and events can be COPYed too). No concurrent push can have stored one
    of them since the batch looked: it holds their UUIDs' locks (`_lock_uuids`)."""
    if not new:
        return []
    for family, pk in zip(new, pgcopy.reserve_ids(Family, len(new)), strict=True):
        family.rows.family.pk = pk
    pgcopy.copy_rows(Family, [family.rows.family for family in new], now, with_id=True)
    return new


def _write_children(families: list[_NewFamily], now: dt.datetime) -> None:
    """Members, revision 1 and the review event of the inserted families: one COPY per table."""
    members: list[Model] = []
    revisions: list[Model] = []
    events: list[Model] = []
    for family in families:
        rows, pk = family.rows, family.rows.family.pk
        for member in rows.members:
            member.family_id = pk
        rows.revision.family_id = rows.event.family_id = pk
        members.extend(rows.members)
        revisions.append(rows.revision)
        events.append(rows.event)
    pgcopy.copy_rows(Member, members, now)
    pgcopy.copy_rows(FamilyRevision, revisions, now)
    pgcopy.copy_rows(ReviewEvent, events, now)


def _add_photos_missing(user: User, answered: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """Fill `photos_missing` of the (item, answer) pairs with one query for all their photos."""
    declared = [(answer, _declared_photos(item)) for item, answer in answered]
    wanted = [key for _answer, keys in declared for key in keys]
    missing = set(photo_services.photos_missing(user=user, client_uuids=wanted)) if wanted else set()
    for answer, keys in declared:
        answer["photos_missing"] = [str(key) for key in keys if str(key) in missing]


def _screen(user: User, items: list[Any], results: Answers) -> list[_Entry]:
    """Answer the items that are not well-formed families or not in the PPL's SLS (one query for
    the assignment); the others, in UUID order."""
    candidates = [index for index, answer in enumerate(results) if answer is None]
    assigned = _assigned_sls(user, {_requested_sls_id(items[index]) for index in candidates})
    entries: list[_Entry] = []
    for index in candidates:
        item = items[index]
        key = uuid.UUID(str(item["client_uuid"]))
        sls = assigned.get(_requested_sls_id(item))
        record = item.get("record")
        if sls is None:
            results[index] = _not_assigned({"client_uuid": str(key)})
        elif not isinstance(record, dict):
            results[index] = _record_not_object({"client_uuid": str(key)})
        else:
            entries.append(_Entry(index, key, item, sls, record))
    return sorted(entries, key=lambda e: str(e.key))


def _sort_out(user: User, entries: list[_Entry], results: Answers) -> tuple[list[_NewFamily], list[int]]:
    """Answer plain retries and invalid new families; return the new families to create and the
    indexes left for `push_one`."""
    stored = _locked_families([e.key for e in entries])
    new: list[_NewFamily] = []
    by_family: list[int] = []
    seen: set[uuid.UUID] = set()
    for entry in entries:
        if entry.key in seen or user.role != Role.PPL or _is_confirmed(entry.sls):
            by_family.append(entry.index)
            continue
        seen.add(entry.key)
        digest = records.payload_sha256(entry.record)
        family = stored.get(entry.key)
        if family is None:
            built = _build_new(user, entry, digest)
            if isinstance(built, _NewFamily):
                new.append(built)
            else:
                results[entry.index] = built
        elif _is_plain_retry(family, entry, digest):
            results[entry.index] = _stored({"client_uuid": str(entry.key)}, "unchanged", family, family.warnings)
        else:
            by_family.append(entry.index)
    return new, by_family


def _create(user: User, new: list[_NewFamily], results: Answers) -> None:
    """Store the new families with their geotags, members, revisions and events, and answer them
    created."""
    now = timezone.now()
    inserted = _insert_families(_store_geotags(user, new, results), now)
    _write_children(inserted, now)
    for created in inserted:
        family = created.rows.family
        results[created.entry.index] = _stored(
            {"client_uuid": str(created.entry.key)}, "created", family, created.rows.warnings
        )
        logger.info("family.created", extra={"family_id": family.pk, "sls_id": family.sls_id, "user_id": user.pk})


def _push_batch(user: User, items: list[Any]) -> list[dict[str, Any]]:
    """The batch set-based: the assignment and the stored families in one query each, every record
    validated in Python, then the new families' ids from their sequence and one COPY each for the
    families, members, revisions and review events. It answers created, plain retries (unchanged),
    invalid and not-assigned families; every other case (an update, a conflict, a confirmed SLS, a
    UUID twice in the batch) goes through `push_one` afterwards, in UUID order."""
    _lock_uuids(items)
    results: Answers = [_shape_error(item) for item in items]
    new, by_family = _sort_out(user, _screen(user, items, results), results)
    _create(user, new, results)
    stored = [(items[i], a) for i, a in enumerate(results) if a is not None and a["result"] in ("created", "unchanged")]
    _add_photos_missing(user, stored)
    for index in sorted(by_family, key=lambda i: str(items[i]["client_uuid"])):
        results[index] = push_one(user=user, item=items[index])
    answered = [answer for answer in results if answer is not None]
    if len(answered) != len(items):
        raise RuntimeError("sync push left a family without an answer")
    return answered


def _keep_conflicts(user: User, device: Device | None, items: list[Any], results: list[dict[str, Any]]) -> None:
    """In the push's transaction: close the open conflicts of the stored families sent again (updated
    or unchanged), join the conflicts kept before their family existed to the families created, and
    record each family of the user's SLS answered `conflict` (the review desk shows it;
    households/conflicts.py), and each new family refused for a geotag of another SLS by its UUID.
    One query per kind that occurs (a batch of new families: the join only)."""
    geotags = {index: r.pop(_GEOTAG_CONFLICT) for index, r in enumerate(results) if _GEOTAG_CONFLICT in r}
    stored = [r["client_uuid"] for r in results if r["result"] in ("updated", "unchanged")]
    conflicts.family_conflicts_resolve_stored(client_uuids=stored)
    conflicts.family_conflicts_join(client_uuids=[r["client_uuid"] for r in results if r["result"] == "created"])
    for index, geotag in geotags.items():
        if results[index].get("server") is None and geotag is not None and geotag.pk is not None:
            conflicts.family_conflict_record_pending(
                family_uuid=uuid.UUID(results[index]["client_uuid"]), user=user, device=device, geotag=geotag
            )
    # "server" is the stored copy, sent only when the family is in the SLS the PPL pushed it for.
    answered_at = [i for i, r in enumerate(results) if r["result"] == "conflict" and r.get("server")]
    answered = [(items[i], results[i]) for i in answered_at]
    if not answered:
        return
    families = {
        str(f.client_uuid): f for f in Family.objects.filter(client_uuid__in=[r["client_uuid"] for _i, r in answered])
    }
    for index, (item, answer) in enumerate(answered):
        family = families.get(answer["client_uuid"])
        if family is not None:
            base = item.get("base_revision")
            geotag = geotags.get(answered_at[index])
            conflicts.family_conflict_record(
                family=family,
                user=user,
                device=device,
                reason=FamilyConflict.Reason.GEOTAG if geotag is not None else answer.get("reason", ""),
                base_revision=base if isinstance(base, int) and not isinstance(base, bool) and base >= 0 else None,
                geotag=geotag,
            )


def sync_push(*, user: User, device: Device | None, items: list[Any]) -> list[dict[str, Any]]:
    """Apply a batch in one transaction and answer each family, in the request's order.

    The batch path (`_push_batch`) writes the new families set-based. Should the database refuse
    any of its statements (a value the checks let through), the whole batch is redone family by
    family (`push_one`, a savepoint each), so only the refused family is answered invalid.

    Lock order: first the locks on every family and geotag UUID of the batch (`_lock_uuids`, one
    statement, in key order), then the stored families' rows in UUID order, then the new ones
    (their new geotags first) written in UUID order. Two overlapping batches (a retry racing its
    original) therefore wait for each other instead of deadlocking, and the later one finds the
    earlier one's families stored and answers them like any retry: no statement fails on a
    unique index. Raises OperationalError only if PostgreSQL itself fails (or, very rarely,
    picks this batch as a deadlock victim); the API answers 503 and the device retries the whole
    batch, which is safe because every family is idempotent.
    """
    try:
        with transaction.atomic():
            results = _push_batch(user, items)
            _keep_conflicts(user, device, items, results)
    except OperationalError:
        raise
    except DatabaseError as exc:
        logger.warning("sync.push_batch_refused", extra={"error": type(exc).__name__, "user_id": user.pk})
        with transaction.atomic():
            results = _push_each(user, items)
            _keep_conflicts(user, device, items, results)
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
