"""The map's data: area boundaries coloured by % done, and family geotags clustered per viewport.

Points are clustered on the server, per request, over the geotags inside the viewport (a grid of
cells about CELL_PX screen pixels wide at the requested zoom, each cluster drawn at the mean of its
points); from POINTS_MIN_ZOOM on, the families come one by one (at most MAX_POINTS, else clusters
again). Why not vector tiles: docs/monitoring.md, "Map". Everything is narrowed to the SLS of the
node the user may see (progress.node_sls_qs), and a family's point is shown only with its review
status and whether its geotag carries a flag: no names, no identifiers.
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


def points(*, user: User, node: Node, bbox: BBox, zoom: int) -> dict[str, Any]:
    """The families whose geotag lies in `bbox`, as a GeoJSON FeatureCollection: one feature per
    family (id, status, flagged) from POINTS_MIN_ZOOM on when there are at most MAX_POINTS, else one
    per grid cell (count, counts per status and flagged). `kind` says which."""
    sls_qs = progress.node_sls_qs(user=user, node=node)
    params: list[Any] = [bbox.west, bbox.south, bbox.east, bbox.north]
    in_scope = ""
    if sls_qs.query.where:  # every SLS (a BPS admin's kota): nothing to narrow, as progress.in_sls
        ids_sql, ids_params = progress.sls_ids(sls_qs).query.sql_with_params()
        in_scope = f"AND f.sls_id IN ({ids_sql})"
        params.extend(ids_params)
    in_view = _IN_VIEW.format(in_scope=in_scope)
    with connection.cursor() as cursor:
        if zoom >= POINTS_MIN_ZOOM:
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
        cell = _PIXEL_DEG / (2**zoom) * CELL_PX
        cursor.execute(_CLUSTERS_SQL.format(flagged=_FLAGGED, in_view=in_view), [*params, cell, cell])
        clusters = cursor.fetchall()
    return {
        "type": "FeatureCollection",
        "kind": "clusters",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
                "properties": {
                    "count": n,
                    "approved": approved,
                    "submitted": submitted,
                    "returned": returned,
                    "flagged": flagged,
                },
            }
            for n, x, y, approved, submitted, returned, flagged in clusters
        ],
    }
