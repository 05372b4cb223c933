"""Families for the monitoring tests: `families` (quality report and exports: the team of
`supervisor`, one of another kecamatan) and `fieldwork` (progress dashboard and map)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from enumeration.models import SLS, User
from geotag.models import Geotag, GeotagFlag
from geotag.services import GeotagInput, geotag_upsert
from households import services
from households.models import Family, PrelistFamily, PrelistStatus, SLSConfirmation
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


# Points inside kelurahan 3674010001 (own1/team) and 3674060001 (other): the tests' bboxes.
POINT_A = (106.6829, -6.3266)
POINT_B = (106.7333, -6.2666)


@dataclass
class Fieldwork:
    sls: dict[str, SLS]
    families: dict[str, Family]


def _geotag(family: Family, user: User, lon: float, lat: float, *, flagged: bool = False) -> None:
    geotag = Geotag.objects.create(
        client_uuid=family.client_uuid,
        sls=family.sls,
        location=Point(lon, lat, srid=4326),
        accuracy_m=8,
        captured_at=timezone.now(),
        provider="gps",
        collected_by=user,
    )
    Family.objects.filter(pk=family.pk).update(geotag=geotag)
    if flagged:
        GeotagFlag.objects.create(geotag=geotag, kind=GeotagFlag.Kind.LOW_ACCURACY)


def _vk1(sls: SLS, lines: int, *, closed: int = 0) -> None:
    for line in range(1, lines + 1):
        status = PrelistStatus.MOVED if line <= closed else PrelistStatus.PENDING
        PrelistFamily.objects.create(sls=sls, line_no=line, head_name=f"VK1 {line}", status=status)


@pytest.fixture
def fieldwork(field, petugas, teammate, other_petugas, supervisor, koseka) -> Fieldwork:
    """Families pushed by three PPL in three SLS, reviewed by the PML and Koseka; VK1 rows; one
    confirmed SLS. own1: 3 families (1 approved, 1 returned, 1 submitted), VK1 5 rows (1 moved);
    team: 2 (both approved), VK1 2, confirmed; other kecamatan: 1 submitted, VK1 3."""
    fam = {
        "a1": create_family(petugas, field["own1"], record_for(field["own1"], r109="001")),
        "a2": create_family(petugas, field["own1"], record_for(field["own1"], r109="002")),
        "a3": create_family(petugas, field["own1"], record_for(field["own1"], r109="003")),
        "t1": create_family(teammate, field["team"], record_for(field["team"], r109="001")),
        "t2": create_family(teammate, field["team"], record_for(field["team"], r109="002")),
        "o1": create_family(other_petugas, field["other"], record_for(field["other"], r109="001")),
    }
    services.family_approve(user=supervisor, family=fam["a1"])
    services.family_return(user=supervisor, family=fam["a2"], comment="Cek umur anggota 2")
    services.family_approve(user=supervisor, family=fam["t1"])
    services.family_approve(user=supervisor, family=fam["t2"])
    _vk1(field["own1"], 5, closed=1)
    _vk1(field["team"], 2)
    _vk1(field["other"], 3)
    SLSConfirmation.objects.create(sls=field["team"], action=SLSConfirmation.Action.CONFIRM, actor=koseka)
    # own2 was confirmed, then reopened: the latest row wins.
    SLSConfirmation.objects.create(sls=field["own2"], action=SLSConfirmation.Action.CONFIRM, actor=koseka)
    SLSConfirmation.objects.create(sls=field["own2"], action=SLSConfirmation.Action.REOPEN, actor=koseka)
    for i, key in enumerate(["a1", "a2", "a3", "t1", "t2"]):
        _geotag(fam[key], petugas, POINT_A[0] + i * 0.0001, POINT_A[1], flagged=key == "a3")
    _geotag(fam["o1"], other_petugas, *POINT_B)
    for family in fam.values():
        family.refresh_from_db()
    return Fieldwork(sls=field, families=fam)
