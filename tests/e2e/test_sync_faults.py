"""Sync under faults in a real browser, against the real web server and PostGIS (issue 17).

1. A family finalised offline is pushed, the server stores it, and the answer is lost on the way
   back; the PPL edits it offline and the sends fail before leaving the phone; on a clean network the
   phone must not report a conflict against its own earlier push, and the edit must reach the server.
2. The PML returns a family while the PPL edits it offline: the edit must not take the family out of
   `returned` before the PML's comment reached the phone; the phone shows the comment beside the
   PPL's copy, and the PPL's correction goes once they send it.
3. A revoked phone names what was never sent and wipes only after a second, explicit step.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from enumeration import devices
from enumeration.models import Device, Role, User
from households import services
from households.models import Family, FamilyRevision, FamilyStatus
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.e2e.test_enumerator_app import (  # the module-scoped fixture gives this module its own SLS
    PIN,
    _fill,
    _jpeg,
    _new_family,
    _phone_context,
    _record,
    _sign_in,
    _until,
    assignment,
)

pytestmark = pytest.mark.e2e
__all__ = ["assignment"]

PUSH = "**/api/v1/sync/push/"
UNSENT_ZERO = "[data-testid=unsent]:has-text('Belum terkirim: 0')"
FINALISED = "[data-testid=family-notice].ok"  # not the refusal, whose text also says "final"


def _phone_family(page: Any, key: str) -> dict[str, Any]:
    """The phone's working copy of a family, read from IndexedDB."""
    found: dict[str, Any] = page.evaluate(
        "(key) => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
        " const t = q.result.transaction('families').objectStore('families').get(key);"
        " t.onsuccess = () => { r(t.result); q.result.close(); }; }; })",
        key,
    )
    return found


def test_a_lost_answer_then_an_edit_sent_on_a_bad_network_is_no_conflict(
    live_stack: LiveStack, browser: Any, assignment: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    sls, ppl = assignment["sls"], assignment["ppl"]
    # Requests that pass through a service worker cannot be intercepted by the test, and losing an
    # answer needs that: this test runs the page's own sync engine without the worker.
    context = _phone_context(browser, assignment, service_workers="block")
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_stack.url}/app/")
    page.fill("#username", ppl.username)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.fill("#pin-new", PIN)  # the app asks for a PIN after the sign-in
    page.fill("#pin-repeat", PIN)
    page.click("[data-testid=pin-save]")
    page.wait_for_selector(f"a[data-sls='{sls.pk}']")
    page.wait_for_function(
        "() => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
        " const t = q.result.transaction('definitions').objectStore('definitions').count();"
        " t.onsuccess = () => { r(t.result > 0); q.result.close(); }; }; })"
    )

    # 1. Finalise a family offline.
    context.set_offline(True)
    page.click(f"a[data-sls='{sls.pk}']")
    page.click(f"[data-prelist='{assignment['rows'][0].pk}'] button.start")
    page.wait_for_selector("#f-r101")
    _fill(page, _record(assignment), prefilled={f"r{n}" for n in assignment["prefill"]} | {"r107", "r108"})
    page.click("[data-testid=geotag-capture]")
    page.wait_for_selector("[data-testid=geotag-value]")
    page.set_input_files("[data-testid=photo-input]", str(_jpeg(tmp_path / "rumah.jpg")))
    page.wait_for_selector("[data-testid=photo-preview]")
    page.click("[data-testid=finalise]")
    page.wait_for_selector(FINALISED)
    key = page.url.rsplit("/", 1)[-1]

    # 2. Online: the push reaches the server (created, revision 1), its answer is lost.
    pushes: list[int] = []

    def lose_the_answer(route: Any) -> None:
        pushes.append(route.fetch().status)  # the server commits
        route.abort("connectionreset")  # the phone never hears of it

    page.route(PUSH, lose_the_answer)
    context.set_offline(False)
    page.click("[data-testid=sync-now]")
    _until(lambda: len(pushes) >= 1, what="the push to reach the server")
    page.wait_for_selector("[data-testid=sync-now]:not([disabled])")
    page.unroute(PUSH)
    with django_db_blocker.unblock():
        family = Family.objects.get(client_uuid=uuid.UUID(key))
        assert family.revision == 1
    assert _phone_family(page, key)["status"] == "final", "the phone did not see the answer"

    # 3. Offline: edit 107, finalise again, "Kirim & perbarui": the attempts fail on the phone.
    context.set_offline(True)
    page.goto(f"{live_stack.url}/app/#/keluarga/{key}")
    page.click("button.block-tab[data-block='I']")
    page.fill("#f-r107", "JL. MELATI NO. 9")
    page.click("[data-testid=finalise]")
    page.wait_for_selector(FINALISED)
    for _ in range(2):
        page.click("[data-testid=sync-now]")
        page.wait_for_selector("[data-testid=sync-now]:not([disabled])")
    with django_db_blocker.unblock():
        assert Family.objects.get(pk=family.pk).revision == 1

    # 4. A clean network: no conflict; the edit is stored; nothing is left unsent.
    context.set_offline(False)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector(UNSENT_ZERO, timeout=60_000)
    phone = _phone_family(page, key)
    assert phone["status"] == "sent" and phone.get("conflict_reason") is None
    assert page.locator("[data-testid=conflict]").count() == 0
    with django_db_blocker.unblock():
        stored = Family.objects.get(pk=family.pk)
        assert stored.revision == 2 and stored.data["r107"] == "JL. MELATI NO. 9"
        assert Family.objects.filter(sls=sls).count() == 1
        assert FamilyRevision.objects.filter(family=stored).count() == 2
    assert errors == []
    context.close()


def test_a_return_made_while_the_phone_edits_offline_reaches_the_ppl_first(
    live_stack: LiveStack, browser: Any, assignment: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    sls, ppl = assignment["sls"], assignment["ppl"]
    pml = ppl.supervisor
    key = uuid.uuid4()
    with django_db_blocker.unblock():
        services.family_save(
            user=ppl, sls=sls, client_uuid=key, record=_record(assignment), base_revision=None, source="sync"
        )
    context = _phone_context(browser, assignment)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)  # the pull brings the family, as sent
    page.wait_for_function(
        "(key) => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
        " const t = q.result.transaction('families').objectStore('families').get(key);"
        " t.onsuccess = () => { r(Boolean(t.result)); q.result.close(); }; }; })",
        arg=str(key),
    )

    # The phone goes offline; the PML returns the family; the PPL, not knowing, edits it.
    context.set_offline(True)
    with django_db_blocker.unblock():
        services.family_return(user=pml, family=Family.objects.get(client_uuid=key), comment="Cek alamat rumah")
    page.goto(f"{live_stack.url}/app/#/keluarga/{key}")
    page.click("button.block-tab[data-block='I']")
    page.fill("#f-r107", "JL. KENANGA NO. 2")
    page.click("[data-testid=geotag-capture]")  # the server's copy came without a dwelling's geotag
    page.wait_for_selector("[data-testid=geotag-value]")
    page.set_input_files("[data-testid=photo-input]", str(_jpeg(tmp_path / "rumah.jpg")))
    page.wait_for_selector("[data-testid=photo-preview]")
    page.click("[data-testid=finalise]")
    page.wait_for_selector(FINALISED)

    # Online: the server keeps the family returned; the phone shows the comment beside the edit.
    context.set_offline(False)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=conflict]")
    page.wait_for_selector("[data-testid=review-comment]:has-text('Cek alamat rumah')")
    assert page.input_value("#f-r107") == "JL. KENANGA NO. 2", "the edit is kept"
    with django_db_blocker.unblock():
        stored = Family.objects.get(client_uuid=key)
        assert stored.status == FamilyStatus.RETURNED and stored.revision == 1
    phone = _phone_family(page, str(key))
    assert phone["status"] == "conflict" and phone["conflict_reason"] == "returned"

    # The PPL has read it and sends the correction.
    page.click("[data-testid=conflict] button:has-text('Kirim perbaikan saya')")
    page.wait_for_selector(UNSENT_ZERO, timeout=60_000)
    with django_db_blocker.unblock():
        stored = Family.objects.get(client_uuid=key)
        assert stored.status == FamilyStatus.SUBMITTED and stored.revision == 2
        assert stored.data["r107"] == "JL. KENANGA NO. 2"
    assert _phone_family(page, str(key))["status"] == "sent"
    assert errors == []
    context.close()


def test_a_revoked_phone_says_what_was_never_sent_and_wipes_only_when_confirmed(
    live_stack: LiveStack, browser: Any, assignment: dict[str, Any], django_db_blocker: Any
) -> None:
    sls, ppl = assignment["sls"], assignment["ppl"]
    context = _phone_context(browser, assignment)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)
    page.click(f"a[data-sls='{sls.pk}']")
    _new_family(page, "KELUARGA BELUM TERKIRIM")
    page.fill("#f-r108", "KELUARGA BELUM TERKIRIM")
    page.click("[data-testid=save-draft]")
    device_id = page.evaluate(
        "() => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
        " const t = q.result.transaction('meta').objectStore('meta').get('device_id');"
        " t.onsuccess = () => { r(t.result.value); q.result.close(); }; }; })"
    )
    with django_db_blocker.unblock():
        admin = User.objects.create_user(username=f"admin.e2e{uuid.uuid4().hex[:6]}", role=Role.BPS_ADMIN)
        devices.device_revoke(device=Device.objects.get(pk=uuid.UUID(device_id)), by=admin)

    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=wipe-unsent]:has-text('1 keluarga')")  # the draft; the rest was sent
    held = _phone_family_count(page)
    assert held >= 1
    page.click("button:has-text('Hapus data di ponsel ini')")
    page.wait_for_selector("button:has-text('Ya, hapus semua data')")
    page.click("button:has-text('Batal')")  # nothing happens without the second step
    assert page.locator("button:has-text('Ya, hapus semua data')").is_hidden()
    assert _phone_family_count(page) == held
    page.click("button:has-text('Hapus data di ponsel ini')")
    page.click("button:has-text('Ya, hapus semua data')")
    page.wait_for_selector("#username")
    assert _phone_family_count(page) == 0
    assert errors == []
    context.close()


def _phone_family_count(page: Any) -> int:
    count: int = page.evaluate(
        "() => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
        " const t = q.result.transaction('families').objectStore('families').count();"
        " t.onsuccess = () => { r(t.result); q.result.close(); }; }; })"
    )
    return count
