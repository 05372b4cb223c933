"""The lists behind the dashboard's numbers: which families, VK1 rows or SLS a number counts.

Each list is narrowed exactly as its number is (`progress.node_sls_qs`, the user's scope), so its
length equals the number. The lists show codes, statuses and dates, never names or identifiers: a
family's page at the review desk (audited there) is one click away.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from enumeration.models import SLS, User
from households.models import Family, FamilyStatus, PrelistFamily
from monitoring import progress
from monitoring.progress import Node

FAMILY_LISTS = {
    "collected": None,
    "submitted": FamilyStatus.SUBMITTED,
    "approved": FamilyStatus.APPROVED,
    "returned": FamilyStatus.RETURNED,
}
LISTS = (*FAMILY_LISTS, "target", "closed", "sls", "sls_confirmed")


def family_list(*, user: User, node: Node, what: str) -> QuerySet[Family]:
    """Families of the node counted by `what` (collected: all), in SLS and building order."""
    qs = Family.objects.filter(sls_id__in=progress.sls_ids(progress.node_sls_qs(user=user, node=node)))
    status = FAMILY_LISTS[what]
    if status is not None:
        qs = qs.filter(status=status)
    return (
        qs.select_related("sls", "created_by")
        .only(
            "id",
            "status",
            "building_no",
            "family_no",
            "created_at",
            "reviewed_at",
            "sls__kelurahan_id",
            "sls__code",
            "sls__sub_code",
            "created_by__username",
        )
        .order_by("sls__kelurahan_id", "sls__code", "sls__sub_code", "building_no", "family_no", "id")
    )


def prelist_list(*, user: User, node: Node, closed_only: bool = False) -> QuerySet[PrelistFamily]:
    """VK1 rows of the node (the target), or only those closed without a K record."""
    qs = PrelistFamily.objects.filter(sls_id__in=progress.sls_ids(progress.node_sls_qs(user=user, node=node)))
    if closed_only:
        qs = qs.filter(status__in=progress.CLOSED_WITHOUT_RECORD)
    return (
        qs.select_related("sls")
        .only("id", "line_no", "status", "family_id", "status_at", "sls__kelurahan_id", "sls__code", "sls__sub_code")
        .order_by("sls__kelurahan_id", "sls__code", "sls__sub_code", "line_no")
    )


def sls_list(*, user: User, node: Node, confirmed_only: bool = False) -> QuerySet[SLS]:
    """SLS of the node (or only those whose latest confirmation stands)."""
    sls_qs = progress.node_sls_qs(user=user, node=node)
    ids = progress.sls_ids(sls_qs)
    qs = SLS.objects.filter(pk__in=ids)
    if confirmed_only:
        qs = qs.filter(Q(pk__in=progress.confirmed_sls_ids(sls_ids=ids)))
    return qs.select_related("kelurahan").order_by("kelurahan_id", "code", "sub_code")


def list_for(*, user: User, node: Node, what: str) -> tuple[str, QuerySet[Any]]:
    """("families" | "prelist" | "sls", the rows) for a list name of LISTS."""
    if what in FAMILY_LISTS:
        return "families", family_list(user=user, node=node, what=what)
    if what in ("target", "closed"):
        return "prelist", prelist_list(user=user, node=node, closed_only=what == "closed")
    return "sls", sls_list(user=user, node=node, confirmed_only=what == "sls_confirmed")
