from __future__ import annotations

from typing import Any

import pytest

from households.models import Family
from tests.households.factories import create_family, record_for


@pytest.fixture
def family(petugas, field) -> Family:
    """A submitted family of `petugas` (team of `supervisor`, kecamatan of `koseka`)."""
    return create_family(petugas, field["own1"])


def named(sls, name: str, building: str = "001") -> dict[str, Any]:
    """A clean record whose head (Blok I and the roster's first member) is `name`: no warning."""
    record = record_for(sls, r108=name, r109=building)
    record["members"][0]["r402"] = name
    return record


@pytest.fixture
def families(petugas, teammate, field) -> list[Family]:
    """Three families of the team and one of another kecamatan."""
    return [
        create_family(petugas, field["own1"], named(field["own1"], "ANI", "001")),
        create_family(petugas, field["own2"], named(field["own2"], "BUDI", "002")),
        create_family(teammate, field["team"], named(field["team"], "CICI", "003")),
    ]


@pytest.fixture
def other_family(other_petugas, field) -> Family:
    return create_family(other_petugas, field["other"], named(field["other"], "DEDI LAIN"))
