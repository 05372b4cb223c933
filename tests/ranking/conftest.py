from __future__ import annotations

import pytest

from households.models import Family, FamilyStatus, Member
from ranking.fitting import Evaluation, evaluate
from ranking.survey import Survey, load_survey
from tests.ranking.factories import family_with_floor


@pytest.fixture(scope="session")
def survey() -> Survey:
    return load_survey()


@pytest.fixture(scope="session")
def evaluation(survey: Survey) -> Evaluation:
    # Fitting and cross-validating takes about a second: once per session.
    return evaluate(survey)


@pytest.fixture
def population(petugas, teammate, other_petugas, field, bps_admin):
    """Twelve approved families over three kelurahan (floor areas chosen, two ties), one submitted,
    one without a head, one without the floor area."""
    floors = [
        (petugas, "own1", 30), (petugas, "own1", 20), (petugas, "own1", 20), (teammate, "team", 90),
        (petugas, "own2", 45), (petugas, "own2", 60), (petugas, "own2", 20), (teammate, "team", 75),
        (other_petugas, "other", 33), (other_petugas, "other", 120), (other_petugas, "other", 60),
        (other_petugas, "other", 18),
    ]  # fmt: skip
    made = [family_with_floor(u, field[s], f, building=i + 1) for i, (u, s, f) in enumerate(floors)]
    submitted = family_with_floor(petugas, field["own1"], 10, status=FamilyStatus.SUBMITTED, building=40)
    headless = family_with_floor(petugas, field["own1"], 25, building=41)
    Member.objects.filter(family=headless).update(data={"r404": 1, "r409": 2, "r407": 30})
    no_floor = family_with_floor(petugas, field["own2"], 26, building=42)
    data = dict(no_floor.data)
    data.pop("r302")
    Family.objects.filter(pk=no_floor.pk).update(data=data)
    return {"families": made, "submitted": submitted, "headless": headless, "no_floor": no_floor}
