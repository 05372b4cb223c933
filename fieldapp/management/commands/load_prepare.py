"""`make load`'s preparation: device tokens, supervisors' sessions and every request body of the
evening rush, written to a plan file the load test reads (docs/reliability.md, "Load")."""

from __future__ import annotations

import hashlib
import io
import json
import random
import secrets
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image

from enumeration.models import Assignment, Device, DeviceToken, Role, User
from enumeration.sessions import LAST_ACTIVITY_KEY
from fieldapp.sync import encode_cursor
from fieldapp.synthetic import synthetic_geotag
from households.synthetic import synthetic_record

# Pages supervisors keep open during the rush, by role; those whose URL exists in this release.
SUPERVISOR_PAGES = {
    Role.PML: ["review:queue", "monitoring:dashboard", "team"],
    Role.KOSEKA: ["review:queue", "monitoring:dashboard", "monitoring:quality"],
    Role.BPS_ADMIN: ["monitoring:dashboard", "monitoring:quality", "review:queue"],
}


class Command(BaseCommand):
    help = "Prepare the load test: tokens, sessions and request bodies for every simulated device."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="the JSON plan file to write")
        parser.add_argument("--ppl", type=int, default=1960, help="PPL devices pushing their day")
        parser.add_argument("--pml", type=int, default=490)
        parser.add_argument("--koseka", type=int, default=40)
        parser.add_argument("--new-phones", type=int, default=200, help="first pulls at once (morning)")
        parser.add_argument("--photo-share", type=float, default=1 / 3)
        parser.add_argument("--photo-kb", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2491)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])  # noqa: S311 - synthetic data
        plan_path = Path(options["plan"])
        plan_path.parent.mkdir(parents=True, exist_ok=True)
        assignments = list(
            Assignment.objects.filter(ended_at__isnull=True, sls__is_synthetic=True, sls__families__isnull=True)
            .select_related("sls__kelurahan__kecamatan__kabkota", "ppl")
            .order_by("ppl_id", "sls_id")
        )
        first_sls: dict[int, Assignment] = {}
        for a in assignments:
            first_sls.setdefault(a.ppl_id, a)
        if len(first_sls) < options["ppl"]:
            raise CommandError(
                f"{len(first_sls)} synthetic PPL with an empty SLS, {options['ppl']} wanted: "
                "run generate_synthetic --families 500000 --no-families on an empty database first."
            )
        photo = self._photo(rng, plan_path.parent / "house.jpg", options["photo_kb"] * 1024)
        clocks: dict[Any, Any] = {}
        ppl_plans: list[dict[str, Any]] = []
        for serial, a in enumerate(list(first_sls.values())[: options["ppl"]]):
            token, device = self._device(a.ppl, "load")
            kec = a.sls.kelurahan.kecamatan.kemendagri_code.replace(".", "")
            families: list[dict[str, Any]] = []
            photos: list[dict[str, str]] = []
            building = 0
            geotag: dict[str, Any] | None = None
            for k in range(rng.choice([8, 9])):
                shared = k % 5 == 4  # as phones send them: some buildings hold two families
                if not shared:
                    building += 1
                record = synthetic_record(rng, a.sls, kec, building=building, serial=serial * 10 + k)
                item: dict[str, Any] = {
                    "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "sls": a.sls_id,
                    "base_revision": None,
                    "record": record,
                }
                if shared:
                    record["family"]["r110"] = "002"
                else:
                    geotag = synthetic_geotag(rng, a.sls, building, clocks, a.ppl_id)
                item["geotag"] = geotag
                families.append(item)
                if rng.random() < options["photo_share"]:
                    photos.append({"uuid": str(uuid.uuid4()), "family_uuid": item["client_uuid"]})
            ppl_plans.append({"token": token, "device": device, "families": families, "photos": photos})
        new_phones = []
        for entry in list(first_sls.values())[: options["new_phones"]]:
            token, device = self._device(entry.ppl, "load: new phone")
            new_phones.append({"token": token, "device": device})
        supervisors = []
        for role, wanted in ((Role.PML, options["pml"]), (Role.KOSEKA, options["koseka"]), (Role.BPS_ADMIN, 1)):
            users = list(User.objects.filter(role=role, is_active=True).order_by("pk")[:wanted])
            if role == Role.BPS_ADMIN and not users:
                admin = User.objects.create_user(
                    "load.bps", password=None, role=Role.BPS_ADMIN, full_name="Admin BPS (uji beban)"
                )
                users = [admin]
            supervisors += [{"role": str(role), "session": self._session(user)} for user in users]
        pages = {str(role): [url for name in names if (url := _url(name))] for role, names in SUPERVISOR_PAGES.items()}
        plan = {
            "cursor": encode_cursor(timezone.now()),
            "photo": photo,
            "ppl": ppl_plans,
            "new_phones": new_phones,
            "supervisors": supervisors,
            "pages": pages,
        }
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        n_families = sum(len(p["families"]) for p in ppl_plans)
        n_members = sum(len(f["record"]["members"]) for p in ppl_plans for f in p["families"])
        n_photos = sum(len(p["photos"]) for p in ppl_plans)
        self.stdout.write(
            f"plan: {len(ppl_plans):,} PPL devices with {n_families:,} families ({n_members:,} members), "
            f"{n_photos:,} photos of {photo['bytes'] / 1024:.0f} KB; {len(supervisors):,} supervisors' sessions "
            f"({', '.join(f'{r}: {len(p)} pages' for r, p in pages.items())}); {len(new_phones)} new phones"
        )

    @staticmethod
    def _device(user: User, name: str) -> tuple[str, str]:
        device = Device.objects.create(pk=uuid.uuid4(), user=user, name=name)
        key = secrets.token_urlsafe(32)
        DeviceToken.objects.create(
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            device=device,
            expires_at=timezone.now() + timedelta(hours=6),
        )
        return key, str(device.pk)

    @staticmethod
    def _session(user: User) -> str:
        """A signed-in web session, as after the sign-in page (signing 530 people in through argon2
        would measure the password hash, not the pages)."""
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[LAST_ACTIVITY_KEY] = int(timezone.now().timestamp())
        store.create()
        return str(store.session_key)

    @staticmethod
    def _photo(rng: random.Random, path: Path, size: int) -> dict[str, Any]:
        """A JPEG of about `size` bytes (noise compresses badly, so a small picture suffices)."""
        side = 64
        while True:
            image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=90)
            if buffer.tell() >= size or side > 4000:
                break
            side = int(side * 1.25)
        data = buffer.getvalue()
        path.write_bytes(data)
        return {"path": str(path.resolve()), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None
