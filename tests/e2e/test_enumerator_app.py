"""The enumerator app in a real browser, against the real web server, worker and PostGIS.

Sign in, download the assignment, go offline, reload (the app still loads from the service worker),
fill a family with members from a VK1 row, take a (mocked) GPS fix and a real JPEG photo, finalise,
close and reopen the page offline (the family is still there), go online and sync; then the database
holds the family, its members, the geotag and the processed photo exactly once, also after a second
sync. Then an app update that waits for the open form. A second test: Background Sync sends a VK1
mark made offline after the page is gone.
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


def _sign_in(page: Any, ppl: User, sls: SLS) -> None:
    """Sign in on the app's page, wait for the assignment and for the service worker to control it."""
    page.fill("#username", ppl.username)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector(f"a[data-sls='{sls.pk}']")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


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
    """Each variable's block and the kind of control the form renders for it (static/js/app/form.js:
    radio buttons for up to 6 codes, a select for more, checkboxes for several codes)."""
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
    context = browser.new_context(
        viewport={"width": 360, "height": 780},
        geolocation={"latitude": assignment["lat"], "longitude": assignment["lon"], "accuracy": 6},
        permissions=["geolocation"],
        service_workers="allow",
        locale="id-ID",
    )
    context.set_default_timeout(TIMEOUT_MS)
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
    page.click("[data-testid=new-family]")
    page.fill("#f-r108", "KELUARGA DRAF")
    page.click("[data-testid=save-draft]")
    live_stack.start_web(APP_RELEASE="e2e-update")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_selector(".banner.update button[disabled]")
    page.click("a.back")
    page.click(".banner.update button:not([disabled])")
    page.wait_for_function("() => navigator.serviceWorker.controller && !document.querySelector('.banner.update')")
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
