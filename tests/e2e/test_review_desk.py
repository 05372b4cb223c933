"""The review desk in a real browser against the real web server: the PML opens the queue, opens a
family whose names hold markup (shown as text), sees its house photo (through the desk's scoped
view) and its geotag on the map, returns it with a note on one answer (the database and the PPL's
next pull carry the note), and approves its correction; the Koseka confirms the SLS once every VK1
row is final."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from enumeration.models import SLS, Assignment, Kelurahan, Role, User
from fieldapp.sync import sync_pull
from geotag.models import Geotag, GeotagFlag
from households import services
from households.models import Family, FamilyStatus, PrelistFamily, PrelistStatus, ReviewEvent, SLSConfirmation
from photos.models import Photo
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.households.factories import record_for

pytestmark = pytest.mark.e2e

KELURAHAN = "3674010001"
HOSTILE_HEAD = "<script>window.__pwned=1</script>BUDI"
HOSTILE_MEMBER = '<img src=x onerror="window.__pwned=2">SITI'
TIMEOUT_MS = 30_000


def _jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 160, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def desk(django_db_blocker: Any, live_stack: LiveStack) -> Iterator[dict[str, Any]]:
    """A Koseka, a PML, a PPL with one SLS: a submitted family (hostile names, a geotag with a flag,
    a processed photo) linked to VK1 row 1, and VK1 row 2 still pending."""
    from django.conf import settings

    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        kelurahan = Kelurahan.objects.select_related("kecamatan").get(pk=KELURAHAN)
        kec = kelurahan.kecamatan_id
        koseka = User.objects.create_user(
            username=f"koseka.rv{tag}", password=PASSWORD, role=Role.KOSEKA, kecamatan_id=kec
        )
        pml = User.objects.create_user(
            username=f"pml.rv{tag}", password=PASSWORD, role=Role.PML, supervisor=koseka, kecamatan_id=kec
        )
        ppl = User.objects.create_user(
            username=f"ppl.rv{tag}", password=PASSWORD, role=Role.PPL, supervisor=pml, kecamatan_id=kec
        )
        sls = SLS.objects.create(
            kelurahan=kelurahan, code=str(uuid.uuid4().int % 9000 + 1000), sub_code="00", name="RT 098"
        )
        sls = SLS.objects.select_related("kelurahan__kecamatan").get(pk=sls.pk)
        Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
        record = record_for(sls, r108=HOSTILE_HEAD)
        record["members"][0]["r402"] = HOSTILE_HEAD
        record["members"][1]["r402"] = HOSTILE_MEMBER
        family = services.family_save(
            user=ppl, sls=sls, client_uuid=uuid.uuid4(), record=record, base_revision=None
        ).family
        inside = kelurahan.boundary.point_on_surface
        geotag = Geotag.objects.create(
            client_uuid=uuid.uuid4(), sls=sls, building_no=family.building_no,
            location=Point(inside.x, inside.y, srid=4326), accuracy_m=45, captured_at=timezone.now(),
            provider="gps", collected_by=ppl,
        )  # fmt: skip
        GeotagFlag.objects.create(geotag=geotag, kind=GeotagFlag.Kind.LOW_ACCURACY)
        Family.objects.filter(pk=family.pk).update(geotag=geotag)
        # The photo's files go where the web server reads them.
        saved_root = settings.MEDIA_ROOT
        settings.MEDIA_ROOT = str(live_stack.media_root)
        try:
            photo = Photo(
                client_uuid=uuid.uuid4(), family=family, sha256="0" * 64, size_bytes=1, status=Photo.Status.READY,
                uploaded_by=ppl, width=640, height=480,
            )  # fmt: skip
            photo.image.save("rumah.jpg", ContentFile(_jpeg((640, 480))), save=False)
            photo.thumbnail.save("rumah-kecil.jpg", ContentFile(_jpeg((320, 240))), save=False)
            photo.save()
        finally:
            settings.MEDIA_ROOT = saved_root
        rows = [
            PrelistFamily.objects.create(
                sls=sls, line_no=1, head_name="BUDI", status=PrelistStatus.FOUND, family=family,
                status_by=ppl, status_at=timezone.now(),
            ),
            PrelistFamily.objects.create(sls=sls, line_no=2, head_name="KELUARGA PINDAH"),
        ]  # fmt: skip
        yield {"koseka": koseka, "pml": pml, "ppl": ppl, "sls": sls, "family": family, "rows": rows, "photo": photo}


def _sign_in(page: Any, stack: LiveStack, user: User) -> None:
    page.goto(f"{stack.url}/masuk/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_the_pml_returns_with_a_note_approves_and_the_koseka_confirms(
    browser: Any, live_stack: LiveStack, desk: dict[str, Any], django_db_blocker: Any
) -> None:
    family, sls = desk["family"], desk["sls"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, live_stack, desk["pml"])

    page.goto(f"{live_stack.url}/review/")
    link = page.get_by_role("link", name=HOSTILE_HEAD)
    assert link.count() == 1  # the markup is the name's text, not HTML
    link.click()
    page.wait_for_selector("h1")
    assert HOSTILE_HEAD in page.inner_text("h1")
    assert page.evaluate("() => window.__pwned === undefined")

    # The house photo, loaded through the desk's scoped view.
    thumb = page.locator("img.house-thumb")
    assert thumb.get_attribute("src") == f"/review/photos/{desk['photo'].client_uuid}/thumb/"
    page.wait_for_function("() => document.querySelector('img.house-thumb').naturalWidth === 320")
    # The geotag on the map (the point and its accuracy circle drawn by Leaflet) and its flag.
    page.wait_for_selector("#family-map.leaflet-container path.leaflet-interactive")
    assert "Akurasi rendah" in page.inner_text("body")

    # Return with a note on one answer (Blok III, r303).
    page.locator("#v-r303 summary").click()
    page.fill("textarea[name='note:r303']", "Jenis lantai tidak sesuai foto")
    page.get_by_role("button", name="Kembalikan ke PPL").click()
    page.wait_for_selector("text=Keluarga dikembalikan ke PPL")
    with django_db_blocker.unblock():
        event = ReviewEvent.objects.filter(family=family).latest("id")
        assert event.to_status == FamilyStatus.RETURNED
        assert event.notes == [{"variable": "r303", "member": None, "comment": "Jenis lantai tidak sesuai foto"}]
        pulled = sync_pull(user=desk["ppl"], cursor=None)
        (item,) = [f for f in pulled["families"] if f["client_uuid"] == str(family.client_uuid)]
        assert item["review_notes"] == event.notes and item["return_id"] == event.pk
        # The PPL's correction answers the return.
        record = item["record"]
        record["family"]["r302"] = 48
        services.family_save(
            user=desk["ppl"], sls=sls, client_uuid=family.client_uuid, record=record,
            base_revision=item["revision"], answers_return=item["return_id"],
        )  # fmt: skip

    page.reload()
    page.get_by_role("button", name="Setujui").click()
    page.wait_for_selector("text=Keluarga disetujui.")
    with django_db_blocker.unblock():
        assert Family.objects.get(pk=family.pk).status == FamilyStatus.APPROVED
        services.prelist_set_status(user=desk["ppl"], row=desk["rows"][1], status=PrelistStatus.MOVED)
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, live_stack, desk["koseka"])
    page.goto(f"{live_stack.url}/review/sls/{sls.pk}/")
    assert page.locator(".blocking").count() == 0
    page.get_by_role("button", name="Konfirmasi SLS lengkap").click()
    page.wait_for_selector("text=SLS dikonfirmasi lengkap.")
    with django_db_blocker.unblock():
        assert SLSConfirmation.objects.get(sls=sls).action == SLSConfirmation.Action.CONFIRM
    context.close()
    assert errors == []
