"""The phone's doorstep check of a geotag (static/js/geo/rules.js, run by Node) flags what the server
flags (geotag/services.py, PostGIS), with the same thresholds from geotag/rules.json, on a real
kelurahan polygon as the pull hands it to the phone."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from enumeration.models import User
from fieldapp.sync import sync_pull
from geotag import services
from geotag.models import Geotag, GeotagFlag
from geotag.rules import geotag_rules
from tests.questionnaire.nodejs import node_path

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "static" / "js" / "geo" / "check-cli.js"
T = dt.datetime(2022, 10, 18, 9, 0, tzinfo=dt.UTC)
SERVER_KINDS: dict[str, str] = {
    GeotagFlag.Kind.OUTSIDE_KELURAHAN: "outside_kelurahan",
    GeotagFlag.Kind.IMPLAUSIBLE_SPEED: "speed",
    GeotagFlag.Kind.LOW_ACCURACY: "accuracy",
}


def test_the_server_reads_its_thresholds_from_the_shared_file() -> None:
    shared = json.loads((ROOT / "geotag" / "rules.json").read_text(encoding="utf-8"))
    rules = geotag_rules()
    assert set(rules) == {key for key in shared if key != "about"}
    # The test settings leave the environment unset: the file's values are the ones in force.
    assert rules == {key: float(shared[key]) for key in rules}
    assert shared["speed_min_distance_m"] == settings.GEOTAG_SPEED_MIN_DISTANCE_M


def _phone(requests: list[dict[str, Any]]) -> list[list[str]]:
    node = node_path()
    if node is None:
        pytest.skip("node is not installed")
    text = "".join(json.dumps(r) + "\n" for r in requests)
    done = subprocess.run([node, str(CLI)], input=text, capture_output=True, text=True, cwd=ROOT, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def _fix(point: tuple[float, float], minutes: float, accuracy: float = 6.0) -> dict[str, Any]:
    return {
        "lat": point[0],
        "lon": point[1],
        "accuracy_m": accuracy,
        "captured_at": (T + dt.timedelta(minutes=minutes)).isoformat(),
    }


def _server(user: User, sls: Any, n: int, fix: dict[str, Any]) -> list[str]:
    geotag = services.geotag_upsert(
        user=user,
        sls=sls,
        data=services.GeotagInput(
            client_uuid=uuid.UUID(int=n),
            latitude=fix["lat"],
            longitude=fix["lon"],
            accuracy_m=fix["accuracy_m"],
            captured_at=dt.datetime.fromisoformat(fix["captured_at"]),
            provider="gps",
            building_no=f"{n:03d}",
        ),
    )
    kinds = GeotagFlag.objects.filter(geotag=geotag).values_list("kind", flat=True)
    return sorted(SERVER_KINDS[k] for k in kinds if k in SERVER_KINDS)


def test_phone_and_server_flag_the_same_geotags(petugas: User, field: dict[str, Any]) -> None:
    sls = field["own1"]
    pulled = next(s for s in sync_pull(user=petugas, cursor=None)["sls"] if s["id"] == sls.pk)
    area = pulled["kelurahan_boundary"]
    assert area is not None and len(json.dumps(area)) < 8_000  # small enough for a cheap phone
    # East of the easternmost vertex nothing of the polygon is nearer than the vertex itself.
    vertices = [p for polygon in area["coordinates"] for ring in polygon for p in ring]
    lon, lat = max(vertices)
    per_metre = 1 / (111_195 * math.cos(math.radians(lat)))
    inside = sls.kelurahan.boundary.point_on_surface
    # Each case is a separate PPL's first geotag (no travel), except the last two (travel).
    cases: list[tuple[str, dict[str, Any]]] = [
        ("inside", _fix((inside.y, inside.x), 0)),
        ("40 m out", _fix((lat, lon + 40 * per_metre), 0)),
        ("48 m out", _fix((lat, lon + 48 * per_metre), 0)),
        ("52 m out", _fix((lat, lon + 52 * per_metre), 0)),
        ("300 m out", _fix((lat, lon + 300 * per_metre), 0)),
        ("poor fix", _fix((inside.y, inside.x), 0, accuracy=settings.GEOTAG_MAX_ACCURACY_M + 1)),
    ]
    rules = geotag_rules()
    phone = _phone([{"fix": fix, "kelurahan": area, "others": [], "rules": rules} for _name, fix in cases])
    server = []
    for n, (_name, fix) in enumerate(cases, start=1):
        Geotag.objects.filter(collected_by=petugas).delete()  # each one alone: no travel
        server.append(_server(petugas, sls, n, fix))
    assert phone == server, list(zip([c[0] for c in cases], phone, server, strict=True))
    assert server == [[], [], [], ["outside_kelurahan"], ["outside_kelurahan"], ["accuracy"]]

    # Travel: 2 km in two minutes (60 km/h) is plausible; 2 km in one minute (120 km/h) is not;
    # 150 m in one second is a GPS jump shorter than the minimum distance.
    Geotag.objects.filter(collected_by=petugas).delete()
    start = _fix((inside.y, inside.x), 0)
    _server(petugas, sls, 100, start)
    north = (inside.y + 2000 / 111_195, inside.x)
    jump = (inside.y - 150 / 111_195, inside.x)
    travels = [_fix(north, 2), _fix(north, 1), _fix(jump, 1 / 60)]
    phone = _phone([{"fix": fix, "kelurahan": None, "others": [start], "rules": rules} for fix in travels])
    server = []
    for n, fix in enumerate(travels, start=101):
        server.append([k for k in _server(petugas, sls, n, fix) if k == "speed"])
        Geotag.objects.filter(client_uuid=uuid.UUID(int=n)).delete()
    assert phone == server == [[], ["speed"], []]
