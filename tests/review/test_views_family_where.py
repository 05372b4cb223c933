"""The family page's photo (through scoped views), geotag map and flags, VK1 row, the audited reveal
of NIK / No. KK, and the previous / next family of the queue."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.base import ContentFile
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from geotag.models import Geotag, GeotagFlag
from households.models import IdentifierReveal, PrelistFamily, PrelistStatus
from photos.models import Photo
from tests.households.factories import create_family
from tests.review.conftest import named

pytestmark = pytest.mark.django_db

KK = "3674071503100001"
NIK_2 = "3674076207830002"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _photo(family, *, status=Photo.Status.READY) -> Photo:
    photo = Photo(
        client_uuid=uuid.uuid4(),
        family=family,
        sha256="0" * 64,
        size_bytes=10,
        status=status,
        uploaded_by=family.created_by,
    )
    if status == Photo.Status.READY:
        photo.image.save("full.jpg", ContentFile(b"\xff\xd8full-image"), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8thumb"), save=False)
    photo.save()
    return photo


def test_the_house_photo_is_served_through_the_desk_never_from_media(client, supervisor, family):
    photo = _photo(family)
    client.force_login(supervisor)
    body = client.get(f"/review/families/{family.pk}/").content.decode()
    assert f'src="/review/photos/{photo.client_uuid}/thumb/"' in body
    assert f'href="/review/photos/{photo.client_uuid}/"' in body
    assert "/media/" not in body

    thumb = client.get(f"/review/photos/{photo.client_uuid}/thumb/")
    assert thumb.status_code == 200 and b"".join(thumb.streaming_content) == b"\xff\xd8thumb"
    assert thumb["Content-Type"] == "image/jpeg" and thumb["Cache-Control"] == "private, no-store"
    assert not AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).exists()

    full = client.get(f"/review/photos/{photo.client_uuid}/")
    assert full.status_code == 200 and b"".join(full.streaming_content) == b"\xff\xd8full-image"
    assert full["Cache-Control"] == "private, no-store" and full["X-Content-Type-Options"] == "nosniff"
    entry = AuditEntry.objects.get(action=AuditAction.DOWNLOAD)
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("photo", str(photo.pk), supervisor.pk)


def test_photos_are_refused_outside_the_scope_and_before_processing(client, family, other_supervisor, petugas):
    ready = _photo(family)
    waiting = _photo(family, status=Photo.Status.RECEIVED)
    client.force_login(other_supervisor)
    assert client.get(f"/review/photos/{ready.client_uuid}/").status_code == 404
    assert client.get(f"/review/photos/{ready.client_uuid}/thumb/").status_code == 404
    client.force_login(petugas)
    assert client.get(f"/review/photos/{ready.client_uuid}/").status_code == 403
    from django.test import Client

    assert Client().get(f"/review/photos/{ready.client_uuid}/").status_code == 302
    client.force_login(family.created_by.supervisor)
    assert client.get(f"/review/photos/{waiting.client_uuid}/").status_code == 404
    assert client.get(f"/review/photos/{uuid.uuid4()}/").status_code == 404


def test_a_required_photo_that_is_missing_is_said(client, supervisor, family):
    family.photo_required = True
    family.save(update_fields=["photo_required"])
    client.force_login(supervisor)
    body = client.get(f"/review/families/{family.pk}/").content.decode()
    assert "Foto rumah wajib untuk keluarga ini" in body


def _square(lon: float, lat: float, d: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lon - d, lat - d, lon + d, lat + d)), srid=4326)


def test_the_geotag_is_on_a_map_with_the_boundaries_and_its_flags(client, supervisor, family, field, petugas):
    sls = field["own1"]
    sls.boundary = _square(106.7, -6.3, 0.001)
    sls.save(update_fields=["boundary"])
    geotag = Geotag.objects.create(
        client_uuid=uuid.uuid4(),
        sls=sls,
        building_no="001",
        location=Point(106.7002, -6.3001, srid=4326),
        accuracy_m=42,
        captured_at=timezone.now(),
        provider="gps",
        accepted_reason="<b>di bawah pohon</b>",
        collected_by=petugas,
    )
    GeotagFlag.objects.create(geotag=geotag, kind=GeotagFlag.Kind.LOW_ACCURACY)
    GeotagFlag.objects.create(geotag=geotag, kind=GeotagFlag.Kind.SHARED_POINT)
    family.geotag = geotag
    family.save(update_fields=["geotag"])
    client.force_login(supervisor)
    body = client.get(f"/review/families/{family.pk}/").content.decode()
    assert 'id="family-map"' in body and "dist/pages/review-family.js" in body
    data = json.loads(body.split('<script id="family-map-data" type="application/json">')[1].split("</script>")[0])
    assert data["point"] == [pytest.approx(-6.3001), pytest.approx(106.7002)]
    assert data["accuracy_m"] == 42 and data["sls"]["type"] == "MultiPolygon" and data["tiles"] == ""
    assert "Akurasi rendah" in body and "Titik sama dengan bangunan lain" in body
    assert "&lt;b&gt;di bawah pohon&lt;/b&gt;" in body


def test_without_a_geotag_the_page_says_so(client, supervisor, family):
    client.force_login(supervisor)
    body = client.get(f"/review/families/{family.pk}/").content.decode()
    assert "belum punya geotag" in body and 'id="family-map"' not in body


def test_the_vk1_row_the_family_came_from(client, supervisor, family, petugas):
    PrelistFamily.objects.create(
        sls=family.sls,
        line_no=7,
        head_name="<i>BUDI</i> SANTOSO",
        address="Jl. Melati 3",
        status=PrelistStatus.FOUND,
        family=family,
        status_by=petugas,
        status_at=timezone.now(),
    )
    client.force_login(supervisor)
    body = client.get(f"/review/families/{family.pk}/").content.decode()
    vk1 = body[body.index('id="vk1-title"') :]
    vk1 = vk1[: vk1.index("</section>")]
    assert ">7<" in vk1 and "&lt;i&gt;BUDI&lt;/i&gt; SANTOSO" in vk1 and "Jl. Melati 3" in vk1 and "Ditemukan" in vk1


def test_the_no_kk_is_revealed_with_a_reason_audited_and_never_cached(client, supervisor, family):
    client.force_login(supervisor)
    body = client.get(f"/review/families/{family.pk}/").content.decode()
    assert f'action="/review/families/{family.pk}/reveal/"' in body and KK not in body
    response = client.post(f"/review/families/{family.pk}/reveal/", {"reason": "cek KK ganda"})
    assert response.status_code == 200
    assert KK in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    reveal = IdentifierReveal.objects.get()
    assert (reveal.actor, reveal.kind, reveal.member, reveal.reason) == (supervisor, "kk", None, "cek KK ganda")
    assert AuditEntry.objects.filter(action=AuditAction.IDENTIFIER_REVEAL, object_id=str(family.pk)).count() == 1


def test_a_members_nik_is_revealed_as_an_htmx_fragment(client, supervisor, family):
    client.force_login(supervisor)
    response = client.post(
        f"/review/families/{family.pk}/reveal/", {"reason": "cek NIK ganda", "member": "2"}, HTTP_HX_REQUEST="true"
    )
    text = response.content.decode()
    assert response.status_code == 200 and NIK_2 in text and "<html" not in text
    assert "no-store" in response["Cache-Control"]
    assert IdentifierReveal.objects.get().member.line_no == 2


def test_a_reveal_without_a_reason_or_of_an_unknown_member_shows_nothing(client, supervisor, family):
    client.force_login(supervisor)
    short = client.post(f"/review/families/{family.pk}/reveal/", {"reason": "x"})
    assert short.status_code == 400 and KK not in short.content.decode()
    unknown = client.post(f"/review/families/{family.pk}/reveal/", {"reason": "cek anggota", "member": "9"})
    assert unknown.status_code == 404
    fragment = client.post(f"/review/families/{family.pk}/reveal/", {"reason": "x"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'role="alert"' in fragment.content.decode()
    assert not IdentifierReveal.objects.exists()


def test_outsiders_cannot_reveal(client, family, other_supervisor, petugas):
    client.force_login(other_supervisor)
    assert client.post(f"/review/families/{family.pk}/reveal/", {"reason": "ingin tahu"}).status_code == 404
    client.force_login(petugas)
    assert client.post(f"/review/families/{family.pk}/reveal/", {"reason": "ingin tahu"}).status_code == 403
    assert not IdentifierReveal.objects.exists()


def test_next_and_previous_follow_the_queues_filters_and_order(client, supervisor, petugas, field):
    own1, own2 = field["own1"], field["own2"]
    cici = create_family(petugas, own1, named(own1, "CICI", "003"))
    ani = create_family(petugas, own2, named(own2, "ANI", "001"))
    budi = create_family(petugas, own1, named(own1, "BUDI", "002"))
    client.force_login(supervisor)
    body = client.get(f"/review/families/{budi.pk}/", {"sort": "head"}).content.decode()
    assert f'id="family-previous" rel="prev" href="/review/families/{ani.pk}/?sort=head"' in body
    assert f'id="family-next" rel="next" href="/review/families/{cici.pk}/?sort=head"' in body
    # Filtered to one SLS, sorted by name: ANI (own2) is not among the neighbours.
    body = client.get(f"/review/families/{budi.pk}/", {"sort": "head", "sls": own1.pk}).content.decode()
    assert 'id="family-previous"' not in body
    assert f'href="/review/families/{cici.pk}/?sls={own1.pk}&amp;sort=head"' in body
    # Default order (longest in the queue first): creation order here.
    for f, minutes in ((cici, 30), (ani, 20), (budi, 10)):
        type(f).objects.filter(pk=f.pk).update(submitted_at=timezone.now() - dt.timedelta(minutes=minutes))
    body = client.get(f"/review/families/{ani.pk}/").content.decode()
    assert f'rel="prev" href="/review/families/{cici.pk}/"' in body
    assert f'rel="next" href="/review/families/{budi.pk}/"' in body
    assert "j ke keluarga berikutnya" in body
