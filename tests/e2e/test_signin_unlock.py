"""Unlocking a PPL in a real browser: wrong passwords on the device sign-in lock a PPL out; their
PML sees the lockout on the field staff page, confirms the question and unlocks; the PPL signs in."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from enumeration.models import Role, User
from tests.e2e.conftest import PASSWORD, LiveStack

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 30_000
KECAMATAN = "3674010"


def device_sign_in(api: Any, username: str, password: str) -> int:
    """The app's sign-in, through the browser's own request context (a new device id each time)."""
    body = {"username": username, "password": password, "device_id": str(uuid.uuid4())}
    return int(api.post("/api/v1/auth/device/", data=body).status)


def test_a_pml_unlocks_their_locked_out_ppl(live_stack: LiveStack, browser: Any, django_db_blocker: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        pml = User.objects.create_user(username=f"pml.kunci{tag}", password=PASSWORD, role=Role.PML)
        ppl = User.objects.create_user(
            username=f"ppl.kunci{tag}", password=PASSWORD, role=Role.PPL, supervisor=pml, kecamatan_id=KECAMATAN
        )
    phone = browser.new_context(base_url=live_stack.url).request
    # LOGIN_FAILURE_LIMIT's default is 5: the fifth wrong password is already refused as a lockout.
    answers = [device_sign_in(phone, ppl.username, "tebakan-salah") for _ in range(5)]
    assert answers == [401] * 4 + [429]
    assert device_sign_in(phone, ppl.username, PASSWORD) == 429

    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_stack.url}/masuk/?next=/pemantauan/petugas/")
    page.fill("#id_username", pml.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/pemantauan/petugas/")
    assert "Terkunci: terlalu banyak salah kata sandi" in page.locator("main").inner_text()
    questions: list[str] = []

    def accept(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.click(f"form[action='/pemantauan/petugas/{ppl.pk}/buka-kunci/'] button")
    page.wait_for_selector("ul.messages li")
    assert questions and "Buka kunci masuk PPL ini?" in questions[0]
    assert f"Kunci masuk {ppl.username} dibuka" in page.locator("ul.messages").inner_text()
    assert "Terkunci: terlalu banyak salah kata sandi" not in page.locator("main").inner_text()
    context.close()
    assert device_sign_in(phone, ppl.username, PASSWORD) == 200
