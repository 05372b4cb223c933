"""The enumerator's day in a real browser on a 360 px phone: the VK1 list (search, filters, "n of m
visited", a likely duplicate before a new family), family states that agree with the sync bar after
a sync and after the PML's approval, the doorstep geotag warnings (outside the kelurahan, implausible
travel) with the server's rules, the offline SLS map, and accessibility basics measured in the page
(labels, focus order, contrast of at least 4.5:1, touch targets of at least 48 px)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.utils import timezone

from enumeration.models import SLS, Assignment, Kelurahan, Role, User
from geotag.models import Geotag
from households import services
from households.form import area_prefill, context_for
from households.models import Family, PrelistFamily
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.e2e.test_enumerator_app import KELURAHAN, _fill, _jpeg, _phone_context, _record, _sign_in

pytestmark = pytest.mark.e2e

HOSTILE = "<img src=x onerror=alert(1)> WARGA"
ROWS = [
    ("BUDI SANTOSO", "JL. MAWAR NO. 5"),
    ("BUDI SANTOSO", "JL. MELATI NO. 2"),
    ("SITI AMINAH", "GG. KENANGA NO. 1"),
    ("WARGA UJI EMPAT", "JL. ANGGREK NO. 4"),
    ("WARGA UJI LIMA", "JL. ANGGREK NO. 6"),
    (HOSTILE, "<script>alert(2)</script>"),
]
FAR = {"latitude": -6.2, "longitude": 106.8, "accuracy": 6}  # about 15 km north-east, outside

# Measured in the page: every problem found, as text (the test data is synthetic).
A11Y = """() => {
  const problems = [];
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0
    && getComputedStyle(el).visibility !== 'hidden'; };
  const parse = (c) => { const m = /rgba?\\(([^)]+)\\)/.exec(c); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 }; };
  const lum = (rgb) => { const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92
    : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = (el) => { for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c.rgb; } return [255, 255, 255]; };
  const walker = document.createTreeWalker(document.getElementById('app'), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !shown(el) || el.closest('[disabled], svg')) continue;
    const fg = lum(parse(getComputedStyle(el).color).rgb); const bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}: ${n.textContent.trim().slice(0, 30)}`);
  }
  for (const el of document.querySelectorAll('#app :is(button, select, input, summary, a.item, a.button, a.back)')) {
    if (!shown(el)) continue; const r = el.getBoundingClientRect();
    if (r.height < 47.5 || r.width < 47.5) {
      problems.push(`target ${Math.round(r.width)}x${Math.round(r.height)}: ${el.outerHTML.slice(0, 50)}`);
    }
  }
  for (const el of document.querySelectorAll('#app :is(input, select, textarea)')) {
    if (!shown(el)) continue;
    const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
      || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label');
    if (!named) problems.push(`no label: ${el.outerHTML.slice(0, 50)}`);
  }
  return problems;
}"""
FOCUSED = """() => { const el = document.activeElement; const r = el.getBoundingClientRect();
  return { testid: el.dataset.testid || el.id || el.tagName, y: r.top + window.scrollY, fixed: !!el.closest('.syncbar'),
           hidden: !!el.closest('[hidden]') }; }"""


@pytest.fixture(scope="module")
def day(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A PPL with one SLS (a boundary of about 440 m around a point of the kelurahan) and six VK1 rows,
    two of them with the same head's name, one with HTML in its name and address; its PML."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        kelurahan = Kelurahan.objects.select_related("kecamatan").get(pk=KELURAHAN)
        kec = kelurahan.kecamatan_id
        koseka = User.objects.create_user(
            username=f"koseka.day{tag}", password=PASSWORD, role=Role.KOSEKA, kecamatan_id=kec
        )
        pml = User.objects.create_user(
            username=f"pml.day{tag}", password=PASSWORD, role=Role.PML, supervisor=koseka, kecamatan_id=kec
        )
        ppl = User.objects.create_user(
            username=f"ppl.day{tag}", password=PASSWORD, role=Role.PPL, supervisor=pml, kecamatan_id=kec
        )
        inside = kelurahan.boundary.point_on_surface
        area = inside.buffer(0.002).intersection(kelurahan.boundary)
        boundary = area if isinstance(area, MultiPolygon) else MultiPolygon(area)
        code = str(uuid.uuid4().int % 9000 + 1000)
        sls = SLS.objects.create(kelurahan=kelurahan, code=code, sub_code="00", name="RT 077", boundary=boundary)
        Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
        rows = [
            PrelistFamily.objects.create(sls=sls, line_no=n, head_name=name, address=address)
            for n, (name, address) in enumerate(ROWS, start=1)
        ]
        sls = SLS.objects.select_related("kelurahan__kecamatan__kabkota").get(pk=sls.pk)
        yield {
            "ppl": ppl,
            "pml": pml,
            "sls": sls,
            "rows": rows,
            "lat": inside.y,
            "lon": inside.x,
            "context": context_for(sls),
            "prefill": area_prefill(sls),
        }


def _shown(page: Any) -> list[int]:
    ids = page.eval_on_selector_all("[data-prelist]:not([hidden])", "els => els.map(e => e.dataset.prelist)")
    return [int(x) for x in ids]


def _accessible(page: Any) -> None:
    assert page.evaluate(A11Y) == []


def test_the_vk1_list_searches_filters_counts_and_warns_of_a_likely_duplicate(
    live_stack: LiveStack, browser: Any, day: dict[str, Any]
) -> None:
    sls, ppl, rows = day["sls"], day["ppl"], day["rows"]
    ids = [row.pk for row in rows]
    context = _phone_context(browser, day)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)
    page.wait_for_selector(f"a[data-sls='{sls.pk}'] [data-testid=sls-visited]:has-text('0 dari 6 keluarga VK1')")
    _accessible(page)

    page.click(f"a[data-sls='{sls.pk}']")
    page.wait_for_selector("[data-testid=visited]:has-text('0 dari 6 keluarga VK1 sudah dikunjungi')")
    assert page.inner_text("[data-testid=shown-count]") == "6 ditampilkan"
    # Hostile content is text.
    assert page.inner_text(f"[data-prelist='{ids[5]}'] strong") == f"6. {HOSTILE}"
    assert page.locator("#app img, #app script").count() == 0
    _accessible(page)

    # Search: by name (both BUDI, told apart by their address), by address, by line number.
    page.fill("#vk1-search", "budi")
    assert _shown(page) == ids[:2]
    assert page.inner_text(f"[data-prelist='{ids[0]}']").count("MAWAR") == 1
    assert page.inner_text(f"[data-prelist='{ids[1]}']").count("MELATI") == 1
    page.fill("#vk1-search", "kenanga")
    assert _shown(page) == [ids[2]]
    page.fill("#vk1-search", "5")
    assert _shown(page) == [ids[0], ids[4]]  # line 5, and "NO. 5" in an address
    page.fill("#vk1-search", "tidak ada")
    assert _shown(page) == []
    page.fill("#vk1-search", "")

    # An interview started and left without an answer is discarded: nothing unsent, the row offers
    # the interview again.
    page.click(f"[data-prelist='{ids[2]}'] button.start")
    page.wait_for_selector("#f-r101")
    assert page.input_value("#f-r108") == "SITI AMINAH"
    page.click("a.back")
    page.wait_for_selector(f"[data-prelist='{ids[2]}'] button.start")
    page.wait_for_selector("[data-testid=visited]:has-text('0 dari 6')")
    page.wait_for_selector("[data-testid=unsent]:has-text('Belum terkirim: 0')")
    # Started again and answered: in progress and visited.
    page.click(f"[data-prelist='{ids[2]}'] button.start")
    page.wait_for_selector("#f-r101")
    page.fill("#f-r107", "JL. UJI NO. 1")
    page.press("#f-r107", "Tab")
    page.wait_for_timeout(500)
    page.click("a.back")
    page.wait_for_selector("[data-testid=visited]:has-text('1 dari 6')")
    # Compact rows: a row with its family is one link of two lines, a row not visited adds its buttons.
    heights = dict(
        zip(ids, page.eval_on_selector_all("[data-prelist]", "els => els.map(e => e.offsetHeight)"), strict=True)
    )
    # (The sixth row's long hostile name takes more lines.)
    assert heights[ids[2]] <= 80 and max(heights[i] for i in ids[:5]) <= 130, heights
    page.select_option("#vk1-filter", "in_progress")
    assert _shown(page) == [ids[2]]
    page.select_option("#vk1-filter", "not_visited")
    assert _shown(page) == [ids[0], ids[1], ids[3], ids[4], ids[5]]
    page.select_option("#vk1-filter", "")

    # Focus order follows the screen, top to bottom, and reaches the sync button; nothing hidden.
    page.focus("#vk1-search")
    seen = [page.evaluate(FOCUSED)]
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
        if seen[-1]["testid"] == "sync-now":
            break
    assert seen[1]["testid"] == "vk1-filter"
    assert seen[-1]["testid"] == "sync-now" and seen[-1]["fixed"]
    on_screen = [f["y"] for f in seen if not f["fixed"]]
    assert on_screen == sorted(on_screen), seen
    assert not any(f["hidden"] for f in seen)

    # The sync button is on screen wherever the list is scrolled to (within the thumb's reach).
    for where in ("document.body.scrollHeight", "0"):
        page.evaluate(f"window.scrollTo(0, {where})")
        box = page.locator("[data-testid=sync-now]").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 780 and box["y"] > 780 / 2

    # A family not on the list: a name like one on the list is a likely duplicate, said before any form.
    page.fill("#vk1-search", "Budi Santoso")
    page.click("[data-testid=new-family]")
    assert page.input_value("#new-name") == "Budi Santoso"  # what was searched for
    _accessible(page)
    page.click("[data-testid=new-family-check]")
    page.wait_for_selector("[data-testid=duplicates] [role=alert]")
    assert page.locator("[data-testid=duplicates] li").count() == 2
    assert "#/sls/" in page.url
    page.click("[data-testid=new-family-anyway]")
    page.wait_for_selector("#f-r101")
    assert page.input_value("#f-r108") == "Budi Santoso"
    assert errors == []
    context.close()


def test_states_after_a_sync_and_the_pml_approval_agree_on_every_screen(
    live_stack: LiveStack, browser: Any, day: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    sls, ppl, rows = day["sls"], day["ppl"], day["rows"]
    context = _phone_context(browser, day)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)
    page.click(f"a[data-sls='{sls.pk}']")
    page.click(f"[data-prelist='{rows[0].pk}'] button.start")
    page.wait_for_selector("#f-r101")
    record = _record(day)
    record["family"]["r107"] = "JL. MAWAR NO. 5"
    _fill(page, record, prefilled={f"r{n}" for n in day["prefill"]} | {"r107", "r108"})
    page.click("[data-testid=geotag-capture]")
    page.wait_for_selector("[data-testid=geotag-value]")
    page.set_input_files("[data-testid=photo-input]", str(_jpeg(tmp_path / "rumah.jpg")))
    page.wait_for_selector("[data-testid=photo-preview]")
    # Finalised without a signal: waiting, and the bar counts it.
    context.set_offline(True)
    page.click("[data-testid=finalise]")
    page.wait_for_selector("[data-testid=family-status] .badge:text-is('Menunggu dikirim')")
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=unsent]:not(:has-text('Belum terkirim: 0'))")

    context.set_offline(False)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector("[data-testid=unsent]:has-text('Belum terkirim: 0')", timeout=60_000)
    # The family screen says what the bar says, without reopening it.
    page.wait_for_selector("[data-testid=family-status] .badge:text-is('Terkirim, menunggu PML')")
    family_url = page.url
    page.click("a.back")
    page.wait_for_selector(f"[data-prelist='{rows[0].pk}'] .badge:text-is('Terkirim, menunggu PML')")
    page.select_option("#vk1-filter", "waiting")
    assert _shown(page) == []
    page.select_option("#vk1-filter", "")

    with django_db_blocker.unblock():
        family = Family.objects.get(sls=sls, prelist=rows[0])
        services.family_approve(user=day["pml"], family=family)
    page.click("[data-testid=sync-now]")
    page.wait_for_selector(f"[data-prelist='{rows[0].pk}'] .badge:text-is('Disetujui PML')")
    page.click(f"a[data-prelist='{rows[0].pk}']")
    page.wait_for_selector("[data-testid=family-status] .badge:text-is('Disetujui PML')")
    assert page.url == family_url
    assert errors == []
    context.close()


def test_the_doorstep_warns_of_a_geotag_outside_the_kelurahan_or_too_far_too_fast_and_the_map_draws_it(
    live_stack: LiveStack, browser: Any, day: dict[str, Any], django_db_blocker: Any
) -> None:
    sls, ppl, rows = day["sls"], day["ppl"], day["rows"]
    context = _phone_context(browser, day)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_stack.url}/app/")
    _sign_in(page, ppl, sls)

    # A first geotag at the building, inside: taken without a word.
    page.click(f"a[data-sls='{sls.pk}']")
    page.click(f"[data-prelist='{rows[3].pk}'] button.start")
    page.fill("#f-r109", "004")
    page.click("[data-testid=geotag-capture]")
    page.wait_for_selector("[data-testid=geotag-value]")
    assert page.locator("[data-testid=geotag-warning]").count() == 0

    # The next one, 15 km away a moment later: outside the kelurahan, and no one travels that fast.
    page.click("a.back")
    page.click(f"[data-prelist='{rows[4].pk}'] button.start")
    page.fill("#f-r109", "005")
    context.set_geolocation(FAR)
    page.click("[data-testid=geotag-capture]")
    page.wait_for_selector("[data-testid=geotag-warning]")
    warned = page.eval_on_selector_all(
        "[data-testid=geotag-warning] [data-warning]", "els => els.map(e => e.dataset.warning)"
    )
    assert warned == ["outside_kelurahan", "speed"]
    assert "km/jam" in page.inner_text("[data-warning=speed]")
    assert page.locator("[data-testid=geotag-value]").count() == 0  # nothing kept yet
    # Back in front of the building: the retake is kept.
    context.set_geolocation({"latitude": day["lat"], "longitude": day["lon"], "accuracy": 6})
    page.click("[data-testid=geotag-warning] button:text-is('Ambil ulang')")
    page.wait_for_selector("[data-testid=geotag-value]")
    assert page.locator("[data-testid=geotag-warning]").count() == 0

    # The map: the SLS boundary from the pull, the buildings, and the phone on request, offline.
    context.set_offline(True)
    page.click("a.back")
    page.click(".mapbox summary")
    page.wait_for_selector("[data-testid=sls-map] svg path.area")
    assert page.get_attribute("[data-testid=sls-map] svg path.area", "d").startswith("M")
    # Two taken here (drafts: not sent yet), and those of families on the server (from the pull).
    with django_db_blocker.unblock():
        tagged = Geotag.objects.filter(sls=sls).count() + 2
    assert page.locator("[data-testid=sls-map] circle.building").count() == tagged
    assert page.inner_text("[data-testid=sls-map] figcaption") == f"Batas SLS, {tagged} bangunan sudah bergeotag."
    page.click("[data-testid=map-locate]")
    page.wait_for_selector("[data-testid=sls-map] circle.you")
    _accessible(page)
    context.set_offline(False)
    assert errors == []
    context.close()
