"""The evening and morning rush as locust users (`make load`; docs/reliability.md, "Load").

Reads the plan written by `manage.py load_prepare` (LOAD_PLAN). LOAD_SCENARIO=evening: every PPL
device pushes its day (8-9 families with members and geotags, a third with a house photo) once,
starting at a random moment of the first LOAD_RUSH_S seconds, and pulls with its cursor afterwards,
retrying as the app does (Retry-After, then backoff); PML, Koseka and a BPS admin keep their pages
open, reloading every 20-40 s. LOAD_SCENARIO=morning: every PPL pulls with its cursor, and the new
phones all ask their first pull at the same moment. At the end the outcome of every family and
photo is written to LOAD_RESULTS for `manage.py load_check`.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
SCENARIO = os.environ.get("LOAD_SCENARIO", "evening")
RUSH_S = float(os.environ.get("LOAD_RUSH_S", "360"))
PHOTO = Path(PLAN["photo"]["path"]).read_bytes()
ATTEMPTS = 8

ppl_plans = iter(PLAN["ppl"])
new_phone_plans = iter(PLAN["new_phones"])
supervisor_plans = {
    role: iter([s for s in PLAN["supervisors"] if s["role"] == role]) for role in ("pml", "koseka", "bps_admin")
}
acknowledged: dict[str, str] = {}  # family client_uuid -> the server's last answer for it
photos_stored: dict[str, int] = {}  # photo uuid -> HTTP status (200/201)
gave_up: Counter[str] = Counter()  # what a device could not deliver after every attempt
errors: Counter[str] = Counter()  # answers that were not success, by kind, retried or not
everyone_ready = Event()
new_phones_ready = 0


def _retry_after(status: int, headers: Any, attempt: int) -> float:
    given = headers.get("Retry-After") if headers else None
    if given and str(given).isdigit():
        return float(given)
    return min(60.0, 2.0**attempt) * random.uniform(0.5, 1.0)


class Device(FastHttpUser):
    """A phone: bearer token and device id headers, as the app sends them, to the API's pool."""

    abstract = True
    host = os.environ.get("LOAD_API_HOST")
    network_timeout = 60.0
    connection_timeout = 20.0

    def _headers(self, entry: dict[str, str], **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {entry['token']}", "X-Device-ID": entry["device"], **extra}

    def _send(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        """One request until it gets an answer the app would keep (2xx) or stop retrying (4xx)."""
        for attempt in range(ATTEMPTS):
            with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
                status = response.status_code
                if 200 <= status < 300:
                    response.success()
                    return response
                kind = f"{name}: {status or type(response.error).__name__}"
                errors[kind] += 1
                response.failure(kind)
                if 400 <= status < 500 and status not in (408, 429):
                    gave_up[kind] += 1
                    return None
                wait = _retry_after(status, response.headers, attempt)
            gevent.sleep(wait)
        gave_up[f"{name}: {ATTEMPTS} attempts"] += 1
        return None


class Enumerator(Device):
    """A PPL's phone at the end of the day (evening) or the start of the next one (morning)."""

    fixed_count = len(PLAN["ppl"])
    wait_time = constant(1)

    def on_start(self) -> None:
        self.entry = next(ppl_plans)
        if SCENARIO == "evening":
            gevent.sleep(random.uniform(0, RUSH_S))

    @task
    def day(self) -> None:
        if SCENARIO == "evening":
            self._push()
            self._photos()
        pull = f"/api/v1/sync/pull/?cursor={PLAN['cursor']}"
        self._send("GET", pull, "pull (with cursor)", headers=self._headers(self.entry))
        raise StopUser

    def _push(self) -> None:
        families = self.entry["families"]
        for start in range(0, len(families), 50):
            batch = families[start : start + 50]
            response = self._send(
                "POST",
                "/api/v1/sync/push/",
                "push",
                data=json.dumps({"families": batch}),
                headers=self._headers(self.entry, **{"Content-Type": "application/json"}),
            )
            if response is None:
                continue
            for item, result in zip(batch, response.json()["results"], strict=True):
                acknowledged[item["client_uuid"]] = result.get("result", "?")

    def _photos(self) -> None:
        for photo in self.entry["photos"]:
            headers = self._headers(
                self.entry,
                **{
                    "Content-Type": "image/jpeg",
                    "X-Family-UUID": photo["family_uuid"],
                    "X-Content-SHA256": PLAN["photo"]["sha256"],
                },
            )
            response = self._send("PUT", f"/api/v1/sync/photos/{photo['uuid']}", "photo", data=PHOTO, headers=headers)
            if response is not None:
                photos_stored[photo["uuid"]] = response.status_code


class NewPhone(Device):
    """A phone signed in for the first time this morning: the first pull, all of them at once."""

    fixed_count = len(PLAN["new_phones"]) if SCENARIO == "morning" else 0
    wait_time = constant(1)

    def on_start(self) -> None:
        global new_phones_ready
        self.entry = next(new_phone_plans)
        new_phones_ready += 1
        if new_phones_ready >= self.fixed_count:
            everyone_ready.set()
        everyone_ready.wait()

    @task
    def first_pull(self) -> None:
        self._send("GET", "/api/v1/sync/pull/", "first pull (new phone)", headers=self._headers(self.entry))
        raise StopUser


class Supervisor(FastHttpUser):
    """A signed-in PML, Koseka or BPS admin with the pages of their role open, on the pages' pool."""

    abstract = True
    host = os.environ.get("LOAD_PAGES_HOST")
    role: ClassVar[str] = ""
    wait_time = between(20, 40)

    def on_start(self) -> None:
        self.entry = next(supervisor_plans[self.role])
        self.pages: list[str] = PLAN["pages"].get(self.role, [])
        gevent.sleep(random.uniform(0, 20))

    @task
    def look(self) -> None:
        if SCENARIO != "evening" or not self.pages:
            raise StopUser
        page = random.choice(self.pages)
        cookie = {"Cookie": f"sessionid={self.entry['session']}"}
        with self.client.get(page, name=f"{self.role} {page}", headers=cookie, catch_response=True) as response:
            if response.status_code != 200:
                kind = f"{self.role} {page}: {response.status_code or type(response.error).__name__}"
                errors[kind] += 1
                response.failure(kind)


class PML(Supervisor):
    role = "pml"
    fixed_count = sum(1 for s in PLAN["supervisors"] if s["role"] == "pml")


class Koseka(Supervisor):
    role = "koseka"
    fixed_count = sum(1 for s in PLAN["supervisors"] if s["role"] == "koseka")


class BpsAdmin(Supervisor):
    role = "bps_admin"
    fixed_count = sum(1 for s in PLAN["supervisors"] if s["role"] == "bps_admin")


@events.test_stop.add_listener  # type: ignore[untyped-decorator]
def _write_results(**_kwargs: Any) -> None:
    results = {
        "scenario": SCENARIO,
        "acknowledged": acknowledged,
        "photos": photos_stored,
        "gave_up": dict(gave_up),
        "errors": dict(errors),
    }
    Path(os.environ["LOAD_RESULTS"]).write_text(json.dumps(results), encoding="utf-8")
