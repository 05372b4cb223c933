"""Small builders shared by the test modules."""

from __future__ import annotations

from django.utils import timezone

from enumeration.models import SLS, Assignment, Role, User


def make_user(username: str, role: str, *, supervisor: User | None = None, kecamatan: str | None = None) -> User:
    user = User.objects.create_user(
        username=username,
        password="rahasia-uji-123",
        full_name=f"Uji {username}",
        role=role,
        supervisor=supervisor,
        kecamatan_id=kecamatan,
        is_staff=role == Role.BPS_ADMIN,
    )
    return user


def make_sls(kelurahan_code: str, code: str, sub: str = "00") -> SLS:
    return SLS.objects.create(kelurahan_id=kelurahan_code, code=code, sub_code=sub, name=f"RT {code}")


def assign(sls: SLS, ppl: User) -> Assignment:
    return Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())


# Setu (3674010) and Pondok Aren (3674060): two kecamatan, so scoping has something to exclude.
KEC_A, KEL_A1, KEL_A2 = "3674010", "3674010001", "3674010002"
KEC_B, KEL_B1 = "3674060", "3674060001"
