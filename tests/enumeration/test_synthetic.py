from __future__ import annotations

import pytest

from enumeration.models import SLS, Assignment, Role, SyntheticDataset, User
from enumeration.synthetic import SyntheticPlan, synthetic_generate, synthetic_remove

pytestmark = pytest.mark.django_db


def test_the_plan_follows_the_real_ratios_for_the_whole_city():
    plan = SyntheticPlan.for_families(500_000, 7)
    assert 1900 <= plan.ppl <= 2000 and 480 <= plan.pml <= 500 and 38 <= plan.koseka <= 45
    assert plan.ppl + plan.pml + plan.koseka == pytest.approx(2491, abs=60)


def snapshot() -> tuple[list[tuple[str, ...]], list[tuple[str, ...]], list[tuple[str, ...]]]:
    return (
        sorted(
            User.objects.filter(is_synthetic=True).values_list("username", "full_name", "role", "supervisor__username")
        ),
        sorted(SLS.objects.values_list("kelurahan_id", "code", "name")),
        sorted(Assignment.objects.values_list("sls__kelurahan_id", "sls__code", "ppl__username")),
    )


def test_generation_is_deterministic_idempotent_and_marked_synthetic():
    synthetic_generate(families=6000, seed=7)
    first = snapshot()
    synthetic_generate(families=6000, seed=7)  # a re-run is a no-op
    assert snapshot() == first and SyntheticDataset.objects.count() == 1
    synthetic_remove()
    assert not User.objects.filter(is_synthetic=True).exists() and not SLS.objects.exists()
    synthetic_generate(families=6000, seed=7)
    assert snapshot() == first
    assert all("Sintetis" in name for _u, name, _r, _s in first[0])
    assert all("sintetis" in name for _k, _c, name in first[1])


def test_every_ppl_has_a_pml_with_a_koseka_and_every_sls_one_ppl():
    synthetic_generate(families=20_000, seed=1)
    assert not User.objects.filter(role=Role.PPL, supervisor__isnull=True).exists()
    for pml in User.objects.filter(role=Role.PML, is_synthetic=True).select_related("supervisor"):
        assert pml.supervisor is not None and pml.supervisor.role == Role.KOSEKA
        assert pml.supervisor.kecamatan_id == pml.kecamatan_id
    assert SLS.objects.count() == Assignment.objects.filter(ended_at__isnull=True).count()
    for a in Assignment.objects.select_related("sls__kelurahan", "ppl"):
        assert a.ppl.kecamatan_id == a.sls.kelurahan.kecamatan_id


def test_a_different_size_is_refused_until_removed():
    synthetic_generate(families=1000, seed=1)
    with pytest.raises(ValueError, match="already exists"):
        synthetic_generate(families=2000, seed=1)
