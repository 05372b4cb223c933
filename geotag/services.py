"""Writes of geotags, with their checks."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from enumeration.models import SLS, User
from geotag.models import Geotag, GeotagFlag
from regsosek import keylocks, pgcopy
from regsosek.errors import ApplicationError, ConflictError
from regsosek.text import unstorable

PROVIDERS = {"gps", "network", "fused", "manual"}


class GeotagInvalidError(ApplicationError):
    code = "invalid_geotag"


# Geotags are taken during the enumeration; anything earlier is a wrong clock.
EARLIEST_CAPTURE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class GeotagInput:
    client_uuid: uuid.UUID
    latitude: float
    longitude: float
    accuracy_m: float
    captured_at: dt.datetime
    provider: str
    building_no: str = ""
    accepted_reason: str = ""

    @classmethod
    def parse(cls, raw: Any) -> GeotagInput:
        """From the JSON a phone sends; raises GeotagInvalidError with field-level errors."""
        errors: dict[str, str] = {}
        if not isinstance(raw, dict):
            raise GeotagInvalidError(_("Geotag tidak valid."), extra={"errors": {"geotag": _("harus objek")}})

        def number(name: str, low: float, high: float) -> float:
            value = raw.get(name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                errors[name] = _("harus angka antara %(a)s dan %(b)s") % {"a": low, "b": high}
                return 0.0
            return float(value)

        try:
            key = uuid.UUID(str(raw.get("client_uuid")))
        except ValueError:
            errors["client_uuid"] = _("harus UUID")
            key = uuid.UUID(int=0)
        latitude = number("latitude", -90, 90)
        longitude = number("longitude", -180, 180)
        accuracy = number("accuracy_m", 0, 100_000)
        captured: dt.datetime | None = None
        try:
            captured = dt.datetime.fromisoformat(str(raw.get("captured_at")))
            if captured.tzinfo is None:
                errors["captured_at"] = _("harus memuat zona waktu")
            elif captured > timezone.now() + dt.timedelta(minutes=10):
                errors["captured_at"] = _("waktu di masa depan; periksa jam ponsel")
            elif captured < EARLIEST_CAPTURE:
                # A phone whose clock reset (1970) or a forged time: PostgreSQL would store a year-1
                # time with an offset as 1 BC, which nothing can read back.
                errors["captured_at"] = _("waktu sebelum 2020; periksa jam ponsel")
        except ValueError:
            errors["captured_at"] = _("harus tanggal-waktu ISO 8601")
        provider = str(raw.get("provider", ""))
        if provider not in PROVIDERS:
            errors["provider"] = _("harus salah satu dari: %(p)s") % {"p": ", ".join(sorted(PROVIDERS))}
        building = str(raw.get("building_no") or "")
        reason = str(raw.get("accepted_reason") or "")[:255]
        for name, text in (("building_no", building), ("accepted_reason", reason)):
            if unstorable(text):
                errors[name] = _("memuat karakter yang tidak dapat disimpan")
        if errors or captured is None:
            raise GeotagInvalidError(_("Geotag tidak valid."), extra={"errors": errors})
        return cls(key, latitude, longitude, accuracy, captured, provider, building[:3], reason)


def geotag_build(*, user: User, sls: SLS, data: GeotagInput) -> Geotag:
    """A new geotag of `sls` collected by `user`, unsaved."""
    return Geotag(
        client_uuid=data.client_uuid,
        sls=sls,
        building_no=data.building_no,
        location=Point(data.longitude, data.latitude, srid=4326),
        accuracy_m=data.accuracy_m,
        captured_at=data.captured_at,
        provider=data.provider,
        accepted_reason=data.accepted_reason,
        collected_by=user,
    )


def geotag_upsert(*, user: User, sls: SLS, data: GeotagInput) -> Geotag:
    """Store a geotag once (keyed by its UUID); a repeat returns the stored one unchanged.

    Families in one building send the same geotag UUID. Runs the checks of a new geotag.
    Call inside the caller's transaction. A new UUID is locked (`keylocks`) and looked up again
    before the insert: a concurrent push storing the same geotag is waited for and its row
    returned, with no statement failing.
    """
    existing = Geotag.objects.filter(client_uuid=data.client_uuid).first()
    if existing is None:
        keylocks.client_uuids_lock([data.client_uuid])
        existing = Geotag.objects.filter(client_uuid=data.client_uuid).first()
    if existing is not None:
        return geotag_of_sls(existing, sls)
    geotag = geotag_build(user=user, sls=sls, data=data)
    geotag.save()
    geotag_check(geotag)
    return geotag


def geotags_create(*, geotags: list[Geotag]) -> None:
    """Store new geotags (built by `geotag_build`, UUIDs not stored yet, each once) set-based: ids
    from the sequence, one COPY, then the checks of all of them in three queries, with the same
    flags as storing them one by one in this order with `geotag_upsert`. Call inside the caller's
    transaction, holding the UUIDs' locks (`keylocks.client_uuids_lock`) since before it looked
    them up, so no concurrent transaction can have stored one meanwhile."""
    if not geotags:
        return
    now = timezone.now()
    for geotag, pk in zip(geotags, pgcopy.reserve_ids(Geotag, len(geotags)), strict=True):
        geotag.pk = pk
    pgcopy.copy_rows(Geotag, geotags, now, with_id=True)
    geotags_check(geotags)


def geotag_of_sls(geotag: Geotag, sls: SLS) -> Geotag:
    """A stored geotag sent again for a family of `sls`; raises ConflictError if it belongs to another SLS."""
    if geotag.sls_id != sls.pk:
        raise ConflictError(_("Geotag ini milik SLS lain."), extra={"reason": "geotag"})
    return geotag


def geotag_check(geotag: Geotag) -> list[str]:
    """Flag what a supervisor should look at (docs/sync.md, "Geotags"). Returns the kinds flagged."""
    return geotags_check([geotag])[geotag.pk]


# The geotags a new geotag is held against: every other one, except those of its own batch stored
# after it (ids come from the sequence in the order the batch stores them), so a batch is flagged
# as if its geotags had arrived one by one.
_BEFORE = "o.id <> g.id AND (o.id < g.id OR o.id <> ALL(%(batch)s))"


def geotags_check(geotags: list[Geotag]) -> dict[int, list[str]]:
    """Flag the new `geotags` (stored, in the order they were stored), each against the geotags
    stored before it, in three queries whatever their number. Returns the kinds flagged per id."""
    batch = [geotag.pk for geotag in geotags]
    params: dict[str, Any] = {
        "batch": batch,
        "tolerance": settings.GEOTAG_AREA_TOLERANCE_M,
        "same_point": settings.GEOTAG_SAME_POINT_M,
    }
    with connection.cursor() as cursor:
        # Outside the assigned kelurahan by more than the tolerance (the polygons are approximate).
        cursor.execute(
            """
            SELECT g.id, k.boundary IS NOT NULL,
                   ST_DWithin(k.boundary::geography, g.location, %(tolerance)s),
                   ST_Distance(k.boundary::geography, g.location)
            FROM geotag_geotag g JOIN enumeration_sls s ON s.id = g.sls_id
            JOIN enumeration_kelurahan k ON k.bps_code = s.kelurahan_id WHERE g.id = ANY(%(batch)s)
            """,
            params,
        )
        outside = {row[0]: row[1:] for row in cursor.fetchall()}
        # Another dwelling (another geotag of another building) at the same point.
        cursor.execute(
            f"""
            SELECT g.id, o.id FROM geotag_geotag g JOIN LATERAL (
                SELECT o.id FROM geotag_geotag o
                WHERE {_BEFORE} AND ST_DWithin(o.location, g.location, %(same_point)s)
                  AND NOT (o.sls_id = g.sls_id AND o.building_no = g.building_no AND g.building_no <> '')
                ORDER BY o.id LIMIT 5
            ) o ON true WHERE g.id = ANY(%(batch)s) ORDER BY g.id, o.id
            """,  # noqa: S608 - _BEFORE is a constant
            params,
        )
        same: dict[int, list[int]] = {}
        for geotag_id, other_id in cursor.fetchall():
            same.setdefault(geotag_id, []).append(other_id)
        # Travel speed from this PPL's previous and to the next geotag in time.
        cursor.execute(
            f"""
            SELECT g.id, o.id, ST_Distance(o.location, g.location) AS metres,
                   abs(extract(epoch FROM (o.captured_at - g.captured_at))) AS seconds
            FROM geotag_geotag g JOIN LATERAL (
                (SELECT o.*, 0 AS side FROM geotag_geotag o WHERE o.collected_by_id = g.collected_by_id
                   AND {_BEFORE} AND o.captured_at <= g.captured_at ORDER BY o.captured_at DESC LIMIT 1)
                UNION ALL
                (SELECT o.*, 1 AS side FROM geotag_geotag o WHERE o.collected_by_id = g.collected_by_id
                   AND {_BEFORE} AND o.captured_at > g.captured_at ORDER BY o.captured_at ASC LIMIT 1)
            ) o ON true WHERE g.id = ANY(%(batch)s) ORDER BY g.id, o.side
            """,  # noqa: S608 - _BEFORE is a constant
            params,
        )
        travels: dict[int, list[tuple[int, float, float]]] = {}
        for geotag_id, other_id, metres, seconds in cursor.fetchall():
            travels.setdefault(geotag_id, []).append((other_id, float(metres), float(seconds)))
    found: dict[int, list[str]] = {}
    rows: list[GeotagFlag] = []
    limit_ms = settings.GEOTAG_MAX_SPEED_KMH / 3.6
    for geotag in geotags:
        flags: dict[str, dict[str, Any]] = {}
        partners: list[GeotagFlag] = []
        has_boundary, within, distance = outside.get(geotag.pk) or (False, True, 0)
        if has_boundary and not within:
            flags[GeotagFlag.Kind.OUTSIDE_KELURAHAN] = {"distance_m": round(float(distance), 1)}
        if geotag.pk in same:
            flags[GeotagFlag.Kind.SHARED_POINT] = {"geotags": same[geotag.pk]}
            # Both buildings share the point: flag the one already stored too.
            partners += [
                GeotagFlag(geotag_id=other, kind=GeotagFlag.Kind.SHARED_POINT, detail={"geotags": [geotag.pk]})
                for other in same[geotag.pk]
            ]
        for other_id, metres, seconds in travels.get(geotag.pk, []):
            speed = metres / max(seconds, 1.0)
            if speed > limit_ms and metres > settings.GEOTAG_SPEED_MIN_DISTANCE_M:
                km_per_h = round(speed * 3.6, 1)
                flags[GeotagFlag.Kind.IMPLAUSIBLE_SPEED] = {"other": other_id, "km_per_h": km_per_h}
                # One of the two points is wrong: flag both, whatever order they arrived in.
                partners.append(
                    GeotagFlag(
                        geotag_id=other_id,
                        kind=GeotagFlag.Kind.IMPLAUSIBLE_SPEED,
                        detail={"other": geotag.pk, "km_per_h": km_per_h},
                    )
                )
        if geotag.accuracy_m > settings.GEOTAG_MAX_ACCURACY_M:
            flags[GeotagFlag.Kind.LOW_ACCURACY] = {
                "accuracy_m": geotag.accuracy_m,
                "accepted_reason": bool(geotag.accepted_reason),
            }
        rows += [GeotagFlag(geotag=geotag, kind=kind, detail=detail) for kind, detail in flags.items()] + partners
        found[geotag.pk] = sorted(flags)
    # In the order one-by-one checks would write them: where two rows name the same geotag and
    # kind, the first is kept.
    GeotagFlag.objects.bulk_create(rows, ignore_conflicts=True)
    return found
