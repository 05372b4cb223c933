"""Shared fixtures: the real Tangsel areas, and personas for each role.

Personas (style.md §7): `petugas` (a PPL), `other_petugas` (a PPL of another team and
kecamatan), `supervisor` (the PML of `petugas`), `koseka`, `bps_admin`, `pemkot`.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.conf import settings

from enumeration.models import SLS, Kelurahan, Role, User
from enumeration.wilayah import wilayah_folder, wilayah_load
from tests.helpers import KEC_A, KEC_B, KEL_A1, KEL_A2, KEL_B1, assign, make_sls, make_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Argon2 is the production hasher; tests that check hashing assert it explicitly.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _own_sign_in_counters(settings):  # type: ignore[no-untyped-def]
    # The sign-in throttles count in Redis, which outlives a test's transaction: each test counts
    # under its own namespace, so one test's failed sign-ins never throttle another's.
    settings.SIGNIN_THROTTLE_NAMESPACE = f"signin-test-{uuid.uuid4().hex}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the real areas once per test session (they are read-only reference data)."""
    with django_db_blocker.unblock():
        wilayah_load(folder=wilayah_folder(Path(settings.REGSOSEK_WILAYAH_DIR), settings.REGSOSEK_KABKOTA_CODE))


@pytest.fixture
def koseka(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("koseka.setu", Role.KOSEKA, kecamatan=KEC_A)


@pytest.fixture
def supervisor(koseka: User) -> User:
    return make_user("pml.setu", Role.PML, supervisor=koseka, kecamatan=KEC_A)


@pytest.fixture
def petugas(supervisor: User) -> User:
    return make_user("ppl.setu", Role.PPL, supervisor=supervisor, kecamatan=KEC_A)


@pytest.fixture
def teammate(supervisor: User) -> User:
    return make_user("ppl.setu2", Role.PPL, supervisor=supervisor, kecamatan=KEC_A)


@pytest.fixture
def other_koseka(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("koseka.paren", Role.KOSEKA, kecamatan=KEC_B)


@pytest.fixture
def other_supervisor(other_koseka: User) -> User:
    return make_user("pml.paren", Role.PML, supervisor=other_koseka, kecamatan=KEC_B)


@pytest.fixture
def other_petugas(other_supervisor: User) -> User:
    return make_user("ppl.paren", Role.PPL, supervisor=other_supervisor, kecamatan=KEC_B)


@pytest.fixture
def bps_admin(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("admin.bps", Role.BPS_ADMIN)


@pytest.fixture
def pemkot(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("staf.pemkot", Role.PEMKOT)


@pytest.fixture
def field(petugas: User, teammate: User, other_petugas: User) -> dict[str, SLS]:
    """Four SLS: two for `petugas`, one for the teammate (same PML), one in another kecamatan."""
    sls = {
        "own1": make_sls(KEL_A1, "0001"),
        "own2": make_sls(KEL_A2, "0001", "01"),
        "team": make_sls(KEL_A1, "0002"),
        "unassigned": make_sls(KEL_A2, "0003"),
        "other": make_sls(KEL_B1, "0001"),
    }
    assign(sls["own1"], petugas)
    assign(sls["own2"], petugas)
    assign(sls["team"], teammate)
    assign(sls["other"], other_petugas)
    return sls


@pytest.fixture(autouse=True)
def _areas_after_flush(request):  # type: ignore[no-untyped-def]
    """Transactional tests truncate every table when they end; put the areas back for the next one.

    pytest-django runs transactional tests after the others, so only they can meet an empty table.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if transactional or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        if not Kelurahan.objects.exists():
            wilayah_load(folder=wilayah_folder(Path(settings.REGSOSEK_WILAYAH_DIR), settings.REGSOSEK_KABKOTA_CODE))
