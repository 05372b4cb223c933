"""Synthetic phone payloads for benchmarks and load tests (no real people): a building's geotag as the
app sends it. Family records come from households.synthetic."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from datetime import timedelta
from typing import Any

from django.contrib.gis.geos import Point
from django.utils import timezone

from enumeration.models import SLS


def synthetic_geotag(
    rng: random.Random, sls: SLS, building: int, clocks: dict[int, dt.datetime], ppl_id: int
) -> dict[str, Any]:
    """A building's geotag as the app sends it: a GPS fix within about 150 m of a point inside the
    kelurahan, each of the PPL's fixes four minutes after the previous one (a walking pace), from two
    days ago (a geotag timed in the future is refused)."""
    boundary = sls.kelurahan.boundary
    centre = boundary.point_on_surface if boundary is not None else Point(106.7, -6.3, srid=4326)
    when = clocks.get(ppl_id, timezone.now() - timedelta(days=2)) + timedelta(minutes=4)
    clocks[ppl_id] = when
    return {
        "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "latitude": centre.y + rng.uniform(-0.0013, 0.0013),
        "longitude": centre.x + rng.uniform(-0.0013, 0.0013),
        "accuracy_m": rng.choice([4.0, 6.0, 8.0, 12.0, 20.0]),
        "captured_at": when.isoformat(),
        "provider": "gps",
        "building_no": f"{building % 1000:03d}",
        "accepted_reason": "",
    }
