"""The family form in a real browser: Blok II filled from what the app knows, developer notes never
on the page, the accessibility floor (labels, 48 px targets, 4.5:1 contrast), discarding drafts,
and a supervisor's note shown on the answer it is about.

The supervisor's notes per answer (`review_notes` in the pull) come from the review desk's half of
the contract; this test adds them to the real server's pull answer on its way to the phone, so the
phone's half is tested against the shape docs/sync.md gives.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from enumeration.models import SLS, Assignment, Kelurahan, Role, User
from households import records, services
from households.models import Family, PrelistFamily
from households.questionnaire.definition import load_definition
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.e2e.test_enumerator_app import _phone_context, _sign_in
from tests.households.factories import record_for

pytestmark = pytest.mark.e2e

KELURAHAN = "3674010001"
UNSENT = "[data-testid=unsent]"

# The function alone (Playwright takes a string that starts with "(" as a function), without its comment.
AUDIT = "\n".join(
    line for line in (Path(__file__).parent / "a11y_audit.js").read_text().splitlines() if not line.startswith("//")
)


@pytest.fixture(scope="module")
def team(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A PPL with a named PML, one SLS with two VK1 rows."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        kelurahan = Kelurahan.objects.select_related("kecamatan").get(pk=KELURAHAN)
        koseka = User.objects.create_user(
            username=f"koseka.form{tag}", password=PASSWORD, role=Role.KOSEKA, kecamatan_id=kelurahan.kecamatan_id
        )
        pml = User.objects.create_user(
            username=f"pml.form{tag}",
            password=PASSWORD,
            full_name="DEDI KURNIAWAN",
            role=Role.PML,
            supervisor=koseka,
            kecamatan_id=kelurahan.kecamatan_id,
        )
        ppl = User.objects.create_user(
            username=f"ppl.form{tag}",
            password=PASSWORD,
            full_name="ANI SUSANTI",
            role=Role.PPL,
            supervisor=pml,
            kecamatan_id=kelurahan.kecamatan_id,
        )
        sls = SLS.objects.create(
            kelurahan=kelurahan, code=str(uuid.uuid4().int % 9000 + 1000), sub_code="00", name="RT 097"
        )
        Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
        rows = [
            PrelistFamily.objects.create(sls=sls, line_no=1, head_name="BUDI SANTOSO", address="JL. MAWAR NO. 5"),
            PrelistFamily.objects.create(sls=sls, line_no=2, head_name="<b>SITI</b> <script>x</script>"),
        ]
        inside = kelurahan.boundary.point_on_surface
        sls = SLS.objects.select_related("kelurahan__kecamatan__kabkota").get(pk=sls.pk)
        yield {"ppl": ppl, "pml": pml, "sls": sls, "rows": rows, "lat": inside.y, "lon": inside.x}


def _today(page: Any) -> str:
    return str(
        page.evaluate(
            "() => { const d = new Date();"
            " return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10); }"
        )
    )


def _sync(page: Any) -> None:
    """A sync run, after which the bar counts the unsent work again."""
    page.wait_for_selector("[data-testid=sync-now]:not([disabled])")
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=sync-now]:not([disabled])")


def _notes() -> list[str]:
    definition = load_definition("regsosek22k", "1")
    return [
        variable["note"]
        for block in definition.data["blocks"]
        for item in block["items"]
        for variable in item.get("variables", [item])
        if "note" in variable
    ]


def test_prefill_notes_accessibility_and_discarding(live_stack: LiveStack, browser: Any, team: dict[str, Any]) -> None:
    context = _phone_context(browser, team)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, team["ppl"], team["sls"])
    sls, ppl, pml = team["sls"], team["ppl"], team["pml"]

    # A family started and left without an answer is gone again, with its VK1 mark.
    page.click(f"a[data-sls='{sls.pk}']")
    page.click(f"[data-prelist='{team['rows'][0].pk}'] button.start")
    page.wait_for_selector("#f-r101")
    page.click("a.back")
    page.wait_for_selector(f"[data-prelist='{team['rows'][0].pk}'] button.start")
    _sync(page)
    page.wait_for_selector(f"{UNSENT}:has-text('Belum terkirim: 0')")

    # Started again: Blok II holds today, the PPL and the PML; 203 is the PML's.
    page.click(f"[data-prelist='{team['rows'][0].pk}'] button.start")
    page.wait_for_selector("#f-r101")
    page.click("button.block-tab[data-block='II']")
    assert page.input_value("#f-r201") == _today(page)
    assert (page.input_value("#f-r202_nama"), page.input_value("#f-r202_kode")) == (ppl.full_name, ppl.username)
    assert (page.input_value("#f-r204_nama"), page.input_value("#f-r204_kode")) == (pml.full_name, pml.username)
    assert page.input_value("#f-r203") == ""
    page.fill("#f-r204_kode", "pml.lain")  # editable
    page.check("#f-r205-1")

    # Developer notes never reach the page; help written for the PPL does.
    page.click("button.block-tab[data-block='IV']")
    page.click("button.add-member")
    page.wait_for_selector("details.member-card[data-member='0'][open]")
    text = page.evaluate("() => document.body.textContent")
    leaked = [note for note in _notes() if note in text]
    assert leaked == []
    assert "Kosongkan bila anggota keluarga tidak memiliki NIK." in text

    # The accessibility floor, on Blok IV with a member card open and on Blok III's choices, with
    # the error summary and its full list open.
    page.click("[data-testid=finalise]")
    page.wait_for_selector(".form-summary .summary-all")
    page.click(".form-summary .summary-all > summary")
    problems = page.evaluate(AUDIT)
    assert problems == [], problems
    page.click("button.block-tab[data-block='III']")
    page.check("#f-r301a-1")
    page.wait_for_selector("#fld-f-r301b:visible")
    problems = page.evaluate(AUDIT)
    assert problems == [], problems

    # The family is now unsent work; discarding it (confirmed) removes it and frees the VK1 row.
    page.click("[data-testid=save-draft]")
    _sync(page)
    page.wait_for_selector(f"{UNSENT}:has-text('Belum terkirim: 2')")  # the family and its VK1 mark
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("[data-testid=discard-draft]")
    assert dialogs and "#/keluarga/" in page.url and page.is_visible("[data-testid=discard-draft]"), "dismissed: kept"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=discard-draft]")
    page.wait_for_selector(f"[data-prelist='{team['rows'][0].pk}'] button.start")
    _sync(page)
    page.wait_for_selector(f"{UNSENT}:has-text('Belum terkirim: 0')")
    assert errors == []
    context.close()


def test_a_supervisors_note_shows_on_its_answer_and_the_ppl_resubmits(
    live_stack: LiveStack, browser: Any, team: dict[str, Any], django_db_blocker: Any
) -> None:
    sls, ppl, pml = team["sls"], team["ppl"], team["pml"]
    key = uuid.uuid4()
    with django_db_blocker.unblock():
        record = record_for(sls, r111=3)  # no photo due
        record["members"] = record["members"][:2]
        record["family"]["r112"] = 2
        family = services.family_save(
            user=ppl, sls=sls, client_uuid=key, record=record, base_revision=None, source="sync"
        ).family
        services.family_return(user=pml, family=family, comment="Periksa luas lantai dan umur istri.")
    notes: list[dict[str, Any]] = [
        {"variable": "r302", "member": None, "comment": "Luas lantai <b>45</b> m2 terlalu besar untuk rumah ini?"},
        {"variable": "r407", "member": 2, "comment": "Umur istri tidak sesuai KK."},
    ]

    def with_notes(route: Any) -> None:
        # The review desk's half of the contract (docs/sync.md): notes per answer while returned.
        response = route.fetch()
        body = response.json()
        for item in body.get("families", []):
            if item["client_uuid"] == str(key) and item["status"] == "returned":
                item["review_notes"] = notes
        for item in body.get("returned", []):
            if item["client_uuid"] == str(key):
                item["notes"] = notes
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-encoding", "content-length")}
        route.fulfill(response=response, body=json.dumps(body), headers=headers)

    context = _phone_context(browser, team)
    context.route("**/api/v1/sync/pull/**", with_notes)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)
    page.goto(f"{live_stack.url}/app/#/keluarga/{key}")
    page.wait_for_selector("[data-testid=review-comment]")

    # Each note on its answer (shown as text, never as HTML), marked on the member card, listed on top.
    page.click(".review-summary button.review-jump >> nth=0")
    assert page.is_visible("#review-f-r302")
    assert page.text_content("#review-f-r302") == f"Catatan PML: {notes[0]['comment']}"
    assert page.evaluate("() => document.querySelector('#review-f-r302 b')") is None
    page.click(".review-summary button.review-jump >> nth=1")
    assert page.is_visible("#review-m1-r407")
    assert "Umur istri tidak sesuai KK." in (page.text_content("#review-m1-r407") or "")
    assert page.is_visible("details.member-card[data-member='1'] .card-note")
    assert not page.is_visible("details.member-card[data-member='0'] .card-note")

    # The PPL fixes the answer and sends the family again: the server has it, resubmitted.
    page.click("button.block-tab[data-block='III']")
    page.fill("#f-r302", "36")
    page.click("[data-testid=geotag-capture]")  # the family came without one
    page.wait_for_selector("[data-testid=geotag-value]")
    page.click("[data-testid=finalise]")
    page.wait_for_selector("[data-testid=family-notice].ok, [data-testid=family-notice].error")
    if page.is_visible("[data-testid=family-notice].error"):
        raise AssertionError(page.evaluate("() => document.querySelector('.form-summary').textContent"))
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=family-status] :text('Terkirim')", timeout=60_000)
    with django_db_blocker.unblock():
        stored = Family.objects.get(client_uuid=key)
        assert stored.status == "submitted" and stored.revision == 2
        definition = load_definition("regsosek22k", "1")
        composed = records.compose(definition, stored, list(stored.members.all()), reveal=False)
        assert composed["family"]["r302"] == 36
    page.wait_for_selector("#review-f-r302", state="hidden")  # answered: the notes are done
    assert errors == []
    # A pull still in flight must not fail in its route handler after the context is gone.
    context.unroute_all(behavior="ignoreErrors")
    context.close()
