"""Families for the monitoring tests: the team of `supervisor` (three), one of another kecamatan."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from enumeration.models import SLS, User
from geotag.models import Geotag
from geotag.services import GeotagInput, geotag_upsert
from households.models import Family
from tests.households.factories import create_family, record_for, with_niks

NIK_A = "3674071503800001"
KK_A = "3674070101200001"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def attach_geotag(family: Family, user: User, sls: SLS, *, lat: float, lon: float, accuracy: float = 8) -> Geotag:
    geotag = geotag_upsert(
        user=user,
        sls=sls,
        data=GeotagInput(uuid.uuid4(), lat, lon, accuracy, timezone.now() - dt.timedelta(hours=1), "gps", "001"),
    )
    Family.objects.filter(pk=family.pk).update(geotag=geotag)
    family.refresh_from_db()
    return geotag


@pytest.fixture
def families(petugas, teammate, other_petugas, field) -> dict[str, Family]:
    own = record_for(field["own1"], r108="ANI <script>alert(1)</script>", r114=KK_A)
    own["members"][0]["r402"] = "ANI <script>alert(1)</script>"
    made = {
        "own1": create_family(petugas, field["own1"], with_niks(own, NIK_A)),
        "own2": create_family(petugas, field["own2"]),
        "team": create_family(teammate, field["team"]),
        "other": create_family(other_petugas, field["other"]),
    }
    attach_geotag(made["own1"], petugas, field["own1"], lat=-6.35, lon=106.69)
    attach_geotag(made["team"], teammate, field["team"], lat=-6.351, lon=106.691, accuracy=80)
    attach_geotag(made["other"], other_petugas, field["other"], lat=-6.27, lon=106.72)
    return made
