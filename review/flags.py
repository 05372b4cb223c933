"""What the review queue flags on a family besides its rule warnings (docs/review.md, "Flags").

Each flag has a per-row form (an expression on a Family queryset: the queue's columns, and the
"has flags" filter for a PML's team) and `flagged_family_ids`, the same definition as one set:
the union of one indexed query per flag kind. A PML's scope is a few hundred to a few thousand
families, where probing each is cheapest; a Koseka's or BPS admin's is a kecamatan or the city
(500,000 families), where probing each took minutes and the set takes one pass over the indexes
(docs/performance.md, "Review desk"). Nothing is stored: both forms read the same rows, so a flag
that appears or goes away in another family (a duplicate NIK) or later (a photo, a geotag check)
shows at once in both. tests/review/test_flag_sets.py holds them equal, kind by kind.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
)

from enumeration.models import Role, User
from geotag.models import GeotagFlag
from households import conflicts
from households.models import Family, FamilyConflict, Member
from photos.models import Photo


class Flag:
    GEOTAG = "geotag"
    DUPLICATE_NIK = "duplicate_nik"
    DUPLICATE_KK = "duplicate_kk"
    PHOTO_MISSING = "photo_missing"
    SHORT_INTERVIEW = "short_interview"
    CONFLICT = "conflict"


def min_interview() -> dt.timedelta:
    return dt.timedelta(minutes=settings.REVIEW_MIN_INTERVIEW_MINUTES)


# --- per row --------------------------------------------------------------------------------------


def geotag_flag_kinds() -> ArraySubquery:
    return ArraySubquery(GeotagFlag.objects.filter(geotag_id=OuterRef("geotag_id")).order_by("kind").values("kind"))


def has_geotag_flag() -> Exists:
    return Exists(GeotagFlag.objects.filter(geotag_id=OuterRef("geotag_id")))


def duplicate_nik() -> Exists:
    """A member's NIK is also another member's, in this family or another (the keyed hash, indexed)."""
    others = Member.objects.filter(nik_hash=OuterRef("nik_hash")).exclude(pk=OuterRef("pk"))
    return Exists(Member.objects.filter(family_id=OuterRef("pk")).exclude(nik_hash="").filter(Exists(others)))


def duplicate_kk() -> Exists:
    return Exists(Family.objects.filter(kk_hash=OuterRef("kk_hash")).exclude(kk_hash="").exclude(pk=OuterRef("pk")))


def photo_missing() -> Q:
    ready = Photo.objects.filter(family_id=OuterRef("pk"), status=Photo.Status.READY)
    return Q(photo_required=True) & Q(~Exists(ready))


def short_interview() -> Q:
    return Q(
        interview_started_at__isnull=False,
        interview_finished_at__lt=F("interview_started_at") + min_interview(),
    )


def has_flags() -> Q:
    """Any rule warning or any flag, probed for each row."""
    return (
        ~Q(warnings=[])
        | Q(has_geotag_flag())
        | Q(duplicate_nik())
        | Q(duplicate_kk())
        | photo_missing()
        | short_interview()
        | Q(conflicts.has_open_conflict())
    )


# --- as one set -----------------------------------------------------------------------------------


def interview_length() -> ExpressionWrapper[Any]:
    """`interview_finished_at - interview_started_at`, NULL unless both are sent; the expression of
    the index `family_interview_length` (households migration 0011)."""
    return ExpressionWrapper(F("interview_finished_at") - F("interview_started_at"), output_field=DurationField())


def _any(column: str, values: QuerySet[Any, Any]) -> Func:
    """`column = ANY(ARRAY(subquery))`: the shared hashes computed once, then looked up in the hash's
    index. As `IN (subquery)` PostgreSQL cannot guess how few groups `HAVING count(*) > 1` keeps and
    joins by reading every member (the whole statement 3.6 s instead of 1.9 s at 500,000 families in
    `make bench-review`, docs/performance.md)."""
    return Func(
        F(column),
        ArraySubquery(values),
        arg_joiner=" = ANY(",
        template="(%(expressions)s))",
        output_field=BooleanField(),
    )


def flagged_family_ids() -> QuerySet[Any, Any]:
    """The ids (column `id`) of every family with a rule warning or a flag, city-wide: one query per
    kind, each read from an index, united. The same families as `has_flags()`:
    - warnings: the partial index `family_with_warnings` holds the families whose list is not empty;
    - geotag: the families (index on `geotag`) of the geotags that have a flag;
    - duplicate NIK: the members (index on `nik_hash`) of a hash that more than one member has,
      which is "another member has it" said once per hash instead of once per member;
    - duplicate No. KK: the same over the families' `kk_hash`;
    - photo missing: the families of the partial index `family_photo_required` without a ready photo;
    - interview too short: `finished < started + minimum` is `finished - started < minimum` (both NULL
      when a time is missing), which the index `family_interview_length` answers;
    - open conflict: at most one per family (a partial unique index); one kept before its family
      exists (no family yet) flags nothing."""
    families = Family.objects.order_by()
    nik_shared = (
        Member.objects.order_by().exclude(nik_hash="").values("nik_hash").annotate(n=Count("*")).filter(n__gt=1)
    )
    # count(*), not count(id): the hash's index alone answers it.
    kk_shared = families.exclude(kk_hash="").values("kk_hash").annotate(n=Count("*")).filter(n__gt=1)
    ready = Photo.objects.filter(family_id=OuterRef("pk"), status=Photo.Status.READY)
    parts: list[QuerySet[Any, Any]] = [
        families.exclude(warnings=[]).values("id"),
        families.filter(geotag_id__in=GeotagFlag.objects.order_by().values("geotag_id")).values("id"),
        Member.objects.order_by().filter(_any("nik_hash", nik_shared.values("nik_hash"))).values("family_id"),
        families.filter(_any("kk_hash", kk_shared.values("kk_hash"))).values("id"),
        families.filter(photo_required=True).filter(~Exists(ready)).values("id"),
        families.alias(length=interview_length()).filter(length__lt=min_interview()).values("id"),
        FamilyConflict.objects.order_by().filter(resolved_at__isnull=True, family__isnull=False).values("family_id"),
    ]
    return parts[0].union(*parts[1:])


def has_flags_for(user: User) -> Q:
    """The "has flags" filter for `user`'s queue: probed per family for a PML's team, the set for a
    Koseka's kecamatan or a BPS admin's city. The same families either way."""
    if user.role == Role.PML:
        return has_flags()
    return Q(pk__in=flagged_family_ids())
