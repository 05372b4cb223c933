"""Builders for ranking tests: a one-feature model whose score is the floor area (302), and families
with a chosen floor area, so ranks can be checked by hand."""

from __future__ import annotations

import copy
import json
from typing import Any

from enumeration.models import SLS, User
from households.models import Family, FamilyStatus
from ranking.default_model import DEFAULT_MODEL_JSON
from ranking.jobs import ranking_run_execute
from ranking.models import PMTModel, RankingRun
from ranking.services import pmt_model_import, ranking_run_start
from tests.households.factories import create_family, record_for


def floor_model(version: str = "uji-luas-lantai") -> PMTModel:
    """score = 0.5 * floor area (302): the smaller the house, the poorer the family."""
    data: dict[str, Any] = copy.deepcopy(json.loads(DEFAULT_MODEL_JSON.read_text(encoding="utf-8")))
    data.update(
        version=version,
        title=f"Model uji {version}",
        intercept=0.0,
        features=[{"name": "floor", "kind": "number", "of": "family", "variable": "r302", "coefficient": 0.5}],
        accuracy={"note": "uji"},
    )
    return pmt_model_import(data=data).model


def family_with_floor(
    user: User, sls: SLS, floor: int, *, status: str = FamilyStatus.APPROVED, building: int = 1
) -> Family:
    family = create_family(user, sls, record_for(sls, r302=floor, r109=f"{building:03d}"))
    Family.objects.filter(pk=family.pk).update(status=status)
    family.status = status
    return family


def run_now(user: User, **kwargs: Any) -> RankingRun:
    """Start a run and compute it in-process (what the worker does)."""
    run = ranking_run_start(user=user, **kwargs)
    ranking_run_execute(run.pk)
    run.refresh_from_db()
    return run
