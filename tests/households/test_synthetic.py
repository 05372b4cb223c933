from __future__ import annotations

import random

import pytest

from enumeration.models import SLS
from enumeration.synthetic import synthetic_generate
from households import form
from households.models import Family, Member, PrelistFamily
from households.synthetic import families_generate, families_remove, synthetic_record

pytestmark = pytest.mark.django_db


def test_synthetic_records_are_valid_for_the_definition():
    synthetic_generate(families=500, seed=3)
    sls_list = list(SLS.objects.select_related("kelurahan__kecamatan__kabkota")[:20])
    rng = random.Random(5)
    definition = form.definition_or_none("regsosek22k", "1")
    for index, sls in enumerate(sls_list * 5):
        kec = sls.kelurahan.kecamatan.kemendagri_code.replace(".", "")
        record = synthetic_record(rng, sls, kec, building=index + 1, serial=index * 7)
        issues = form.validate(definition, record, sls=sls)
        assert issues == [], issues  # neither errors nor warnings
        assert all("SINTETIS" in m["r402"] for m in record["members"])


def test_families_are_generated_once_with_members_and_vk1_rows():
    synthetic_generate(families=1000, seed=3)
    made = families_generate(families_per_sls=3, seed=3)
    sls_count = SLS.objects.count()
    assert made == 3 * sls_count == Family.objects.count() == PrelistFamily.objects.count()
    assert Member.objects.count() >= made
    assert families_generate(families_per_sls=3, seed=3) == 0  # every SLS has its families already
    families_remove()
    assert not Family.objects.exists() and not PrelistFamily.objects.exists()
