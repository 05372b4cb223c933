"""The map's data: area boundaries coloured by % done, and family geotags clustered per viewport.

Below POINTS_MIN_ZOOM the clusters are made from the counters kept per SLS (monitoring.models):
each SLS's geotagged families stand at their centroid, and the SLS whose centroid lies in the
viewport are grouped into a grid of cells about CELL_PX screen pixels wide, each cluster drawn at the
mean of its families' points; no family row is read, so the city's whole map costs as little as one
kelurahan's. From POINTS_MIN_ZOOM on, the families in the (small) viewport come one by one (at most
MAX_POINTS, else clustered per point on the same grid). Why not vector tiles: docs/monitoring.md,
"Map". Everything is narrowed to the SLS of the node the user may see (progress.node_sls_qs), and
a family's point is shown only with its review status and whether its geotag carries a flag: no
names, no identifiers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.aggregates import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON, GeoFunc
from django.db import connection
from django.db.models import QuerySet, Value

from enumeration.models import SLS, Kecamatan, Kelurahan, User
from monitoring import progress
from monitoring.progress import Node

CELL_PX = 64
POINTS_MIN_ZOOM = 17
MAX_POINTS = 5000
# Half a screen pixel at the zoom, in degrees at the equator: simplification below that is invisible.
_PIXEL_DEG = 360 / 256


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> BBox | None:
        """`west,south,east,north` in degrees (what Leaflet's getBounds().toBBoxString() gives),
        or None if malformed or not a box on the earth."""
        try:
            parts = [float(p) for p in text.split(",")]
        except ValueError:
            return None
        if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
            return None
        w, s, e, n = parts
        w, e = max(w, -180.0), min(e, 180.0)
        s, n = max(s, -90.0), min(n, 90.0)
        if w >= e or s >= n:
            return None
        return cls(w, s, e, n)


def parse_zoom(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and int(text) <= 22 else None


def _tolerance(zoom: int) -> float:
    return float(_PIXEL_DEG / (2**zoom) / 2)


def node_extent(*, user: User, node: Node) -> tuple[float, float, float, float] | None:
    """The node's bounding box (west, south, east, north) from its areas' boundaries, or None."""
    sls_qs = progress.node_sls_qs(user=user, node=node)
    ids = progress.sls_ids(sls_qs)
    box = SLS.objects.filter(pk__in=ids, boundary__isnull=False).aggregate(e=Extent("boundary"))["e"]
    if box is None:
        box = Kelurahan.objects.filter(sls_set__in=ids).distinct().aggregate(e=Extent("boundary"))["e"]
    if box is None:
        return None
    west, south, east, north = (float(v) for v in box)
    return west, south, east, north


def _props(level: str, key: str, code: str, name: str, counts: progress.Counts) -> dict[str, Any]:
    pct = counts.percent_done
    return {
        "level": level,
        "key": key,
        "code": code,
        "name": name,
        "percent_done": None if pct is None else round(pct, 1),
        "collected": counts.collected,
        "target": counts.target,
    }


def boundaries(*, user: User, node: Node, zoom: int) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the node's child areas (kecamatan, kelurahan, or the SLS
    with a boundary and, beneath them, their kelurahan), each with its % done, simplified for `zoom`
    (to half a screen pixel). Areas without a boundary are left out."""
    result = progress.progress_get(user=user, node=node)
    tolerance = _tolerance(zoom)
    features: list[dict[str, Any]] = []
    rows = {r.key: r for r in result.rows}

    def add(qs: QuerySet[Any], props: Any) -> None:
        shapes = qs.filter(boundary__isnull=False).annotate(
            geo=AsGeoJSON(_simplify("boundary", tolerance), precision=6)
        )
        for pk, geo in shapes.values_list("pk", "geo"):
            features.append({"type": "Feature", "geometry": json.loads(geo), "properties": props(pk)})

    child = progress.CHILD_LEVEL.get(node.level, progress.SLS_LEVEL)
    if child in (progress.KECAMATAN, progress.KELURAHAN):
        model = Kecamatan if child == progress.KECAMATAN else Kelurahan
        add(model.objects.filter(pk__in=rows), lambda pk: _props(child, pk, pk, rows[pk].name, rows[pk].counts))
    else:
        # SLS rows: their kelurahan as the backdrop (with the totals of the SLS shown in it), then
        # the SLS that have a boundary of their own on top.
        sls_pks = [int(k) for k in rows]
        kel_of = dict(SLS.objects.filter(pk__in=sls_pks).values_list("pk", "kelurahan_id"))
        kel_counts: dict[str, progress.Counts] = {}
        kel_names = dict(Kelurahan.objects.filter(pk__in=set(kel_of.values())).values_list("pk", "name"))
        for key, r in rows.items():
            kel_counts.setdefault(kel_of[int(key)], progress.Counts()).add(r.counts)
        add(
            Kelurahan.objects.filter(pk__in=kel_counts),
            lambda pk: _props(progress.KELURAHAN, pk, pk, kel_names[pk], kel_counts[pk]),
        )

        def sls_props(pk: int) -> dict[str, Any]:
            r = rows[str(pk)]
            return _props(progress.SLS_LEVEL, r.key, r.code, r.name, r.counts)

        add(SLS.objects.filter(pk__in=sls_pks), sls_props)
    return {"type": "FeatureCollection", "features": features}


class _SimplifyPreserveTopology(GeoFunc):
    function = "ST_SimplifyPreserveTopology"


def _simplify(column: str, tolerance: float) -> Any:
    return _SimplifyPreserveTopology(column, Value(tolerance), output_field=GeometryField(srid=4326))


# --- points ----------------------------------------------------------------------------------------

_IN_VIEW = """
    FROM households_family f
    JOIN geotag_geotag g ON g.id = f.geotag_id
    WHERE g.location && ST_MakeEnvelope(%s, %s, %s, %s, 4326)::geography {in_scope}
"""

# IN (not a correlated EXISTS): PostgreSQL hashes the few flagged geotags once instead of probing the
# flag table for each of up to 500,000 points.
_FLAGGED = "g.id IN (SELECT fl.geotag_id FROM geotag_geotagflag fl)"

_POINTS_SQL = """
SELECT f.id, f.status, {flagged}, ST_X(g.location::geometry), ST_Y(g.location::geometry)
{in_view}
ORDER BY f.id
LIMIT %s
"""

_CLUSTERS_SQL = """
SELECT count(*), avg(x), avg(y),
       count(*) FILTER (WHERE status = 'approved'),
       count(*) FILTER (WHERE status = 'submitted'),
       count(*) FILTER (WHERE status = 'returned'),
       count(*) FILTER (WHERE flagged)
FROM (
    SELECT ST_X(g.location::geometry) AS x, ST_Y(g.location::geometry) AS y, f.status, {flagged} AS flagged
    {in_view}
) AS p
GROUP BY floor(x / %s), floor(y / %s)
"""


# The families of each SLS in scope at the SLS's centroid (from the counters), the SLS whose centroid
# is in the viewport grouped per grid cell. Flagged geotags are few: counted fresh per SLS.
_SLS_CLUSTERS_SQL = """
WITH sls AS (
    SELECT c.sls_id, sum(c.geotagged) AS n, sum(c.sum_lon) / sum(c.geotagged) AS x,
           sum(c.sum_lat) / sum(c.geotagged) AS y,
           coalesce(sum(c.geotagged) FILTER (WHERE c.status = 'approved'), 0) AS approved,
           coalesce(sum(c.geotagged) FILTER (WHERE c.status = 'submitted'), 0) AS submitted,
           coalesce(sum(c.geotagged) FILTER (WHERE c.status = 'returned'), 0) AS returned
    FROM monitoring_slsfamilycount c
    WHERE c.geotagged > 0 {in_scope}
    GROUP BY c.sls_id
), flagged AS (
    SELECT f.sls_id, count(*) AS n FROM households_family f
    WHERE f.geotag_id IN (SELECT fl.geotag_id FROM geotag_geotagflag fl)
    GROUP BY f.sls_id
)
SELECT sum(s.n), sum(s.x * s.n) / sum(s.n), sum(s.y * s.n) / sum(s.n),
       sum(s.approved), sum(s.submitted), sum(s.returned), coalesce(sum(fl.n), 0)
FROM sls s LEFT JOIN flagged fl ON fl.sls_id = s.sls_id
WHERE s.x BETWEEN %s AND %s AND s.y BETWEEN %s AND %s
GROUP BY floor(s.x / %s), floor(s.y / %s)
"""


def _scope_sql(*, user: User, node: Node, column: str) -> tuple[str, list[Any]]:
    """`AND <column> IN (the node's SLS ids)`, or nothing when that is every SLS (a BPS admin's
    kota), as progress.in_sls."""
    sls_qs = progress.node_sls_qs(user=user, node=node)
    if not sls_qs.query.where:
        return "", []
    ids_sql, ids_params = progress.sls_ids(sls_qs).query.sql_with_params()
    return f"AND {column} IN ({ids_sql})", list(ids_params)


def _cluster_features(clusters: list[tuple[Any, ...]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "kind": "clusters",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
                "properties": {
                    "count": int(n),
                    "approved": int(approved),
                    "submitted": int(submitted),
                    "returned": int(returned),
                    "flagged": int(flagged),
                },
            }
            for n, x, y, approved, submitted, returned, flagged in clusters
        ],
    }


def points(*, user: User, node: Node, bbox: BBox, zoom: int) -> dict[str, Any]:
    """The families whose geotag lies in `bbox`, as a GeoJSON FeatureCollection: below
    POINTS_MIN_ZOOM one feature per grid cell of SLS centroids (count, counts per status and
    flagged, from the counters kept per SLS); from POINTS_MIN_ZOOM on one feature per family (id,
    status, flagged) when there are at most MAX_POINTS, else one per grid cell of their points.
    `kind` says which."""
    cell = _PIXEL_DEG / (2**zoom) * CELL_PX
    if zoom < POINTS_MIN_ZOOM:
        in_scope, scope_params = _scope_sql(user=user, node=node, column="c.sls_id")
        box = [bbox.west, bbox.east, bbox.south, bbox.north]
        with connection.cursor() as cursor:
            cursor.execute(_SLS_CLUSTERS_SQL.format(in_scope=in_scope), [*scope_params, *box, cell, cell])
            return _cluster_features(cursor.fetchall())
    in_scope, scope_params = _scope_sql(user=user, node=node, column="f.sls_id")
    params: list[Any] = [bbox.west, bbox.south, bbox.east, bbox.north, *scope_params]
    in_view = _IN_VIEW.format(in_scope=in_scope)
    with connection.cursor() as cursor:
        cursor.execute(_POINTS_SQL.format(flagged=_FLAGGED, in_view=in_view), [*params, MAX_POINTS + 1])
        rows = cursor.fetchall()
        if len(rows) <= MAX_POINTS:
            return {
                "type": "FeatureCollection",
                "kind": "points",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
                        "properties": {"id": fid, "status": status, "flagged": flagged},
                    }
                    for fid, status, flagged, x, y in rows
                ],
            }
        cursor.execute(_CLUSTERS_SQL.format(flagged=_FLAGGED, in_view=in_view), [*params, cell, cell])
        return _cluster_features(cursor.fetchall())
