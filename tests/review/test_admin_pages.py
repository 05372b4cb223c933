"""The admin BPS admins use, where it touches families and photos: the photo page shows the scoped
image (never a /media/ URL), the family page links to the review desk, the head's name is searchable,
the CSV import is linked, and the labels are Indonesian (English through the catalogue)."""

from __future__ import annotations

import pytest

from tests.review.test_views_family_where import _media, _photo  # noqa: F401 - fixture and helper

pytestmark = pytest.mark.django_db


def test_the_photo_page_shows_the_scoped_image(client, bps_admin, family):
    photo = _photo(family)
    client.force_login(bps_admin)
    body = client.get(f"/admin/photos/photo/{photo.pk}/change/").content.decode()
    assert f'src="/review/photos/{photo.client_uuid}/thumb/"' in body
    assert f'href="/review/photos/{photo.client_uuid}/"' in body
    assert "/media/" not in body
    assert client.get(f"/review/photos/{photo.client_uuid}/thumb/").status_code == 200


def test_the_family_page_links_to_the_desk_and_the_head_is_searchable(client, bps_admin, family):
    client.force_login(bps_admin)
    body = client.get(f"/admin/households/family/{family.pk}/change/").content.decode()
    assert f'href="/review/families/{family.pk}/"' in body
    assert "Jumlah anggota" in body and "Member count" not in body
    found = client.get("/admin/households/family/", {"q": family.head_name[:5].lower()}).content.decode()
    assert f"/admin/households/family/{family.pk}/change/" in found
    missing = client.get("/admin/households/family/", {"q": "TIDAKADANAMAINI"}).content.decode()
    assert f"/admin/households/family/{family.pk}/change/" not in missing


def test_the_csv_import_is_linked_and_labels_are_indonesian(client, bps_admin, petugas, field):
    import uuid

    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from geotag.models import Geotag

    Geotag.objects.create(
        client_uuid=uuid.uuid4(), sls=field["own1"], location=Point(106.7, -6.3, srid=4326), accuracy_m=5,
        captured_at=timezone.now(), provider="gps", collected_by=petugas,
    )  # fmt: skip
    client.force_login(bps_admin)
    index = client.get("/admin/").content.decode()
    assert 'href="/admin/enumeration/assignment/import/"' in index
    assert "Peristiwa pemeriksaan" in index and "Review events" not in index
    assignments = client.get("/admin/enumeration/assignment/").content.decode()
    assert 'href="/admin/enumeration/assignment/import/"' in assignments
    geotags = client.get("/admin/geotag/geotag/").content.decode()
    assert "Dikumpulkan oleh" in geotags and "Collected by" not in geotags
