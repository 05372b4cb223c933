"""How much a PPL taps and types for a standard family of three, measured in the real app.

A PPL starts the family from its VK1 row ("Mulai wawancara") and answers the questionnaire as a
person would: block by block with "Berikutnya", each question once it is shown, skipping any that
already holds the wanted answer (what the app filled in). Counted: taps (a text field's focus, a
radio button, each checkbox, a drop-down's open and choice, the block and member buttons, the
geotag and "Finalkan"), the text fields typed into and the characters typed, option taps and
drop-downs; then the height of Blok IV with the three member cards open and the screens Blok V
takes on a 360 x 780 phone. The test prints the figures (docs/pwa.md records them, before and after
a change) and fails unless the family finalises without an error.

Run: `pytest -m e2e tests/e2e/test_family_taps.py -s` with the e2e database of scripts/test.sh.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from enumeration.models import SLS, Assignment, Kelurahan, Role, User
from households.form import area_prefill, context_for
from households.models import Family, PrelistFamily
from households.questionnaire.definition import load_definition
from households.questionnaire.validate import validate
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.e2e.test_enumerator_app import _phone_context, _sign_in
from tests.questionnaire.records import base_family, daughter, head, spouse

pytestmark = pytest.mark.e2e

KELURAHAN = "3674010001"
VIEWPORT_HEIGHT = 780


@pytest.fixture(scope="module")
def team(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A PPL (with a named PML) and one SLS with the family's VK1 row."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        kelurahan = Kelurahan.objects.select_related("kecamatan").get(pk=KELURAHAN)
        koseka = User.objects.create_user(
            username=f"koseka.taps{tag}", password=PASSWORD, role=Role.KOSEKA, kecamatan_id=kelurahan.kecamatan_id
        )
        pml = User.objects.create_user(
            username=f"pml.taps{tag}",
            password=PASSWORD,
            full_name="DEDI KURNIAWAN",
            role=Role.PML,
            supervisor=koseka,
            kecamatan_id=kelurahan.kecamatan_id,
        )
        ppl = User.objects.create_user(
            username=f"ppl.taps{tag}",
            password=PASSWORD,
            full_name="ANI SUSANTI",
            role=Role.PPL,
            supervisor=pml,
            kecamatan_id=kelurahan.kecamatan_id,
        )
        sls = SLS.objects.create(
            kelurahan=kelurahan, code=str(uuid.uuid4().int % 9000 + 1000), sub_code="00", name="RT 098"
        )
        Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
        row = PrelistFamily.objects.create(sls=sls, line_no=1, head_name="BUDI SANTOSO", address="JL. MAWAR NO. 5")
        inside = kelurahan.boundary.point_on_surface
        sls = SLS.objects.select_related("kelurahan__kecamatan__kabkota").get(pk=sls.pk)
        yield {"ppl": ppl, "pml": pml, "sls": sls, "row": row, "lat": inside.y, "lon": inside.x}


def family_of_three(team: dict[str, Any], today: str) -> dict[str, Any]:
    """Head, spouse and daughter; Blok II as the PPL writes it on the day (203, the PML's checking
    date, is left to the PML); 111 = 3, so no photo is due."""
    family = base_family()
    family.update({f"r{number}": value for number, value in area_prefill(team["sls"]).items()})
    family.update(
        {
            "r111": 3,
            "r112": 3,
            "r201": today,
            "r202_nama": team["ppl"].full_name,
            "r202_kode": team["ppl"].username,
            "r204_nama": team["pml"].full_name,
            "r204_kode": team["pml"].username,
        }
    )
    family.pop("r203")
    members = [head(), spouse(), daughter()]
    day = dt.date.fromisoformat(today)
    for member in members:  # ages on the day of the interview (407 is checked against 406 and 201)
        born = dt.date(member["r406_thn"], member["r406_bln"], member["r406_tgl"])
        member["r407"] = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    record = {"form": "regsosek22k", "version": "1", "family": family, "members": members}
    context = {**context_for(team["sls"]), "today": today}
    assert [i for i in validate(load_definition("regsosek22k", "1"), record, context) if i["severity"] == "error"] == []
    return record


class Counter:
    def __init__(self) -> None:
        self.taps = 0
        self.typed_fields = 0
        self.typed_chars = 0
        self.option_taps = 0
        self.dropdowns = 0
        self.typed: list[str] = []

    def line(self) -> str:
        return (
            f"taps={self.taps} typed_fields={self.typed_fields} typed_chars={self.typed_chars} "
            f"option_taps={self.option_taps} dropdowns={self.dropdowns}"
        )


def _kinds(definition: Any) -> dict[str, str]:
    """The control of each variable (choiceKind in static/js/app/form/values.js)."""
    kinds: dict[str, str] = {}
    for block in definition.data["blocks"]:
        for item in block["items"]:
            for variable in item.get("variables", [item]):
                radios = len(variable.get("codes", [])) <= 6
                kinds[variable["id"]] = {"multicode": "checkbox", "code": "radio" if radios else "select"}.get(
                    variable["type"], "text"
                )
    return kinds


def _shown(page: Any, name: str) -> bool:
    return bool(
        page.evaluate(
            "(id) => { const f = document.getElementById(id); return !!f && f.offsetParent !== null; }", f"fld-{name}"
        )
    )


def _answer(page: Any, counter: Counter, name: str, kind: str, value: Any) -> None:
    """Sets one answer as a person would, unless the field already holds it."""
    if kind == "checkbox":
        for code in value:
            if not page.is_checked(f"#{name}-{code}"):
                page.check(f"#{name}-{code}")
                counter.taps += 1
                counter.option_taps += 1
    elif kind == "radio":
        if not page.is_checked(f"#{name}-{value}"):
            page.check(f"#{name}-{value}")
            counter.taps += 1
            counter.option_taps += 1
    elif kind == "select":
        if page.input_value(f"#{name}") != str(value):
            page.select_option(f"#{name}", str(value))
            counter.taps += 2
            counter.dropdowns += 1
    elif page.input_value(f"#{name}") != str(value):
        page.fill(f"#{name}", str(value))
        counter.taps += 1
        counter.typed_fields += 1
        counter.typed_chars += len(str(value))
        counter.typed.append(name)


def _fill_block(
    page: Any, counter: Counter, ids: list[str], answers: dict[str, Any], kinds: dict[str, str], prefix: str
) -> None:
    """Answers top to bottom, then again for questions an answer below them showed (e.g. the
    respondent's name appears after 205), until every wanted answer was given."""
    waiting = [variable for variable in ids if variable in answers]
    while waiting:
        done = []
        for variable in waiting:
            if _shown(page, f"{prefix}{variable}"):
                _answer(page, counter, f"{prefix}{variable}", kinds[variable], answers[variable])
                done.append(variable)
        assert done, f"never shown: {waiting}"
        waiting = [variable for variable in waiting if variable not in done]


def _next_block(page: Any, counter: Counter) -> None:
    page.click("section.form-block:not([hidden]) button.block-next")
    counter.taps += 1


def measure(page: Any, record: dict[str, Any]) -> tuple[Counter, int, float]:
    """Fills the family on the open form; returns the counts, Blok IV's height with the three cards
    open (px) and Blok V's screens."""
    definition = load_definition("regsosek22k", "1")
    kinds = _kinds(definition)
    counter = Counter()
    blok_iv_px, blok_v_screens = 0, 0.0
    for block in definition.data["blocks"]:
        if block["id"] != "I":
            _next_block(page, counter)
        page.wait_for_selector(f"section.form-block[data-block='{block['id']}']:not([hidden])")
        family_ids = [item["id"] for item in block["items"] if item.get("type") != "group"]
        _fill_block(page, counter, family_ids, record["family"], kinds, "f-")
        group = next((item for item in block["items"] if item.get("type") == "group"), None)
        if group is not None:
            member_ids = [variable["id"] for variable in group["variables"] if variable["id"] != "r401"]
            for index, member in enumerate(record["members"]):
                page.click("button.add-member")
                counter.taps += 1
                page.wait_for_selector(f"details.member-card[data-member='{index}'][open]")
                _fill_block(page, counter, member_ids, member, kinds, f"m{index}-")
            blok_iv_px = page.evaluate(
                "() => document.querySelector(\"section.form-block[data-block='IV']\").scrollHeight"
            )
        if block["id"] == "V":
            height = page.evaluate("() => document.querySelector(\"section.form-block[data-block='V']\").scrollHeight")
            blok_v_screens = round(height / VIEWPORT_HEIGHT, 1)
    return counter, blok_iv_px, blok_v_screens


def test_taps_and_typing_for_a_standard_family_of_three(
    live_stack: LiveStack, browser: Any, team: dict[str, Any], django_db_blocker: Any
) -> None:
    context = _phone_context(browser, team)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, team["ppl"], team["sls"])
    page.click(f"a[data-sls='{team['sls'].pk}']")
    page.click(f"[data-prelist='{team['row'].pk}'] button.start")
    page.wait_for_selector("#f-r101")
    today = page.evaluate(
        "() => { const d = new Date();"
        " return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10); }"
    )
    record = family_of_three(team, today)

    counter, blok_iv_px, blok_v_screens = measure(page, record)
    page.click("[data-testid=geotag-capture]")
    page.wait_for_selector("[data-testid=geotag-value]")
    page.click("[data-testid=finalise]")
    counter.taps += 3  # "Mulai wawancara", the geotag, "Finalkan"
    page.wait_for_selector("[data-testid=family-notice].ok, [data-testid=family-notice].error")
    if page.is_visible("[data-testid=family-notice].error"):
        raise AssertionError(page.evaluate("() => document.querySelector('.form-summary').textContent"))
    answers = sum(1 for value in record["family"].values() if value not in (None, "", [])) + sum(
        1 for member in record["members"] for value in member.values() if value not in (None, "", [])
    )
    print(
        f"\nfamily of three ({answers} answers): {counter.line()}"
        f" blok_iv_px={blok_iv_px} blok_v_screens={blok_v_screens}"
    )
    assert errors == []
    assert counter.taps > 0 and blok_iv_px > 0
    assert [name for name in counter.typed if name.startswith(("f-r201", "f-r202", "f-r204"))] == []

    # Sent: the server has the interview's start (the first answer) and finish (finalising).
    page.click("[data-testid=sync-now]")
    try:
        page.wait_for_selector("[data-testid=family-status] :text('Terkirim')", timeout=60_000)
    except Exception as exc:
        shown = page.evaluate(
            "() => [document.querySelector('.syncbar')?.innerText, "
            "document.querySelector('[data-testid=family-status]')?.innerText]"
        )
        raise AssertionError(f"not sent: {shown}; page errors: {errors}") from exc
    with django_db_blocker.unblock():
        family = Family.objects.get(sls=team["sls"])
        started, finished = family.interview_started_at, family.interview_finished_at
        assert started is not None and finished is not None
        assert started <= finished <= timezone.now()
    context.close()
