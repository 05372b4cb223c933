"""`make bench-review`: server time of the review desk at 500,000 families (the queue's first page
for a BPS admin and for a PML, a family page), beside one raw SQL statement that returns the same
rows, measured in the same run (docs/performance.md, "Review desk").

Pages are requested through Django's test client in-process (the whole view: middleware, session,
selectors, template), so the time is the server's, without the network. Meant for a scratch database
(scripts/bench-review.sh makes one): it writes synthetic data (a BPS admin, open sync conflicts).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from enumeration.models import Role, User
from enumeration.synthetic import synthetic_exists, synthetic_generate
from households import synthetic
from households.models import Family
from review import flags

# The queue's page as bare SQL: the same 50 rows in the same order with the same joined columns,
# no scope check, no flags, no count, no rendering.
RAW_QUEUE = (
    "SELECT f.id, f.head_name, f.building_no, f.family_no, f.status, f.member_count, "
    "jsonb_array_length(f.warnings), s.code, s.sub_code, k.name, u.username, u.full_name, "
    "CASE WHEN f.status = 'submitted' THEN f.submitted_at ELSE coalesce(f.reviewed_at, f.submitted_at) END AS since "
    "FROM households_family f JOIN enumeration_sls s ON s.id = f.sls_id "
    "JOIN enumeration_kelurahan k ON k.bps_code = s.kelurahan_id JOIN enumeration_user u ON u.id = f.created_by_id "
    "WHERE f.status IN ('submitted', 'returned', 'approved') {scope}ORDER BY since, f.id LIMIT 50"
)
RAW_TEAM_SCOPE = (
    "AND f.sls_id IN (SELECT a.sls_id FROM enumeration_assignment a JOIN enumeration_user p ON p.id = a.ppl_id "
    "WHERE a.ended_at IS NULL AND p.supervisor_id = %s) "
)
# What the counts per status above the table cannot do without: one count per status, no scope.
RAW_COUNTS = (
    "SELECT status, count(*) FROM households_family WHERE status IN ('submitted', 'returned', 'approved') GROUP BY 1"
)
# "Has flags" over the city as bare SQL: the flagged families (one indexed query per flag kind,
# united, as review/flags.py `flagged_family_ids` reads them) counted per status.
RAW_FLAGGED_COUNTS = (
    "SELECT status, count(*) FROM households_family WHERE status IN ('submitted', 'returned', 'approved') "
    "AND id IN (SELECT id FROM households_family WHERE warnings <> '[]'::jsonb "
    "UNION SELECT id FROM households_family WHERE geotag_id IN (SELECT geotag_id FROM geotag_geotagflag) "
    "UNION SELECT family_id FROM households_member WHERE nik_hash = ANY(ARRAY("
    "SELECT nik_hash FROM households_member WHERE nik_hash <> '' GROUP BY 1 HAVING count(*) > 1)) "
    "UNION SELECT id FROM households_family WHERE kk_hash = ANY(ARRAY("
    "SELECT kk_hash FROM households_family WHERE kk_hash <> '' GROUP BY 1 HAVING count(*) > 1)) "
    "UNION SELECT f.id FROM households_family f WHERE f.photo_required AND NOT EXISTS "
    "(SELECT 1 FROM geotag_photo p WHERE p.family_id = f.id AND p.status = 'ready') "
    "UNION SELECT id FROM households_family WHERE interview_finished_at - interview_started_at < %s "
    "UNION SELECT family_id FROM households_familyconflict WHERE resolved_at IS NULL AND family_id IS NOT NULL) "
    "GROUP BY 1"
)
# The family page's data as one statement: the row and its members.
RAW_FAMILY = (
    "SELECT f.*, (SELECT json_agg(m ORDER BY m.line_no) FROM households_member m WHERE m.family_id = f.id) "
    "FROM households_family f WHERE f.id = %s"
)
# Open sync conflicts the bench adds (one family in 200), so the queue's conflict flag has rows to find.
ADD_CONFLICTS = (
    "INSERT INTO households_familyconflict (family_id, user_id, at, last_at, reason, server_revision, resolution) "
    "SELECT f.id, f.created_by_id, now(), now(), 'changed', f.revision, '' FROM households_family f "
    "WHERE f.id % 200 = 0 AND NOT EXISTS (SELECT 1 FROM households_familyconflict c WHERE c.family_id = f.id)"
)

# `--own-identifiers`: the copies made by `families_copy_into_empty_sls` repeat their source's NIK and
# No. KK, so every family of the city is a duplicate. This gives every member and family its own
# keyed hash instead (derived from its id, so running it again changes nothing) and then makes one
# family in 200 share its first member's NIK and its No. KK with the family before it: duplicates
# as a census has them, rare. Only the hashes change (the ciphertexts stay): reveals would not match.
OWN_IDENTIFIERS = (
    "UPDATE households_member SET nik_hash = md5('nik' || id) || md5('member' || id) "
    "WHERE nik_hash <> '' AND nik_hash <> md5('nik' || id) || md5('member' || id) "
    "AND (line_no <> 1 OR family_id % 200 <> 0)",
    "UPDATE households_family SET kk_hash = md5('kk' || id) || md5('family' || id) "
    "WHERE kk_hash <> '' AND kk_hash <> md5('kk' || id) || md5('family' || id) AND id % 200 <> 0",
    "UPDATE households_member m SET nik_hash = o.nik_hash FROM households_member o "
    "WHERE m.line_no = 1 AND m.family_id % 200 = 0 AND o.family_id = m.family_id - 1 AND o.line_no = 1 "
    "AND o.nik_hash <> '' AND m.nik_hash <> ''",
    "UPDATE households_family f SET kk_hash = o.kk_hash FROM households_family o "
    "WHERE f.id % 200 = 0 AND o.id = f.id - 1 AND o.kk_hash <> '' AND f.kk_hash <> ''",
)


def _median_ms(fn: Callable[[], Any], rounds: int) -> tuple[float, float]:
    fn()  # warm the caches once, as a server that has answered before
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


class Command(BaseCommand):
    help = "Benchmark of the review desk at N synthetic families (writes synthetic data: scratch DB only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=500_000)
        parser.add_argument(
            "--generate",
            type=int,
            default=50_000,
            help="families generated record by record; the other SLS get copies of them (default 50,000)",
        )
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument(
            "--own-identifiers",
            action="store_true",
            help="give the copied families their own NIK and No. KK, 1 family in 200 sharing them (OWN_IDENTIFIERS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._setup(options["families"], options["generate"], own_identifiers=options["own_identifiers"])
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        rounds = options["rounds"]
        families = Family.objects.count()
        in_queue = Family.objects.filter(status__in=("submitted", "returned", "approved")).count()
        self.stdout.write(
            f"data: {families:,} families ({in_queue:,} in the queue); median and max of {rounds} requests "
            "through Django's test client in-process; queries per request"
        )
        admin = User.objects.filter(role=Role.BPS_ADMIN).first() or User.objects.create(
            username="bench.admin", full_name="Bench admin", role=Role.BPS_ADMIN, is_synthetic=True
        )
        pml = (
            User.objects.filter(role=Role.PML, is_synthetic=True, team__assignments__ended_at__isnull=True)
            .order_by("pk")
            .first()
        )
        assert pml is not None  # noqa: S101 - the synthetic dataset has teams
        koseka = User.objects.filter(role=Role.KOSEKA, is_synthetic=True).order_by("pk").first()
        assert koseka is not None  # noqa: S101
        family = (
            Family.objects.filter(sls__assignments__ppl__supervisor=pml, sls__assignments__ended_at__isnull=True)
            .order_by("geotag_id", "pk")  # one with a geotag if the data has any (NULLs sort last)
            .values_list("pk", flat=True)
            .first()
        )
        assert family is not None  # noqa: S101

        def raw(sql: str, params: tuple[Any, ...] = ()) -> Callable[[], None]:
            def run() -> None:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params or None)
                    cursor.fetchall()

            return run

        lines: list[tuple[str, Callable[[], Any]]] = [
            ("raw SQL: the queue's 50 rows, whole city", raw(RAW_QUEUE.format(scope=""))),
            ("raw SQL: families per queue status, whole city", raw(RAW_COUNTS)),
            ("queue, first page, BPS admin", self._get(admin, "/review/")),
            ("queue, only conflicts, BPS admin", self._get(admin, "/review/?conflict=1")),
            ("raw SQL: flagged families per status, whole city", raw(RAW_FLAGGED_COUNTS, (flags.min_interview(),))),
            ("queue, only flagged, BPS admin", self._get(admin, "/review/?flags=1")),
            ("queue, only flagged, Koseka", self._get(koseka, "/review/?flags=1")),
            ("raw SQL: the queue's 50 rows, one team", raw(RAW_QUEUE.format(scope=RAW_TEAM_SCOPE), (pml.pk,))),
            ("queue, first page, PML", self._get(pml, "/review/")),
            ("queue, only flagged, PML", self._get(pml, "/review/?flags=1")),
            ("queue, sorted by SLS, PML", self._get(pml, "/review/?sort=sls")),
            ("raw SQL: a family with its members", raw(RAW_FAMILY, (family,))),
            ("family page, PML", self._get(pml, f"/review/families/{family}/")),
            ("family page from the flagged queue, BPS admin", self._get(admin, f"/review/families/{family}/?flags=1")),
            ("team page, PML", self._get(pml, "/review/tim/")),
            ("team page of that PML, BPS admin", self._get(admin, f"/review/tim/{pml.pk}/")),
        ]
        for label, fn in lines:
            median, worst = _median_ms(fn, rounds)
            queries = self._queries(fn) if not label.startswith("raw") else 1  # a warm request's
            self.stdout.write(f"  {label:<50} {median:8.1f} ms (max {worst:7.1f})  {queries:3d} queries")

    def _setup(self, families: int, generate: int, *, own_identifiers: bool) -> None:
        started = time.perf_counter()
        if not synthetic_exists():
            dataset = synthetic_generate(families=families, seed=2022)
            per_sls = max(1, round(families / dataset.summary["sls"]))
            synthetic.families_generate(families_per_sls=per_sls, seed=2022, max_sls=max(1, generate // per_sls))
        copied = synthetic.families_copy_into_empty_sls()
        with connection.cursor() as cursor:
            if copied:
                cursor.execute("REINDEX TABLE households_family")
            cursor.execute(ADD_CONFLICTS)
            conflicts = cursor.rowcount
            if own_identifiers:
                for statement in OWN_IDENTIFIERS:
                    cursor.execute(statement)
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            f"set-up: {copied:,} families copied, {conflicts:,} open conflicts added, "
            f"{'own NIK and No. KK per family (1 in 200 shared), ' if own_identifiers else ''}"
            f"{time.perf_counter() - started:.1f} s"
        )

    def _get(self, user: User, url: str) -> Callable[[], None]:
        client = Client()
        client.force_login(user)

        def run() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")

        return run

    def _queries(self, fn: Callable[[], Any]) -> int:
        with CaptureQueriesContext(connection) as captured:
            fn()
        return len(captured.captured_queries)
