"""A finished ranking run over families in three kelurahan, made by the ranking app's own job."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation

from enumeration.models import SLS, User
from fkp import services
from fkp.models import Forum
from households.models import Family
from ranking.jobs import ranking_run_execute
from ranking.models import RankedFamily, RankingRun
from ranking.services import ranking_run_start
from tests.helpers import KEL_A1, assign, make_sls
from tests.ranking.factories import family_with_floor, floor_model

# The head's NIK and the No. KK of the questionnaire's clean example (tests/questionnaire/records.py).
HEAD_NIK = "3674071503800001"
KK_NUMBER = "3674071503100001"
HOSTILE = '<script>alert("x")</script> =CMD()'


@pytest.fixture(autouse=True)
def _indonesian():  # type: ignore[no-untyped-def]
    """The services' messages are checked in Indonesian, whatever language an earlier test left active."""
    with translation.override("id"):
        yield


@dataclass
class World:
    run: RankingRun
    families: list[Family]
    sls: dict[str, SLS]

    def ranked(self, family: Family) -> RankedFamily:
        return RankedFamily.objects.get(run=self.run, family=family)


def run_now(user: User, **kwargs: object) -> RankingRun:
    run = ranking_run_start(user=user, **kwargs)  # type: ignore[arg-type]
    ranking_run_execute(run.pk)
    run.refresh_from_db()
    return run


@pytest.fixture
def world(petugas, teammate, other_petugas, field, bps_admin) -> World:
    """Ten approved families: six in KEL_A1 (SLS 0001 own1, 0002 team, 0004 extra), two in KEL_A2,
    two in KEL_B1 (another kecamatan). The poorest of own1 has a hostile head name."""
    floor_model()
    field["extra"] = make_sls(KEL_A1, "0004")
    assign(field["extra"], petugas)
    plan = [
        (petugas, "own1", 30), (petugas, "own1", 20), (petugas, "own1", 25), (teammate, "team", 90),
        (teammate, "team", 75), (petugas, "own2", 45), (petugas, "own2", 60), (other_petugas, "other", 50),
        (other_petugas, "other", 35), (petugas, "extra", 40),
    ]  # fmt: skip
    families = [family_with_floor(u, field[s], f, building=i + 1) for i, (u, s, f) in enumerate(plan)]
    Family.objects.filter(pk=families[1].pk).update(head_name=HOSTILE)
    families[1].refresh_from_db()
    return World(run=run_now(bps_admin), families=families, sls=field)


@pytest.fixture
def forums(world, bps_admin) -> list[Forum]:
    """KEL_A1's three SLS in three forums (at most one SLS a forum)."""
    from enumeration.models import Kelurahan

    return services.forum_group_kelurahan(
        user=bps_admin, run=world.run, kelurahan=Kelurahan.objects.get(pk=KEL_A1), max_sls=1
    )
