"""Two releases of the app during a day of work, with families not yet sent (issue 15, scenario 6),
in a real browser against the real web server, worker and PostGIS.

A release is what a deployment does (docs/reliability.md, "Faults"): the web server stops and a new
one starts with another APP_RELEASE, so /app/sw.js carries a new app version (docs/pwa.md, "Service
worker and updates") and the browser installs a new service worker beside the running one.

1. Out of signal in the morning, the PPL finalises a family (with its photo) and saves a draft of
   another. The server restarts as release 1. The PPL opens the app again with signal: the browser
   finds the new version while the app is still locked, before anything was sent; "Perbarui"
   installs it and reloads. Both families are still on the phone; after the PIN the finalised one is
   sent, the draft stays on the phone only.
2. The PPL finalises a second family and presses "Kirim & perbarui" while the server is down
   between two releases (nothing reaches it); the server comes back as release 2; the next
   "Kirim & perbarui" sends the family and then finds the new version in the app that stayed
   open all day. After the update, a sync sends nothing again.

The database holds each finalised family once, with one revision, its members, geotag and photo.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from geotag.models import Geotag
from households.models import Family, FamilyRevision, Member
from photos.models import Photo
from tests.e2e.conftest import LiveStack
from tests.e2e.test_enumerator_app import (  # the module-scoped fixture gives this module its own SLS
    SW_VERSION,
    _fill,
    _jpeg,
    _new_family,
    _phone_context,
    _record,
    _sign_in,
    _unlock,
    _until,
    assignment,
)
from tests.e2e.test_sync_faults import FINALISED, _phone_family

pytestmark = pytest.mark.e2e
__all__ = ["assignment"]

UPDATE_READY = ".banner.update button:not([disabled])"
PHOTO_STATES = (
    "() => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
    " const t = q.result.transaction('photos').objectStore('photos').getAll();"
    " t.onsuccess = () => { r(t.result.map(p => p.status)); q.result.close(); }; }; })"
)
DEFINITIONS_STORED = (
    "() => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
    " const t = q.result.transaction('definitions').objectStore('definitions').count();"
    " t.onsuccess = () => { r(t.result > 0); q.result.close(); }; }; })"
)


def _finalise_from_row(page: Any, assignment: dict[str, Any], row: int, record: dict[str, Any], photo: Path) -> str:
    """Starts the family of a VK1 row (which fills 108, and 107 when the row has an address),
    answers the rest, takes the geotag and the photo, finalises it."""
    sls = assignment["sls"]
    page.goto(page.url.split("#", 1)[0] + f"#/sls/{sls.pk}")
    page.click(f"[data-prelist='{assignment['rows'][row].pk}'] button.start")
    page.wait_for_selector("#f-r101")
    vk1 = {"r107", "r108"} if assignment["rows"][row].address else {"r108"}
    _fill(page, record, prefilled={f"r{n}" for n in assignment["prefill"]} | vk1)
    page.click("[data-testid=geotag-capture]")
    page.wait_for_selector("[data-testid=geotag-value]")
    page.set_input_files("[data-testid=photo-input]", str(photo))
    page.wait_for_selector("[data-testid=photo-preview]")
    page.click("[data-testid=finalise]")
    page.wait_for_selector(FINALISED)
    key: str = page.url.rsplit("/", 1)[-1]
    return key


def _install_update(page: Any) -> None:
    """ "Perbarui" on the banner: the waiting worker takes over and the page reloads, locked."""
    page.click(UPDATE_READY)
    page.wait_for_function("() => navigator.serviceWorker.controller && !document.querySelector('.banner.update')")
    _unlock(page)


def test_two_releases_keep_the_unsent_families_and_each_is_stored_once(
    live_stack: LiveStack, browser: Any, assignment: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    sls, ppl = assignment["sls"], assignment["ppl"]
    context = _phone_context(browser, assignment)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)
    page.wait_for_function(DEFINITIONS_STORED)
    versions = [page.evaluate(SW_VERSION)]
    photo = _jpeg(tmp_path / "rumah.jpg")

    # Morning, out of signal: a family finalised, another one's draft saved.
    context.set_offline(True)
    first = _finalise_from_row(page, assignment, 0, _record(assignment), photo)
    page.goto(f"{live_stack.url}/app/#/sls/{sls.pk}")
    _new_family(page, "KELUARGA DRAF SIANG")
    page.fill("#f-r108", "KELUARGA DRAF SIANG")
    page.click("[data-testid=save-draft]")
    draft = page.url.rsplit("/", 1)[-1]
    assert _phone_family(page, draft)["status"] == "draft"

    # The PPL closes the app. Release 1 is deployed. The PPL opens the app again with signal: the
    # browser finds the new version at once, and the app, locked, sends nothing before the PIN.
    page.close()
    live_stack.start_web(APP_RELEASE="rilis-siang-1")
    context.set_offline(False)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_stack.url}/app/")
    page.wait_for_selector("#pin")
    page.wait_for_selector(UPDATE_READY, timeout=60_000)
    with django_db_blocker.unblock():
        assert not Family.objects.filter(sls=sls).exists(), "nothing is sent before the update"
    _install_update(page)
    versions.append(page.evaluate(SW_VERSION))
    assert versions[1] != versions[0]
    assert _phone_family(page, draft)["status"] == "draft"
    assert _phone_family(page, first)["status"] in ("final", "sent")  # the unlock starts a sync

    # After the PIN the app syncs: the finalised family is stored, the draft stays on the phone.
    with django_db_blocker.unblock():
        _until(
            lambda: Family.objects.filter(client_uuid=uuid.UUID(first)).exists(),
            timeout=60,
            what="the family finalised before release 1 to reach the server",
        )
    _until(lambda: _phone_family(page, first)["status"] == "sent", what="the phone to see the answer")

    # Midday: a second family, then "Kirim & perbarui" while the server is between two releases.
    context.set_offline(True)
    second_record = _record(assignment)
    # Another building and family card; the VK1 row has no address.
    second_record["family"].update({"r107": "JL. MAWAR NO. 7", "r109": "002", "r114": "3674071503100002"})
    second_record["members"][0]["r403"] = "3674071503800003"
    second_record["members"][1]["r403"] = "3674076207830004"
    second = _finalise_from_row(page, assignment, 1, second_record, photo)
    page.goto(f"{live_stack.url}/app/#/")
    live_stack.stop_web()
    context.set_offline(False)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=sync-now]:not([disabled])")
    assert _phone_family(page, second)["status"] == "final"
    assert page.locator(".banner.update").count() == 0

    # Release 2 is up: the next "Kirim & perbarui" sends the family, then finds the new version.
    live_stack.start_web(APP_RELEASE="rilis-siang-2")
    page.click("[data-testid=sync-now]")
    page.wait_for_selector(UPDATE_READY, timeout=60_000)
    assert _phone_family(page, second)["status"] == "sent"
    _install_update(page)
    versions.append(page.evaluate(SW_VERSION))
    assert len(set(versions)) == 3

    # After the second update: a sync sends nothing again; the draft is still on the phone.
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=sync-now]:not([disabled])")
    assert [_phone_family(page, key)["status"] for key in (first, second, draft)] == ["sent", "sent", "draft"]
    assert page.evaluate(PHOTO_STATES) == ["sent", "sent"]
    with django_db_blocker.unblock():
        families = list(Family.objects.filter(sls=sls))
        assert sorted(str(f.client_uuid) for f in families) == sorted([first, second])
        for family in families:
            assert family.revision == 1
            assert FamilyRevision.objects.filter(family=family).count() == 1
            assert Member.objects.filter(family=family).count() == 2
            assert Geotag.objects.filter(families=family).count() == 1
        _until(
            lambda: Photo.objects.filter(family__sls=sls, status=Photo.Status.READY).count() == 2,
            what="both photos to be processed by the worker",
        )
        assert Photo.objects.filter(family__sls=sls).count() == 2
    assert errors == []
    context.close()
