"""`make load`'s verdict: every family and photo the server acknowledged is stored, and stored once."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from households.models import Family, Member
from photos.models import Photo


class Command(BaseCommand):
    help = "Check the load test's outcome against the database and the media files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True)
        parser.add_argument("--results", required=True)
        parser.add_argument("--wait-photos", type=int, default=600, help="seconds to wait for photo processing")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = json.loads(Path(options["plan"]).read_text(encoding="utf-8"))
        results = json.loads(Path(options["results"]).read_text(encoding="utf-8"))
        sent = {f["client_uuid"]: f for p in plan["ppl"] for f in p["families"]}
        kept = ("created", "unchanged", "updated")
        acked = {uuid for uuid, status in results["acknowledged"].items() if status in kept}
        refused = {uuid: status for uuid, status in results["acknowledged"].items() if uuid not in acked}
        stored_rows = Family.objects.filter(client_uuid__in=list(sent))
        stored = {str(u) for u in stored_rows.values_list("client_uuid", flat=True)}
        twice = (
            Family.objects.filter(client_uuid__in=list(sent))
            .values("client_uuid")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        members_expected = sum(len(sent[u]["record"]["members"]) for u in stored)
        members_stored = Member.objects.filter(family__client_uuid__in=list(stored)).count()
        lost = acked - stored
        not_acked = stored - acked

        photo_plan = {p["uuid"]: p for entry in plan["ppl"] for p in entry["photos"]}
        photos_acked = set(results["photos"])
        waited = self._wait_for_photos(list(photo_plan), options["wait_photos"])
        photo_rows = Photo.objects.filter(client_uuid__in=list(photo_plan))
        photo_status = dict(photo_rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
        photos_stored = {str(u) for u in photo_rows.values_list("client_uuid", flat=True)}
        media = Path(settings.MEDIA_ROOT)
        files_missing = sum(
            1
            for name in photo_rows.filter(status=Photo.Status.READY).values_list("image", flat=True)
            if not (media / name).is_file()
        )
        photos_twice = photo_rows.values("client_uuid").annotate(n=Count("id")).filter(n__gt=1).count()
        # Nothing half-written: every file under media/photos is one a photo row names.
        named = {name for row in Photo.objects.values_list("original", "image", "thumbnail") for name in row if name}
        on_disk = {p.relative_to(media).as_posix() for p in (media / "photos").rglob("*") if p.is_file()}
        stray = len(on_disk - named)

        lines = [
            f"families: {len(sent):,} planned, {len(acked):,} acknowledged, {len(stored):,} stored; "
            f"lost (acknowledged, not stored) {len(lost)}; stored twice {twice.count()}; "
            f"stored but the answer never arrived {len(not_acked)}; "
            f"refused {len(refused)} {sorted(set(refused.values()))}",
            f"members: {members_stored:,} stored of {members_expected:,} in the stored families",
            f"photos: {len(photo_plan):,} planned, {len(photos_acked):,} acknowledged, {len(photos_stored):,} stored "
            f"{photo_status}; lost {len(photos_acked - photos_stored)}; stored twice {photos_twice}; "
            f"ready without their file {files_missing}; files no photo names (partial or stray) {stray}; "
            f"processing caught up after {waited:.0f} s",
            f"devices gave up: {results['gave_up'] or 'none'}",
        ]
        for line in lines:
            self.stdout.write(line)
        problems = sum(
            [
                len(lost),
                twice.count(),
                members_stored != members_expected,
                len(photos_acked - photos_stored),
                photos_twice,
                files_missing,
                stray,
                photo_status.get(Photo.Status.RECEIVED, 0),
                sum(results["gave_up"].values()),
            ]
        )
        if problems:
            raise CommandError("records lost, duplicated or stuck: see above")
        self.stdout.write("verdict: every acknowledged family and photo is stored exactly once; nothing stuck")

    @staticmethod
    def _wait_for_photos(uuids: list[str], limit: int) -> float:
        started = time.monotonic()
        while time.monotonic() - started < limit:
            if not Photo.objects.filter(client_uuid__in=uuids, status=Photo.Status.RECEIVED).exists():
                break
            time.sleep(2)
        return time.monotonic() - started
