"""Geotags stored set-based (the sync push's batch path) get the flags they would get stored one by
one, in the same order (the push's fallback path and any single geotag)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import transaction

from geotag import services
from geotag.models import Geotag, GeotagFlag

pytestmark = pytest.mark.django_db

T = dt.datetime(2022, 10, 18, 9, 0, tzinfo=dt.UTC)
HOME = (-6.3445, 106.6528)  # inside the assigned kelurahan
FAR = (-6.2500, 106.7500)  # about 15 km away


def _input(n: int, point: tuple[float, float], minutes: int, building: str, accuracy: float = 8.0) -> Any:
    return services.GeotagInput(
        client_uuid=uuid.UUID(int=n),
        latitude=point[0],
        longitude=point[1],
        accuracy_m=accuracy,
        captured_at=T + dt.timedelta(minutes=minutes),
        provider="gps",
        building_no=building,
    )


def _flags() -> set[tuple[str, str, str]]:
    """Every flag with geotags named by their UUIDs (ids differ between the two runs)."""
    names = {g.pk: str(g.client_uuid)[-4:] for g in Geotag.objects.all()}
    found = set()
    for flag in GeotagFlag.objects.all():
        detail = dict(flag.detail)
        if "geotags" in detail:
            detail["geotags"] = [names[i] for i in detail["geotags"]]
        if "other" in detail:
            detail["other"] = names[detail["other"]]
        found.add((names[flag.geotag_id], flag.kind, repr(sorted(detail.items()))))
    return found


def test_a_batch_is_flagged_as_if_its_geotags_had_arrived_one_by_one(petugas, field):
    sls = field["own1"]
    services.geotag_upsert(user=petugas, sls=sls, data=_input(1, HOME, 30, "001"))  # stored before
    batch = [
        _input(2, FAR, 0, "002"),  # outside the kelurahan; 15 km from the next fix in 30 minutes
        _input(3, HOME, 31, "003"),  # the same point as another building's (1)
        _input(4, HOME, 32, "004"),  # again: shares the point with 1 and 3
        _input(5, FAR, 33, "005", accuracy=45.0),  # far, poor fix, a minute after 4
        _input(6, HOME, 10, "006"),  # between 2 and 1 in time, stored after both
        _input(7, (-6.3460, 106.6540), 34, ""),  # near home, no building number
    ]
    runs = []
    for one_by_one in (True, False):
        point = transaction.savepoint()
        if one_by_one:
            for data in batch:
                services.geotag_upsert(user=petugas, sls=sls, data=data)
        else:
            services.geotags_create(geotags=[services.geotag_build(user=petugas, sls=sls, data=d) for d in batch])
        runs.append(_flags())
        transaction.savepoint_rollback(point)
    assert runs[0] == runs[1]
    kinds = {kind for _g, kind, _d in runs[0]}
    assert kinds == {"outside_kelurahan", "shared_point", "implausible_speed", "low_accuracy"}


def test_a_single_geotag_is_checked_by_the_same_queries(petugas, field):
    stored = services.geotag_upsert(user=petugas, sls=field["own1"], data=_input(9, FAR, 0, "001", accuracy=99.0))
    assert services.geotag_check(stored) == ["low_accuracy", "outside_kelurahan"]
