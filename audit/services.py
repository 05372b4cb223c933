"""Writing to the audit log, and its retention purge (the only deletion there is).

Anything may call `audit_record`: services of every app, signal receivers, views of exports. Call it
inside the transaction of the action it records, so the entry and the action commit (or roll back)
together. Entries hold ids, codes and counts; `detail` must never carry a NIK, a No. KK, a name, an
address or a free-text comment (they may name people). The one free text kept is the reason of an
identifier reveal (`reason`): it is what makes the reveal accountable. It is stored, shown to BPS
admins on the audit page, and never logged or exported (docs/privacy.md, "Audit log").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.context import current_client_ip
from audit.models import AuditAction, AuditEntry

# Set (transaction-locally) by the purge alone; the trigger of migration audit/0002 lets a DELETE
# through only for entries older than this time.
PURGE_SETTING = "regsosek.audit_purge_before"


class _KelurahanLike(Protocol):
    @property
    def kecamatan_id(self) -> str: ...


class SLSLike(Protocol):
    """What an area is read from: an SLS with its kelurahan (enumeration.models.SLS)."""

    @property
    def pk(self) -> Any: ...

    @property
    def kelurahan_id(self) -> str: ...

    @property
    def kelurahan(self) -> _KelurahanLike: ...


@dataclass(frozen=True)
class Area:
    """Where an action happened, as BPS codes (and the SLS id) when known."""

    kecamatan: str = ""
    kelurahan: str = ""
    sls_id: int | None = None

    @classmethod
    def of_sls(cls, sls: SLSLike) -> Area:
        return cls(kecamatan=sls.kelurahan.kecamatan_id, kelurahan=sls.kelurahan_id, sls_id=int(sls.pk))

    @classmethod
    def of_user(cls, user: Any) -> Area:
        """A staff member's kecamatan (a Koseka's, or the one a PPL or PML works in), if any."""
        return cls(kecamatan=getattr(user, "kecamatan_id", None) or "")


NO_AREA = Area()


def audit_record(
    *,
    action: AuditAction,
    actor: Any = None,
    object_type: str = "",
    object_id: object = "",
    area: Area = NO_AREA,
    detail: str = "",
    reason: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one entry. `actor` is the user who acted (None or an anonymous user for the system or
    an unknown caller); their id, username and role are copied. The client address comes from the
    request being served (`AuditContextMiddleware`) unless given. Raises nothing of its own: an
    entry that cannot be written (a database error) fails the caller's transaction, so an action
    is never done unrecorded."""
    known = actor is not None and bool(getattr(actor, "is_authenticated", False))
    entry = AuditEntry(
        action=action,
        actor_id=actor.pk if known else None,
        actor_username=actor.get_username() if known else "",
        actor_role=str(getattr(actor, "role", "") or "") if known else "",
        object_type=object_type,
        object_id="" if object_id is None else str(object_id)[:64],
        kecamatan_code=area.kecamatan,
        kelurahan_code=area.kelurahan,
        sls_id=area.sls_id,
        ip_address=ip_address if ip_address is not None else current_client_ip(),
        detail=detail[:255],
        reason=reason[:255],
    )
    entry.full_clean()
    entry.save()
    return entry


def audit_export(
    *, actor: Any, export: str, rows: int | None = None, area: Area = NO_AREA, filters: str = ""
) -> AuditEntry:
    """Record an export of data (a list, a CSV, a report) before it is sent. `export` names it
    ("audit_log", "families_csv"); `filters` says which rows, as codes and ids (never a name)."""
    parts = [f"rows={rows}"] if rows is not None else []
    if filters:
        parts.append(filters)
    return audit_record(action=AuditAction.EXPORT, actor=actor, object_type=export, area=area, detail=" ".join(parts))


def audit_download(*, actor: Any, object_type: str, object_id: object, area: Area = NO_AREA) -> AuditEntry:
    """Record the download of one stored file (e.g. a house photo) by someone other than its author."""
    return audit_record(
        action=AuditAction.DOWNLOAD, actor=actor, object_type=object_type, object_id=object_id, area=area
    )


def audit_ranking_run(*, actor: Any, run_id: object, event: str, area: Area = NO_AREA) -> AuditEntry:
    """Record a ranking run being started, finished, failed or published (`event`)."""
    return audit_record(
        action=AuditAction.RANKING_RUN,
        actor=actor,
        object_type="ranking_run",
        object_id=run_id,
        area=area,
        detail=f"event={event}",
    )


def audit_pmt_model(*, actor: Any, object_type: str, object_id: object, event: str, detail: str = "") -> AuditEntry:
    """Record a PMT model's life: a survey file uploaded for fitting (`pmt_fit`: uploaded, finished,
    failed) or a model activated (`pmt_model`: activated). `detail` holds counts and hashes only."""
    action = AuditAction.ADMIN_CHANGE if object_type == "pmt_model" else AuditAction.ADMIN_IMPORT
    text = f"event={event}" + (f" {detail}" if detail else "")
    return audit_record(action=action, actor=actor, object_type=object_type, object_id=object_id, detail=text)


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime
    deleted: int


def audit_purge_cutoff(*, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)


@transaction.atomic
def audit_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete the entries older than AUDIT_RETENTION_DAYS, the one deletion the log allows, and
    record the purge itself (count and cutoff). The cutoff is handed to the database trigger
    through a transaction-local setting: the trigger refuses to delete any entry at or after it, so
    not even this function can remove recent entries. `dry_run` counts without deleting."""
    cutoff = audit_purge_cutoff(now=now)
    if dry_run:
        return PurgeResult(cutoff=cutoff, deleted=AuditEntry.objects.filter(at__lt=cutoff).count())
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [PURGE_SETTING, cutoff.isoformat()])
        cursor.execute(f'DELETE FROM "{table}" WHERE "at" < %s', [cutoff])  # noqa: S608 - our own table name
        deleted = cursor.rowcount
        cursor.execute("SELECT set_config(%s, '', true)", [PURGE_SETTING])
    audit_record(
        action=AuditAction.PURGE,
        object_type="audit_log",
        detail=f"deleted={deleted} before={cutoff.isoformat(timespec='seconds')}",
    )
    return PurgeResult(cutoff=cutoff, deleted=deleted)
