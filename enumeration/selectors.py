"""Reads for pages and APIs, always narrowed by `enumeration.scoping`."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from enumeration import scoping
from enumeration.models import SLS, Assignment, Kelurahan, User


def sls_list_for_user(*, user: User, kelurahan_code: str | None = None) -> QuerySet[SLS]:
    qs = scoping.visible_sls(user).select_related("kelurahan__kecamatan")
    if kelurahan_code:
        qs = qs.filter(kelurahan_id=kelurahan_code)
    active = Assignment.objects.filter(ended_at__isnull=True).select_related("ppl__supervisor")
    if not scoping.can_see_field_staff(user):
        active = Assignment.objects.none()
    return qs.prefetch_related(Prefetch("assignments", queryset=active, to_attr="active_assignments")).order_by(
        "kelurahan_id", "code", "sub_code"
    )


def kelurahan_summary_for_user(*, user: User) -> QuerySet[Kelurahan]:
    """Kelurahan the user may see, with counts of SLS in scope and of SLS without an active PPL."""
    visible = scoping.visible_sls(user).values("pk")
    in_scope = Q(sls_set__pk__in=visible)
    return (
        scoping.visible_kelurahan(user)
        .select_related("kecamatan")
        .annotate(
            sls_count=Count("sls_set", filter=in_scope, distinct=True),
            unassigned_count=Count(
                "sls_set",
                filter=in_scope & ~Q(sls_set__pk__in=Assignment.objects.filter(ended_at__isnull=True).values("sls_id")),
                distinct=True,
            ),
        )
        .order_by("bps_code")
    )


def staff_list_for_user(*, user: User) -> QuerySet[User]:
    return scoping.visible_staff(user).select_related("supervisor", "kecamatan").order_by("role", "username")


def assignment_history_for_sls(*, user: User, sls_id: int) -> QuerySet[Assignment]:
    if not scoping.can_see_field_staff(user):
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(sls__in=scoping.visible_sls(user), sls_id=sls_id)
        .select_related("ppl", "assigned_by", "ended_by")
        .order_by("-started_at")
    )
