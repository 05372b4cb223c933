"""Loading the administrative areas of one kab/kota from its data folder.

A folder `<REGSOSEK_WILAYAH_DIR>/<kabkota BPS code>/` holds `kabkota.json` (codes, names and
the names of the other files), a CSV of kecamatan and kelurahan with both code schemes, and
GeoJSON polygons. Another kab/kota loads the same way from its own folder.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import transaction

from enumeration import codes
from enumeration.models import KabKota, Kecamatan, Kelurahan
from regsosek.errors import ApplicationError


@dataclass
class WilayahLoadSummary:
    kabkota: str
    created: dict[str, int] = field(default_factory=lambda: {"kecamatan": 0, "kelurahan": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"kecamatan": 0, "kelurahan": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"kecamatan": 0, "kelurahan": 0})


def _as_multipolygon(geometry: dict[str, Any], code: str) -> MultiPolygon:
    geom = GEOSGeometry(json.dumps(geometry), srid=4326)
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=4326)
    if not isinstance(geom, MultiPolygon):
        raise ApplicationError(f"Geometri {code} bukan poligon ({geom.geom_type}).")
    if not geom.valid:
        raise ApplicationError(f"Geometri {code} tidak valid: {geom.valid_reason}.")
    return geom


def _read_polygons(path: Path) -> dict[str, tuple[MultiPolygon, float | None]]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    result: dict[str, tuple[MultiPolygon, float | None]] = {}
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        code = str(props.get("bps_code", ""))
        if not code:
            raise ApplicationError(f"{path.name}: fitur tanpa bps_code.")
        area = props.get("area_km2")
        result[code] = (
            _as_multipolygon(feature["geometry"], code),
            float(area) if area is not None else None,
        )
    return result


def _same_geometry(a: MultiPolygon | None, b: MultiPolygon | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a.equals_exact(b, tolerance=1e-9))


def wilayah_folder(base: Path, kabkota_code: str) -> Path:
    if not codes.is_kabkota_bps(kabkota_code):
        raise ApplicationError(f"Kode kab/kota BPS harus 4 digit, bukan {kabkota_code!r}.")
    return base / kabkota_code


@transaction.atomic
def wilayah_load(*, folder: Path) -> WilayahLoadSummary:
    """Create or update the kab/kota, its kecamatan and kelurahan from `folder`.

    Idempotent: a second load of the same files changes nothing. All-or-nothing: any bad
    row or polygon raises ApplicationError and the transaction rolls back.
    """
    manifest_path = folder / "kabkota.json"
    if not manifest_path.exists():
        raise ApplicationError(f"{manifest_path} tidak ditemukan.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    kab_code = str(manifest["bps_code"])
    if not codes.is_kabkota_bps(kab_code) or not codes.is_kabkota_kemendagri(str(manifest["kemendagri_code"])):
        raise ApplicationError("kabkota.json: kode BPS atau Kemendagri tidak valid.")
    kabkota, _created = KabKota.objects.update_or_create(
        bps_code=kab_code,
        defaults={
            "kemendagri_code": manifest["kemendagri_code"],
            "name": manifest["name"],
            "provinsi_name": manifest.get("provinsi_name", ""),
        },
    )
    summary = WilayahLoadSummary(kabkota=kab_code)
    kec_polys = _read_polygons(folder / manifest["kecamatan_geojson"]) if manifest.get("kecamatan_geojson") else {}
    kel_polys = _read_polygons(folder / manifest["kelurahan_geojson"]) if manifest.get("kelurahan_geojson") else {}

    with (folder / manifest["areas_csv"]).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kecamatan_rows = [r for r in rows if r["level"] == "kecamatan"]
    kelurahan_rows = [r for r in rows if r["level"] == "kelurahan"]
    unknown = {r["level"] for r in rows} - {"kecamatan", "kelurahan"}
    if unknown:
        raise ApplicationError(f"Tingkat wilayah tidak dikenal: {', '.join(sorted(unknown))}.")

    for row in kecamatan_rows:
        code, kem = row["bps_code"], row["kemendagri_code"]
        if not (codes.is_kecamatan_bps(code) and code.startswith(kab_code) and row["parent_code"] == kab_code):
            raise ApplicationError(f"Kode kecamatan BPS tidak valid: {code!r}.")
        if not (codes.is_kecamatan_kemendagri(kem) and kem.startswith(kabkota.kemendagri_code + ".")):
            raise ApplicationError(f"Kode kecamatan Kemendagri tidak valid: {kem!r}.")
        poly, area = kec_polys.get(code, (None, None))
        values = {
            "kemendagri_code": kem,
            "kabkota": kabkota,
            "name": row["name"],
            "bps_name": row["bps_name"],
            "boundary": poly,
            "area_km2": area,
        }
        _upsert(Kecamatan, code, values, summary, "kecamatan")

    kecamatan_codes = {r["bps_code"]: r["kemendagri_code"] for r in kecamatan_rows}
    for row in kelurahan_rows:
        code, kem, parent = row["bps_code"], row["kemendagri_code"], row["parent_code"]
        if not (codes.is_kelurahan_bps(code) and parent in kecamatan_codes and code.startswith(parent)):
            raise ApplicationError(f"Kode kelurahan BPS tidak valid: {code!r}.")
        if not (codes.is_kelurahan_kemendagri(kem) and kem.startswith(kecamatan_codes[parent] + ".")):
            raise ApplicationError(f"Kode kelurahan Kemendagri {kem!r} tidak cocok dengan kecamatannya.")
        if kel_polys and code not in kel_polys:
            raise ApplicationError(f"Kelurahan {code} tidak memiliki poligon.")
        poly, area = kel_polys.get(code, (None, None))
        values = {
            "kemendagri_code": kem,
            "kecamatan_id": parent,
            "name": row["name"],
            "bps_name": row["bps_name"],
            "boundary": poly,
            "area_km2": area,
        }
        _upsert(Kelurahan, code, values, summary, "kelurahan")
    return summary


def _upsert(
    model: type[Kecamatan] | type[Kelurahan],
    code: str,
    values: dict[str, Any],
    summary: WilayahLoadSummary,
    kind: str,
) -> None:
    obj = model.objects.filter(bps_code=code).first()
    if obj is None:
        model.objects.create(bps_code=code, **values)
        summary.created[kind] += 1
        return
    changed = False
    for name, value in values.items():
        current = getattr(obj, name)
        same = _same_geometry(current, value) if name == "boundary" else current == value
        if not same:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj.save()
        summary.updated[kind] += 1
    else:
        summary.unchanged[kind] += 1
