"""The SQL score (ranking/sqlscore.py) equals ranking/features.py's, family by family, for the
shipped model over varied synthetic records, and a NULL SQL score always has a FeatureError reason."""

from __future__ import annotations

import json
import random

import pytest

from households.form import definition_for_family
from households.models import Family, FamilyStatus, Member
from households.records import compose
from households.synthetic import synthetic_record
from ranking.default_model import DEFAULT_MODEL_JSON
from ranking.features import feature_vector
from ranking.models import RankedFamily, UnrankedFamily
from ranking.services import pmt_model_import
from tests.households.factories import create_family
from tests.ranking.factories import run_now

pytestmark = pytest.mark.django_db


def test_sql_scores_equal_the_python_reference_for_the_shipped_model(petugas, other_petugas, field, bps_admin):
    model = pmt_model_import(data=json.loads(DEFAULT_MODEL_JSON.read_text(encoding="utf-8"))).model
    rng = random.Random(11)
    families = []
    for i in range(24):
        user, sls = (petugas, field["own1"]) if i % 2 else (other_petugas, field["other"])
        family = create_family(user, sls, synthetic_record(rng, sls, "367401", building=i + 1, serial=i * 7))
        # vary, in the stored answers, what the synthetic generator keeps constant
        data = dict(family.data, r303=rng.choice([1, 2, 8]), r304=rng.choice([1, 2, 3]), r305=rng.choice([1, 3, 5]))
        data.update(r308=rng.choice([1, 4, 10]), r504a=rng.choice([0, 0, 2]), r307a=rng.choice([1, 2, 3]))
        Family.objects.filter(pk=family.pk).update(data=data)
        families.append(family)
    Family.objects.update(status=FamilyStatus.APPROVED)
    # two families SQL cannot score: a member who moved out is the only one left; a missing answer
    Member.objects.filter(family=families[0]).update(data={"r404": 2, "r409": 1, "r407": 40})
    data = dict(families[1].data)
    data.pop("r304")
    Family.objects.filter(pk=families[1].pk).update(data=data)

    run = run_now(bps_admin, model=model)
    scores = dict(RankedFamily.objects.filter(run=run).values_list("family_id", "score"))
    assert len(scores) == 22
    for family in Family.objects.filter(pk__in=scores):
        record = compose(definition_for_family(family), family, list(family.members.all()), reveal=False)
        values = feature_vector(model.features, record)
        expected = model.intercept + sum(f["coefficient"] * v for f, v in zip(model.features, values, strict=True))
        assert scores[family.pk] == pytest.approx(expected, abs=1e-9), family.pk
    reasons = dict(UnrankedFamily.objects.filter(run=run).values_list("family_id", "reason_code"))
    assert reasons == {families[0].pk: "no_members", families[1].pk: "missing_answer"}
    assert len(set(scores.values())) > 15  # the records differ: the comparison is not of constants
