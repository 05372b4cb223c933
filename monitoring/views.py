"""The progress dashboard, its lists and the map's data (docs/monitoring.md).

For PML, Koseka and BPS admins (`progress.can_monitor`; anyone else gets 403); a node outside the
user's scope is 404. Pages read through `monitoring.progress`, `monitoring.lists` and
`monitoring.mapdata`, which narrow every query by `enumeration.scoping`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.models import AuditAction
from audit.services import Area, audit_record
from enumeration.models import User
from households.models import FamilyStatus, PrelistStatus
from monitoring import charts, lists, mapdata, progress
from monitoring.progress import Node

LIST_PAGE_SIZE = 50


def _monitor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not progress.can_monitor(user):
        raise PermissionDenied
    return user


def _node(user: User, level: str, key: str) -> Node:
    node = progress.node_get(user=user, level=level, key=key)
    if node is None:
        raise Http404
    return node


def node_url(level: str, key: str) -> str:
    return reverse("monitoring:dashboard") if level == progress.KOTA else reverse(f"monitoring:{level}", args=[key])


def list_urls(level: str, key: str) -> dict[str, str]:
    """The list behind each number of a row (a kota's by-PPL table has 2,000 rows: one reverse()
    per row, not per number)."""
    base = f"{reverse('monitoring:list')}?{urlencode({'level': level, 'key': key})}&what="
    return {what: base + what for what in lists.LISTS}


# Rows of a dashboard table per page: the kota by PPL has about 2,000 rows, whose rendering (links
# and numbers per row) cost 393 ms of a 400 ms page at 500,000 families (docs/performance.md).
ROWS_PER_PAGE = 200


def _dashboard(request: HttpRequest, level: str, key: str) -> HttpResponse:
    user = _monitor(request)
    node = _node(user, level, key)
    result = progress.progress_get(user=user, node=node, by=request.GET.get("by", "area"))
    page = Paginator(result.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    trend = progress.progress_trend(user=user, node=node, target=result.total.target)
    extent = mapdata.node_extent(user=user, node=node)
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "progress": result,
            "node": node,
            "crumbs": [(name, node_url(lvl, k)) for lvl, k, name in node.crumbs],
            "rows": [
                {
                    "row": row,
                    "url": node_url(row.level, row.key) if row.key else "",
                    "lists": list_urls(row.level, row.key) if row.key else {},
                    "ppl_url": node_url(progress.PPL, str(row.ppl_id)) if row.ppl_id else "",
                }
                for row in page.object_list
            ],
            "page": page,
            "total_lists": list_urls(node.level, node.key),
            "can_group_by_ppl": node.level not in (progress.SLS_LEVEL, progress.PPL),
            "trend": trend,
            "chart": charts.trend_chart(trend),
            "map": {
                "boundaries": f"{reverse('monitoring:map-boundaries')}?{urlencode({'level': level, 'key': key})}",
                "points": f"{reverse('monitoring:map-points')}?{urlencode({'level': level, 'key': key})}",
                "family_url": reverse("review:family", args=[0]),
                "extent": list(extent) if extent else None,
                "tile_url": settings.MAP_TILE_URL,
                "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
                "text": {
                    "points": _("{n} titik keluarga di layar."),
                    "clusters": _("{n} kelompok titik keluarga di layar."),
                    "families": _("{n} keluarga"),
                    "points_failed": _("Titik keluarga gagal dimuat."),
                    "areas_failed": _("Batas wilayah gagal dimuat."),
                },
            },
        },
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, progress.KOTA, "")


@login_required
@require_GET
def kecamatan(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard(request, progress.KECAMATAN, code)


@login_required
@require_GET
def kelurahan(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard(request, progress.KELURAHAN, code)


@login_required
@require_GET
def sls(request: HttpRequest, sls_id: int) -> HttpResponse:
    return _dashboard(request, progress.SLS_LEVEL, str(sls_id))


@login_required
@require_GET
def ppl(request: HttpRequest, user_id: int) -> HttpResponse:
    return _dashboard(request, progress.PPL, str(user_id))


@login_required
@require_GET
def count_list(request: HttpRequest) -> HttpResponse:
    """The rows behind one number of the dashboard: ?level=&key=&what=."""
    user = _monitor(request)
    what = request.GET.get("what", "")
    if what not in lists.LISTS:
        raise Http404
    node = _node(user, request.GET.get("level", ""), request.GET.get("key", ""))
    kind, rows = lists.list_for(user=user, node=node, what=what)
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/list.html",
        {
            "node": node,
            "node_url": node_url(node.level, node.key),
            "what": what,
            "kind": kind,
            "page_obj": page,
            "family_statuses": dict(FamilyStatus.choices),
            "prelist_statuses": dict(PrelistStatus.choices),
        },
    )


def _map_node(request: HttpRequest) -> tuple[User, Node, int]:
    user = _monitor(request)
    node = _node(user, request.GET.get("level", ""), request.GET.get("key", ""))
    zoom = mapdata.parse_zoom(request.GET.get("zoom", ""))
    if zoom is None:
        raise Http404
    return user, node, zoom


@login_required
@require_GET
def map_boundaries(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the node's areas with their % done: ?level=&key=&zoom=."""
    user, node, zoom = _map_node(request)
    return JsonResponse(mapdata.boundaries(user=user, node=node, zoom=zoom))


@login_required
@require_GET
def map_points(request: HttpRequest) -> JsonResponse:
    """Family geotags in a viewport, clustered or one by one: ?level=&key=&zoom=&bbox=w,s,e,n."""
    user, node, zoom = _map_node(request)
    bbox = mapdata.BBox.parse(request.GET.get("bbox", ""))
    if bbox is None:
        return JsonResponse({"error": "bbox"}, status=400)
    data = mapdata.points(user=user, node=node, bbox=bbox, zoom=zoom)
    if data["kind"] == "points" and data["features"]:
        # Single families' locations (not clusters): a read of personal data, in the audit log.
        audit_record(
            action=AuditAction.FAMILY_VIEW,
            actor=user,
            object_type="family_location",
            object_id=len(data["features"]),
            area=_audit_area(node),
            detail=f"via=monitoring-map zoom={zoom}",
        )
    return JsonResponse(data)


def _audit_area(node: Node) -> Area:
    if node.level == progress.KECAMATAN:
        return Area(kecamatan=node.key)
    if node.level == progress.KELURAHAN:
        return Area(kecamatan=node.key[:7], kelurahan=node.key)
    if node.level == progress.SLS_LEVEL:
        return Area(kecamatan=node.code[:7], kelurahan=node.code[:10], sls_id=int(node.key))
    return Area()
