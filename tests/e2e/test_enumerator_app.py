"""The enumerator app in a real browser, against the real web server, worker and PostGIS.

Sign in and choose the PIN, download the assignment, go offline, reload (the app still loads from the
service worker, locked: the PIN opens it), fill a family with members from a VK1 row, take a (mocked)
GPS fix and a real JPEG photo, finalise, close and reopen the page offline (the family is still
there), go online and sync; then the database holds the family, its members, the geotag and the
processed photo exactly once, also after a second sync. Then an app update that waits for the open
form. A second test: Background Sync sends a VK1 mark made offline after the page is gone (with the
keys the unlocked page handed to the service worker). Then the app lock: a dump of IndexedDB after
finalising a family holds no name, NIK, No. KK, location or token in the clear; the PIN, the idle
lock and the limit of wrong PINs.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from enumeration.models import SLS, Assignment, Kelurahan, Role, User
from geotag.models import Geotag
from households.form import area_prefill, context_for
from households.models import Family, FamilyRevision, Member, PrelistFamily
from households.questionnaire.definition import load_definition
from households.questionnaire.validate import validate
from photos.models import Photo
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.questionnaire.records import base_family, head, spouse

pytestmark = pytest.mark.e2e

KELURAHAN = "3674010001"
SW_VERSION = (
    "() => new Promise(resolve => { const channel = new MessageChannel();"
    " channel.port1.onmessage = (event) => resolve(event.data.version);"
    " navigator.serviceWorker.controller.postMessage({type: 'VERSION'}, [channel.port2]); })"
)
TIMEOUT_MS = 30_000
PIN = "246810"


def _until(check: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def assignment(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A PPL with one SLS and two VK1 rows, created straight in the e2e database."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        kelurahan = Kelurahan.objects.select_related("kecamatan").get(pk=KELURAHAN)
        koseka = User.objects.create_user(
            username=f"koseka.e2e{tag}", password=PASSWORD, role=Role.KOSEKA, kecamatan_id=kelurahan.kecamatan_id
        )
        pml = User.objects.create_user(
            username=f"pml.e2e{tag}",
            password=PASSWORD,
            role=Role.PML,
            supervisor=koseka,
            kecamatan_id=kelurahan.kecamatan_id,
        )
        ppl = User.objects.create_user(
            username=f"ppl.e2e{tag}",
            password=PASSWORD,
            full_name="Petugas Uji",
            role=Role.PPL,
            supervisor=pml,
            kecamatan_id=kelurahan.kecamatan_id,
        )
        code = str(uuid.uuid4().int % 9000 + 1000)
        sls = SLS.objects.create(kelurahan=kelurahan, code=code, sub_code="00", name="RT 099")
        Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
        rows = [
            PrelistFamily.objects.create(sls=sls, line_no=1, head_name="BUDI SANTOSO", address="JL. MAWAR NO. 5"),
            PrelistFamily.objects.create(sls=sls, line_no=2, head_name="KELUARGA PINDAH"),
        ]
        inside = kelurahan.boundary.point_on_surface
        sls = SLS.objects.select_related("kelurahan__kecamatan__kabkota").get(pk=sls.pk)
        yield {
            "ppl": ppl,
            "sls": sls,
            "rows": rows,
            "lat": inside.y,
            "lon": inside.x,
            "context": context_for(sls),
            "prefill": area_prefill(sls),
        }


def _phone_context(browser: Any, assignment: dict[str, Any], service_workers: str = "allow") -> Any:
    """A 360 px phone in Indonesian with a GPS fix inside the assignment's kelurahan."""
    context = browser.new_context(
        viewport={"width": 360, "height": 780},
        geolocation={"latitude": assignment["lat"], "longitude": assignment["lon"], "accuracy": 6},
        permissions=["geolocation"],
        service_workers=service_workers,
        locale="id-ID",
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _sign_in(page: Any, ppl: User, sls: SLS, pin: str = PIN) -> None:
    """Sign in on the app's page and choose the PIN (the app asks for one after every sign-in that
    did not open the keys with the PIN), wait for the assignment and for the service worker to control it."""
    page.fill("#username", ppl.username)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector("#pin-new")
    page.fill("#pin-new", pin)
    page.fill("#pin-repeat", pin)
    page.click("[data-testid=pin-save]")
    page.wait_for_selector(f"a[data-sls='{sls.pk}']")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _unlock(page: Any, pin: str = PIN) -> None:
    """The app opens locked: enter the PIN."""
    page.wait_for_selector("#pin")
    page.fill("#pin", pin)
    page.click("[data-testid=unlock]")
    page.wait_for_selector("#pin", state="detached")


def _new_family(page: Any, name: str) -> None:
    """A family not on the VK1 list: its head's name is checked against the list first (no likely
    duplicate here), then its form opens with that name."""
    page.click("[data-testid=new-family]")
    page.fill("#new-name", name)
    page.click("[data-testid=new-family-check]")
    page.wait_for_selector("#f-r101")


def _record(assignment: dict[str, Any]) -> dict[str, Any]:
    """Head and spouse, a poor family by the SLS head's estimate (111 = 2: photo required)."""
    family = base_family()
    family.update({f"r{number}": value for number, value in assignment["prefill"].items()})
    family.update({"r108": "BUDI SANTOSO", "r111": 2, "r112": 2, "r114": "3674071503100001"})
    record = {"form": "regsosek22k", "version": "1", "family": family, "members": [head(), spouse()]}
    issues = validate(load_definition("regsosek22k", "1"), record, assignment["context"])
    assert [i for i in issues if i["severity"] == "error"] == []  # the test's own data is valid
    return record


def _jpeg(path: Path) -> Path:
    """A real camera-sized JPEG (3000 x 4000, noisy so it does not compress to nothing)."""
    image = Image.effect_noise((750, 1000), 60).convert("RGB").resize((3000, 4000))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return path


def _controls(definition: Any) -> dict[str, tuple[str, str]]:
    """Each variable's block and the kind of control the form renders for it (`choiceKind` in
    static/js/app/form/values.js: radio buttons for up to 6 codes, a select for more, checkboxes for
    several codes)."""
    found: dict[str, tuple[str, str]] = {}
    for block in definition.data["blocks"]:
        for item in block["items"]:
            for variable in item.get("variables", [item]):
                radios = len(variable.get("codes", [])) <= 6
                kind = {"multicode": "checkbox", "code": "radio" if radios else "select"}.get(variable["type"], "text")
                found[variable["id"]] = (block["id"], kind)
    return found


def _set(page: Any, name: str, kind: str, value: Any) -> None:
    if kind == "checkbox":
        for code in value:
            page.check(f"#{name}-{code}")
    elif kind == "radio":
        page.check(f"#{name}-{value}")
    elif kind == "select":
        page.select_option(f"#{name}", str(value))
    else:
        page.fill(f"#{name}", str(value))


VISIBLE_FIELDS = "() => [...document.querySelectorAll('.field')].filter(f => f.offsetParent !== null).map(f => f.id)"


def _fill(page: Any, record: dict[str, Any], prefilled: set[str]) -> None:
    """Answers the questions as a PPL would: block by block, member by member, each question once it
    is shown (some appear only after a later answer, e.g. the respondent's name after 205)."""
    controls = _controls(load_definition("regsosek22k", "1"))
    order = list(controls)

    def fill_shown(answers: dict[str, Any], prefix: str) -> None:
        waiting = sorted(answers, key=order.index)
        while waiting:
            shown = []
            for block in dict.fromkeys(controls[key][0] for key in waiting):
                page.click(f"button.block-tab[data-block='{block}']")
                visible = set(page.evaluate(VISIBLE_FIELDS))
                for key in [k for k in waiting if controls[k][0] == block]:
                    if f"fld-{prefix}{key}" in visible:
                        _set(page, f"{prefix}{key}", controls[key][1], answers[key])
                        shown.append(key)
            assert shown, f"never shown: {waiting}"
            waiting = [key for key in waiting if key not in shown]

    fill_shown({k: v for k, v in record["family"].items() if k not in prefilled}, "f-")
    for index, member in enumerate(record["members"]):
        page.click("button.block-tab[data-block='IV']")
        page.click("button.add-member")
        page.wait_for_selector(f"details.member-card[data-member='{index}'][open]")
        fill_shown({k: v for k, v in member.items() if k != "r401"}, f"m{index}-")


def test_a_family_collected_offline_reaches_the_server_exactly_once(
    live_stack: LiveStack, browser: Any, assignment: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    sls, ppl = assignment["sls"], assignment["ppl"]
    context = _phone_context(browser, assignment)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_stack.url}/app/")

    # Sign in (online) and download the assignment and the questionnaire.
    _sign_in(page, ppl, sls)
    page.wait_for_function(
        "() => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
        " const t = q.result.transaction('definitions').objectStore('definitions').count();"
        " t.onsuccess = () => { r(t.result > 0); q.result.close(); }; }; })"
    )

    # Offline: the app still loads, from the service worker.
    context.set_offline(True)
    page.reload()
    _unlock(page)
    page.wait_for_selector(f"a[data-sls='{sls.pk}']")
    page.click(f"a[data-sls='{sls.pk}']")
    page.click(f"[data-prelist='{assignment['rows'][0].pk}'] button.start")
    page.wait_for_selector("#f-r101")
    assert page.input_value("#f-r105") == sls.code  # Blok I comes from the assignment

    record = _record(assignment)
    _fill(page, record, prefilled={f"r{n}" for n in assignment["prefill"]} | {"r107", "r108"})
    page.click("[data-testid=geotag-capture]")
    page.wait_for_selector("[data-testid=geotag-value]")
    page.set_input_files("[data-testid=photo-input]", str(_jpeg(tmp_path / "rumah.jpg")))
    page.wait_for_selector("[data-testid=photo-preview]")
    stored_size = page.evaluate(
        "() => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
        " const t = q.result.transaction('photos').objectStore('photos').getAll();"
        " t.onsuccess = () => { r(t.result.map(p => p.size)); q.result.close(); }; }; })"
    )
    assert len(stored_size) == 1 and stored_size[0] <= 320 * 1024  # compressed on the phone
    page.click("[data-testid=finalise]")
    page.wait_for_selector("[data-testid=family-notice]:has-text('Final')")
    family_url = page.url

    # Close the page; reopen it offline: the family is still there, waiting.
    page.close()
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(family_url)
    _unlock(page)
    page.wait_for_selector("[data-testid=family-status] :text('Menunggu dikirim')")
    assert page.input_value("#f-r108") == "BUDI SANTOSO"

    # Online again: sync, then check the database.
    context.set_offline(False)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=unsent]:has-text('Belum terkirim: 0')", timeout=60_000)

    with django_db_blocker.unblock():
        family = Family.objects.get(sls=sls)
        assert Member.objects.filter(family=family).count() == 2
        assert family.geotag is not None and Geotag.objects.filter(families=family).count() == 1
        _until(
            lambda: Photo.objects.filter(family=family, status=Photo.Status.READY).count() == 1,
            what="the photo to be processed by the worker",
        )
        photo = Photo.objects.get(family=family)
        assert max(photo.width or 0, photo.height or 0) <= 1600
        assert (live_stack.media_root / photo.image.name).exists()
        assert PrelistFamily.objects.get(pk=assignment["rows"][0].pk).family == family
        revisions = FamilyRevision.objects.filter(family=family).count()

    # A second sync sends nothing again and stores nothing twice.
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=sync-now]:not([disabled])")
    page.wait_for_selector("[data-testid=unsent]:has-text('Belum terkirim: 0')")
    with django_db_blocker.unblock():
        assert Family.objects.filter(sls=sls).count() == 1
        assert Member.objects.filter(family__sls=sls).count() == 2
        assert Photo.objects.filter(family__sls=sls).count() == 1
        assert Geotag.objects.filter(families__sls=sls).distinct().count() == 1
        assert FamilyRevision.objects.filter(family=family).count() == revisions

    # An update of the app: the new version waits while a form is open, and installing it keeps the
    # unsent draft (records live in IndexedDB, which an update never touches).
    old_version = page.evaluate(SW_VERSION)
    page.goto(f"{live_stack.url}/app/#/sls/{sls.pk}")
    _new_family(page, "KELUARGA DRAF")
    page.fill("#f-r108", "KELUARGA DRAF")
    page.click("[data-testid=save-draft]")
    live_stack.start_web(APP_RELEASE="e2e-update")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_selector(".banner.update button[disabled]")
    page.click("a.back")
    page.click(".banner.update button:not([disabled])")
    page.wait_for_function("() => navigator.serviceWorker.controller && !document.querySelector('.banner.update')")
    _unlock(page)  # the update reloaded the page: it opens locked
    assert page.evaluate(SW_VERSION) != old_version
    page.wait_for_selector("a[data-family]:has-text('KELUARGA DRAF')")
    assert errors == []
    context.close()


def test_background_sync_sends_a_vk1_mark_after_the_page_is_gone(
    live_stack: LiveStack, browser: Any, assignment: dict[str, Any], django_db_blocker: Any
) -> None:
    """A mark made offline; the page is closed; back online, the browser's Background Sync event
    (dispatched through the DevTools protocol, as Chrome does when the network returns) runs the
    sync engine in the service worker alone, and the server applies the mark."""
    sls, ppl, row = assignment["sls"], assignment["ppl"], assignment["rows"][1]
    context = browser.new_context(viewport={"width": 360, "height": 780}, service_workers="allow", locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)

    context.set_offline(True)
    page.click(f"a[data-sls='{sls.pk}']")
    page.select_option(f"[data-prelist='{row.pk}'] select", "moved")
    page.wait_for_selector(f"[data-prelist='{row.pk}'] :text('Tanda belum terkirim')")
    with django_db_blocker.unblock():
        assert PrelistFamily.objects.get(pk=row.pk).status == "pending"

    # The app's page is gone (about:blank keeps a DevTools session open); the network is back.
    page.goto("about:blank")
    context.set_offline(False)
    session = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    session.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    session.send("ServiceWorker.enable")
    ours = lambda: [r for r in registrations if r["scopeURL"].endswith("/app/")]  # noqa: E731
    for _ in range(120):  # Playwright delivers the session's events while it is called
        if ours():
            break
        page.wait_for_timeout(250)
    assert ours(), registrations
    session.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": live_stack.url,
            "registrationId": ours()[0]["registrationId"],
            "tag": "regsosek-sync",
            "lastChance": False,
        },
    )
    with django_db_blocker.unblock():
        _until(lambda: PrelistFamily.objects.get(pk=row.pk).status == "moved", what="the mark to reach the server")
    assert errors == []
    context.close()


DUMP_INDEXEDDB = """async () => {
  const db = await new Promise((resolve, reject) => {
    const q = indexedDB.open('regsosek'); q.onsuccess = () => resolve(q.result); q.onerror = () => reject(q.error);
  });
  const texts = [], keys = [];
  const bytes = (buffer) => texts.push(new TextDecoder('latin1').decode(buffer));
  const walk = async (value) => {
    if (value === null || value === undefined) return;
    if (value instanceof Blob) return bytes(await value.arrayBuffer());
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return bytes(value);
    if (value instanceof CryptoKey) return keys.push({extractable: value.extractable, algorithm: value.algorithm.name});
    if (Array.isArray(value)) { for (const item of value) await walk(item); return; }
    if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) { texts.push(key); await walk(item); }
      return;
    }
    texts.push(String(value));
  };
  const stores = [...db.objectStoreNames];
  for (const name of stores) {
    const rows = await new Promise((resolve) => {
      const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => resolve(r.result);
    });
    await walk(rows);
  }
  db.close();
  return {text: texts.join('\\n'), keys, stores};
}"""


def test_indexeddb_holds_no_name_nik_or_location_in_the_clear_after_finalising_a_family(
    live_stack: LiveStack, browser: Any, assignment: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    """What a copy of the browser's storage would show: everything a dump of every IndexedDB store
    gives (strings, numbers, the bytes of buffers and blobs), after a family with names, NIKs, a
    No. KK, a geotag and a photo was finalised offline, and again after it was sent."""
    sls, ppl = assignment["sls"], assignment["ppl"]
    context = _phone_context(browser, assignment)
    tokens: list[str] = []
    context.on(
        "response",
        lambda r: tokens.append(r.json()["token"]) if r.url.endswith("/api/v1/auth/device/") and r.ok else None,
    )
    page = context.new_page()
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)
    page.wait_for_function(
        "() => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
        " const t = q.result.transaction('definitions').objectStore('definitions').count();"
        " t.onsuccess = () => { r(t.result > 0); q.result.close(); }; }; })"
    )
    context.set_offline(True)
    page.click(f"a[data-sls='{sls.pk}']")
    _new_family(page, "KELUARGA BARU")
    record = _record(assignment)
    _fill(page, record, prefilled={f"r{n}" for n in assignment["prefill"]})
    page.click("[data-testid=geotag-capture]")
    page.wait_for_selector("[data-testid=geotag-value]")
    page.set_input_files("[data-testid=photo-input]", str(_jpeg(tmp_path / "rumah.jpg")))
    page.wait_for_selector("[data-testid=photo-preview]")
    page.click("[data-testid=finalise]")
    page.wait_for_selector("[data-testid=family-notice]:has-text('Final')")

    secrets = {
        "names": [record["family"]["r108"], *(m["r402"] for m in record["members"]), record["family"]["r202_nama"]],
        "NIK and No. KK": [record["family"]["r114"], *(m["r403"] for m in record["members"])],
        "VK1 rows": [r.head_name for r in assignment["rows"]] + ["JL. MAWAR"],
        "location": [f"{assignment['lat']:.5f}"[:-1], f"{assignment['lon']:.5f}"[:-1]],
        "token": tokens,
    }
    assert tokens, "the sign-in answer was seen"

    def check(when: str) -> None:
        dump = page.evaluate(DUMP_INDEXEDDB)
        text = dump["text"]
        # The dump reads the stores: their readable parts are there (states, the SLS, the PPL's own name).
        assert "final" in text or "sent" in text, when
        assert sls.name in text and "Petugas Uji" in text, when
        for kind, values in secrets.items():
            for value in values:
                assert value not in text, f"{when}: {kind} in the clear"
        # The only key in the database is the browser's device key, which no script can export.
        assert dump["keys"] == [{"extractable": False, "algorithm": "AES-GCM"}], dump["keys"]

    check("finalised offline")
    context.set_offline(False)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=unsent]:has-text('Belum terkirim: 0')", timeout=60_000)
    check("sent and pulled")
    with django_db_blocker.unblock():
        assert Family.objects.filter(sls=sls, client_uuid=page.url.rsplit("/", 1)[1]).exists()
        on_server = Family.objects.filter(sls=sls).count()
    # The PPL sees what the phone keeps and why (counts only).
    page.goto(f"{live_stack.url}/app/#/data")
    page.wait_for_selector(f"[data-stored=families]:has-text('Keluarga: {on_server}.')")
    assert "Disimpan sampai keluarganya disetujui" in page.inner_text("[data-stored=photos]")
    context.close()


def test_the_pin_lock_the_idle_time_and_the_limit_of_wrong_pins(
    live_stack: LiveStack, browser: Any, assignment: dict[str, Any]
) -> None:
    """The app opens locked; it locks itself after the idle time (5 minutes by default, the page's
    clock moved forward); a wrong PIN says how many tries are left; after 5 the PIN is deleted and
    the right one no longer opens the app: only the password (online), then a new PIN, and the data
    on the phone is all still there."""
    sls, ppl = assignment["sls"], assignment["ppl"]
    context = browser.new_context(viewport={"width": 360, "height": 780}, service_workers="allow", locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.clock.install()
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)
    page.click(f"a[data-sls='{sls.pk}']")
    _new_family(page, "KELUARGA TERKUNCI")
    page.fill("#f-r108", "KELUARGA TERKUNCI")
    page.click("[data-testid=save-draft]")
    page.wait_for_selector("[data-testid=family-notice]:has-text('Draf tersimpan')")

    # Opened again: locked; the draft is not on the screen until the PIN.
    page.reload()
    page.wait_for_selector("#pin")
    assert "KELUARGA TERKUNCI" not in page.content()
    page.fill("#pin", "000000")
    page.click("[data-testid=unlock]")
    page.wait_for_selector("[data-testid=lock-message]:has-text('Sisa percobaan: 4')")
    _unlock(page)
    page.wait_for_selector("#f-r108")
    assert page.input_value("#f-r108") == "KELUARGA TERKUNCI"

    # Five minutes without a touch: locked, the open form's draft saved first.
    page.fill("#f-r108", "KELUARGA TERKUNCI LAGI")
    page.clock.fast_forward("05:10")
    page.wait_for_selector("#pin")
    _unlock(page)  # a right PIN resets the count
    page.wait_for_selector("#f-r108")
    assert page.input_value("#f-r108") == "KELUARGA TERKUNCI LAGI"

    # Five wrong PINs in a row: the PIN is deleted.
    page.click("a.back")
    page.click("a.back")
    page.click("[data-testid=lock-now]")
    for left in range(4, 0, -1):
        page.fill("#pin", "111111")
        page.click("[data-testid=unlock]")
        page.wait_for_selector(f"[data-testid=lock-message]:has-text('Sisa percobaan: {left}')")
    page.fill("#pin", "111111")
    page.click("[data-testid=unlock]")
    page.wait_for_selector("[data-testid=pin-reset]")
    page.reload()
    page.wait_for_selector("[data-testid=pin-reset]")
    assert page.locator("#pin").count() == 0, "no PIN opens the app any more"

    # Offline the password cannot help; online it opens the data again, and a new PIN is chosen.
    context.set_offline(True)
    page.fill("#username", ppl.username)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector("p.error:has-text('sinyal')")
    context.set_offline(False)
    _sign_in(page, ppl, sls, pin="135790")
    page.click(f"a[data-sls='{sls.pk}']")
    page.wait_for_selector("a[data-family]:has-text('KELUARGA TERKUNCI LAGI')")
    page.click("[data-testid=sync-now]")  # a touch: the app stays unlocked
    page.reload()
    _unlock(page, "135790")
    assert errors == []
    context.close()
