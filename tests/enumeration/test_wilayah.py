from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from enumeration.models import KabKota, Kecamatan, Kelurahan
from enumeration.wilayah import wilayah_folder, wilayah_load
from regsosek.errors import ApplicationError

pytestmark = pytest.mark.django_db

TANGSEL = wilayah_folder(Path(settings.REGSOSEK_WILAYAH_DIR), "3674")


def test_it_loads_seven_kecamatan_and_fifty_four_kelurahan_with_valid_polygons():
    assert KabKota.objects.get().kemendagri_code == "36.74"
    assert Kecamatan.objects.count() == 7
    assert Kelurahan.objects.count() == 54
    for kel in Kelurahan.objects.all():
        assert kel.boundary is not None and kel.boundary.valid, kel.bps_code
        assert kel.boundary.srid == 4326
    for kec in Kecamatan.objects.all():
        assert kec.boundary is not None and kec.boundary.valid


def test_it_keeps_both_code_schemes_without_reformatting():
    # BPS 010 is Setu, but Kemendagri 01 is Serpong: the crosswalk comes from the data.
    setu = Kecamatan.objects.get(bps_code="3674010")
    assert setu.name == "Setu" and setu.kemendagri_code == "36.74.07"
    serpong = Kecamatan.objects.get(kemendagri_code="36.74.01")
    assert serpong.bps_code == "3674020"
    sawah = Kelurahan.objects.get(bps_code="3674040005")
    assert sawah.kemendagri_code == "36.74.04.1004"
    for kel in Kelurahan.objects.select_related("kecamatan"):
        assert kel.bps_code.startswith(kel.kecamatan_id)
        assert kel.kemendagri_code.startswith(kel.kecamatan.kemendagri_code + ".")


def test_kelurahan_polygons_lie_in_tangsel():
    # A known point in Setu kelurahan Keranggan's label point lies inside its own polygon.
    from django.contrib.gis.geos import Point

    keranggan = Kelurahan.objects.get(bps_code="3674010001")
    assert keranggan.boundary.covers(Point(106.65284, -6.344383, srid=4326))
    assert Kelurahan.objects.filter(boundary__covers=Point(106.65284, -6.344383, srid=4326)).count() == 1


def test_loading_twice_changes_nothing():
    summary = wilayah_load(folder=TANGSEL)
    assert summary.created == {"kecamatan": 0, "kelurahan": 0}
    assert summary.updated == {"kecamatan": 0, "kelurahan": 0}
    assert summary.unchanged == {"kecamatan": 7, "kelurahan": 54}


def test_a_bad_row_loads_nothing(tmp_path: Path):
    folder = tmp_path / "3674"
    shutil.copytree(TANGSEL, folder)
    csv_path = folder / "tangsel_wilayah.csv"
    csv_path.chmod(0o644)
    text = csv_path.read_text(encoding="utf-8")
    assert "3674060001,36.74.03.1009," in text
    csv_path.write_text(text.replace("3674060001,36.74.03.1009,", "3674060001,36.74.99.1009,"), encoding="utf-8")
    Kelurahan.objects.filter(bps_code="3674010001").update(name="Diubah")
    with pytest.raises(ApplicationError):
        wilayah_load(folder=folder)
    assert Kelurahan.objects.get(bps_code="3674010001").name == "Diubah"


def test_another_kabkota_loads_the_same_way(tmp_path: Path):
    """Nothing is specific to 3674: a made-up kab/kota folder loads through the same code."""
    folder = tmp_path / "9901"
    folder.mkdir()
    (folder / "kabkota.json").write_text(
        json.dumps(
            {
                "bps_code": "9901",
                "kemendagri_code": "99.01",
                "name": "Kota Contoh",
                "provinsi_name": "Contoh",
                "areas_csv": "w.csv",
            }
        )
    )
    (folder / "w.csv").write_text(
        "level,bps_code,kemendagri_code,name,parent_code,bps_name\n"
        "kecamatan,9901010,99.01.01,Satu,9901,SATU\n"
        "kelurahan,9901010001,99.01.01.1001,Satu Kel,9901010,SATU KEL\n"
    )
    summary = wilayah_load(folder=folder)
    assert summary.created == {"kecamatan": 1, "kelurahan": 1}
    assert Kelurahan.objects.get(bps_code="9901010001").kecamatan.kabkota_id == "9901"
