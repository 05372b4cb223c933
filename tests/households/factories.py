"""Family records for tests: the questionnaire's clean example, placed in a given SLS."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from enumeration.models import SLS, User
from households import services
from households.models import Family
from tests.questionnaire.records import base_record


def record_for(sls: SLS, **family_changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(base_record())
    fam = record["family"]
    fam.update(
        {
            "r103": sls.kelurahan.kecamatan_id[-3:],
            "r104": sls.kelurahan_id[-3:],
            "r105": sls.code,
            "r105a": sls.sub_code,
        }
    )
    fam.update(family_changes)
    return record


def with_niks(record: dict[str, Any], *niks: str) -> dict[str, Any]:
    for member, nik in zip(record["members"], niks, strict=False):
        member["r403"] = nik
    return record


def create_family(user: User, sls: SLS, record: dict[str, Any] | None = None) -> Family:
    result = services.family_save(
        user=user, sls=sls, client_uuid=uuid.uuid4(), record=record or record_for(sls), base_revision=None
    )
    return result.family
