"""Every URL by every role: the expected status of each cell, in one table (docs/reliability.md).

The URLs come from the URL configuration, so a new URL without a row fails
`test_every_url_has_a_row`, which prints the missing names with a row to fill in. The world is
one family in an SLS of `petugas` (PPL, "own"), with a prelist row and a house photo; each role
has an "own" and an "other" persona where scope differs:

    anon   not signed in
    ppl    the family's PPL                 ppl2  a PPL of another kecamatan
    pml    the PPL's PML                    pml2  a PML of another team and kecamatan
    kos    the Koseka of the kecamatan      kos2  the Koseka of another kecamatan
    adm    a BPS Kota admin                 pem   Pemkot staff

Writes run in a savepoint that is rolled back, so every cell starts from the same world.
Every 2xx answer to a signed-in user, except the public ones listed in PUBLIC, must say
`Cache-Control: no-store` or `private`. The admin site's own URLs follow one rule (below).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from enumeration.models import Device, User
from fkp import services as fkp_services
from households import form
from households.models import Family, PrelistFamily
from monitoring.exports import ExportFilters, export_job_create
from photos.models import Photo
from ranking.jobs import ranking_run_execute
from ranking.models import RankedFamily
from ranking.services import ranking_run_start
from regsosek import health
from tests.households.factories import create_family
from tests.ranking.factories import family_with_floor, floor_model

pytestmark = pytest.mark.django_db

ROLES = ("anon", "ppl", "ppl2", "pml", "pml2", "kos", "kos2", "adm", "pem")
PERSONA = {
    "ppl": "petugas",
    "ppl2": "other_petugas",
    "pml": "supervisor",
    "pml2": "other_supervisor",
    "kos": "koseka",
    "kos2": "other_koseka",
    "adm": "bps_admin",
    "pem": "pemkot",
}


@dataclass(frozen=True)
class Row:
    method: str
    expect: tuple[int, ...]
    body: Any = None
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    kwargs: dict[str, str] = field(default_factory=dict)  # URL parameters other than the world's


def row(
    method: str,
    *expect: int,
    body: Any = None,
    query: str = "",
    headers: dict[str, str] | None = None,
    kwargs: dict[str, str] | None = None,
) -> Row:
    assert len(expect) == len(ROLES), f"one status per role {ROLES}"
    return Row(method, expect, body, query, headers or {}, kwargs or {})


COMMENT = {"comment": "cek luas lantai"}
REVEAL = {"reason": "verifikasi lapangan"}
PHOTO = {"X-Family-UUID": "{family_uuid}", "X-Content-SHA256": "{photo_sha}"}

# One row per URL name. Columns:        anon ppl  ppl2 pml  pml2 kos  kos2 adm  pem
MATRIX: dict[str, Row] = {
    "healthz": row("GET", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "set_language": row("POST", 302, 302, 302, 302, 302, 302, 302, 302, 302, body={"language": "en", "next": "/"}),
    "login": row("GET", 200, 302, 302, 302, 302, 302, 302, 302, 302),
    "logout": row("POST", 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "api-schema": row("GET", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api-me": row("GET", 401, 200, 200, 200, 200, 200, 200, 200, 200),
    "api-sls-list": row("GET", 401, 200, 200, 200, 200, 200, 200, 200, 200),
    "api-staff-list": row("GET", 401, 200, 200, 200, 200, 200, 200, 200, 200),
    "api-family-list": row("GET", 401, 200, 200, 200, 200, 200, 200, 200, 403),
    "api-family-save": row("POST", 401, 400, 400, 400, 400, 400, 400, 400, 400, body={}),
    "api-family-detail": row("GET", 401, 200, 404, 200, 404, 200, 404, 200, 404),
    "api-family-approve": row("POST", 401, 403, 404, 200, 404, 403, 404, 403, 404, body=COMMENT),
    "api-family-return": row("POST", 401, 403, 404, 200, 404, 409, 404, 409, 404, body=COMMENT),
    "api-family-resubmit": row("POST", 401, 409, 404, 403, 404, 403, 404, 403, 404, body=COMMENT),
    "api-family-history": row("GET", 401, 200, 404, 200, 404, 200, 404, 200, 404),
    "api-family-reveal": row("POST", 401, 403, 404, 200, 404, 200, 404, 200, 404, body=REVEAL),
    "api-prelist": row("GET", 401, 200, 404, 200, 404, 200, 404, 200, 200),
    "api-sls-confirm": row("POST", 401, 403, 404, 403, 404, 400, 404, 400, 403, body=COMMENT),
    "api-sls-reopen": row("POST", 401, 403, 404, 403, 404, 409, 404, 409, 403, body=COMMENT),
    "api-prelist-status": row("POST", 401, 200, 404, 403, 404, 403, 404, 403, 403, body={"status": "moved"}),
    "api-duplicates": row("GET", 401, 403, 403, 200, 200, 200, 200, 200, 403),
    "questionnaire-index": row("GET", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "questionnaire-definition": row("GET", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api-device-sign-in": row("POST", 400, 400, 400, 400, 400, 400, 400, 400, 400, body={}),
    "api-device-wiped": row("POST", 401, 401, 401, 401, 401, 401, 401, 401, 401, body={}),
    "api-sync-pull": row("GET", 401, 200, 200, 403, 403, 403, 403, 403, 403),
    "api-sync-push": row("POST", 401, 200, 200, 403, 403, 403, 403, 403, 403, body={"families": []}),
    "api-sync-prelist": row("POST", 401, 200, 200, 403, 403, 403, 403, 403, 403, body={"marks": []}),
    "api-photo-missing": row("POST", 401, 200, 200, 403, 403, 403, 403, 403, 403, body={"photos": ["{photo_uuid}"]}),
    "api-photo-upload": row("PUT", 401, 200, 404, 403, 403, 403, 403, 403, 403, body=b"photo", headers=PHOTO),
    "review:queue": row("GET", 302, 403, 403, 200, 200, 200, 200, 200, 403),
    "review:family": row("GET", 302, 403, 403, 200, 404, 200, 404, 200, 403),
    "review:approve": row("POST", 302, 403, 403, 302, 404, 302, 404, 302, 403),
    "review:return": row("POST", 302, 403, 403, 302, 404, 302, 404, 302, 403, body=COMMENT),
    "audit-log": row("GET", 302, 403, 403, 403, 403, 403, 403, 200, 403),
    "audit-log-csv": row("GET", 302, 403, 403, 403, 403, 403, 403, 200, 403),
    "home": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    "team": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    "sls-detail": row("GET", 302, 200, 404, 200, 404, 200, 404, 200, 200),
    "pwa-shell": row("GET", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pwa-sw": row("GET", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pwa-manifest": row("GET", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pwa-i18n": row("GET", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "review:bulk_approve": row("POST", 302, 403, 403, 200, 200, 403, 403, 403, 403),
    "review:reveal": row(
        "POST", 302, 403, 403, 200, 404, 200, 404, 200, 403, body={"reason": "verifikasi lapangan", "kind": "kk"}
    ),
    "review:sls": row("GET", 302, 403, 403, 200, 404, 200, 404, 200, 403),
    "review:sls_confirm": row("POST", 302, 403, 403, 302, 404, 302, 404, 302, 403),
    "review:team": row("GET", 302, 403, 403, 200, 200, 200, 200, 200, 403),
    "review:team_of": row("GET", 302, 403, 403, 200, 404, 200, 404, 200, 403),
    "review:photo": row("GET", 302, 403, 403, 404, 404, 404, 404, 404, 403),
    "review:photo_thumb": row("GET", 302, 403, 403, 404, 404, 404, 404, 404, 403),
    "monitoring:quality": row("GET", 302, 403, 403, 200, 200, 200, 200, 200, 403),
    "monitoring:quality-list": row("GET", 302, 403, 403, 200, 200, 200, 200, 200, 403),
    "monitoring:staff": row("GET", 302, 403, 403, 200, 200, 200, 200, 200, 403),
    "monitoring:device-revoke": row("POST", 302, 403, 403, 403, 404, 403, 404, 302, 403),
    "monitoring:signin-unlock": row("POST", 302, 403, 403, 302, 404, 302, 404, 302, 403),
    "monitoring:exports": row("GET", 302, 403, 403, 200, 200, 200, 200, 200, 403),
    "monitoring:export-progress": row("GET", 302, 403, 403, 200, 404, 404, 404, 404, 403),
    "monitoring:export-download": row("GET", 302, 403, 403, 404, 404, 404, 404, 404, 403),
    "monitoring:export-codebook": row("GET", 302, 403, 403, 200, 200, 200, 200, 200, 403),
    "monitoring:dashboard": row("GET", 302, 403, 403, 200, 200, 200, 200, 200, 403),
    "monitoring:kecamatan": row(
        "GET", 302, 403, 403, 200, 404, 200, 404, 200, 403, kwargs={"code": "{kecamatan_code}"}
    ),
    "monitoring:kelurahan": row(
        "GET", 302, 403, 403, 200, 404, 200, 404, 200, 403, kwargs={"code": "{kelurahan_code}"}
    ),
    "monitoring:sls": row("GET", 302, 403, 403, 200, 404, 200, 404, 200, 403),
    "monitoring:ppl": row("GET", 302, 403, 403, 200, 404, 200, 404, 200, 403),
    "monitoring:list": row("GET", 302, 403, 403, 404, 404, 404, 404, 404, 403),
    "monitoring:map-boundaries": row("GET", 302, 403, 403, 404, 404, 404, 404, 404, 403),
    "monitoring:map-points": row("GET", 302, 403, 403, 404, 404, 404, 404, 404, 403),
    "ranking:runs": row("GET", 302, 403, 403, 403, 403, 200, 200, 200, 200),
    "ranking:start": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "ranking:models": row("GET", 302, 403, 403, 403, 403, 200, 200, 200, 200),
    "ranking:model-fit": row("GET", 302, 403, 403, 403, 403, 403, 403, 200, 403),
    "ranking:model-fit-template": row("GET", 302, 403, 403, 403, 403, 403, 403, 200, 403),
    "ranking:model-activate": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "ranking:run": row("GET", 302, 403, 403, 403, 403, 200, 200, 200, 200),
    "ranking:progress": row("GET", 302, 403, 403, 403, 403, 200, 200, 200, 200),
    "ranking:cancel": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "ranking:finalise": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "fkp:index": row("GET", 302, 403, 403, 403, 403, 200, 200, 200, 200),
    "fkp:run": row("GET", 302, 403, 403, 403, 403, 200, 200, 200, 200),
    "fkp:run-csv": row("GET", 302, 403, 403, 403, 403, 200, 200, 200, 200),
    "fkp:run-xlsx": row("POST", 302, 403, 403, 403, 403, 302, 302, 302, 302),
    "fkp:rerank": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "fkp:kelurahan": row("GET", 302, 403, 403, 403, 403, 200, 404, 200, 200, kwargs={"code": "{kelurahan_code}"}),
    "fkp:group": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403, kwargs={"code": "{kelurahan_code}"}),
    "fkp:kelurahan-csv": row("GET", 302, 403, 403, 403, 403, 200, 404, 200, 200, kwargs={"code": "{kelurahan_code}"}),
    "fkp:kelurahan-xlsx": row("GET", 302, 403, 403, 403, 403, 200, 404, 200, 200, kwargs={"code": "{kelurahan_code}"}),
    "fkp:kelurahan-proposals-csv": row(
        "GET", 302, 403, 403, 403, 403, 200, 404, 200, 200, kwargs={"code": "{kelurahan_code}"}
    ),
    "fkp:kelurahan-pdf": row("POST", 302, 403, 403, 403, 403, 302, 404, 302, 302, kwargs={"code": "{kelurahan_code}"}),
    "fkp:forum": row("GET", 302, 403, 403, 403, 403, 200, 404, 200, 200),
    "fkp:move": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "fkp:meeting": row("GET", 302, 403, 403, 403, 403, 403, 403, 200, 403),
    "fkp:held": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "fkp:outcome": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "fkp:proposal-add": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "fkp:proposal-withdraw": row("POST", 302, 403, 403, 403, 403, 403, 403, 302, 403),
    "fkp:forum-csv": row("GET", 302, 403, 403, 403, 403, 200, 404, 200, 200),
    "fkp:forum-xlsx": row("GET", 302, 403, 403, 403, 403, 200, 404, 200, 200),
    "fkp:forum-proposals-csv": row("GET", 302, 403, 403, 403, 403, 200, 404, 200, 200),
    "fkp:forum-pdf": row("POST", 302, 403, 403, 403, 403, 302, 404, 302, 302),
    "fkp:document": row("GET", 302, 403, 403, 403, 403, 200, 404, 200, 200),
    "fkp:document-download": row("GET", 302, 403, 403, 403, 403, 404, 404, 404, 404),
}

# Public answers: no personal data, cacheable on purpose (or a redirect/refusal with nothing in it).
PUBLIC = {
    "healthz",
    "api-schema",
    "questionnaire-index",
    "questionnaire-definition",
    "pwa-shell",
    "pwa-sw",
    "pwa-manifest",
}
PUBLIC |= {"pwa-i18n", "login", "set_language", "logout"}


def url_names() -> Iterator[tuple[str, str]]:
    """(name, route) of every named URL of the project, namespaces included (admin: apart)."""

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), joined)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name is None:
                    assert route.startswith("/admin/"), f"an unnamed URL outside the admin: {route}"
                    continue
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route

    yield from walk(get_resolver().url_patterns, "/", None)


def test_every_url_has_a_row() -> None:
    names = {name for name, _route in url_names() if not name.startswith("admin:")}
    missing = sorted(names - MATRIX.keys())
    stale = sorted(MATRIX.keys() - names)
    template = "\n".join(f'    "{name}": row("GET", 401, 200, 404, 200, 404, 200, 404, 200, 404),' for name in missing)
    assert not missing, (
        f"URLs without a row in tests/test_authorization_matrix.py MATRIX: {missing}. Add one row each "
        f"(method, then the expected status for {ROLES}), e.g.:\n{template}"
    )
    assert not stale, f"rows for URLs that no longer exist: {stale}"


OUTSIDERS = {"anon", "ppl2", "pml2", "kos2", "pem"}
# Pemkot staff take the ranked list to the forum: head's name and address with masked identifiers
# (docs/fkp.md). On the FKP pages they are not outsiders to the names of ranked families.
PEMKOT_LISTS = "fkp:"


@dataclass
class World:
    users: dict[str, User]
    values: dict[str, str]
    markers: list[str]  # what only those in scope may read: names, the family's UUID, its PPL
    clients: dict[str, Client] = field(default_factory=dict)  # one signed-in client per role


# These change the client's cookies (a signed-out session, a language): each cell gets a new client.
FRESH_CLIENT = {"logout", "set_language"}


@pytest.fixture
def world(
    request: pytest.FixtureRequest, field: dict[str, Any], settings: Any, tmp_path: Any, monkeypatch: Any
) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    # /healthz asks a Celery worker; none runs under pytest.
    monkeypatch.setattr(health, "_check_worker", lambda: {"ok": True})
    users = {role: request.getfixturevalue(name) for role, name in PERSONA.items()}
    family: Family = create_family(users["ppl"], field["own1"])
    prelist = PrelistFamily.objects.create(sls=field["own1"], line_no=1, head_name="BUDI SANTOSO")
    data = b"photo"
    photo = Photo.objects.create(
        client_uuid=uuid.uuid4(),
        family=family,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        uploaded_by=users["ppl"],
    )
    # A finished ranking run, a forum of the family's kelurahan with a row, a proposal and a list
    # document, an analyst's export of the PML and a device of the PPL: the objects of the ranking,
    # FKP and monitoring pages.
    floor_model()
    ranked_family = family_with_floor(users["ppl"], field["own1"], 30, building=2)
    run = ranking_run_start(user=users["adm"])
    ranking_run_execute(run.pk)
    run.refresh_from_db()
    kelurahan = field["own1"].kelurahan
    forum = fkp_services.forum_group_kelurahan(user=users["adm"], run=run, kelurahan=kelurahan, max_sls=12)[0]
    ranked = RankedFamily.objects.get(run=run, family=ranked_family)
    proposal = fkp_services.proposal_add(user=users["adm"], forum=forum, sls_id=field["own1"].pk, head_name="USULAN")
    document = fkp_services.document_request_forum_pdf(user=users["adm"], forum=forum)
    job = export_job_create(user=users["pml"], kind="families", fmt="csv", labels=False, filters=ExportFilters())
    device = Device.objects.create(pk=uuid.uuid4(), user=users["ppl"], name="Ponsel uji")
    definition = form.all_definitions()[-1]
    values = {
        "run_id": str(run.pk),
        "model_id": str(run.model_id),
        "forum_id": str(forum.pk),
        "ranked_id": str(ranked.pk),
        "proposal_id": str(proposal.pk),
        "document_id": str(document.pk),
        "job_id": str(job.pk),
        "device_id": str(device.pk),
        "user_id": str(users["ppl"].pk),
        "pml_id": str(users["pml"].pk),
        "check": "warnings",
        "kind": "families",
        "kecamatan_code": kelurahan.kecamatan_id,
        "kelurahan_code": kelurahan.pk,
        "family_id": str(family.pk),
        "sls_id": str(field["own1"].pk),
        "row_id": str(prelist.pk),
        "photo_uuid": str(photo.client_uuid),
        "form_id": definition.form,
        "version": definition.version,
        "family_uuid": str(family.client_uuid),
        "photo_sha": photo.sha256,
    }
    markers = ["BUDI SANTOSO", "SITI AMINAH", str(family.client_uuid), users["ppl"].username]
    return World(users, values, markers)


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def request_cell(world: World, name: str, role: str) -> Any:
    spec = MATRIX[name]
    route = dict(url_names())[name]
    kwargs = {}
    for key in re.findall(r"<(?:\w+:)?(\w+)>", route):
        value = spec.kwargs.get(key, "{" + key + "}")
        try:
            kwargs[key] = value.format(**world.values)
        except KeyError as missing:
            raise AssertionError(
                f"no value for URL parameter {missing} of {name}: add it to the world fixture"
            ) from None
    url = reverse(name, kwargs=kwargs) + spec.query
    client = world.clients.get(role) if name not in FRESH_CLIENT else None
    if client is None:
        client = Client()
        if role != "anon":
            client.force_login(world.users[role])
        if name not in FRESH_CLIENT:
            world.clients[role] = client
    headers = {f"HTTP_{k.upper().replace('-', '_')}": _fill(v, world.values) for k, v in spec.headers.items()}
    body = _fill(spec.body, world.values)
    with transaction.atomic():
        if spec.method == "GET":
            answer = client.get(url, **headers)
        elif isinstance(body, bytes):
            answer = client.generic(spec.method, url, body, content_type="image/jpeg", **headers)
        elif name.startswith("api") or url.startswith("/api/"):
            answer = client.generic(
                spec.method, url, json.dumps(body or {}), content_type="application/json", **headers
            )
        else:
            answer = client.post(url, body or {}, **headers)
        transaction.set_rollback(True)
    return answer


def test_each_role_gets_the_expected_status_and_no_outsider_sees_the_family(world: World) -> None:
    """One world, every row: the failures of all cells at once. Outsiders (anonymous, the other
    PPL, PML and Koseka, Pemkot) must not find the family's names, its UUID or its PPL in any answer."""
    wrong = []
    for name in sorted(MATRIX):
        seen = []
        for role, expected in zip(ROLES, MATRIX[name].expect, strict=True):
            answer = request_cell(world, name, role)
            seen.append(str(answer.status_code))
            body = b"" if getattr(answer, "streaming", False) else answer.content
            if answer.status_code != expected:
                wrong.append(f"{name} {role}: expected {expected}, got {answer.status_code}")
            if role in OUTSIDERS and name not in PUBLIC and not (role == "pem" and name.startswith(PEMKOT_LISTS)):
                leaked = [marker for marker in world.markers if marker.encode() in body]
                if leaked:
                    wrong.append(f"{name} {role}: the answer holds the family's {leaked}")
            if role != "anon" and 200 <= answer.status_code < 300 and name not in PUBLIC:
                cache = answer.get("Cache-Control", "")
                if "no-store" not in cache and "private" not in cache:
                    wrong.append(f"{name} {role}: 2xx without Cache-Control no-store/private ({cache!r})")
        if any(line.startswith(f"{name} ") for line in wrong):
            wrong.append(f"  {name} answered, in the table's order: {', '.join(seen)}")
    assert not wrong, "\n".join(wrong)


def admin_urls() -> list[str]:
    """The admin's index and, for every registered model, its list and its add page."""
    names = [name for name, _route in url_names() if name.startswith("admin:")]
    chosen = ["admin:index"] + [n for n in names if n.endswith(("_changelist", "_add"))]
    return [reverse(n) for n in sorted(chosen)]


def test_the_admin_is_for_bps_admins_only(world: World) -> None:
    """One rule for the admin site: only BPS admins get in (200, or 403 where a model is read-only);
    everyone else is sent to the admin's login (302)."""
    urls = admin_urls()
    assert len(urls) > 20
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if role != "anon":
            clients[role].force_login(world.users[role])
    wrong = []
    for url in urls:
        for role, client in clients.items():
            status = client.get(url).status_code
            allowed = {200, 403} if role == "adm" else {302}
            if status not in allowed:
                wrong.append(f"{url} {role}: {status}")
    assert not wrong, wrong
