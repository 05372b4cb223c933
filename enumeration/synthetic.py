"""A deterministic, seeded synthetic population over the real areas, for demos and benchmarks.

Everything it makes is flagged `is_synthetic` and named "Sintetis" so it can never be
mistaken for real people. The same seed and size always give the same rows.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from enumeration.models import SLS, Assignment, Kecamatan, Kelurahan, Role, SyntheticDataset, User

logger = logging.getLogger(__name__)

FAMILIES_PER_PPL = 255  # about 250 per PPL for one month (domain.md A4)
PPL_PER_PML = 4
PML_PER_KOSEKA = 12.25
FAMILIES_PER_SLS = 62  # 3-6 RT per PPL (domain.md B4)

_GIVEN = [
    "Adi",
    "Budi",
    "Citra",
    "Dewi",
    "Eka",
    "Fajar",
    "Gita",
    "Hadi",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Nur",
    "Oki",
    "Putri",
    "Rahmat",
    "Sari",
    "Tono",
    "Umi",
    "Wati",
    "Yanto",
    "Zahra",
]


@dataclass(frozen=True)
class SyntheticPlan:
    families: int
    ppl: int
    pml: int
    koseka: int
    sls: int

    @classmethod
    def for_families(cls, families: int, kecamatan_count: int) -> SyntheticPlan:
        ppl = max(1, math.ceil(families / FAMILIES_PER_PPL))
        pml = max(1, math.ceil(ppl / PPL_PER_PML))
        koseka = max(kecamatan_count, math.ceil(pml / PML_PER_KOSEKA))
        sls = max(ppl, math.ceil(families / FAMILIES_PER_SLS))
        return cls(families=families, ppl=ppl, pml=pml, koseka=koseka, sls=sls)


def _name(rng: random.Random, serial: int) -> str:
    return f"{rng.choice(_GIVEN)} Sintetis {serial:04d}"


def synthetic_exists() -> bool:
    return SyntheticDataset.objects.exists()


@transaction.atomic
def synthetic_generate(*, families: int, seed: int = 2022) -> SyntheticDataset:
    """Create SLS, staff (PPL/PML/Koseka in the real ratios) and assignments.

    Idempotent: if a dataset with this seed and size exists, it is returned unchanged; a
    different one raises ValueError (remove it first with `synthetic_remove`).
    """
    existing = SyntheticDataset.objects.first()
    if existing is not None:
        if existing.seed == seed and existing.families == families:
            return existing
        raise ValueError(
            f"A synthetic dataset (seed={existing.seed}, families={existing.families}) already exists; "
            "remove it first (generate_synthetic --replace)."
        )
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    kecamatan = list(Kecamatan.objects.order_by("bps_code"))
    if not kecamatan:
        raise ValueError("No areas loaded: run `manage.py load_wilayah` first.")
    kelurahan = list(Kelurahan.objects.order_by("bps_code"))
    plan = SyntheticPlan.for_families(families, len(kecamatan))
    unusable = make_password(None)

    # Koseka: at least one per kecamatan, the rest spread round-robin.
    koseka = [
        User(
            username=f"koseka{i + 1:03d}",
            full_name=_name(rng, i + 1),
            role=Role.KOSEKA,
            kecamatan=kecamatan[i % len(kecamatan)],
            is_synthetic=True,
            password=unusable,
        )
        for i in range(plan.koseka)
    ]
    User.objects.bulk_create(koseka, batch_size=1000)
    koseka_by_kec: dict[str, list[User]] = {}
    for k in koseka:
        koseka_by_kec.setdefault(k.kecamatan_id or "", []).append(k)

    # SLS spread over kelurahan in proportion to their area (at least one each).
    total_area = sum(k.area_km2 or 1.0 for k in kelurahan)
    quotas = [max(1, round(plan.sls * (k.area_km2 or 1.0) / total_area)) for k in kelurahan]
    sls_rows: list[SLS] = []
    for kel, quota in zip(kelurahan, quotas, strict=True):
        start = SLS.objects.filter(kelurahan=kel).count()
        for n in range(quota):
            rt, rw = (n % 12) + 1, (n // 12) + 1
            sls_rows.append(
                SLS(
                    kelurahan=kel,
                    code=f"{start + n + 1:04d}",
                    sub_code="00",
                    name=f"RT {rt:03d} RW {rw:03d} (sintetis)",
                    is_synthetic=True,
                )
            )
    SLS.objects.bulk_create(sls_rows, batch_size=2000)

    # PML and PPL per kecamatan, in proportion to the kecamatan's SLS.
    sls_by_kec: dict[str, list[SLS]] = {}
    kel_to_kec = {k.bps_code: k.kecamatan_id for k in kelurahan}
    for s in sls_rows:
        sls_by_kec.setdefault(kel_to_kec[s.kelurahan_id], []).append(s)
    pml_rows: list[User] = []
    ppl_rows: list[User] = []
    assignments: list[Assignment] = []
    now = timezone.now()
    ppl_left, sls_left = plan.ppl, len(sls_rows)
    pml_serial = ppl_serial = 0
    for index, kec in enumerate(kecamatan):
        kec_sls = sls_by_kec.get(kec.bps_code, [])
        last = index == len(kecamatan) - 1
        n_ppl = ppl_left if last else max(1, round(plan.ppl * len(kec_sls) / len(sls_rows)))
        n_ppl = max(1, min(n_ppl, ppl_left - (len(kecamatan) - index - 1), len(kec_sls)))
        ppl_left -= n_ppl
        sls_left -= len(kec_sls)
        n_pml = max(1, math.ceil(n_ppl / PPL_PER_PML))
        kec_koseka = koseka_by_kec[kec.bps_code]
        kec_pml = []
        for j in range(n_pml):
            pml_serial += 1
            kec_pml.append(
                User(
                    username=f"pml{pml_serial:04d}",
                    full_name=_name(rng, pml_serial),
                    role=Role.PML,
                    supervisor=kec_koseka[j % len(kec_koseka)],
                    kecamatan=kec,
                    is_synthetic=True,
                    password=unusable,
                )
            )
        pml_rows.extend(kec_pml)
        kec_ppl = []
        for j in range(n_ppl):
            ppl_serial += 1
            kec_ppl.append(
                User(
                    username=f"ppl{ppl_serial:05d}",
                    full_name=_name(rng, ppl_serial),
                    role=Role.PPL,
                    supervisor=kec_pml[j // PPL_PER_PML % n_pml],
                    kecamatan=kec,
                    is_synthetic=True,
                    password=unusable,
                )
            )
        ppl_rows.extend(kec_ppl)
        for j, s in enumerate(kec_sls):
            assignments.append(Assignment(sls=s, ppl=kec_ppl[j * n_ppl // len(kec_sls)], started_at=now))
    User.objects.bulk_create(pml_rows, batch_size=1000)
    User.objects.bulk_create(ppl_rows, batch_size=1000)
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    summary = {
        "sls": len(sls_rows),
        "koseka": len(koseka),
        "pml": len(pml_rows),
        "ppl": len(ppl_rows),
        "assignments": len(assignments),
    }
    dataset = SyntheticDataset.objects.create(seed=seed, families=families, summary=summary)
    logger.info("synthetic.generated", extra=summary)
    return dataset


@transaction.atomic
def synthetic_remove() -> None:
    """Delete everything the generator made (and nothing else)."""
    Assignment.objects.filter(sls__is_synthetic=True).delete()
    Assignment.objects.filter(ppl__is_synthetic=True).delete()
    SLS.objects.filter(is_synthetic=True).delete()
    for role in (Role.PPL, Role.PML, Role.KOSEKA, Role.BPS_ADMIN, Role.PEMKOT):
        User.objects.filter(is_synthetic=True, role=role).delete()
    SyntheticDataset.objects.all().delete()
