"""Unlock and save times of the enumerator app in headless chromium with the CPU slowed down
(DevTools `Emulation.setCPUThrottlingRate`), for docs/performance.md. Run by `make bench-app-lock`
(scripts/bench-app-lock.sh), which gives it a scratch database and a web server; prints figures.

What is timed, inside the page (performance.measure, see static/js/app/lock.js, main.js, family.js):
- unlock: from the PIN's submit to the home screen drawn: PBKDF2 of the PIN, unwrapping the data
  key, the retention check, and the home screen (which opens only the families that are tasks);
- pin check: the PIN's part of it (key derivation and unwrapping);
- save: sealing one family's draft (AES-GCM and the keyed hash of its canonical JSON) and storing
  it in IndexedDB, the biggest family of the assignment, as "Simpan draf" does;
- first sign-in: from the submit to the assignment shown, with the first pull of every family (each
  sealed before it is stored) and the PIN chosen.
And, to show what the DevTools throttling reaches: PBKDF2 alone, with and without it.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regsosek.settings")

PASSWORD = "bench-kunci-2022"  # noqa: S105 - a scratch database's user
PIN = "246810"
KELURAHAN = "3674010001"
PBKDF2 = """async (iterations) => {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode('246810'), 'PBKDF2', false, ['deriveKey']);
  const started = performance.now();
  await crypto.subtle.deriveKey({name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(16), iterations}, base,
    {name: 'AES-GCM', length: 256}, false, ['encrypt']);
  return performance.now() - started;
}"""
DURATIONS = "(name) => performance.getEntriesByName(name).map((e) => e.duration)"


def seed(families: int) -> tuple[str, int, str]:
    """A PPL with one SLS holding `families` synthetic families (pushed as a phone would)."""
    import django

    django.setup()
    from django.utils import timezone

    from enumeration.models import SLS, Assignment, Kelurahan, Role, User
    from fieldapp import sync
    from households.synthetic import synthetic_record

    rng = random.Random(16)  # noqa: S311 - synthetic data, not security
    kelurahan = Kelurahan.objects.select_related("kecamatan").get(pk=KELURAHAN)
    tag = uuid.uuid4().hex[:6]
    ppl = User.objects.create_user(
        username=f"ppl.bench{tag}", password=PASSWORD, full_name="Petugas Bench", role=Role.PPL,
        kecamatan_id=kelurahan.kecamatan_id,
    )  # fmt: skip
    sls = SLS.objects.create(kelurahan=kelurahan, code=str(rng.randint(1000, 9999)), sub_code="00", name="RT 016")
    Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
    sls = SLS.objects.select_related("kelurahan__kecamatan").get(pk=sls.pk)
    kec = sls.kelurahan.kecamatan.kemendagri_code.replace(".", "")
    items: list[dict[str, Any]] = [
        {
            "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "sls": sls.pk,
            "base_revision": None,
            "record": synthetic_record(rng, sls, kec, building=n + 1, serial=n * 7),
        }
        for n in range(families)
    ]
    results: list[dict[str, Any]] = []
    logging.disable(logging.INFO)  # one log line per family otherwise
    try:
        for start in range(0, len(items), 50):
            results += sync.sync_push(user=ppl, device=None, items=items[start : start + 50])
    finally:
        logging.disable(logging.NOTSET)
    refused = [r for r in results if r["result"] not in {"created", "updated", "unchanged"}]
    if refused:
        raise SystemExit(f"seeding failed: {refused[:2]}")
    records = {str(i["client_uuid"]): i["record"] for i in items}
    biggest = max(records, key=lambda key: len(records[key]["members"]))
    return ppl.username, sls.pk, biggest


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):7.1f} ms   max {max(values):7.1f} ms   (n={len(values)})"


def run(url: str, families: int, rounds: int, rates: list[float]) -> None:
    from playwright.sync_api import sync_playwright

    username, sls_id, biggest = seed(families)
    chromium = os.environ.get("E2E_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
        )
        print(f"machine: {os.cpu_count()} cores, {cpu_model()}, {platform.system()} {platform.release()}")
        print(f"browser: chromium {browser.version} (headless); {families} families in the PPL's SLS")
        context = browser.new_context(viewport={"width": 360, "height": 780}, service_workers="allow", locale="id-ID")
        context.set_default_timeout(120_000)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        for rate in rates:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
            print(f"\nCPU throttling x{rate:g}")
            if rate == rates[0]:
                page.goto(f"{url}/app/")
                started = time.perf_counter()
                page.fill("#username", username)
                page.fill("#password", PASSWORD)
                page.click("form button[type=submit]")
                page.wait_for_selector("#pin-new")
                page.fill("#pin-new", PIN)
                page.fill("#pin-repeat", PIN)
                page.click("[data-testid=pin-save]")
                page.wait_for_selector(f"a[data-sls='{sls_id}']")
                page.wait_for_selector("[data-testid=sync-now]:not([disabled])")
                took = time.perf_counter() - started
                print(f"  first sign-in, pull of {families} families sealed, PIN: {took:6.2f} s")
            derivations = [page.evaluate(PBKDF2, 600_000) for _ in range(3)]
            print(f"  PBKDF2-SHA-256 600,000 alone:   {summary(derivations)}")
            unlock, check = [], []
            for _ in range(rounds):
                page.reload()
                page.wait_for_selector("#pin")
                page.fill("#pin", PIN)
                page.click("[data-testid=unlock]")
                page.wait_for_selector(f"a[data-sls='{sls_id}']")
                page.wait_for_function("() => performance.getEntriesByName('regsosek-unlock').length > 0")
                unlock += page.evaluate(DURATIONS, "regsosek-unlock")
                check += page.evaluate(DURATIONS, "regsosek-pin-check")
                page.wait_for_selector("[data-testid=sync-now]:not([disabled])")
            print(f"  unlock (PIN to home screen):    {summary(unlock)}")
            print(f"  of which the PIN check:         {summary(check)}")
            page.goto(f"{url}/app/#/keluarga/{biggest}")
            page.wait_for_selector("#f-r107")
            saves = []
            for n in range(rounds * 2):
                page.evaluate("() => performance.clearMeasures('regsosek-save')")
                page.fill("#f-r107", f"JL. BENCH NO. {n}")
                page.click("[data-testid=save-draft]")
                page.wait_for_function("() => performance.getEntriesByName('regsosek-save').length > 0")
                saves += page.evaluate(DURATIONS, "regsosek-save")[-1:]
            size = page.evaluate(
                "() => new Promise(r => { const q = indexedDB.open('regsosek'); q.onsuccess = () => {"
                f" const t = q.result.transaction('families').objectStore('families').get('{biggest}');"
                " t.onsuccess = () => { r(t.result.record.data.byteLength); q.result.close(); }; }; })"
            )
            print(f"  save a draft ({size:,} bytes sealed): {summary(saves)}")
            page.goto(f"{url}/app/#/")
        browser.close()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--families", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rates", default="1,4", help="CPU throttling rates, comma-separated")
    args = parser.parse_args()
    run(args.url, args.families, args.rounds, [float(r) for r in args.rates.split(",")])


if __name__ == "__main__":
    main()
